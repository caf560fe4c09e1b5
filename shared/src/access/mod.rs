//! Who may read, write or not see each record (DOMAIN.md §8). Deny by
//! default: a person gets access only through a rule below.
//!
//! These are pure functions of the organisation and the record's parties, so
//! the relay (per document, per connection) and every HTTP endpoint ask the
//! same question and get the same answer.

mod record;

pub use record::{Parties, RecordError, RecordMeta};

use crate::org::{Organisation, PersonId};

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
}

/// The access `person` has to the record described by `meta`.
pub fn access(org: &Organisation, person: &PersonId, meta: &RecordMeta) -> Access {
    if org.person(person).is_none() {
        // People who left (or never existed) see nothing.
        return Access::None;
    }
    match &meta.parties {
        Parties::Note { members } => {
            if &meta.created_by == person || members.contains(person) {
                Access::Write
            } else {
                Access::None
            }
        }
    }
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
    match &meta.parties {
        Parties::Note { members } => {
            if let Some(unknown) = members.iter().find(|m| org.person(m).is_none()) {
                return Err(RecordError::UnknownPerson(unknown.clone()));
            }
            Ok(())
        }
    }
}
