//! Who may read, write or not see each record (DOMAIN.md §8). Deny by
//! default: a person gets access only through a rule below.
//!
//! These are pure functions of the organisation and the record's parties, so
//! the relay (per document, per connection) and every HTTP endpoint ask the
//! same question and get the same answer.

pub mod office;
mod record;
pub mod rights;

pub use record::{ObservationKind, Parties, RecordError, RecordMeta};

use crate::org::{Organisation, Person, PersonId, Role, TeamId};

/// What a person may do with a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Access {
    /// The record does not exist for them: not listed, not synced.
    None,
    Read,
    Write,
}

impl Access {
    pub fn can_read(self) -> bool {
        self >= Access::Read
    }

    pub fn can_write(self) -> bool {
        self == Access::Write
    }

    pub fn label(self) -> &'static str {
        match self {
            Access::None => "-",
            Access::Read => "read",
            Access::Write => "write",
        }
    }
}

/// The access `person` has to the record described by `meta`.
pub fn access(org: &Organisation, person: &PersonId, meta: &RecordMeta) -> Access {
    // People who left (or never existed) see nothing.
    let Some(me) = org.person(person) else {
        return Access::None;
    };
    let rules = Rules { org, me };
    match &meta.parties {
        Parties::Note { members } => {
            if &meta.created_by == person || members.contains(person) {
                Access::Write
            } else {
                Access::None
            }
        }
        Parties::Audit {
            team,
            practitioner,
            auditor,
            moderators,
            dispute_holders,
            ..
        } => rules.audit(team, practitioner, auditor, moderators, dispute_holders),
        Parties::Moderation {
            auditor, moderator, ..
        } => rules.moderation(auditor, moderator),
        Parties::Observation {
            observer,
            subject,
            team,
            ..
        } => rules.observation(observer, subject.as_ref(), team.as_ref()),
        Parties::Report { owners } => rules.report(owners),
        Parties::Briefing { shared } => rules.briefing(*shared),
        Parties::Drp { team, iro, .. } => rules.drp(team, iro),
        Parties::Panel { chair, members, .. } => {
            if chair == person || members.contains(person) {
                Access::Write
            } else if rules.is_cpp() {
                Access::Read
            } else {
                Access::None
            }
        }
        Parties::PanelPosition {
            member,
            chair,
            members,
            recorded,
            revealed,
            ..
        } => {
            // R-MOD-3: blind until you have recorded your own position on
            // the audit, or the chair reveals all.
            let on_panel = chair == person || members.contains(person);
            if member == person {
                Access::Write
            } else if on_panel && (*revealed || recorded.contains(person)) {
                Access::Read
            } else {
                Access::None
            }
        }
    }
}

struct Rules<'a> {
    org: &'a Organisation,
    me: &'a Person,
}

