//! An observation (or supervision audit, shadowing, visit) as an Automerge
//! document. Prompts are `Text` so dictated notes and the observed person's
//! reflection merge like any other text.

use std::collections::BTreeMap;

use automerge::transaction::Transactable;
use automerge::{ReadDoc, ScalarValue};
use autosurgeon::{Hydrate, Reconcile, Text};

use super::quota::MeetingType;
use super::template::ObservationTemplates;
use crate::access::ObservationKind;
use crate::closed_set::{chosen, closed_set};
use crate::document::date::maybe_day;
use crate::document::{DocKind, DocumentError, Record};
use crate::org::{PersonId, TeamId};
use chrono::NaiveDate;

pub const OBSERVATION_SCHEMA: u64 = 1;

closed_set! {
    /// Where an observation or visit took place.
    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
    #[serde(rename_all = "kebab-case")]
    pub enum Setting: "setting", shown by label {
        HomeVisit = "home-visit", "Home visit";
        FamilyMeeting = "family-meeting", "Meeting with the family";
        ReviewOrConference = "review-or-conference", "Review or conference";
        Office = "office", "Office or supervision room";
        ResidentialHome = "residential-home", "Residential home";
        Other = "other", "Somewhere else";
    }
}

impl Setting {
    /// A setting where the observer meets children or families, so the
    /// family's consent is needed (R-OBS-1).
    pub fn meets_children_or_families(self) -> bool {
        matches!(
            self,
            Setting::ResidentialHome | Setting::HomeVisit | Setting::FamilyMeeting
        )
    }
}

closed_set! {
    /// Which half of the day an AD shadowing covered (R-OBS-2).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
    #[serde(rename_all = "kebab-case")]
    pub enum PartOfDay: "part of the day", shown by label {
        Morning = "morning", "Morning";
        Afternoon = "afternoon", "Afternoon";
    }
}

closed_set! {
    /// The family's answer when asked for consent (R-OBS-1).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
    #[serde(rename_all = "kebab-case")]
    pub enum ConsentAnswer: "consent", shown by label {
        Given = "given", "Consent given";
        Refused = "refused", "Consent refused";
    }
}

closed_set! {
    /// How consent was given or refused (R-OBS-1).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
    #[serde(rename_all = "kebab-case")]
    pub enum ConsentHow: "way consent was given", shown by label {
        Verbal = "verbal", "Verbally";
        Written = "written", "In writing";
    }
}

#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate)]
pub struct ObservationDoc {
    pub kind: String,
    pub schema: u64,
    /// The kind of observation.
    pub observation: ObservationKind,
    pub template_version: u64,
    pub observer: PersonId,
    pub observer_name: String,
    /// The person observed; none, blank or not an id reads as none.
    #[autosurgeon(missing = "Option::default", with = "chosen")]
    pub subject: Option<PersonId>,
    #[autosurgeon(missing = "Option::default")]
    pub subject_name: Option<String>,
    #[autosurgeon(missing = "Option::default", with = "chosen")]
    pub team: Option<TeamId>,
    #[autosurgeon(missing = "Option::default")]
    pub team_name: Option<String>,
    /// When.
    #[autosurgeon(missing = "Option::default", with = "maybe_day")]
    pub held_on: Option<NaiveDate>,
    /// R-OBS-1: whether this kind asked for consent when the record was
    /// made, kept with it so a later change to the question set leaves it
    /// alone (`None` in records made before it was kept).
    #[autosurgeon(missing = "Option::default")]
    pub needs_consent: Option<bool>,
    /// For AD shadowing, which half of the day (R-OBS-2).
    #[autosurgeon(missing = "Option::default", with = "chosen")]
    pub part_of_day: Option<PartOfDay>,
    /// Where.
    pub place: Text,
    #[autosurgeon(missing = "Option::default", with = "chosen")]
    pub setting: Option<Setting>,
    /// For IRO observations, the meeting chaired.
    #[autosurgeon(missing = "Option::default", with = "chosen")]
    pub meeting_type: Option<MeetingType>,
    pub consent: Consent,
    pub sections: Vec<ObservationSection>,
    /// The observed person's own reflection, in their words.
    pub reflection: Text,
    /// R-REP-7: the council's practice themes the strengths are tagged
    /// against (theme code → tagged).
    #[autosurgeon(missing = "Default::default")]
    pub strength_themes: BTreeMap<String, bool>,
    /// R-REP-7: likewise for the areas for development.
    #[autosurgeon(missing = "Default::default")]
    pub development_themes: BTreeMap<String, bool>,
    #[autosurgeon(missing = "Option::default")]
    pub completed_at: Option<i64>,
    /// Why it ended without notes (consent refused).
    #[autosurgeon(missing = "Option::default")]
    pub ended: Option<String>,
}

/// Consent to observe a meeting with a child or family (R-OBS-1).
#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate)]
pub struct Consent {
    #[autosurgeon(missing = "Option::default", with = "chosen")]
    pub status: Option<ConsentAnswer>,
    /// Who gave (or refused) it.
    pub given_by: Text,
    #[autosurgeon(missing = "Option::default", with = "chosen")]
    pub how: Option<ConsentHow>,
    /// The purpose statement was shown before consent was asked.
    pub purpose_shown: bool,
    #[autosurgeon(missing = "Option::default")]
    pub recorded_at: Option<i64>,
    #[autosurgeon(missing = "Option::default", with = "chosen")]
    pub recorded_by: Option<PersonId>,
}

