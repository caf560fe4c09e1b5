//! Reading and writing scalar fields (answers, grades, dates, flags) at a
//! [`FieldPath`], for the screens' choice, date and check fields.

use automerge::transaction::Transactable;
use automerge::{ObjType, ReadDoc, ScalarValue, Value};

use super::DocumentError;
use super::text::FieldPath;

/// Sets (or clears) a scalar field in the map at `path`.
pub fn set_scalar<T: Transactable + ReadDoc>(
    tx: &mut T,
    path: &FieldPath,
    key: &str,
    value: Option<ScalarValue>,
) -> Result<(), DocumentError> {
    let (obj, ty) = path
        .resolve(tx)
        .ok_or_else(|| DocumentError::Missing(format!("field at {}", path.name())))?;
    if ty != ObjType::Map {
        return Err(DocumentError::NotA(path.name(), "map"));
    }
    tx.put(&obj, key, value.unwrap_or(ScalarValue::Null))?;
    Ok(())
}

/// The scalar at `path`/`key`, if any.
pub fn get_scalar(doc: &impl ReadDoc, path: &FieldPath, key: &str) -> Option<ScalarValue> {
    let (obj, _) = path.resolve(doc)?;
    match doc.get(&obj, key).ok()??.0 {
        Value::Scalar(s) => Some(s.into_owned()),
        Value::Object(_) => None,
    }
}

/// A string field (empty and null read as none).
pub fn get_str(doc: &impl ReadDoc, path: &FieldPath, key: &str) -> Option<String> {
    match get_scalar(doc, path, key)? {
        ScalarValue::Str(s) if !s.is_empty() => Some(s.to_string()),
        _ => None,
    }
}

pub fn get_bool(doc: &impl ReadDoc, path: &FieldPath, key: &str) -> bool {
    matches!(get_scalar(doc, path, key), Some(ScalarValue::Boolean(true)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::new_document;
    use automerge::ROOT;

    #[test]
    fn a_field_set_by_path_reads_back_and_clears() {
        let mut doc = new_document();
        let mut tx = doc.transaction();
        let header = tx.put_object(ROOT, "header", ObjType::Map).unwrap();
        tx.put(&header, "meeting_on", ScalarValue::Null).unwrap();
        tx.commit();
        let path = FieldPath::key("header");
        let mut tx = doc.transaction();
        set_scalar(&mut tx, &path, "meeting_on", Some("2026-11-09".into())).unwrap();
        set_scalar(&mut tx, &path, "held", Some(true.into())).unwrap();
        tx.commit();
        assert_eq!(
            get_str(&doc, &path, "meeting_on").as_deref(),
            Some("2026-11-09")
        );
        assert!(get_bool(&doc, &path, "held"));
        let mut tx = doc.transaction();
        set_scalar(&mut tx, &path, "meeting_on", None).unwrap();
        tx.commit();
        assert_eq!(get_str(&doc, &path, "meeting_on"), None);
        assert!(set_scalar(&mut doc.transaction(), &FieldPath::key("nope"), "x", None).is_err());
    }
}