impl Rules<'_> {
    fn is(&self, person: &PersonId) -> bool {
        &self.me.id == person
    }

    fn has(&self, role: Role) -> bool {
        self.me.has_role(role)
    }

    fn is_cpp(&self) -> bool {
        crate::org::works_in_cpp(&self.me.roles)
    }

    fn is_senior_leader(&self) -> bool {
        self.has(Role::AssistantDirector) || self.has(Role::Director)
    }

    /// Heads the service area `team` belongs to.
    fn heads_area_of(&self, team: &TeamId) -> bool {
        self.org
            .head_of_service_for_team(team)
            .is_some_and(|h| h.id == self.me.id)
    }

    /// Manages `team`, or is `person`'s line manager.
    fn manages_directly(&self, team: &TeamId, person: &PersonId) -> bool {
        self.org
            .team(team)
            .is_some_and(|t| t.manager.as_ref() == Some(&self.me.id))
            || self
                .org
                .person(person)
                .is_some_and(|p| p.line_manager.as_ref() == Some(&self.me.id))
    }

    /// An audit is visible to its auditor, the practitioner and their TM/SM,
    /// the HoS of the service area, the CPP, its moderators, and AD/DCS; not
    /// to other practitioners (DOMAIN.md §8). Those who hold the joint
    /// meeting and follow it up write; the others read.
    fn audit(
        &self,
        team: &TeamId,
        practitioner: &PersonId,
        auditor: &PersonId,
        moderators: &[PersonId],
        dispute_holders: &[PersonId],
    ) -> Access {
        // Who holds an open disagreement stage writes it, wherever they
        // work (R-AUDIT-8); the audit's rights confine them to that stage.
        // The practitioner's Service Manager writes too: the audit's rights
        // confine them to their own support and challenge conversation with
        // the Team Manager (R-AUDIT-9).
        if self.is(auditor)
            || dispute_holders.contains(&self.me.id)
            || self.is(practitioner)
            || self.is_cpp()
            || self.manages_directly(team, practitioner)
            || is_service_manager_of(self.org, &self.me.id, practitioner)
        {
            return Access::Write;
        }
        if self.heads_area_of(team) || moderators.contains(&self.me.id) || self.is_senior_leader() {
            return Access::Read;
        }
        Access::None
    }

    /// A moderation judges the audit: the CPP writes it, the auditor reads
    /// the feedback, senior leaders read it.
    fn moderation(&self, auditor: &PersonId, moderator: &PersonId) -> Access {
        if self.is(moderator) || self.is_cpp() {
            Access::Write
        } else if self.is(auditor) || self.is_senior_leader() {
            Access::Read
        } else {
            Access::None
        }
    }

    /// An observation is visible to the observer, the observed person and
    /// their line manager chain, and the CPP (DOMAIN.md §8). A visit with no
    /// one observed is visible to the visitor's chain and the team's manager.
    fn observation(
        &self,
        observer: &PersonId,
        subject: Option<&PersonId>,
        team: Option<&TeamId>,
    ) -> Access {
        if self.is(observer) || subject.is_some_and(|s| self.is(s)) {
            return Access::Write;
        }
        // The chain runs up to the Director: the Chief Executive and elected
        // members sit outside Children's Services' line management.
        let outside = self.has(Role::ChiefExecutive) || self.has(Role::CabinetMember);
        let in_chain = |person: &PersonId| !outside && self.org.manages(&self.me.id, person);
        let manages_team = team
            .and_then(|t| self.org.team(t))
            .is_some_and(|t| t.manager.as_ref() == Some(&self.me.id));
        let chain = match subject {
            Some(subject) => in_chain(subject),
            None => in_chain(observer) || manages_team,
        };
        if chain || self.is_cpp() {
            Access::Read
        } else {
            Access::None
        }
    }

    /// Reports with figures only are visible to all managers (R-REP-8);
    /// the CPP writes them, and each section owner writes theirs.
    fn report(&self, owners: &[Role]) -> Access {
        if self.is_cpp() || owners.iter().any(|r| self.has(*r)) {
            return Access::Write;
        }
        if is_manager(self.me) {
            Access::Read
        } else {
            Access::None
        }
    }

    /// A 7-minute briefing is the CPP's until it is shared; then every
    /// member of staff reads it (R-REP-3).
    fn briefing(&self, shared: bool) -> Access {
        if self.is_cpp() {
            Access::Write
        } else if shared {
            Access::Read
        } else {
            Access::None
        }
    }

    /// A DRP alert is visible to the IRO who raised it (who writes it),
    /// their manager, the case's Team Manager, Service Manager and Head of
    /// Service, and the CPP (R-REP-5).
    fn drp(&self, team: &TeamId, iro: &PersonId) -> Access {
        if self.is(iro) {
            return Access::Write;
        }
        let team_manager = self.org.team(team).and_then(|t| t.manager.clone());
        let case_managers = team_manager.as_ref().is_some_and(|tm| {
            self.is(tm)
                || self
                    .org
                    .person(tm)
                    .is_some_and(|tm| tm.line_manager.as_ref() == Some(&self.me.id))
        });
        let iros_manager = self
            .org
            .person(iro)
            .is_some_and(|p| p.line_manager.as_ref() == Some(&self.me.id));
        if iros_manager || case_managers || self.heads_area_of(team) || self.is_cpp() {
            Access::Read
        } else {
            Access::None
        }
    }
}

/// The staff directory as `viewer` may see it (R-SEC-11): who everyone is
/// and where they sit, to name colleagues; employment dates (which the
/// observation quotas need) only for the viewer and the people they
/// manage, or for the CPP; work e-mail addresses (which the server uses to
/// send notifications) for the viewer's own, and for the administrator, who
/// keeps the directory; never a case.
pub fn directory_for(org: &Organisation, viewer: &PersonId) -> crate::org::OrganisationParts {
    let cpp = org
        .person(viewer)
        .is_some_and(|p| crate::org::works_in_cpp(&p.roles));
    let administrator = org
        .person(viewer)
        .is_some_and(|p| p.has_role(Role::Administrator));
    crate::org::OrganisationParts {
        service_areas: org.service_areas().cloned().collect(),
        teams: org.teams().cloned().collect(),
        people: org
            .people()
            .map(|p| {
                let mut p = p.clone();
                if !(cpp || &p.id == viewer || org.manages(viewer, &p.id)) {
                    p.started_on = None;
                    p.in_post_since = None;
                }
                if &p.id != viewer && !administrator {
                    p.email = None;
                }
                p
            })
            .collect(),
        cases: Vec::new(),
    }
}

/// Managers see figures-only reports (R-REP-8): everyone whose roles go
/// beyond holding cases, chairing reviews, being an elected member or
/// running the installation.
pub fn is_manager(person: &Person) -> bool {
    manages(&person.roles)
}

/// Whether someone holding `roles` manages: any role but the practitioner,
/// the IRO, the Cabinet Member and the administrator.
pub fn manages(roles: &[Role]) -> bool {
    roles.iter().any(|r| {
        !matches!(
            r,
            Role::Practitioner | Role::Iro | Role::CabinetMember | Role::Administrator
        )
    })
}

