//! Facts: what each record says that a report counts, extracted from the
//! record's document by a pure function (R-REP-8: figures come from the
//! records themselves, never typed twice).
//!
//! The server keeps these rows in its database (the projection) and
//! replaces a record's rows whenever its document changes; rebuilding them
//! from every document gives the same rows, because [`extract`] depends only
//! on the document, its registration and the organisation. The
//! organisation places a team in its service area and says which role an
//! auditor audits in; it is the directory as it stands when the record was
//! last projected.

use automerge::ReadDoc;
use chrono::{DateTime, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::access::{ObservationKind, Parties, RecordMeta};
use crate::audit::{self, Grade};
use crate::closed_set::chosen;
use crate::document::{DocKind, kind_of, read_as};
use crate::drp::{self, DrpCategory, DrpDoc, DrpOutcome};
use crate::moderation::{document as moderation, panel};
use crate::observation::quota::MeetingType;
use crate::observation::template as obs_template;
use crate::org::{CaseRef, Cohort, Organisation, PersonId, Role, ServiceAreaId, TeamId};
use crate::schedule::AuditKind;
use crate::sync::DocumentId;

/// The longest quote kept from a finding's free text.
pub const QUOTE_CHARS: usize = 400;

/// Every row one record contributes to the projection.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Facts {
    pub audits: Vec<AuditFact>,
    pub section_grades: Vec<SectionGradeFact>,
    pub actions: Vec<ActionFact>,
    pub disputes: Vec<DisputeFact>,
    pub alerts: Vec<AlertFact>,
    pub moderations: Vec<ModerationFact>,
    pub observations: Vec<ObservationFact>,
    pub findings: Vec<FindingFact>,
    pub drp_alerts: Vec<DrpFact>,
}

impl Facts {
    pub fn is_empty(&self) -> bool {
        *self == Facts::default()
    }

    /// Adds another record's rows (for building a whole projection).
    pub fn extend(&mut self, other: Facts) {
        self.audits.extend(other.audits);
        self.section_grades.extend(other.section_grades);
        self.actions.extend(other.actions);
        self.disputes.extend(other.disputes);
        self.alerts.extend(other.alerts);
        self.moderations.extend(other.moderations);
        self.observations.extend(other.observations);
        self.findings.extend(other.findings);
        self.drp_alerts.extend(other.drp_alerts);
    }
}

/// One audit: who, what, when, and the grades.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditFact {
    pub record: DocumentId,
    pub case: CaseRef,
    pub cohort: Option<Cohort>,
    /// The month's theme the audit was allocated under.
    pub theme: String,
    pub kind: AuditKind,
    pub team: TeamId,
    pub service_area: Option<ServiceAreaId>,
    pub auditor: PersonId,
    /// The role the auditor audits in (Team Manager, Service Manager…).
    pub auditor_role: Option<Role>,
    pub practitioner: PersonId,
    pub allocated_on: NaiveDate,
    pub meeting_on: Option<NaiveDate>,
    pub completed_on: Option<NaiveDate>,
    /// The auditor's overall grade.
    pub grade: Option<Grade>,
    /// The grade after moderation or a panel, where there was one.
    pub moderated_grade: Option<Grade>,
    pub follow_up_due: Option<NaiveDate>,
    pub follow_up_done: Option<NaiveDate>,
    pub closed_on: Option<NaiveDate>,
    /// R-AUDIT-9: the manager's conversation with the practitioner.
    pub practitioner_response_on: Option<NaiveDate>,
    /// R-AUDIT-9: the Service Manager's conversation with the Team Manager.
    pub manager_response_on: Option<NaiveDate>,
    /// R-AUDIT-9: once completed, who still owes a support and challenge
    /// conversation (the practitioner's manager, their Service Manager).
    #[serde(default)]
    pub responses_owed_by: Vec<PersonId>,
    /// R-AUDIT-10: good practice was written down.
    pub good_practice: bool,
    /// R-MOD-5: moderated Inadequate.
    pub reaudit_required: bool,
}

