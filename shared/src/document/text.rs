//! Editing text fields so that concurrent typing merges character by
//! character: each edit becomes one splice at the changed range, never a
//! rewrite of the whole field.

use automerge::transaction::Transactable;
use automerge::{AutomergeError, Cursor, CursorPosition, ObjId, ObjType, ROOT, ReadDoc, Value};

/// One step on the way from the document root to a field.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Step {
    /// A key in a map.
    Key(String),
    /// The item of a list whose `id` field is this (stable under concurrent
    /// inserts, unlike an index).
    Item(String),
}

/// A field's address in a document, e.g. `sections/voice/reason`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FieldPath(pub Vec<Step>);

impl FieldPath {
    /// A top-level field.
    /// The document's root map, where a record's own scalars live.
    pub fn root() -> Self {
        FieldPath(Vec::new())
    }

    pub fn key(key: &str) -> Self {
        FieldPath(vec![Step::Key(key.to_string())])
    }

    /// This path, one map key further.
    pub fn then_key(&self, key: &str) -> Self {
        let mut steps = self.0.clone();
        steps.push(Step::Key(key.to_string()));
        FieldPath(steps)
    }

    /// This path (a list), then the item with this id.
    pub fn then_item(&self, id: &str) -> Self {
        let mut steps = self.0.clone();
        steps.push(Step::Item(id.to_string()));
        FieldPath(steps)
    }

    /// A stable name for presence ("who is in which field").
    pub fn name(&self) -> String {
        self.0
            .iter()
            .map(|s| match s {
                Step::Key(k) | Step::Item(k) => k.as_str(),
            })
            .collect::<Vec<_>>()
            .join("/")
    }

    /// The object at this path, if it exists.
    pub fn resolve(&self, doc: &impl ReadDoc) -> Option<(ObjId, ObjType)> {
        let mut current = ROOT;
        let mut current_type = ObjType::Map;
        for step in &self.0 {
            let (value, id) = match step {
                Step::Key(key) => doc.get(&current, key.as_str()).ok()??,
                Step::Item(wanted) => {
                    let len = doc.length(&current);
                    (0..len).find_map(|i| {
                        let (value, id) = doc.get(&current, i).ok()??;
                        let item_id = doc.get(&id, "id").ok()??.0.into_string().ok()?;
                        (item_id == *wanted).then_some((value, id))
                    })?
                }
            };
            match value {
                Value::Object(ty) => {
                    current = id;
                    current_type = ty;
                }
                Value::Scalar(_) => return None,
            }
        }
        Some((current, current_type))
    }

    /// The text object at this path.
    pub fn resolve_text(&self, doc: &impl ReadDoc) -> Option<ObjId> {
        match self.resolve(doc)? {
            (id, ObjType::Text) => Some(id),
            _ => None,
        }
    }
}

/// The single splice that turns `old` into `new`: position, units to delete
/// and text to insert, in UTF-16 code units. `None` when they are equal.
pub fn diff(old: &str, new: &str) -> Option<(usize, usize, String)> {
    if old == new {
        return None;
    }
    let old_chars: Vec<char> = old.chars().collect();
    let new_chars: Vec<char> = new.chars().collect();
    let prefix = old_chars
        .iter()
        .zip(&new_chars)
        .take_while(|(a, b)| a == b)
        .count();
    let max_suffix = old_chars.len().min(new_chars.len()) - prefix;
    let suffix = old_chars
        .iter()
        .rev()
        .zip(new_chars.iter().rev())
        .take(max_suffix)
        .take_while(|(a, b)| a == b)
        .count();
    let width = |cs: &[char]| cs.iter().map(|c| c.len_utf16()).sum::<usize>();
    let position = width(&old_chars[..prefix]);
    let deleted = width(&old_chars[prefix..old_chars.len() - suffix]);
    let inserted: String = new_chars[prefix..new_chars.len() - suffix].iter().collect();
    Some((position, deleted, inserted))
}

/// A position in a text that follows the characters around it as others
/// edit: the caret stays where the person left it. The end stays the end.
pub fn cursor_at(doc: &impl ReadDoc, obj: &ObjId, position: usize) -> Option<Cursor> {
    let length = doc.length(obj);
    let at = if position >= length {
        CursorPosition::End
    } else {
        CursorPosition::Index(position)
    };
    doc.get_cursor(obj, at, None).ok()
}

