//! Presence: who is looking at a document and which field they are in.
//! Sent as ephemeral messages every few seconds; never stored. A peer not
//! heard from for [`PRESENCE_TTL_MS`] is gone.

use minicbor::data::Type;
use minicbor::{Decoder, Encoder};

use crate::org::PersonId;

/// How often a client repeats its presence.
pub const PRESENCE_HEARTBEAT_MS: u64 = 5_000;
/// How long presence lasts without a heartbeat.
pub const PRESENCE_TTL_MS: u64 = 15_000;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Presence {
    pub person: PersonId,
    pub name: String,
    /// The field they are in (a stable field id), if any.
    pub field: Option<String>,
}

impl Presence {
    pub fn encode(&self) -> Vec<u8> {
        let mut e = Encoder::new(Vec::new());
        let fields = 3 + u64::from(self.field.is_some());
        let result: Result<(), minicbor::encode::Error<std::convert::Infallible>> = (|| {
            e.map(fields)?;
            e.str("kind")?.str("presence")?;
            e.str("person")?.str(self.person.as_str())?;
            e.str("name")?.str(&self.name)?;
            if let Some(field) = &self.field {
                e.str("field")?.str(field)?;
            }
            Ok(())
        })();
        result.expect("encoding into a Vec");
        e.into_writer()
    }

    /// Reads a presence payload; anything else (another app's ephemera) is
    /// `None`.
    pub fn decode(bytes: &[u8]) -> Option<Presence> {
        let mut d = Decoder::new(bytes);
        let len = d.map().ok()??;
        let (mut kind, mut person, mut name, mut field) = (None, None, None, None);
        for _ in 0..len {
            let key = d.str().ok()?;
            if d.datatype().ok()? != Type::String {
                d.skip().ok()?;
                continue;
            }
            let value = d.str().ok()?.to_string();
            match key {
                "kind" => kind = Some(value),
                "person" => person = PersonId::parse(value).ok(),
                "name" => name = Some(value),
                "field" => field = Some(value),
                _ => {}
            }
        }
        (kind.as_deref() == Some("presence")).then_some(())?;
        Some(Presence {
            person: person?,
            name: name?,
            field,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presence_round_trips() {
        let p = Presence {
            person: PersonId::parse("p-1").unwrap(),
            name: "Ava Hall".into(),
            field: Some("consensus.learning".into()),
        };
        assert_eq!(Presence::decode(&p.encode()), Some(p));
    }

    #[test]
    fn other_ephemera_are_ignored() {
        assert_eq!(Presence::decode(b"\xa1\x61a\x61b"), None);
        assert_eq!(Presence::decode(&[]), None);
    }
}