impl AuditFact {
    /// The grade the audit stands at: moderated where it was moderated.
    pub fn final_grade(&self) -> Option<Grade> {
        self.moderated_grade.or(self.grade)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SectionGradeFact {
    pub record: DocumentId,
    /// The template's section id (`voice`, `planning`…).
    pub section: String,
    pub title: String,
    pub grade: Grade,
}

/// A recommended action (R-AUDIT-4).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionFact {
    pub record: DocumentId,
    pub action: String,
    pub owner: Option<PersonId>,
    pub due_on: Option<NaiveDate>,
    pub done: bool,
}

/// One stage of the disagreement path (R-AUDIT-8).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DisputeFact {
    pub record: DocumentId,
    pub stage: u8,
    pub opened_on: NaiveDate,
    pub closed_on: Option<NaiveDate>,
    pub resolved: bool,
}

/// A safety concern raised during an audit (R-AUDIT-5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AlertFact {
    pub record: DocumentId,
    pub alert: String,
    pub raised_on: NaiveDate,
    pub alerted: bool,
}

pub use crate::moderation::ModeratedBy;

/// The moderation of one audit, by a moderator or a panel.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModerationFact {
    /// The moderation or panel record.
    pub record: DocumentId,
    pub audit: DocumentId,
    pub by: ModeratedBy,
    pub completed_on: Option<NaiveDate>,
    /// The audit's grade as moderated.
    pub audit_grade: Option<Grade>,
    pub moderated_grade: Option<Grade>,
    /// Whether the moderation agreed with the audit's grade.
    pub agreed: Option<bool>,
    pub audit_quality: Option<Grade>,
    pub no_consensus: bool,
}

/// An observation, supervision audit, shadowing or visit (R-OBS-2).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObservationFact {
    pub record: DocumentId,
    pub kind: ObservationKind,
    pub observer: PersonId,
    pub subject: Option<PersonId>,
    pub team: Option<TeamId>,
    pub service_area: Option<ServiceAreaId>,
    pub held_on: Option<NaiveDate>,
    pub completed_on: Option<NaiveDate>,
    pub meeting: Option<MeetingType>,
    /// Ended without notes (consent refused).
    pub ended: bool,
}

/// Strength or area for development.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Polarity {
    Strength,
    Development,
}

impl Polarity {
    pub fn code(self) -> &'static str {
        match self {
            Polarity::Strength => "strength",
            Polarity::Development => "development",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Polarity::Strength => "Strength",
            Polarity::Development => "Area for development",
        }
    }

    pub fn parse(code: &str) -> Option<Polarity> {
        [Polarity::Strength, Polarity::Development]
            .into_iter()
            .find(|p| p.code() == code)
    }
}

/// The kind of record a finding was made in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FindingSource {
    Audit,
    Observation,
}

impl FindingSource {
    pub fn code(self) -> &'static str {
        match self {
            FindingSource::Audit => "audit",
            FindingSource::Observation => "observation",
        }
    }

    pub fn parse(code: &str) -> Option<FindingSource> {
        [FindingSource::Audit, FindingSource::Observation]
            .into_iter()
            .find(|s| s.code() == code)
    }
}

/// A strength or area for development tagged against a practice theme
/// (R-REP-7), with the words it was written in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FindingFact {
    pub record: DocumentId,
    pub source: FindingSource,
    pub polarity: Polarity,
    /// The practice theme's code.
    pub theme: String,
    /// When the finding was made (the audit's completion, the observation).
    pub on: NaiveDate,
    pub team: Option<TeamId>,
    pub service_area: Option<ServiceAreaId>,
    /// The free text beside the tag (child-level: shown only to those who
    /// may read the record).
    pub quote: String,
}

/// A DRP alert (R-REP-5).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DrpFact {
    pub record: DocumentId,
    pub case: CaseRef,
    pub team: TeamId,
    pub service_area: Option<ServiceAreaId>,
    pub iro: PersonId,
    pub category: Option<DrpCategory>,
    /// The highest stage reached.
    pub stage: u8,
    pub raised_on: NaiveDate,
    pub ended_on: Option<NaiveDate>,
    pub outcome: Option<DrpOutcome>,
}

