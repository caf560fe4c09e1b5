//! Closed sets of values (grades, roles, cohorts, kinds of record…): one
//! macro writes what each needs, so they cannot drift apart: the list of
//! every value, its stable code (what storage, URLs and CSV files hold), its
//! label (what people read), parsing from the code with an error that names
//! what was expected, `Display`, and autosurgeon's `Reconcile` and
//! `Hydrate` so a document field holds the value typed while its stored
//! bytes stay the code string they always were.

/// A code that names no value of a closed set.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} `{code}` (expected one of {expected})")]
pub struct UnknownCode {
    /// What the set is, in words ("grade", "role").
    pub what: &'static str,
    /// What was given.
    pub code: String,
    /// The codes that would have been accepted, comma separated.
    pub expected: String,
}

/// Finds the value whose code is `given` (surrounding spaces and letter
/// case ignored, as case-system exports and hand-typed files vary).
pub fn parse_code<T: Copy>(
    all: &[T],
    code: impl Fn(T) -> &'static str,
    what: &'static str,
    given: &str,
) -> Result<T, UnknownCode> {
    let trimmed = given.trim();
    all.iter()
        .copied()
        .find(|v| code(*v).eq_ignore_ascii_case(trimmed))
        .ok_or_else(|| UnknownCode {
            what,
            code: given.to_string(),
            expected: all.iter().map(|v| code(*v)).collect::<Vec<_>>().join(", "),
        })
}

/// Writes a closed set's enum and everything it needs (see the module).
///
/// ```ignore
/// closed_set! {
///     /// R-AUDIT-1: grades are Ofsted's four.
///     #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
///     pub enum Grade: "grade", shown by label {
///         Outstanding = "outstanding", "Outstanding";
///         Good = "good", "Good";
///     }
/// }
/// ```
macro_rules! closed_set {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident : $what:literal, shown by $shown:ident {
            $(
                $(#[$vmeta:meta])*
                $variant:ident = $code:literal, $label:literal;
            )+
        }
    ) => {
        $(#[$meta])*
        $vis enum $name {
            $( $(#[$vmeta])* $variant, )+
        }

        impl $name {
            /// Every value, in the order people see them.
            pub const ALL: [$name; { let codes: &[&str] = &[$($code),+]; codes.len() }] =
                [$($name::$variant),+];

            /// The stable code kept in storage, URLs and files.
            pub fn code(self) -> &'static str {
                match self {
                    $( $name::$variant => $code, )+
                }
            }

            /// The name people read.
            pub fn label(self) -> &'static str {
                match self {
                    $( $name::$variant => $label, )+
                }
            }

            /// The value with this code, if any.
            pub fn parse(code: &str) -> Option<$name> {
                code.parse().ok()
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::closed_set::UnknownCode;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $crate::closed_set::parse_code(&$name::ALL, $name::code, $what, s)
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.$shown())
            }
        }

        impl ::autosurgeon::Reconcile for $name {
            type Key<'a> = ::autosurgeon::reconcile::NoKey;
            fn reconcile<R: ::autosurgeon::Reconciler>(&self, reconciler: R) -> Result<(), R::Error> {
                self.code().reconcile(reconciler)
            }
        }

        impl ::autosurgeon::Hydrate for $name {
            fn hydrate_string(code: &'_ str) -> Result<Self, ::autosurgeon::HydrateError> {
                code.parse().map_err(|e: $crate::closed_set::UnknownCode| {
                    ::autosurgeon::HydrateError::unexpected(e.what, code.to_string())
                })
            }
        }
    };
}

pub(crate) use closed_set;

/// An optional choice in a record (a grade, an answer): unset, cleared, or
/// holding a code this version does not know (written by a newer one, or
/// damaged) all read as not chosen, so one odd value never stops the
/// record opening and never counts as a choice made. A chosen value is
/// stored as its code. Use with `#[autosurgeon(with = "…")]`.
pub mod chosen {
    use std::str::FromStr;

    use autosurgeon::{Hydrate, HydrateError, Prop, ReadDoc, Reconcile, Reconciler};

    pub fn hydrate<D: ReadDoc, T: FromStr>(
        doc: &D,
        obj: &automerge::ObjId,
        prop: Prop<'_>,
    ) -> Result<Option<T>, HydrateError> {
        Ok(Option::<String>::hydrate(doc, obj, prop)
            .ok()
            .flatten()
            .and_then(|code| code.parse().ok()))
    }

    pub fn reconcile<R: Reconciler, T: Reconcile>(
        value: &Option<T>,
        reconciler: R,
    ) -> Result<(), R::Error> {
        value.reconcile(reconciler)
    }
}

#[cfg(test)]
mod tests {
    use automerge::{ROOT, ReadDoc};
    use autosurgeon::{Hydrate, Reconcile};

    use crate::audit::Grade;
    use crate::org::{Cohort, Role};

    #[derive(Debug, PartialEq, Reconcile, Hydrate)]
    struct Holder {
        grade: Grade,
        maybe: Option<Grade>,
    }

    #[test]
    fn a_value_is_stored_as_its_code_and_reads_back_typed() {
        let mut doc = crate::document::new_document();
        let held = Holder {
            grade: Grade::RequiresImprovement,
            maybe: None,
        };
        doc.transact::<_, _, autosurgeon::ReconcileError>(|tx| autosurgeon::reconcile(tx, &held))
            .unwrap();
        let stored = doc.get(ROOT, "grade").unwrap().unwrap().0;
        assert_eq!(stored.as_str(), Some("requires-improvement"));
        assert_eq!(autosurgeon::hydrate::<_, Holder>(&doc).unwrap(), held);
    }

    #[test]
    fn a_stored_code_that_names_nothing_is_an_error_not_a_guess() {
        let mut doc = crate::document::new_document();
        doc.transact::<_, _, automerge::AutomergeError>(|tx| {
            use automerge::transaction::Transactable;
            tx.put(ROOT, "grade", "satisfactory")?;
            tx.put(ROOT, "maybe", automerge::ScalarValue::Null)
        })
        .unwrap();
        assert!(autosurgeon::hydrate::<_, Holder>(&doc).is_err());
    }

    #[test]
    fn parsing_ignores_spaces_and_letter_case_and_names_what_was_expected() {
        assert_eq!(" cic ".parse::<Cohort>(), Ok(Cohort::ChildInCare));
        assert_eq!("Team-Manager".parse::<Role>(), Ok(Role::TeamManager));
        let unknown = "LAC".parse::<Cohort>().unwrap_err();
        assert_eq!(
            unknown.to_string(),
            "unknown cohort `LAC` (expected one of CIN, CP, CWD, CiC, EH)"
        );
    }
}
