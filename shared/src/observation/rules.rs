//! Consent before notes (R-OBS-1) and what a finished observation must
//! hold for My Annual Review (R-OBS-3).

use super::document::{ConsentAnswer, ObservationDoc, Setting};
use super::template::{self, AREAS, NARRATIVE, OBJECTIVES, STRENGTHS};
use crate::access::ObservationKind;
use crate::org::{Organisation, PersonId, Role};

/// Where consent stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsentState {
    /// Not a meeting with children or families.
    NotNeeded,
    /// Needed and not yet recorded: no notes may be written.
    Awaited,
    Given,
    /// Refused: the observation ends here.
    Refused,
}

/// R-OBS-1: a planned meeting with children or families needs their
/// explicit, informed consent, recorded (who, when, how, after seeing the
/// purpose statement) before any notes.
pub fn consent_state(doc: &ObservationDoc) -> ConsentState {
    if !consent_needed(doc) {
        return ConsentState::NotNeeded;
    }
    let c = &doc.consent;
    match c.status {
        Some(ConsentAnswer::Refused) => ConsentState::Refused,
        Some(ConsentAnswer::Given)
            if c.purpose_shown
                && !c.given_by.as_str().trim().is_empty()
                && c.how.is_some()
                && c.recorded_at.is_some() =>
        {
            ConsentState::Given
        }
        _ => ConsentState::Awaited,
    }
}

/// R-OBS-1: whether the observation needs the family's consent: as its
/// kind asked when the record was made (the question set of the day for
/// older records), and for a senior manager's visit, wherever it meets
/// children or families (a residential home, a family's home or meeting).
pub fn consent_needed(doc: &ObservationDoc) -> bool {
    let kind = Some(doc.observation);
    let by_kind = doc.needs_consent.unwrap_or_else(|| {
        kind.and_then(|k| template::current().kind(k))
            .is_some_and(|t| t.needs_consent)
    });
    let visit_with_children = kind == Some(ObservationKind::SeniorManagerVisit)
        && doc.setting.is_some_and(Setting::meets_children_or_families);
    by_kind || visit_with_children
}

/// R-OBS-1: notes may be written only without the need for consent or after
/// it was given.
pub fn notes_allowed(doc: &ObservationDoc) -> bool {
    matches!(
        consent_state(doc),
        ConsentState::NotNeeded | ConsentState::Given
    )
}

/// R-OBS-1, checked on the record: no notes exist where consent was not
/// given.
pub fn consent_respected(doc: &ObservationDoc) -> bool {
    notes_allowed(doc)
        || doc
            .sections
            .iter()
            .flat_map(|s| &s.prompts)
            .all(|p| p.answer.as_str().trim().is_empty())
}

/// What is missing before an observation is finished.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ObservationBlocker {
    Date,
    Consent,
    Narrative,
    Strengths,
    Areas,
    Objectives,
    /// AD shadowing names the practitioner shadowed (R-OBS-2).
    Practitioner,
    /// AD shadowing is for half a day: which half (R-OBS-2).
    HalfDay,
}

impl ObservationBlocker {
    pub fn message(&self) -> &'static str {
        match self {
            ObservationBlocker::Date => "Record when the observation took place",
            ObservationBlocker::Consent => "Record the family's consent before observing",
            ObservationBlocker::Narrative => "Describe what was seen",
            ObservationBlocker::Strengths => "Record the strengths seen",
            ObservationBlocker::Areas => "Record the areas for development",
            ObservationBlocker::Objectives => "Propose My Annual Review objectives",
            ObservationBlocker::Practitioner => "Name the practitioner you shadowed",
            ObservationBlocker::HalfDay => "Record which half of the day you shadowed",
        }
    }
}