/// What of an audit its facts need: the audit without its questions (the
/// bulk of the document), so projecting a change reads only what counts.
#[derive(Debug, Clone, PartialEq, autosurgeon::Hydrate)]
pub struct AuditSummary {
    pub header: audit::document::Header,
    pub sections: Vec<SectionSummary>,
    pub overall: OverallSummary,
    pub strengths: autosurgeon::Text,
    pub development: autosurgeon::Text,
    #[autosurgeon(missing = "Default::default")]
    pub strength_themes: std::collections::BTreeMap<String, bool>,
    #[autosurgeon(missing = "Default::default")]
    pub development_themes: std::collections::BTreeMap<String, bool>,
    pub actions: Vec<audit::document::ActionItem>,
    pub safety_alerts: Vec<audit::document::SafetyAlert>,
    pub disagreement: Vec<audit::document::DisagreementStage>,
    pub follow_up: audit::document::FollowUp,
    pub responses: audit::document::Responses,
    pub recognition: audit::document::Recognition,
    #[autosurgeon(missing = "Option::default")]
    pub completed_at: Option<i64>,
    #[autosurgeon(missing = "Option::default")]
    pub closed_at: Option<i64>,
    #[autosurgeon(missing = "Option::default")]
    pub moderated: Option<audit::document::ModeratedOutcome>,
    #[autosurgeon(missing = "Default::default")]
    pub reaudit_required: bool,
}

#[derive(Debug, Clone, PartialEq, autosurgeon::Hydrate)]
pub struct SectionSummary {
    pub id: String,
    pub title: String,
    #[autosurgeon(missing = "Option::default", with = "chosen")]
    pub grade: Option<Grade>,
}

#[derive(Debug, Clone, PartialEq, autosurgeon::Hydrate)]
pub struct OverallSummary {
    #[autosurgeon(missing = "Option::default", with = "chosen")]
    pub grade: Option<Grade>,
}

/// What of an observation its facts need: no prompts' wording.
#[derive(Debug, Clone, PartialEq, autosurgeon::Hydrate)]
pub struct ObservationSummary {
    // Read leniently: a report counts what it can rather than refusing a
    // record with one odd value.
    #[autosurgeon(missing = "Option::default", with = "chosen")]
    pub held_on: Option<NaiveDate>,
    #[autosurgeon(missing = "Option::default", with = "chosen")]
    pub meeting_type: Option<MeetingType>,
    pub sections: Vec<ObservationSectionSummary>,
    #[autosurgeon(missing = "Default::default")]
    pub strength_themes: std::collections::BTreeMap<String, bool>,
    #[autosurgeon(missing = "Default::default")]
    pub development_themes: std::collections::BTreeMap<String, bool>,
    #[autosurgeon(missing = "Option::default")]
    pub completed_at: Option<i64>,
    #[autosurgeon(missing = "Option::default")]
    pub ended: Option<String>,
}

#[derive(Debug, Clone, PartialEq, autosurgeon::Hydrate)]
pub struct ObservationSectionSummary {
    pub prompts: Vec<PromptSummary>,
}

#[derive(Debug, Clone, PartialEq, autosurgeon::Hydrate)]
pub struct PromptSummary {
    pub id: String,
    pub answer: autosurgeon::Text,
}

impl ObservationSummary {
    fn answer(&self, prompt: &str) -> Option<&str> {
        self.sections
            .iter()
            .flat_map(|s| &s.prompts)
            .find(|p| p.id == prompt)
            .map(|p| p.answer.as_str())
    }
}

/// The day a Unix time falls on (UTC).
pub fn day_of(seconds: i64) -> Option<NaiveDate> {
    DateTime::from_timestamp(seconds, 0).map(|t| t.date_naive())
}

fn quote(text: &str) -> String {
    let text = text.trim();
    match text.char_indices().nth(QUOTE_CHARS) {
        Some((cut, _)) => format!("{}…", &text[..cut]),
        None => text.to_string(),
    }
}

