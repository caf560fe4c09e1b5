//! The note: a title and a body several people can type into at once. The
//! smallest record, used to prove the sync engine end to end.

use automerge::transaction::Transactable;
use automerge::{Automerge, AutomergeError, ObjType, ROOT, ReadDoc};
use autosurgeon::{Hydrate, Reconcile, Text};

use super::{DocKind, new_document};

/// The note schema's current version.
pub const NOTE_SCHEMA: u64 = 1;

#[derive(Debug, Clone, PartialEq, Reconcile, Hydrate)]
pub struct Note {
    pub kind: String,
    pub schema: u64,
    pub title: Text,
    pub body: Text,
    /// Person id of the creator.
    pub created_by: String,
    /// Unix seconds.
    pub created_at: i64,
}

/// Field ids used for presence and for finding the text objects.
pub const TITLE: &str = "title";
pub const BODY: &str = "body";

/// A new note, its text objects created once here so that concurrent edits
/// always land in the same objects.
pub fn new_note(
    title: &str,
    created_by: &str,
    created_at: i64,
) -> Result<Automerge, AutomergeError> {
    note_in(new_document(), title, created_by, created_at)
}

/// A new note written into `doc` (a simulation brings one with a fixed
/// actor, so that a seed replays the same change).
pub fn note_in(
    mut doc: Automerge,
    title: &str,
    created_by: &str,
    created_at: i64,
) -> Result<Automerge, AutomergeError> {
    let mut tx = doc.transaction();
    tx.put(ROOT, "kind", DocKind::Note.code())?;
    tx.put(ROOT, "schema", NOTE_SCHEMA)?;
    let title_obj = tx.put_object(ROOT, TITLE, ObjType::Text)?;
    tx.splice_text(&title_obj, 0, 0, title)?;
    tx.put_object(ROOT, BODY, ObjType::Text)?;
    tx.put(ROOT, "created_by", created_by)?;
    tx.put(ROOT, "created_at", created_at)?;
    tx.commit_with(
        automerge::transaction::CommitOptions::default()
            .with_message(format!("by:{created_by}"))
            .with_time(created_at),
    );
    Ok(doc)
}

impl super::Record for Note {
    const KIND: DocKind = DocKind::Note;
}

/// Reads a note, if the document is one.
pub fn read<D: ReadDoc + autosurgeon::ReadDoc>(doc: &D) -> Option<Note> {
    <Note as super::Record>::read(doc)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_new_note_reads_back() {
        let doc = new_note("Team meeting", "p-1", 1_700_000_000).unwrap();
        let note = read(&doc).unwrap();
        assert_eq!(note.title.as_str(), "Team meeting");
        assert_eq!(note.body.as_str(), "");
        assert_eq!(note.schema, NOTE_SCHEMA);
        assert_eq!(note.created_by, "p-1");
    }

    #[test]
    fn a_document_of_another_kind_is_not_a_note() {
        assert_eq!(read(&new_document()), None);
    }
}
