//! Editing text fields so that concurrent typing merges character by
//! character: each edit becomes one splice at the changed range, never a
//! rewrite of the whole field.

use automerge::transaction::Transactable;
use automerge::{AutomergeError, ObjId, ReadDoc};

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
    use automerge::{ObjType, ROOT};

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
    fn equal_texts_need_no_splice() {
        assert_eq!(diff("same", "same"), None);
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
