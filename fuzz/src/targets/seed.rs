//! The seed corpus: inputs that reach deep into each parser (real frames,
//! real change chunks, real CSV files, real cookies and tickets), from which
//! the fuzzer mutates. Written when a target is added
//! (`cargo test -p qalf-fuzz -- --ignored write_seed_corpus`),
//! then minimised with `cargo xtask fuzz --minimise`; the results are
//! checked in. (A test rather than an example: under libFuzzer every
//! binary of this package must link the fuzzer.)

use std::fs;
use std::path::Path;

use crate::{chunked, council, device};
use automerge::sync::SyncDoc;
use automerge::transaction::Transactable;
use automerge::{AutoCommit, ROOT};
use qalf_shared::sync::{DocumentId, Message, PeerId, Presence};

fn write(target: &str, name: &str, bytes: &[u8]) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("src/__fuzz__")
        .join(format!("targets__r_rel_4_{target}"))
        .join("corpus");
    fs::create_dir_all(&dir).expect("the corpus folder");
    fs::write(dir.join(name), bytes).expect("a corpus file");
}

/// A small note with two changes, as a device makes it.
fn note() -> AutoCommit {
    let mut doc = AutoCommit::new();
    doc.put(ROOT, "kind", "note").expect("a put");
    let text = doc
        .put_object(ROOT, "text", automerge::ObjType::Text)
        .expect("a text");
    doc.commit();
    doc.splice_text(&text, 0, 0, "Seen at home; plan agreed.")
        .expect("typing");
    doc.commit();
    doc
}

#[test]
#[ignore = "writes the checked-in seed corpus"]
fn write_seed_corpus() {
    let (me, person) = device();
    let relay = PeerId::from_wire("qalf-relay".into());
    let document = DocumentId::from_bytes([3; 16]);
    let mut doc = note();

    // Real sync data: what a device sends the relay for its note.
    let mut state = automerge::sync::State::new();
    let data = doc
        .sync()
        .generate_sync_message(&mut state)
        .expect("a first sync message")
        .encode();
    let presence = Presence {
        person: person.clone(),
        name: "A. Person".into(),
        field: Some("notes".into()),
    };
    let messages = [
        (
            "join",
            Message::Join {
                sender: me.clone(),
                versions: vec!["1".into()],
                metadata: Some(qalf_shared::sync::message::PeerMetadata {
                    storage_id: Some("device-store".into()),
                    is_ephemeral: false,
                }),
            },
        ),
        (
            "sync",
            Message::Sync {
                sender: me.clone(),
                target: relay.clone(),
                document: document.clone(),
                data: data.clone(),
            },
        ),
        (
            "request",
            Message::Request {
                sender: me.clone(),
                target: relay.clone(),
                document: document.clone(),
                data: automerge::sync::Message::decode(&data)
                    .map(|m| m.encode())
                    .unwrap_or_default(),
            },
        ),
        (
            "ephemeral",
            Message::Ephemeral {
                sender: me.clone(),
                target: relay.clone(),
                document: document.clone(),
                session: "session".into(),
                count: 1,
                data: presence.encode(),
            },
        ),
        (
            "unavailable",
            Message::DocUnavailable {
                sender: relay.clone(),
                target: me.clone(),
                document: document.clone(),
            },
        ),
        ("leave", Message::Leave { sender: me.clone() }),
        (
            "error",
            Message::Error {
                message: "frame too large".into(),
            },
        ),
    ];
    for (name, message) in &messages {
        write("sync_message", name, &message.encode());
    }

    // The gate: a whole frame (mode 0) and the change data alone (mode 1).
    let frame = messages[1].1.encode();
    write("gate_frame", "frame", &[[0].as_slice(), &frame].concat());
    let whole = doc.save();
    write(
        "gate_frame",
        "document-chunk",
        &[[1].as_slice(), &whole].concat(),
    );
    for (n, change) in doc.get_changes(&[]).iter().enumerate() {
        let raw = change.raw_bytes().to_vec();
        write(
            "gate_frame",
            &format!("change-{n}"),
            &[[1].as_slice(), &raw].concat(),
        );
    }

    // The cohort CSV with a real case of each cohort, and the staff file's
    // own template.
    let mut cohort = String::from("case_reference,cohort,team,practitioner,initials,age_band\n");
    for case in council().cases().take(4) {
        cohort.push_str(&format!(
            "{},{},{},{},A.B.,5-9\n",
            case.reference,
            case.cohort.code(),
            case.team,
            case.practitioner
        ));
    }
    cohort.push_str("NEW-1,cp,no-such-team,nobody,,\n");
    write("cohort_csv", "cases", cohort.as_bytes());
    write(
        "staff_csv",
        "template",
        qalf_shared::directory::template().as_bytes(),
    );

    // Cookies and tickets as browsers send them.
    write(
        "session_cookie",
        "session",
        b"theme=dark; qalf_session=Qm9vdHN0cmFwcGVkIHNlc3Npb24gdG9rZW4; lang=en",
    );
    write(
        "session_cookie",
        "quoted",
        b"qalf_session=\"a b\"; qalf_session=second",
    );
    write(
        "sync_ticket",
        "ticket",
        b"ticket=T3JkaW5hcnkgdGlja2V0IGNvZGU",
    );
    write("sync_ticket", "twice", b"a=1&ticket=x%20y&ticket=z");

    // Stored chunks: a snapshot, each change, a sync state; and the same
    // with the last write torn half way.
    let mut chunks = vec![whole.clone()];
    chunks.extend(doc.get_changes(&[]).iter().map(|c| c.raw_bytes().to_vec()));
    chunks.push(state.encode());
    write("stored_chunks", "whole", &chunked(&chunks));
    let last = chunks.len() - 1;
    let half = chunks[last - 1].len() / 2;
    chunks[last - 1].truncate(half);
    write("stored_chunks", "torn", &chunked(&chunks));
}