/// Where a cursor is now.
pub fn cursor_position(doc: &impl ReadDoc, obj: &ObjId, cursor: &Cursor) -> Option<usize> {
    doc.get_cursor_position(obj, cursor, None).ok()
}

/// Makes the text object `obj` read `new`, by one splice.
pub fn set_text<T: Transactable + ReadDoc>(
    tx: &mut T,
    obj: &ObjId,
    new: &str,
) -> Result<(), AutomergeError> {
    let old = tx.text(obj)?;
    if let Some((position, deleted, inserted)) = diff(&old, new) {
        tx.splice_text(obj, position, deleted as isize, &inserted)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::new_document;

    #[test]
    fn typing_in_the_middle_is_one_insert() {
        assert_eq!(
            diff("hello world", "hello, world"),
            Some((5, 0, ",".into()))
        );
    }

    #[test]
    fn deleting_is_one_delete() {
        assert_eq!(diff("abcdef", "abef"), Some((2, 2, String::new())));
    }

    #[test]
    fn replacing_a_selection_is_one_splice() {
        assert_eq!(
            diff("the cat sat", "the dog sat"),
            Some((4, 3, "dog".into()))
        );
    }

    #[test]
    fn positions_count_utf16_units() {
        // "😀" is two UTF-16 units.
        assert_eq!(diff("😀a", "😀ba"), Some((2, 0, "b".into())));
    }

    #[test]
    fn repeated_letters_do_not_confuse_the_diff() {
        assert_eq!(diff("aaa", "aaaa"), Some((3, 0, "a".into())));
        assert_eq!(diff("abab", "ab"), Some((2, 2, String::new())));
    }

    #[test]
    fn a_caret_follows_its_character_when_someone_types_before_it() {
        let mut doc = new_document();
        let mut tx = doc.transaction();
        let text = tx.put_object(ROOT, "t", ObjType::Text).unwrap();
        tx.splice_text(&text, 0, 0, "world").unwrap();
        tx.commit();
        let caret = cursor_at(&doc, &text, 2).unwrap();
        let end = cursor_at(&doc, &text, 5).unwrap();
        let mut tx = doc.transaction();
        tx.splice_text(&text, 0, 0, "hello ").unwrap();
        tx.commit();
        assert_eq!(cursor_position(&doc, &text, &caret), Some(8));
        assert_eq!(cursor_position(&doc, &text, &end), Some(11));
    }

    #[test]
    fn equal_texts_need_no_splice() {
        assert_eq!(diff("same", "same"), None);
    }

    #[test]
    fn a_path_finds_a_text_inside_a_list_item_by_id() {
        let mut doc = new_document();
        let mut tx = doc.transaction();
        let list = tx.put_object(ROOT, "actions", ObjType::List).unwrap();
        for id in ["a1", "a2"] {
            let item = tx.insert_object(&list, 0, ObjType::Map).unwrap();
            tx.put(&item, "id", id).unwrap();
            let text = tx.put_object(&item, "what", ObjType::Text).unwrap();
            tx.splice_text(&text, 0, 0, &format!("do {id}")).unwrap();
        }
        tx.commit();
        let path = FieldPath::key("actions").then_item("a1").then_key("what");
        let text = path.resolve_text(&doc).unwrap();
        assert_eq!(doc.text(&text).unwrap(), "do a1");
        assert_eq!(path.name(), "actions/a1/what");
        assert!(
            FieldPath::key("actions")
                .then_item("zz")
                .resolve(&doc)
                .is_none()
        );
        assert!(FieldPath::key("actions").resolve_text(&doc).is_none());
    }

    #[test]
    fn concurrent_typing_in_one_field_keeps_both_texts() {
        let mut base = new_document();
        let mut tx = base.transaction();
        let body = tx.put_object(ROOT, "body", ObjType::Text).unwrap();
        tx.splice_text(&body, 0, 0, "The plan ").unwrap();
        tx.commit();
        let mut ours = base.fork();
        let mut theirs = base.fork();
        let mut tx = ours.transaction();
        set_text(&mut tx, &body, "The plan is SMART.").unwrap();
        tx.commit();
        let mut tx = theirs.transaction();
        set_text(&mut tx, &body, "The updated plan ").unwrap();
        tx.commit();
        ours.merge(&mut theirs).unwrap();
        assert_eq!(ours.text(&body).unwrap(), "The updated plan is SMART.");
    }
}
