//! A record made on a device leaves it only once the server has accepted
//! the device's registration of it (squatting an id gains nothing).

use automerge::ROOT;
use automerge::transaction::Transactable;
use qalf_shared::document::note;
use qalf_shared::sync::{Client, DocumentId, Effect, Message, PeerId, Registration};

fn online_client() -> Client {
    let mut client = Client::new(
        PeerId::from_wire("p-1~tab".into()),
        "store".into(),
        "s".into(),
    );
    let _join = client.connected();
    let peer = Message::Peer {
        sender: PeerId::from_wire("qalf-relay".into()),
        target: PeerId::from_wire("p-1~tab".into()),
        version: "1".into(),
        metadata: None,
    };
    let _effects = client.receive(&peer.encode(), 0).expect("a peer answer");
    client
}

fn sends(effects: &[Effect]) -> usize {
    effects
        .iter()
        .filter(|e| matches!(e, Effect::Send(_)))
        .count()
}

#[test]
fn r_sec_8_a_record_made_here_is_sent_only_after_its_registration_is_accepted() {
    let mut client = online_client();
    let id = DocumentId::from_bytes([5; 16]);
    let made = client.create(id.clone(), note::new_note("Visit", "p-1", 0).unwrap());
    assert_eq!(sends(&made), 0, "sent before it was registered");
    assert_eq!(
        client.status(&id).unwrap().registration,
        Registration::Waiting
    );
    let (_, edited) = client
        .change(&id, "p-1", 0, |d| d.put(ROOT, "title", "Visit 2"))
        .unwrap();
    assert_eq!(sends(&edited), 0, "an edit was sent before registration");

    // Refused: nothing ever leaves, whatever happens next.
    let refused = client.registration_refused(&id);
    assert_eq!(sends(&refused), 0);
    let (_, edited) = client
        .change(&id, "p-1", 0, |d| d.put(ROOT, "title", "Visit 3"))
        .unwrap();
    assert_eq!(sends(&edited), 0, "a refused record was sent");
    let _ = client.disconnected();
    let mut client_again = client;
    let _ = client_again.connected();
    assert_eq!(
        client_again.status(&id).unwrap().registration,
        Registration::Refused
    );

    // Accepted (a later attempt succeeded): it syncs.
    let accepted = client_again.registration_accepted(&id);
    assert_eq!(sends(&accepted), 0, "offline: nothing to send yet");
    let mut online = online_client();
    let _ = online.create(id.clone(), note::new_note("Visit", "p-1", 0).unwrap());
    let accepted = online.registration_accepted(&id);
    assert_eq!(sends(&accepted), 1, "the record goes once registered");
}

#[test]
fn r_sec_8_a_record_loaded_from_storage_can_be_held_until_registered() {
    let id = DocumentId::from_bytes([6; 16]);
    let doc = note::new_note("Visit", "p-1", 0).unwrap();
    let chunks = vec![(
        qalf_shared::sync::StorageKey::snapshot(&id, &doc.get_heads()),
        doc.save(),
    )];
    let mut offline = Client::new(
        PeerId::from_wire("p-1~tab".into()),
        "store".into(),
        "s".into(),
    );
    let _loaded = offline.load(id.clone(), chunks).unwrap();
    let _held = offline.hold_until_registered(&id);
    let _ = offline.connected();
    let peer = Message::Peer {
        sender: PeerId::from_wire("qalf-relay".into()),
        target: PeerId::from_wire("p-1~tab".into()),
        version: "1".into(),
        metadata: None,
    };
    let effects = offline.receive(&peer.encode(), 0).unwrap();
    assert_eq!(sends(&effects), 0, "a held record was sent on connecting");
    let accepted = offline.registration_accepted(&id);
    assert_eq!(sends(&accepted), 1, "the record goes once registered");
}