/// The role a person audits in: the first of the auditing roles they hold.
pub fn auditing_role(org: &Organisation, person: &PersonId) -> Option<Role> {
    const ORDER: [Role; 13] = [
        Role::TeamManager,
        Role::FamilySolutionsManager,
        Role::ResidentialManager,
        Role::IroServiceManager,
        Role::Iro,
        Role::ServiceManager,
        Role::HeadOfService,
        Role::AssistantDirector,
        Role::Director,
        Role::CabinetMember,
        Role::ChiefExecutive,
        Role::CppPractitioner,
        Role::CppServiceManager,
    ];
    let p = org.person(person)?;
    ORDER.into_iter().find(|r| p.has_role(*r))
}

fn area_of(org: &Organisation, team: &TeamId) -> Option<ServiceAreaId> {
    org.service_area_of_team(team).map(|a| a.id.clone())
}

/// Tagged practice themes: those set to true, in code order.
fn tagged(map: &std::collections::BTreeMap<String, bool>) -> impl Iterator<Item = &String> {
    map.iter().filter(|(_, on)| **on).map(|(code, _)| code)
}

/// Whether records of `kind` ever contribute to reports. Notes, reports,
/// briefings and panel positions never do (a panel's consensus is read from
/// the panel), so the server need not read them when they change.
pub fn has_facts(kind: DocKind) -> bool {
    match kind {
        DocKind::Audit
        | DocKind::Moderation
        | DocKind::Panel
        | DocKind::Observation
        | DocKind::DrpAlert => true,
        DocKind::Note | DocKind::Report | DocKind::PanelPosition | DocKind::Briefing => false,
    }
}

/// Everything the record contributes to reports; nothing when the document
/// is not of the registered kind or cannot be read.
pub fn extract<D>(meta: &RecordMeta, doc: &D, org: &Organisation) -> Facts
where
    D: ReadDoc + autosurgeon::ReadDoc,
{
    if !has_facts(meta.kind()) || kind_of(doc) != Some(meta.kind()) {
        return Facts::default();
    }
    let mut facts = match meta.kind() {
        DocKind::Audit => read_as::<AuditSummary, _>(doc, DocKind::Audit)
            .map(|a| of_audit(meta, &a, org))
            .unwrap_or_default(),
        DocKind::Moderation => moderation::read(doc)
            .map(|m| of_moderation(meta, &m))
            .unwrap_or_default(),
        DocKind::Panel => panel::read_panel(doc)
            .map(|p| of_panel(meta, &p))
            .unwrap_or_default(),
        DocKind::Observation => read_as::<ObservationSummary, _>(doc, DocKind::Observation)
            .map(|o| of_observation(meta, &o, org))
            .unwrap_or_default(),
        DocKind::DrpAlert => drp::read(doc)
            .map(|d| of_drp(meta, &d, org))
            .unwrap_or_default(),
        DocKind::Note | DocKind::Report | DocKind::PanelPosition | DocKind::Briefing => {
            Facts::default()
        }
    };
    facts.sort();
    facts
}

impl Facts {
    /// The same facts in the order [`extract`] gives them.
    pub fn sorted(mut self) -> Facts {
        self.sort();
        self
    }

    /// A fixed order, so the same record always gives equal facts.
    fn sort(&mut self) {
        self.section_grades
            .sort_by(|a, b| a.section.cmp(&b.section));
        self.actions.sort_by(|a, b| a.action.cmp(&b.action));
        self.disputes.sort_by_key(|d| d.stage);
        self.alerts.sort_by(|a, b| a.alert.cmp(&b.alert));
        self.moderations.sort_by(|a, b| a.audit.cmp(&b.audit));
        self.findings.sort_by(|a, b| {
            (a.polarity, &a.theme, a.source).cmp(&(b.polarity, &b.theme, b.source))
        });
    }
}

