//! Peer ids. A QALF client's peer id names the person it syncs for
//! (`<person>~<device>`); the relay binds it to the signed-in session, so a
//! peer id cannot be borrowed.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::org::PersonId;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PeerId(String);

const SEPARATOR: char = '~';
const MAX_LEN: usize = 128;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BadPeerId {
    #[error("peer id must be `<person>~<device>`")]
    Shape,
    #[error("peer id is longer than {MAX_LEN} characters")]
    TooLong,
}

impl PeerId {
    /// The peer id of one of `person`'s devices (tabs).
    pub fn for_person(person: &PersonId, device: &str) -> Self {
        PeerId(format!("{person}{SEPARATOR}{device}"))
    }

    /// Any peer id as received on the wire (the server's, a JS client's).
    pub fn from_wire(id: String) -> Self {
        PeerId(id)
    }

    /// Parses a client's peer id, checking its shape.
    pub fn parse_client(id: &str) -> Result<(PeerId, PersonId), BadPeerId> {
        if id.len() > MAX_LEN {
            return Err(BadPeerId::TooLong);
        }
        let (person, device) = id.split_once(SEPARATOR).ok_or(BadPeerId::Shape)?;
        let person = PersonId::parse(person).map_err(|_| BadPeerId::Shape)?;
        if device.is_empty()
            || !device
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            return Err(BadPeerId::Shape);
        }
        Ok((PeerId(id.to_string()), person))
    }

    /// The person a client peer id names, if it is one.
    pub fn person(&self) -> Option<PersonId> {
        Self::parse_client(&self.0).ok().map(|(_, p)| p)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for PeerId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_peer_id_names_its_person() {
        let person = PersonId::parse("p-007").unwrap();
        let peer = PeerId::for_person(&person, "tab1");
        assert_eq!(peer.as_str(), "p-007~tab1");
        assert_eq!(peer.person(), Some(person));
    }

    #[test]
    fn malformed_client_peer_ids_are_rejected() {
        for bad in ["p-007", "~tab", "p-007~", "p 7~tab", "p-007~t/b"] {
            assert_eq!(PeerId::parse_client(bad), Err(BadPeerId::Shape), "{bad}");
        }
        assert_eq!(
            PeerId::parse_client(&format!("p~{}", "x".repeat(200))),
            Err(BadPeerId::TooLong)
        );
    }
}