#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate)]
pub struct ObservationSection {
    #[key]
    pub id: String,
    pub title: String,
    pub prompts: Vec<Prompt>,
}

#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate)]
pub struct Prompt {
    #[key]
    pub id: String,
    pub text: String,
    pub hint: String,
    pub answer: Text,
}

/// Everything needed to start an observation.
#[derive(Debug, Clone)]
pub struct NewObservation {
    pub kind: ObservationKind,
    pub observer: PersonId,
    pub observer_name: String,
    pub subject: Option<(PersonId, String)>,
    pub team: Option<(TeamId, String)>,
    pub held_on: Option<NaiveDate>,
}

/// A new observation from its kind's template, as the value its document
/// starts with.
pub fn new_observation_value(
    templates: &ObservationTemplates,
    new: &NewObservation,
) -> Result<ObservationDoc, DocumentError> {
    let template = templates
        .kind(new.kind)
        .ok_or_else(|| DocumentError::NoQuestions(new.kind.label().to_string()))?;
    Ok(ObservationDoc {
        kind: DocKind::Observation.code().to_string(),
        schema: OBSERVATION_SCHEMA,
        observation: new.kind,
        template_version: u64::from(templates.version),
        observer: new.observer.clone(),
        observer_name: new.observer_name.clone(),
        subject: new.subject.as_ref().map(|s| s.0.clone()),
        subject_name: new.subject.as_ref().map(|s| s.1.clone()),
        team: new.team.as_ref().map(|t| t.0.clone()),
        team_name: new.team.as_ref().map(|t| t.1.clone()),
        held_on: new.held_on,
        needs_consent: Some(template.needs_consent),
        part_of_day: None,
        place: Text::from(""),
        setting: None,
        meeting_type: None,
        consent: Consent {
            status: None,
            given_by: Text::from(""),
            how: None,
            purpose_shown: false,
            recorded_at: None,
            recorded_by: None,
        },
        sections: template
            .sections
            .iter()
            .map(|s| ObservationSection {
                id: s.id.clone(),
                title: s.title.clone(),
                prompts: s
                    .prompts
                    .iter()
                    .map(|p| Prompt {
                        id: p.id.clone(),
                        text: p.text.clone(),
                        hint: p.hint.clone(),
                        answer: Text::from(""),
                    })
                    .collect(),
            })
            .collect(),
        reflection: Text::from(""),
        strength_themes: BTreeMap::new(),
        development_themes: BTreeMap::new(),
        completed_at: None,
        ended: None,
    })
}

pub fn new_observation(
    templates: &ObservationTemplates,
    new: &NewObservation,
    created_by: &str,
    time_secs: i64,
) -> Result<automerge::Automerge, DocumentError> {
    new_observation_value(templates, new)?.create(created_by, time_secs)
}

impl Record for ObservationDoc {
    const KIND: DocKind = DocKind::Observation;
}

pub fn read<D: ReadDoc + autosurgeon::ReadDoc>(doc: &D) -> Option<ObservationDoc> {
    ObservationDoc::read(doc)
}

impl ObservationDoc {
    /// The answer to a prompt, by prompt id.
    pub fn answer(&self, prompt: &str) -> Option<&str> {
        self.sections
            .iter()
            .flat_map(|s| &s.prompts)
            .find(|p| p.id == prompt)
            .map(|p| p.answer.as_str())
    }
}

/// Paths of the observation's fields, as the screens address them (a test
/// resolves every one on a new observation).
pub mod path {
    use crate::document::text::FieldPath;

    pub fn root() -> FieldPath {
        FieldPath::root()
    }

    pub fn place() -> FieldPath {
        FieldPath::key("place")
    }

    pub fn reflection() -> FieldPath {
        FieldPath::key("reflection")
    }

    pub fn consent() -> FieldPath {
        FieldPath::key("consent")
    }

    pub fn consent_given_by() -> FieldPath {
        consent().then_key("given_by")
    }

    /// Where a prompt's answer lives.
    pub fn prompt(section: &str, prompt: &str) -> FieldPath {
        FieldPath::key("sections")
            .then_item(section)
            .then_key("prompts")
            .then_item(prompt)
            .then_key("answer")
    }
}

/// Records consent given or refused (R-OBS-1); a refusal ends the
/// observation.
pub fn record_consent<T: Transactable + ReadDoc>(
    tx: &mut T,
    answer: ConsentAnswer,
    how: ConsentHow,
    by: &PersonId,
    at: i64,
) -> Result<(), DocumentError> {
    let path = crate::document::text::FieldPath::key("consent");
    use crate::document::fields::set_scalar;
    set_scalar(tx, &path, "status", Some(answer.code().into()))?;
    set_scalar(tx, &path, "how", Some(how.code().into()))?;
    set_scalar(tx, &path, "recorded_at", Some(at.into()))?;
    set_scalar(tx, &path, "recorded_by", Some(by.as_str().into()))?;
    if answer == ConsentAnswer::Refused {
        set_scalar(
            tx,
            &crate::document::text::FieldPath(vec![]),
            "ended",
            Some(ScalarValue::Str("consent refused".into())),
        )?;
    }
    Ok(())
}