/// An audit's facts. The registration names the case, team and people (as
/// access knows them); the document says the rest.
pub fn of_audit(meta: &RecordMeta, a: &AuditSummary, org: &Organisation) -> Facts {
    let Parties::Audit {
        case,
        team,
        practitioner,
        auditor,
        ..
    } = &meta.parties
    else {
        return Facts::default();
    };
    let record = meta.id.clone();
    let service_area = area_of(org, team);
    let completed_on = a.completed_at.and_then(day_of);
    let fact = AuditFact {
        record: record.clone(),
        case: case.clone(),
        cohort: Some(a.header.cohort),
        theme: a.header.theme.trim().to_string(),
        kind: a.header.audit_kind,
        team: team.clone(),
        service_area: service_area.clone(),
        auditor: auditor.clone(),
        auditor_role: auditing_role(org, auditor),
        practitioner: practitioner.clone(),
        allocated_on: a.header.allocated_on,
        meeting_on: a.header.meeting_on,
        completed_on,
        grade: a.overall.grade,
        moderated_grade: a.moderated.as_ref().and_then(|m| m.grade),
        follow_up_due: a.follow_up.due_on,
        follow_up_done: a.follow_up.done_on,
        closed_on: a.closed_at.and_then(day_of),
        practitioner_response_on: a.responses.practitioner.held_on,
        manager_response_on: a.responses.manager.held_on,
        responses_owed_by: if completed_on.is_some() {
            audit::rules::owed_responses(&a.header, &a.responses, org)
                .into_iter()
                .map(|(_, who)| who)
                .collect()
        } else {
            Vec::new()
        },
        good_practice: !a.recognition.good_practice.as_str().trim().is_empty(),
        reaudit_required: a.reaudit_required,
    };
    let section_grades = a
        .sections
        .iter()
        .filter_map(|s| {
            Some(SectionGradeFact {
                record: record.clone(),
                section: s.id.clone(),
                title: s.title.clone(),
                grade: s.grade?,
            })
        })
        .collect();
    let actions = a
        .actions
        .iter()
        .map(|x| ActionFact {
            record: record.clone(),
            action: x.id.clone(),
            owner: x.owner.clone(),
            due_on: x.due_on,
            done: x.status == audit::document::ActionStatus::Done,
        })
        .collect();
    let disputes = a
        .disagreement
        .iter()
        .filter_map(|s| {
            Some(DisputeFact {
                record: record.clone(),
                stage: u8::try_from(s.stage).ok()?,
                opened_on: day_of(s.opened_at)?,
                closed_on: s.closed_at.and_then(day_of),
                resolved: s.resolved,
            })
        })
        .collect();
    let alerts = a
        .safety_alerts
        .iter()
        .filter_map(|s| {
            Some(AlertFact {
                record: record.clone(),
                alert: s.id.clone(),
                raised_on: day_of(s.raised_at)?,
                alerted: s.alerted_at.is_some(),
            })
        })
        .collect();
    // Findings count once the audit is completed: before that they are a
    // draft the auditor may still change.
    let findings = match completed_on {
        Some(on) => {
            let finding = |polarity, theme: &String, text: &str| FindingFact {
                record: record.clone(),
                source: FindingSource::Audit,
                polarity,
                theme: theme.clone(),
                on,
                team: Some(team.clone()),
                service_area: service_area.clone(),
                quote: quote(text),
            };
            tagged(&a.strength_themes)
                .map(|t| finding(Polarity::Strength, t, a.strengths.as_str()))
                .chain(
                    tagged(&a.development_themes)
                        .map(|t| finding(Polarity::Development, t, a.development.as_str())),
                )
                .collect()
        }
        None => Vec::new(),
    };
    Facts {
        audits: vec![fact],
        section_grades,
        actions,
        disputes,
        alerts,
        findings,
        ..Facts::default()
    }
}

/// A CPP moderation's facts (R-MOD-2).
pub fn of_moderation(meta: &RecordMeta, m: &moderation::ModerationDoc) -> Facts {
    let Parties::Moderation { audit, .. } = &meta.parties else {
        return Facts::default();
    };
    let agreed = m.agreement.map(|a| a == moderation::Agreement::Agree);
    Facts {
        moderations: vec![ModerationFact {
            record: meta.id.clone(),
            audit: audit.clone(),
            by: ModeratedBy::Moderation,
            completed_on: m.completed_at.and_then(day_of),
            audit_grade: m.audit_grade,
            moderated_grade: moderation::outcome_grade(m),
            agreed,
            audit_quality: m.audit_quality,
            no_consensus: false,
        }],
        ..Facts::default()
    }
}

