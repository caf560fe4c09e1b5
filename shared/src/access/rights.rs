//! Which parts of a record each person may write (R-SEC-1). Access
//! ([`super::access`]) says whether someone may write a record at all; this
//! says where in it. The relay asks it of every operation in every change
//! before it accepts the change, so a modified client cannot do what the
//! screens do not offer: a practitioner cannot rewrite the auditor's grade,
//! nor anyone touch a panel position once it is recorded.
//!
//! An operation is described as a [`Touch`]: the path from the record's
//! root to what it writes (a key of a map, or an item of a list: new, or
//! existing with the item's text fields so that rules can ask whose it
//! is), and, for a string put, the value written.
//!
//! The creator's first content is not asked about (it makes the record);
//! nor are the server's own edits, which never pass the relay's gate.

use std::collections::BTreeMap;

use super::{Parties, RecordMeta};
use crate::org::{Organisation, PersonId, Role};

/// One step of a path into a record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Key(String),
    Item(Item),
}

/// An item of a list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Item {
    /// Inserted by the change being checked.
    New,
    /// Already in the record, with its string fields (who raised it,
    /// whose it is).
    Existing(BTreeMap<String, String>),
}

/// What one operation writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Touch {
    /// From the root to the key or item written (for text, to the text).
    pub path: Vec<Step>,
    /// The string written, for a put of a string.
    pub value: Option<String>,
    /// The operation deletes what the path names.
    pub delete: bool,
}

impl Touch {
    fn keys(&self) -> impl Iterator<Item = &str> {
        self.path.iter().map(|s| match s {
            Step::Key(k) => k.as_str(),
            Step::Item(_) => "[]",
        })
    }

    fn first(&self) -> Option<&str> {
        self.keys().next()
    }

    fn second(&self) -> Option<&str> {
        self.keys().nth(1)
    }

    fn third(&self) -> Option<&str> {
        self.keys().nth(2)
    }

    /// The list item directly under the first key (`disagreement[3]`…).
    fn first_item(&self) -> Option<&Item> {
        match self.path.get(1) {
            Some(Step::Item(item)) => Some(item),
            _ => None,
        }
    }

    /// The key written inside that item, if any.
    fn key_in_first_item(&self) -> Option<&str> {
        match self.path.get(2) {
            Some(Step::Key(k)) => Some(k.as_str()),
            _ => None,
        }
    }

    /// The path is the item itself (inserting or deleting it).
    fn is_item_itself(&self) -> bool {
        self.path.len() == 2
    }
}

/// What the record holds now that changes who may write (a recorded panel
/// position is locked).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RecordState {
    pub locked: bool,
}

/// Why an operation was refused, for the access log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("this part of the record is someone else's to write")]
    NotYours,
    #[error("this part of the record is fixed once made")]
    Fixed,
    #[error("this record is locked")]
    Locked,
    #[error("an entry may only be added in the name of the person adding it")]
    InSomeoneElsesName,
}

/// Keys every record keeps as it was made.
const FIXED_EVERYWHERE: [&str; 2] = ["kind", "schema"];

/// Whether `person` may write the field at `keys` in the record `meta`
/// describes: what a screen asks before offering a field for editing, by
/// the same rule the server's gate applies to the change.
pub fn may_write_field(
    org: &Organisation,
    person: &PersonId,
    meta: &RecordMeta,
    keys: &[&str],
) -> bool {
    let touch = Touch {
        path: keys.iter().map(|k| Step::Key((*k).to_string())).collect(),
        value: None,
        delete: false,
    };
    super::access(org, person, meta).can_write()
        && may_write(org, person, meta, RecordState::default(), &touch).is_ok()
}

/// Whether `person` may add an entry in their own name (`owner_field`) to
/// the list `list` of the record `meta` describes: a safety alert on an
/// audit, say, by the same rule the gate applies to the change.
pub fn may_add_to(
    org: &Organisation,
    person: &PersonId,
    meta: &RecordMeta,
    list: &str,
    owner_field: &str,
) -> bool {
    let touch = Touch {
        path: vec![
            Step::Key(list.to_string()),
            Step::Item(Item::New),
            Step::Key(owner_field.to_string()),
        ],
        value: Some(person.to_string()),
        delete: false,
    };
    super::access(org, person, meta).can_write()
        && may_write(org, person, meta, RecordState::default(), &touch).is_ok()
}