/// Whether `person` may create (register) the record described by `meta`.
pub fn may_create(
    org: &Organisation,
    person: &PersonId,
    meta: &RecordMeta,
) -> Result<(), RecordError> {
    if &meta.created_by != person {
        return Err(RecordError::NotCreator);
    }
    let me = org
        .person(person)
        .ok_or_else(|| RecordError::UnknownPerson(person.clone()))?;
    let known = |p: &PersonId| {
        org.person(p)
            .map(|_| ())
            .ok_or_else(|| RecordError::UnknownPerson(p.clone()))
    };
    let is_cpp = crate::org::works_in_cpp(&me.roles);
    match &meta.parties {
        Parties::Note { members } => members.iter().try_for_each(known),
        Parties::Audit {
            case,
            team,
            practitioner,
            auditor,
            moderators,
            dispute_holders,
        } => {
            // Disagreement holders are the server's to name, as stages open.
            if !is_cpp || !dispute_holders.is_empty() {
                return Err(RecordError::NotAllowed);
            }
            let listed = org
                .case(case)
                .ok_or_else(|| RecordError::UnknownCase(case.clone()))?;
            if &listed.team != team || &listed.practitioner != practitioner {
                return Err(RecordError::CaseMismatch);
            }
            known(auditor)?;
            moderators.iter().try_for_each(known)
        }
        Parties::Moderation {
            auditor, moderator, ..
        } => {
            if !is_cpp {
                return Err(RecordError::NotAllowed);
            }
            known(auditor)?;
            known(moderator)
        }
        Parties::Observation {
            observation,
            observer,
            subject,
            ..
        } => {
            if observer != person {
                return Err(RecordError::NotAllowed);
            }
            subject.iter().try_for_each(known)?;
            let manages_subject = subject.as_ref().is_some_and(|s| org.manages(person, s));
            let allowed = match observation {
                ObservationKind::PracticeObservation
                | ObservationKind::SupervisionObservation
                | ObservationKind::WelfareSupervisionAudit => manages_subject || is_cpp,
                ObservationKind::IroObservation => {
                    let subject_is_iro = subject
                        .as_ref()
                        .and_then(|s| org.person(s))
                        .is_some_and(|s| s.has_role(Role::Iro));
                    subject_is_iro && (manages_subject || is_cpp)
                }
                // A practitioner of the service areas they oversee (R-OBS-2).
                ObservationKind::AdShadowing => {
                    me.has_role(Role::AssistantDirector)
                        && subject.as_ref().is_none_or(|s| {
                            crate::observation::rules::shadowing_candidates(org, person).contains(s)
                        })
                }
                ObservationKind::SeniorManagerVisit
                | ObservationKind::KeyDecisionMeetingObservation => {
                    crate::observation::rules::started_on_demand(&me.roles).contains(observation)
                }
            };
            if allowed {
                Ok(())
            } else {
                Err(RecordError::NotAllowed)
            }
        }
        Parties::Report { .. } => {
            if is_cpp {
                Ok(())
            } else {
                Err(RecordError::NotAllowed)
            }
        }
        // Briefings start unshared; sharing is the CPP's step on the server.
        Parties::Briefing { shared } => {
            if is_cpp && !*shared {
                Ok(())
            } else {
                Err(RecordError::NotAllowed)
            }
        }
        // An IRO raises a DRP alert on a case they chair.
        Parties::Drp { case, team, iro } => {
            if iro != person || !me.has_role(Role::Iro) {
                return Err(RecordError::NotAllowed);
            }
            let listed = org
                .case(case)
                .ok_or_else(|| RecordError::UnknownCase(case.clone()))?;
            if &listed.team != team {
                return Err(RecordError::CaseMismatch);
            }
            if listed.chaired_by.as_ref() != Some(iro) {
                return Err(RecordError::NotChair);
            }
            Ok(())
        }
        Parties::Panel { chair, members, .. } => {
            if !is_cpp || chair != person {
                return Err(RecordError::NotAllowed);
            }
            members.iter().try_for_each(known)
        }
        Parties::PanelPosition {
            member,
            chair,
            members,
            recorded,
            revealed,
            ..
        } => {
            // Made by the member themselves, blind from the start (the
            // server then brings it in line with the panel's state).
            if member != person || !recorded.is_empty() || *revealed {
                return Err(RecordError::NotAllowed);
            }
            if !members.contains(member) {
                return Err(RecordError::NotAllowed);
            }
            known(chair)
        }
    }
}

/// Whether `person` is the Service Manager of `practitioner`'s manager:
/// the one who holds the support and challenge conversation with that
/// Team Manager after an audit (R-AUDIT-9).
pub fn is_service_manager_of(
    org: &Organisation,
    person: &PersonId,
    practitioner: &PersonId,
) -> bool {
    org.person(practitioner)
        .and_then(|p| p.line_manager.as_ref())
        .and_then(|tm| org.person(tm))
        .and_then(|tm| tm.line_manager.as_ref())
        .is_some_and(|sm| sm == person)
}
