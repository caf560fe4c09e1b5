//! What a device's storage hands back after a crash or a disk fault: a
//! damaged chunk must not hide the edits the other chunks hold. (Before,
//! one chunk automerge could not parse refused the whole document, and the
//! device fell back to the server's copy, without its unsynced edits.)

use automerge::transaction::Transactable;
use automerge::{ROOT, ReadDoc};
use qalf_shared::document::note;
use qalf_shared::org::PersonId;
use qalf_shared::sync::{Client, DocumentId, PeerId, StorageKey};
use qalf_testing::sync::{MemoryStore, settle};

fn device() -> Client {
    let person = PersonId::parse("p-1").unwrap();
    Client::new(
        PeerId::for_person(&person, "tablet"),
        "store".into(),
        "s".into(),
    )
}

fn body_of(client: &Client, id: &DocumentId) -> String {
    let doc = client.doc(id).unwrap();
    let (_, body) = doc.get(ROOT, note::BODY).unwrap().unwrap();
    doc.text(&body).unwrap()
}

#[test]
fn a_damaged_chunk_is_skipped_and_every_other_edit_still_opens() {
    let id = DocumentId::from_bytes([5; 16]);
    let mut client = device();
    let mut store = MemoryStore::new();
    let effects = client.create(id.clone(), note::new_note("Visit", "p-1", 0).unwrap());
    settle(&mut client, Some(&mut store), effects);
    for word in ["Seen ", "at ", "home."] {
        let (_, effects) = client
            .change(&id, "p-1", 0, |tx| {
                let (_, body) = tx.get(ROOT, note::BODY)?.unwrap();
                let end = tx.length(&body);
                tx.splice_text(&body, end, 0, word)
            })
            .unwrap();
        settle(&mut client, Some(&mut store), effects);
    }
    // The last change's chunk is damaged on disk.
    let last = client.doc(&id).unwrap().clone().get_heads()[0];
    let last = StorageKey::incremental(&id, last);
    let mut chunks: Vec<(StorageKey, Vec<u8>)> = store.into_iter().collect();
    let damaged = chunks
        .iter_mut()
        .find(|(k, _)| *k == last)
        .expect("the last edit is stored as its own change");
    // Cut to a few bytes, as a faulty disk or a bug might leave it.
    damaged.1.truncate(3);

    let mut reopened = device();
    reopened
        .load(id.clone(), chunks)
        .expect("the document opens from the chunks that are whole");
    assert_eq!(
        body_of(&reopened, &id),
        "Seen at ",
        "every undamaged edit is there"
    );
}

#[test]
fn storage_with_nothing_readable_is_refused_so_the_server_is_asked() {
    let id = DocumentId::from_bytes([6; 16]);
    let chunks = vec![(
        StorageKey::incremental(&id, automerge::ChangeHash([1; 32])),
        vec![1, 2, 3],
    )];
    assert!(device().load(id, chunks).is_err());
}