/// Whether `person` may make `touch` in the record `meta` describes, whose
/// current state is `state`. Call only for people with write access.
pub fn may_write(
    org: &Organisation,
    person: &PersonId,
    meta: &RecordMeta,
    state: RecordState,
    touch: &Touch,
) -> Result<(), Refusal> {
    let Some(me) = org.person(person) else {
        return Err(Refusal::NotYours);
    };
    if touch.first().is_none_or(|k| FIXED_EVERYWHERE.contains(&k)) {
        return Err(Refusal::Fixed);
    }
    let cpp = crate::org::works_in_cpp(&me.roles);
    match &meta.parties {
        Parties::Audit {
            team,
            practitioner,
            auditor,
            ..
        } => {
            let manager = org
                .team(team)
                .is_some_and(|t| t.manager.as_ref() == Some(person))
                || org
                    .person(practitioner)
                    .is_some_and(|p| p.line_manager.as_ref() == Some(person));
            audit(
                &AuditWriter {
                    me: person,
                    findings: auditor == person || cpp,
                    practitioner: practitioner == person,
                    manager,
                    service_manager: super::is_service_manager_of(org, person, practitioner),
                    cpp,
                    escalation_head: me.has_role(Role::HeadOfServiceSpqa),
                },
                touch,
            )
        }
        Parties::Observation {
            observer, subject, ..
        } => observation(observer == person, subject.as_ref() == Some(person), touch),
        Parties::Report { .. } => report(&me.roles, cpp, touch),
        Parties::Panel { chair, .. } => panel(person, chair == person, touch),
        Parties::PanelPosition { .. } if state.locked => Err(Refusal::Locked),
        Parties::PanelPosition { .. }
        | Parties::Note { .. }
        | Parties::Moderation { .. }
        | Parties::Briefing { .. }
        | Parties::Drp { .. } => Ok(()),
    }
}

/// Who someone is to an audit.
struct AuditWriter<'a> {
    me: &'a PersonId,
    /// The auditor, and the CPP: the findings and the meeting's record.
    findings: bool,
    practitioner: bool,
    /// The practitioner's Team Manager or line manager.
    manager: bool,
    /// That manager's Service Manager.
    service_manager: bool,
    cpp: bool,
    /// A Head of Service for Safeguarding, Practice and QA: holds the last
    /// stage of a disagreement.
    escalation_head: bool,
}

fn allow(yes: bool) -> Result<(), Refusal> {
    if yes { Ok(()) } else { Err(Refusal::NotYours) }
}

/// A list to which anyone who writes the record adds entries in their own
/// name (`owner_field`), each entry afterwards written only by those
/// `may_change` allows, and never deleted.
fn own_entries(
    touch: &Touch,
    me: &PersonId,
    owner_field: &str,
    may_change: impl Fn(&BTreeMap<String, String>) -> bool,
) -> Result<(), Refusal> {
    match touch.first_item() {
        // Replacing or clearing the list itself.
        None => Err(Refusal::Fixed),
        Some(_) if touch.is_item_itself() && touch.delete => Err(Refusal::Fixed),
        Some(Item::New) => {
            if touch.key_in_first_item() == Some(owner_field)
                && touch.value.as_deref() != Some(me.as_str())
            {
                Err(Refusal::InSomeoneElsesName)
            } else {
                Ok(())
            }
        }
        Some(Item::Existing(fields)) => {
            if touch.key_in_first_item() == Some(owner_field) {
                return Err(Refusal::Fixed);
            }
            allow(may_change(fields))
        }
    }
}

