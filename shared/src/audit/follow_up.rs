//! R-AUDIT-7: after completion. The follow-up falls due `follow_up_days`
//! after completion; the auditor is reminded when it is due and when it is
//! overdue (and the CPP Service Manager when overdue); a recommended action
//! past its due date is listed for its owner, the auditor and the CPP, and
//! its owner and the auditor are reminded; each reminder goes once; and the
//! audit is closed once its follow-up is recorded. Decided here from the server's facts (every audit, whichever
//! device holds it), so the lists and reminders never depend on what one
//! device happens to have.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::document::AuditDoc;
use crate::org::PersonId;
use crate::report::facts::{ActionFact, AuditFact};
use crate::sync::DocumentId;

/// What a reminder is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReminderKind {
    FollowUpDue,
    FollowUpOverdue,
    ActionOverdue,
}

impl ReminderKind {
    /// The notification's kind (what its e-mail says).
    pub fn code(self) -> &'static str {
        match self {
            ReminderKind::FollowUpDue => "follow-up-due",
            ReminderKind::FollowUpOverdue => "follow-up-overdue",
            ReminderKind::ActionOverdue => "action-overdue",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            ReminderKind::FollowUpDue => "An audit's follow-up is due",
            ReminderKind::FollowUpOverdue => "An audit's follow-up is overdue",
            ReminderKind::ActionOverdue => "An action from an audit is overdue",
        }
    }
}

/// One reminder to send (once).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Reminder {
    pub person: PersonId,
    pub kind: ReminderKind,
    pub audit: DocumentId,
    /// The action's id, for an action.
    pub action: Option<String>,
}

fn open_follow_up(a: &AuditFact) -> Option<NaiveDate> {
    if a.follow_up_done.is_some() || a.closed_on.is_some() {
        return None;
    }
    a.follow_up_due
}

/// An action is overdue the day after its due date, until it is done.
fn action_overdue(action: &ActionFact, today: NaiveDate) -> bool {
    !action.done && action.due_on.is_some_and(|due| today > due)
}

/// Every reminder due on `today`: the follow-up to its auditor on its due
/// date, and to the auditor and `cpp` once overdue; an overdue action to
/// its owner and the auditor (the CPP sees every one listed rather than a
/// message each). The caller sends each once.
pub fn reminders(
    audits: &[AuditFact],
    actions: &[ActionFact],
    cpp: &[PersonId],
    today: NaiveDate,
) -> Vec<Reminder> {
    let mut out = Vec::new();
    let mut tell = |person: &PersonId, kind, audit: &DocumentId, action: Option<&String>| {
        out.push(Reminder {
            person: person.clone(),
            kind,
            audit: audit.clone(),
            action: action.cloned(),
        })
    };
    for a in audits {
        let Some(due) = open_follow_up(a) else {
            continue;
        };
        if today == due {
            tell(&a.auditor, ReminderKind::FollowUpDue, &a.record, None);
        }
        if today > due {
            for person in std::iter::once(&a.auditor).chain(cpp) {
                tell(person, ReminderKind::FollowUpOverdue, &a.record, None);
            }
        }
    }
    for action in actions.iter().filter(|x| action_overdue(x, today)) {
        let Some(audit) = audits.iter().find(|a| a.record == action.record) else {
            continue;
        };
        if audit.closed_on.is_some() {
            continue;
        }
        for person in action.owner.iter().chain(std::iter::once(&audit.auditor)) {
            tell(
                person,
                ReminderKind::ActionOverdue,
                &action.record,
                Some(&action.action),
            );
        }
    }
    out.sort();
    out.dedup();
    out
}