/// R-OBS-3: a finished observation records what was seen, strengths, areas
/// for development and proposed My Annual Review objectives.
pub fn completion_blockers(doc: &ObservationDoc) -> Vec<ObservationBlocker> {
    let mut blockers = Vec::new();
    if doc.held_on.is_none() {
        blockers.push(ObservationBlocker::Date);
    }
    if !notes_allowed(doc) {
        blockers.push(ObservationBlocker::Consent);
    }
    let blank = |id: &str| doc.answer(id).is_none_or(|a| a.trim().is_empty());
    for (prompt, blocker) in [
        (NARRATIVE, ObservationBlocker::Narrative),
        (STRENGTHS, ObservationBlocker::Strengths),
        (AREAS, ObservationBlocker::Areas),
        (OBJECTIVES, ObservationBlocker::Objectives),
    ] {
        if blank(prompt) {
            blockers.push(blocker);
        }
    }
    // (Records made before these were asked, which keep no consent flag,
    // could never name the practitioner afterwards: the subject is fixed.)
    if doc.observation == ObservationKind::AdShadowing && doc.needs_consent.is_some() {
        if doc.subject.is_none() {
            blockers.push(ObservationBlocker::Practitioner);
        }
        if doc.part_of_day.is_none() {
            blockers.push(ObservationBlocker::HalfDay);
        }
    }
    blockers
}

/// R-OBS-2: the practitioners an Assistant Director may shadow: those in
/// the teams of the service areas they oversee (their own, and those whose
/// Head of Service they manage), in id order.
pub fn shadowing_candidates(org: &Organisation, ad: &PersonId) -> Vec<PersonId> {
    let Some(me) = org.person(ad) else {
        return Vec::new();
    };
    if !me.has_role(Role::AssistantDirector) {
        return Vec::new();
    }
    let areas: Vec<&crate::org::ServiceAreaId> = org
        .service_areas()
        .filter(|a| {
            me.service_area.as_ref() == Some(&a.id)
                || a.head.as_ref().is_some_and(|h| org.manages(ad, h))
        })
        .map(|a| &a.id)
        .collect();
    let mut out: Vec<PersonId> = org
        .people_with_role(Role::Practitioner)
        .filter(|p| {
            p.team
                .as_ref()
                .and_then(|t| org.team(t))
                .is_some_and(|t| areas.contains(&&t.service_area))
        })
        .map(|p| p.id.clone())
        .collect();
    out.sort();
    out
}

/// R-OBS-3: what an observation feeds into the observed person's My Annual
/// Review.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppraisalFeed {
    pub strengths: String,
    pub areas: String,
    pub objectives: String,
}

pub fn appraisal_feed(doc: &ObservationDoc) -> AppraisalFeed {
    let get = |id| doc.answer(id).unwrap_or_default().trim().to_string();
    AppraisalFeed {
        strengths: get(STRENGTHS),
        areas: get(AREAS),
        objectives: get(OBJECTIVES),
    }
}

/// The kinds a person may start whenever the occasion comes, which no
/// yearly quota lists: a key decision-making meeting observation, for
/// those who manage staff, the CPP and senior managers; a senior manager's
/// visit, for Heads of Service, the Assistant Director and the Director.
pub fn started_on_demand(roles: &[Role]) -> Vec<ObservationKind> {
    let manages = roles.iter().any(|r| {
        r.is_cpp()
            || matches!(
                r,
                Role::TeamManager
                    | Role::FamilySolutionsManager
                    | Role::ResidentialManager
                    | Role::IroServiceManager
                    | Role::ServiceManager
                    | Role::HeadOfService
                    | Role::HeadOfServiceSpqa
                    | Role::AssistantDirector
                    | Role::Director
            )
    });
    let senior = roles.iter().any(|r| {
        matches!(
            r,
            Role::HeadOfService
                | Role::HeadOfServiceSpqa
                | Role::AssistantDirector
                | Role::Director
        )
    });
    let mut kinds = Vec::new();
    if manages {
        kinds.push(ObservationKind::KeyDecisionMeetingObservation);
    }
    if senior {
        kinds.push(ObservationKind::SeniorManagerVisit);
    }
    kinds
}

/// Whether a person observes or is observed at all (the observations page
/// is theirs): everyone in practice and its management, the CPP and the
/// Principal Social Worker.
pub fn takes_part(roles: &[Role]) -> bool {
    roles.iter().any(|r| {
        !matches!(
            r,
            Role::Administrator
                | Role::CabinetMember
                | Role::ChiefExecutive
                | Role::ParticipationWorker
                | Role::ComplaintsManager
        )
    })
}