fn audit(w: &AuditWriter<'_>, touch: &Touch) -> Result<(), Refusal> {
    let is = |fields: &BTreeMap<String, String>, key: &str| {
        fields.get(key).is_some_and(|v| v == w.me.as_str())
    };
    // The practitioner's Service Manager writes the audit for one thing
    // only: their own conversation with the Team Manager (R-AUDIT-9).
    let only_service_manager = w.service_manager
        && !(w.findings || w.practitioner || w.manager || w.cpp || w.escalation_head);
    if only_service_manager {
        return allow(touch.first() == Some("responses") && touch.second() == Some("manager"));
    }
    // Who held a conversation, and when, are recorded by whoever holds it:
    // the practitioner's manager, the Team Manager's Service Manager.
    let holding = matches!(touch.third(), Some("held_on" | "held_by"));
    match touch.first().unwrap_or_default() {
        // The support and challenge conversations (R-AUDIT-9).
        "responses" => match touch.second() {
            Some("practitioner") if holding => allow(w.manager || w.cpp),
            Some("practitioner") => allow(w.practitioner || w.manager || w.cpp),
            Some("manager") if holding => allow(w.service_manager || w.cpp),
            Some("manager") => allow(w.manager || w.service_manager || w.cpp),
            _ => Err(Refusal::Fixed),
        },
        // Anyone may open a stage; its opener, whoever holds it and the
        // CPP write it afterwards; only the CPP allocates who holds it
        // (R-AUDIT-8).
        "disagreement" => {
            let allocating = matches!(touch.first_item(), Some(Item::Existing(_)))
                && matches!(
                    touch.key_in_first_item(),
                    Some("holder" | "held_by" | "allocated_by" | "allocated_at")
                );
            if allocating {
                return allow(w.cpp);
            }
            own_entries(touch, w.me, "opened_by", |stage| {
                is(stage, "opened_by")
                    || is(stage, "holder")
                    || w.cpp
                    // (the gate sees a stage's text fields: its id says which)
                    || (w.escalation_head && stage.get("id").is_some_and(|id| id == "stage-3"))
            })
        }
        // Anyone may raise one; only its raiser notes its delivery.
        "safety_alerts" => own_entries(touch, w.me, "raised_by", |alert| is(alert, "raised_by")),
        // Added by whoever edits after completion; never changed.
        "amendments" => own_entries(touch, w.me, "by", |_| false),
        // That the practitioner and manager were told is written by the
        // server as it tells them (R-AUDIT-7), never ticked by hand.
        "follow_up"
            if matches!(
                touch.second(),
                Some("contacted" | "contacted_at" | "contacted_by")
            ) =>
        {
            Err(Refusal::Fixed)
        }
        // What moderation concluded is the CPP's.
        "moderated" | "reaudit_required" => allow(w.cpp),
        // What a re-audit re-audits, and beside whom, are fixed; its
        // auditor answers whether the action plan is complete
        // (R-REAUDIT-1).
        "reaudit" => match touch.second() {
            Some("action_plan_complete") => allow(w.findings),
            _ => Err(Refusal::Fixed),
        },
        // Who the audit is about and who does it are fixed; when it is
        // held is the auditor's to set.
        "header" => match touch.second() {
            Some("meeting_on" | "period_from" | "period_to") => allow(w.findings),
            _ => Err(Refusal::Fixed),
        },
        "template_id" | "template_version" => Err(Refusal::Fixed),
        // The findings, the judgement, the actions, the family's feedback,
        // completion and follow-up: the auditor's (and the CPP's).
        _ => allow(w.findings),
    }
}

/// The observer writes the observation; the person observed writes their
/// reflection; who is who is fixed.
fn observation(observer: bool, subject: bool, touch: &Touch) -> Result<(), Refusal> {
    match touch.first().unwrap_or_default() {
        "reflection" => allow(subject),
        "observation" | "observer" | "observer_name" | "subject" | "subject_name"
        | "needs_consent" | "template_version" => Err(Refusal::Fixed),
        _ => allow(observer),
    }
}

/// The CPP writes the commentary; each owners' section is written by those
/// with its role (and the CPP).
fn report(roles: &[Role], cpp: bool, touch: &Touch) -> Result<(), Refusal> {
    match touch.first().unwrap_or_default() {
        "sections" => match touch.first_item() {
            Some(Item::Existing(section)) if !touch.is_item_itself() => {
                if touch
                    .key_in_first_item()
                    .is_some_and(|k| k == "owner" || k == "id")
                {
                    return Err(Refusal::Fixed);
                }
                let owner = section.get("owner").and_then(|o| o.parse::<Role>().ok());
                allow(cpp || owner.is_some_and(|o| roles.contains(&o)))
            }
            _ => allow(cpp),
        },
        "report" | "first_month" | "months" => Err(Refusal::Fixed),
        _ => allow(cpp),
    }
}

/// The chair runs the panel; every member writes the consensus and lists
/// their own position under an audit, and no one changes another's.
fn panel(me: &PersonId, chair: bool, touch: &Touch) -> Result<(), Refusal> {
    let keys: Vec<&str> = touch.keys().collect();
    match keys.as_slice() {
        ["audits", "[]", "consensus", ..] => Ok(()),
        ["audits", "[]", "positions", "[]", rest @ ..] => {
            let item = match touch.path.get(3) {
                Some(Step::Item(item)) => item,
                _ => return Err(Refusal::Fixed),
            };
            match item {
                Item::Existing(_) => Err(Refusal::Fixed),
                Item::New if rest.first() == Some(&"member") => {
                    if touch.value.as_deref() == Some(me.as_str()) {
                        Ok(())
                    } else {
                        Err(Refusal::InSomeoneElsesName)
                    }
                }
                Item::New => Ok(()),
            }
        }
        ["audits", "[]", "positions", ..] => Err(Refusal::Fixed),
        _ => allow(chair),
    }
}

#[cfg(test)]
mod tests;