/// What is overdue for one person: the follow-ups they (as auditor) owe and
/// the actions they own or whose audit they did; everything for the CPP.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct OverdueWork {
    pub follow_ups: Vec<OverdueFollowUp>,
    pub actions: Vec<OverdueAction>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OverdueFollowUp {
    pub audit: DocumentId,
    pub case: crate::org::CaseRef,
    pub due_on: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OverdueAction {
    pub audit: DocumentId,
    pub case: crate::org::CaseRef,
    pub action: String,
    pub owner: Option<PersonId>,
    pub due_on: NaiveDate,
}

pub fn overdue_for(
    person: &PersonId,
    is_cpp: bool,
    audits: &[AuditFact],
    actions: &[ActionFact],
    today: NaiveDate,
) -> OverdueWork {
    let follow_ups = audits
        .iter()
        .filter(|a| is_cpp || &a.auditor == person)
        .filter_map(|a| {
            let due = open_follow_up(a)?;
            (today > due).then(|| OverdueFollowUp {
                audit: a.record.clone(),
                case: a.case.clone(),
                due_on: due,
            })
        })
        .collect();
    let actions = actions
        .iter()
        .filter(|x| action_overdue(x, today))
        .filter_map(|x| {
            let audit = audits.iter().find(|a| a.record == x.record)?;
            let mine = is_cpp || x.owner.as_ref() == Some(person) || &audit.auditor == person;
            (mine && audit.closed_on.is_none()).then(|| OverdueAction {
                audit: x.record.clone(),
                case: audit.case.clone(),
                action: x.action.clone(),
                owner: x.owner.clone(),
                due_on: x.due_on.unwrap_or(today),
            })
        })
        .collect();
    OverdueWork {
        follow_ups,
        actions,
    }
}

/// Whether the server closes the audit now: its follow-up is recorded in
/// full and no disagreement stage is still open.
pub fn ready_to_close(audit: &AuditDoc) -> bool {
    audit.closed_at.is_none()
        && follow_up_recorded(audit)
        && audit.disagreement.iter().all(|s| s.closed_at.is_some())
}

/// Whether the follow-up is recorded in full: the day it was done, whether
/// the actions are complete, the case note put on file, and, where they
/// are not complete, the practitioner and manager told. Then the audit is
/// closed.
pub fn follow_up_recorded(audit: &AuditDoc) -> bool {
    let f = &audit.follow_up;
    audit.completed_at.is_some()
        && f.done_on.is_some()
        && !f.case_note.as_str().trim().is_empty()
        && match f.actions_complete {
            Some(true) => true,
            Some(false) => f.contacted,
            None => false,
        }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::Grade;
    use crate::org::{CaseRef, Cohort, TeamId};
    use crate::schedule::AuditKind;

    fn pid(s: &str) -> PersonId {
        PersonId::parse(s).unwrap()
    }

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn audit(n: u8, due: &str) -> AuditFact {
        AuditFact {
            record: DocumentId::from_bytes([n; 16]),
            case: CaseRef::parse(format!("C-{n}")).unwrap(),
            cohort: Some(Cohort::ChildInNeed),
            theme: String::new(),
            kind: AuditKind::Themed,
            team: TeamId::parse("t").unwrap(),
            service_area: None,
            auditor: pid("auditor"),
            auditor_role: None,
            practitioner: pid("sw"),
            allocated_on: day("2026-10-01"),
            meeting_on: None,
            completed_on: Some(day("2026-11-01")),
            grade: Some(Grade::Good),
            moderated_grade: None,
            follow_up_due: Some(day(due)),
            follow_up_done: None,
            closed_on: None,
            practitioner_response_on: None,
            manager_response_on: None,
            responses_owed_by: Vec::new(),
            good_practice: false,
            reaudit_required: false,
        }
    }

    fn action(n: u8, owner: &str, due: &str, done: bool) -> ActionFact {
        ActionFact {
            record: DocumentId::from_bytes([n; 16]),
            action: format!("action-{n}"),
            owner: Some(pid(owner)),
            due_on: Some(day(due)),
            done,
        }
    }

    fn sent(list: &[Reminder]) -> Vec<(String, ReminderKind)> {
        list.iter()
            .map(|r| (r.person.to_string(), r.kind))
            .collect()
    }

    #[test]
    fn r_audit_7_the_auditor_is_reminded_on_the_day_and_with_the_cpp_once_overdue() {
        let audits = [audit(1, "2026-11-15")];
        let cpp = [pid("cpp")];
        assert!(reminders(&audits, &[], &cpp, day("2026-11-14")).is_empty());
        assert_eq!(
            sent(&reminders(&audits, &[], &cpp, day("2026-11-15"))),
            [("auditor".to_string(), ReminderKind::FollowUpDue)]
        );
        assert_eq!(
            sent(&reminders(&audits, &[], &cpp, day("2026-11-16"))),
            [
                ("auditor".to_string(), ReminderKind::FollowUpOverdue),
                ("cpp".to_string(), ReminderKind::FollowUpOverdue)
            ]
        );
        // Done, or closed: nothing more.
        let mut done = audits[0].clone();
        done.follow_up_done = Some(day("2026-11-16"));
        assert!(reminders(&[done], &[], &cpp, day("2026-11-20")).is_empty());
    }

    #[test]
    fn r_audit_7_an_overdue_action_reminds_its_owner_and_the_auditor_and_is_listed_for_the_cpp() {
        let audits = [audit(1, "2026-11-15"), audit(2, "2026-11-15")];
        let actions = [
            action(1, "sw", "2026-11-10", false),
            action(2, "tm", "2026-11-20", false),
            action(2, "tm", "2026-11-01", true),
        ];
        let today = day("2026-11-12");
        let list = reminders(&audits, &actions, &[pid("cpp")], today);
        assert_eq!(
            sent(&list),
            [
                ("auditor".to_string(), ReminderKind::ActionOverdue),
                ("sw".to_string(), ReminderKind::ActionOverdue)
            ]
        );
        assert!(list.iter().all(|r| r.action.as_deref() == Some("action-1")));

        // Listed: for the owner, the auditor and the CPP; not for others.
        for (who, cpp, n) in [
            ("sw", false, 1),
            ("auditor", false, 1),
            ("cpp", true, 1),
            ("tm", false, 0),
        ] {
            let work = overdue_for(&pid(who), cpp, &audits, &actions, today);
            assert_eq!(work.actions.len(), n, "{who}");
        }
        // Follow-ups overdue for the auditor and the CPP only.
        let later = day("2026-11-16");
        assert_eq!(
            overdue_for(&pid("auditor"), false, &audits, &actions, later)
                .follow_ups
                .len(),
            2
        );
        assert_eq!(
            overdue_for(&pid("cpp"), true, &audits, &actions, later)
                .follow_ups
                .len(),
            2
        );
        assert!(
            overdue_for(&pid("sw"), false, &audits, &actions, later)
                .follow_ups
                .is_empty()
        );
    }
}
