//! Fuzz targets (R-REL-4): every parser that reads bytes a device, a
//! browser, an administrator's file or the disk hands the server or the
//! sync client. Each target takes arbitrary bytes, must return without
//! panicking, and checks what must hold of whatever it accepts.
//!
//! The targets are driven by bolero (`src/targets.rs`): `cargo test`
//! replays each target's checked-in corpus (`src/__fuzz__/targets__<target>/corpus`)
//! and then random inputs, on a stable toolchain; `cargo xtask fuzz`
//! runs libFuzzer, coverage-guided, where a nightly toolchain and
//! `cargo-bolero` are present, and the random engine for a set time where
//! they are not.

use std::sync::OnceLock;

#[cfg(test)]
mod targets;

use automerge::Automerge;
use axum::http::{HeaderMap, HeaderValue, Uri, header};
use chrono::{DateTime, NaiveDate, Utc};
use qalf_server::auth::session::SessionKey;
use qalf_server::relay::Tickets;
use qalf_server::relay::rights::Incoming;
use qalf_shared::org::{Organisation, PersonId};
use qalf_shared::sync::{Client, DocumentId, Message, PeerId, Presence, StorageKey, canonical};

/// The demo council: enough people, teams and cases that an import row can
/// match someone.
pub fn council() -> &'static Organisation {
    static COUNCIL: OnceLock<Organisation> = OnceLock::new();
    COUNCIL.get_or_init(|| qalf_server::demo::organisation(1))
}

/// A device of the demo's first person, as a client names itself.
pub fn device() -> (PeerId, PersonId) {
    let person = &council().people().next().expect("the demo has staff").id;
    PeerId::parse_client(&format!("{person}~fuzz")).expect("a device's peer id")
}

/// A sync message off the wire: decoding never panics, and a message that
/// decodes re-encodes to bytes that decode to the same message.
pub fn sync_message(data: &[u8]) {
    let _ = canonical::check(data);
    if let Ok(message) = Message::decode(data) {
        let again = Message::decode(&message.encode());
        assert_eq!(
            again.as_ref().ok(),
            Some(&message),
            "re-encoding changed the message"
        );
        if let Message::Ephemeral { data, .. } = &message {
            // Presence rides in ephemeral messages, read by every device.
            let _ = Presence::decode(data);
        }
    }
}

/// The relay's gate, reading a device's frame: the canonical check, the
/// automerge sync message inside it, and the changes in that, split into
/// chunks and decoded. The first byte chooses whether the rest is a whole
/// frame or the change data alone, so the fuzzer reaches the chunk parser
/// without having to build a valid frame around it.
pub fn gate_frame(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    if mode % 2 == 1 {
        let _ = Incoming::decode(&[rest.to_vec()]);
        return;
    }
    let Ok(Message::Sync { data, .. }) = Message::decode_canonical(rest) else {
        return;
    };
    let Ok(sync) = automerge::sync::Message::decode(&data) else {
        return;
    };
    let changes: Vec<Vec<u8>> = sync.changes.iter().map(<[u8]>::to_vec).collect();
    let _ = Incoming::decode(&changes);
}

/// A cohort CSV as the CPP Service Manager uploads it: every row is planned
/// or rejected with a reason, never a panic.
pub fn cohort_csv(data: &[u8]) {
    let plan = qalf_shared::schedule::import::plan_import(data, council());
    let _ = plan.summary();
}

/// A staff directory CSV as the council's IT team uploads it.
pub fn staff_csv(data: &[u8]) {
    let today = NaiveDate::from_ymd_opt(2026, 12, 4).expect("a real day");
    let plan = qalf_shared::directory::plan_staff_import(data, council(), today);
    let _ = plan.summary();
}

/// A browser's Cookie header: the session token found in it, if any, is
/// only ever hashed, whatever it holds.
pub fn session_cookie(data: &[u8]) {
    let Ok(value) = HeaderValue::from_bytes(data) else {
        return;
    };
    let mut headers = HeaderMap::new();
    headers.insert(header::COOKIE, value);
    if let Some(token) = qalf_server::auth::session_token(&headers) {
        let _ = SessionKey::of(&token);
    }
}

/// The sync socket's upgrade URL: whatever its query holds, only the one
/// ticket issued is ever redeemed, and only once.
pub fn sync_ticket(data: &[u8]) {
    let Ok(query) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(uri) = format!("/sync?{query}").parse::<Uri>() else {
        return;
    };
    let Some(code) = qalf_server::relay::ticket_in(&uri) else {
        return;
    };
    let now = DateTime::<Utc>::from_timestamp(1_780_000_000, 0).expect("a real time");
    let tickets = Tickets::default();
    let (peer, person) = device();
    let issued = tickets.issue(person, peer, SessionKey::of("session"), now, 5);
    let redeemed = tickets.redeem(&code, now);
    assert_eq!(
        redeemed.is_some(),
        code == issued,
        "only the issued ticket redeems"
    );
    assert!(tickets.redeem(&code, now).is_none(), "a ticket works once");
}

/// Chunks read back from a device's storage or the relay's database, as
/// the disk holds them (possibly torn or damaged): each is cut from the
/// input by a two-byte length ([`chunked`] writes the format), loaded by
/// automerge, and handed to the sync client, which either opens the
/// document or reports it damaged.
pub fn stored_chunks(data: &[u8]) {
    let id = DocumentId::from_bytes([1; 16]);
    let mut chunks = Vec::new();
    let mut rest = data;
    while let [low, high, tail @ ..] = rest {
        let len = usize::from(u16::from_le_bytes([*low, *high]));
        let (chunk, next) = tail.split_at(len.min(tail.len()));
        let _ = Automerge::load(chunk);
        let key = match chunks.len() % 3 {
            0 => StorageKey::snapshot(&id, &[]),
            1 => StorageKey::incremental(&id, automerge::ChangeHash([chunks.len() as u8; 32])),
            _ => StorageKey::sync_state(&id, "relay"),
        };
        chunks.push((key, chunk.to_vec()));
        rest = next;
    }
    let mut client = Client::new(device().0, "fuzz-storage".into(), "session".into());
    let _ = client.load(id, chunks);
}

/// Stored chunks in the form [`stored_chunks`] reads: each behind its
/// length, two bytes little-endian.
pub fn chunked(chunks: &[Vec<u8>]) -> Vec<u8> {
    let mut out = Vec::new();
    for chunk in chunks {
        let len = u16::try_from(chunk.len()).unwrap_or(u16::MAX);
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&chunk[..usize::from(len)]);
    }
    out
}