/// A panel's facts: one moderation per audit it reached a view on (R-MOD-3).
pub fn of_panel(meta: &RecordMeta, p: &panel::PanelDoc) -> Facts {
    let moderations = p
        .audits
        .iter()
        .map(|a| {
            let audit = a.id.clone();
            let c = &a.consensus;
            let audit_grade = a.audit_grade;
            let moderated_grade = if c.no_consensus { None } else { c.grade };
            ModerationFact {
                record: meta.id.clone(),
                audit,
                by: ModeratedBy::Panel,
                completed_on: c.recorded_at.and_then(day_of),
                audit_grade,
                moderated_grade,
                agreed: match (audit_grade, moderated_grade) {
                    (Some(a), Some(m)) => Some(a == m),
                    _ => None,
                },
                audit_quality: if c.no_consensus {
                    None
                } else {
                    c.audit_quality
                },
                no_consensus: c.no_consensus,
            }
        })
        .collect();
    Facts {
        moderations,
        ..Facts::default()
    }
}

/// An observation's facts (R-OBS-2, R-OBS-3, R-REP-7).
pub fn of_observation(meta: &RecordMeta, o: &ObservationSummary, org: &Organisation) -> Facts {
    let Parties::Observation {
        observation: kind,
        observer,
        subject,
        team,
    } = &meta.parties
    else {
        return Facts::default();
    };
    let record = meta.id.clone();
    // The team is the one visited, else the observed person's, else the
    // observer's.
    let team = team
        .clone()
        .or_else(|| subject.as_ref().and_then(|s| org.person(s)?.team.clone()))
        .or_else(|| org.person(observer).and_then(|p| p.team.clone()));
    let service_area = team.as_ref().and_then(|t| area_of(org, t)).or_else(|| {
        subject
            .as_ref()
            .or(Some(observer))
            .and_then(|p| org.person(p)?.service_area.clone())
    });
    let held_on = o.held_on;
    let completed_on = o.completed_at.and_then(day_of);
    let fact = ObservationFact {
        record: record.clone(),
        kind: *kind,
        observer: observer.clone(),
        subject: subject.clone(),
        team: team.clone(),
        service_area: service_area.clone(),
        held_on,
        completed_on,
        meeting: o.meeting_type,
        ended: o.ended.is_some(),
    };
    let findings = match (completed_on, o.ended.is_some()) {
        (Some(done), false) => {
            let on = held_on.unwrap_or(done);
            let finding = |polarity, theme: &String, prompt: &str| FindingFact {
                record: record.clone(),
                source: FindingSource::Observation,
                polarity,
                theme: theme.clone(),
                on,
                team: team.clone(),
                service_area: service_area.clone(),
                quote: quote(o.answer(prompt).unwrap_or_default()),
            };
            tagged(&o.strength_themes)
                .map(|t| finding(Polarity::Strength, t, obs_template::STRENGTHS))
                .chain(
                    tagged(&o.development_themes)
                        .map(|t| finding(Polarity::Development, t, obs_template::AREAS)),
                )
                .collect()
        }
        _ => Vec::new(),
    };
    Facts {
        observations: vec![fact],
        findings,
        ..Facts::default()
    }
}

/// A DRP alert's facts (R-REP-5).
pub fn of_drp(meta: &RecordMeta, d: &DrpDoc, org: &Organisation) -> Facts {
    let Parties::Drp { case, team, iro } = &meta.parties else {
        return Facts::default();
    };
    let raised_on = d.raised_on;
    let ended = d.ended();
    Facts {
        drp_alerts: vec![DrpFact {
            record: meta.id.clone(),
            case: case.clone(),
            team: team.clone(),
            service_area: area_of(org, team),
            iro: iro.clone(),
            category: d.category,
            stage: u8::try_from(d.stage()).unwrap_or(4),
            raised_on,
            ended_on: if ended { d.resolved_on } else { None },
            outcome: if ended { d.outcome } else { None },
        }],
        ..Facts::default()
    }
}
