//! Document ids as automerge-repo writes them: 16 random bytes, bs58check
//! encoded, and `automerge:<id>` as a URL.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DocumentId(Vec<u8>);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadDocumentId {
    #[error("document id is not valid bs58check")]
    Encoding,
    #[error("document id has {0} bytes, expected 16")]
    Length(usize),
}

impl DocumentId {
    /// A new id from 16 random bytes (the caller brings the randomness).
    pub fn from_bytes(bytes: [u8; 16]) -> Self {
        DocumentId(bytes.to_vec())
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// `automerge:<id>`, as automerge-repo links documents.
    pub fn url(&self) -> String {
        format!("automerge:{self}")
    }

    /// Parses an id or an `automerge:` URL.
    pub fn parse(text: &str) -> Result<Self, BadDocumentId> {
        let id = text.strip_prefix("automerge:").unwrap_or(text);
        let bytes = bs58::decode(id)
            .with_check(None)
            .into_vec()
            .map_err(|_| BadDocumentId::Encoding)?;
        if bytes.len() != 16 {
            return Err(BadDocumentId::Length(bytes.len()));
        }
        Ok(DocumentId(bytes))
    }
}

impl fmt::Display for DocumentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&bs58::encode(&self.0).with_check().into_string())
    }
}

impl FromStr for DocumentId {
    type Err = BadDocumentId;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl TryFrom<String> for DocumentId {
    type Error = BadDocumentId;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<DocumentId> for String {
    fn from(id: DocumentId) -> String {
        id.to_string()
    }
}

// In a record a document id is its text form, as it always was.
impl autosurgeon::Reconcile for DocumentId {
    type Key<'a> = autosurgeon::reconcile::NoKey;
    fn reconcile<R: autosurgeon::Reconciler>(&self, mut reconciler: R) -> Result<(), R::Error> {
        reconciler.str(self.to_string())
    }
}

impl autosurgeon::Hydrate for DocumentId {
    fn hydrate_string(value: &'_ str) -> Result<Self, autosurgeon::HydrateError> {
        value
            .parse()
            .map_err(|_| autosurgeon::HydrateError::unexpected("a document id", value.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_id_round_trips_through_text_and_url() {
        let id = DocumentId::from_bytes([7; 16]);
        assert_eq!(DocumentId::parse(&id.to_string()), Ok(id.clone()));
        assert_eq!(DocumentId::parse(&id.url()), Ok(id));
    }

    #[test]
    fn a_corrupted_id_fails_its_checksum() {
        let mut text = DocumentId::from_bytes([7; 16]).to_string();
        let last = text.pop().unwrap();
        text.push(if last == 'a' { 'b' } else { 'a' });
        assert_eq!(DocumentId::parse(&text), Err(BadDocumentId::Encoding));
    }

    #[test]
    fn an_id_of_the_wrong_length_is_rejected() {
        let short = bs58::encode([1u8; 8]).with_check().into_string();
        assert_eq!(DocumentId::parse(&short), Err(BadDocumentId::Length(8)));
    }
}
