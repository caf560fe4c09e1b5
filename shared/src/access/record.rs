//! What the server knows about a record without reading it: its kind, who
//! made it and the people it concerns. Access is decided from this alone.

use serde::{Deserialize, Serialize};

use crate::document::DocKind;
use crate::org::PersonId;
use crate::sync::DocumentId;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordMeta {
    pub id: DocumentId,
    pub created_by: PersonId,
    /// Unix seconds.
    pub created_at: i64,
    pub parties: Parties,
}

/// The people a record concerns, by kind of record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Parties {
    /// A note shared with named colleagues.
    Note { members: Vec<PersonId> },
}

impl RecordMeta {
    pub fn kind(&self) -> DocKind {
        match self.parties {
            Parties::Note { .. } => DocKind::Note,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    #[error("a record is registered by the person creating it")]
    NotCreator,
    #[error("unknown person `{0}`")]
    UnknownPerson(PersonId),
    #[error("this record is already registered")]
    AlreadyRegistered,
}
