//! Identifiers, parsed once at the edge so the rest of the code can trust them.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("{kind} must not be empty")]
    Empty { kind: &'static str },
    #[error("{kind} is longer than {max} characters")]
    TooLong { kind: &'static str, max: usize },
    #[error("{kind} may only contain letters, digits, '-', '_' and '/'")]
    BadCharacter { kind: &'static str },
}

const MAX_ID_LEN: usize = 64;

fn check(kind: &'static str, value: &str) -> Result<(), IdError> {
    if value.is_empty() {
        return Err(IdError::Empty { kind });
    }
    if value.len() > MAX_ID_LEN {
        return Err(IdError::TooLong {
            kind,
            max: MAX_ID_LEN,
        });
    }
    if !value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '/'))
    {
        return Err(IdError::BadCharacter { kind });
    }
    Ok(())
}

macro_rules! define_id {
    ($(#[$doc:meta])* $name:ident, $kind:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub fn parse(value: impl Into<String>) -> Result<Self, IdError> {
                let value = value.into();
                check($kind, &value)?;
                Ok(Self(value))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl FromStr for $name {
            type Err = IdError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }

        impl TryFrom<String> for $name {
            type Error = IdError;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                Self::parse(s)
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        // An id compares equal to the text it is, so records and messages
        // that still carry ids as text compare without parsing.
        impl PartialEq<str> for $name {
            fn eq(&self, other: &str) -> bool {
                self.0 == other
            }
        }

        impl PartialEq<&str> for $name {
            fn eq(&self, other: &&str) -> bool {
                self.0 == *other
            }
        }

        impl PartialEq<String> for $name {
            fn eq(&self, other: &String) -> bool {
                &self.0 == other
            }
        }

        impl PartialEq<$name> for String {
            fn eq(&self, other: &$name) -> bool {
                *self == other.0
            }
        }

        impl PartialEq<$name> for str {
            fn eq(&self, other: &$name) -> bool {
                self == other.0
            }
        }

        // In a record the id is the string it always was; reading it
        // checks it as parsing does.
        impl autosurgeon::Reconcile for $name {
            type Key<'a> = autosurgeon::reconcile::NoKey;
            fn reconcile<R: autosurgeon::Reconciler>(&self, mut reconciler: R) -> Result<(), R::Error> {
                reconciler.str(&self.0)
            }
        }

        impl autosurgeon::Hydrate for $name {
            fn hydrate_string(value: &'_ str) -> Result<Self, autosurgeon::HydrateError> {
                Self::parse(value)
                    .map_err(|e| autosurgeon::HydrateError::unexpected($kind, e.to_string()))
            }
        }
    };
}

define_id!(
    /// A member of staff (or elected member) known to QALF.
    PersonId,
    "person id"
);
define_id!(
    /// A team within a service area.
    TeamId,
    "team id"
);
define_id!(
    /// A service area such as Early Help or Children in Care.
    ServiceAreaId,
    "service area id"
);
define_id!(
    /// The case reference from the council's case management system. QALF
    /// keeps only this, never the child's name.
    CaseRef,
    "case reference"
);

/// An optional id in a record that has always stored "no one" as blank
/// text rather than as null: blank reads as none and none writes blank, so
/// old records read and write back unchanged. Use with
/// `#[autosurgeon(with = "…")]`.
pub mod blank_as_none {
    use std::str::FromStr;

    use autosurgeon::{Hydrate, HydrateError, Prop, ReadDoc, Reconcile, Reconciler};

    pub fn hydrate<D: ReadDoc, T: FromStr>(
        doc: &D,
        obj: &automerge::ObjId,
        prop: Prop<'_>,
    ) -> Result<Option<T>, HydrateError>
    where
        T::Err: std::fmt::Display,
    {
        let text = String::hydrate(doc, obj, prop)?;
        if text.is_empty() {
            return Ok(None);
        }
        text.parse()
            .map(Some)
            .map_err(|e: T::Err| HydrateError::unexpected("an id or blank", e.to_string()))
    }

    pub fn reconcile<R: Reconciler, T: Reconcile>(
        value: &Option<T>,
        mut reconciler: R,
    ) -> Result<(), R::Error> {
        match value {
            Some(id) => id.reconcile(reconciler),
            None => reconciler.str(""),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_id_is_rejected() {
        assert_eq!(
            PersonId::parse(""),
            Err(IdError::Empty { kind: "person id" })
        );
    }

    #[test]
    fn an_id_with_spaces_is_rejected() {
        assert!(matches!(
            CaseRef::parse("CR 1"),
            Err(IdError::BadCharacter { .. })
        ));
    }

    #[test]
    fn an_id_longer_than_64_characters_is_rejected() {
        assert!(matches!(
            TeamId::parse("t".repeat(65)),
            Err(IdError::TooLong { max: 64, .. })
        ));
    }

    #[test]
    fn ids_round_trip_through_json_and_reject_bad_values() {
        let id = PersonId::parse("p-0042").unwrap();
        let json = serde_json::to_string(&id).unwrap();
        assert_eq!(json, "\"p-0042\"");
        assert_eq!(serde_json::from_str::<PersonId>(&json).unwrap(), id);
        assert!(serde_json::from_str::<PersonId>("\"\"").is_err());
    }
}
