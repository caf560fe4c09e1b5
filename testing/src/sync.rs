//! A device's side of the sync client, in memory: the loop that carries out
//! the sans-IO client's effects, written once for every test and load
//! generator that drives a client without a browser (the convergence tests,
//! the server tests' peer, the benchmark's peers). The browser's own loop,
//! over IndexedDB, is the app's.

use std::collections::BTreeMap;

use qalf_shared::sync::{Client, DocumentId, Effect, StorageKey};

/// A device's store of document chunks, kept in memory.
pub type MemoryStore = BTreeMap<StorageKey, Vec<u8>>;

/// What carrying out a batch of effects leaves for the caller to do.
#[derive(Debug, Default)]
pub struct Settled {
    /// Frames for the server, in the order the client made them.
    pub frames: Vec<Vec<u8>>,
    /// Documents a peer's changes reached (each once, in order).
    pub changed: Vec<DocumentId>,
    /// Documents whose content, status or availability changed (each once).
    pub touched: Vec<DocumentId>,
}

/// Carries out `effects` as a device does: each write goes to `store` (or
/// nowhere, for a load generator that keeps nothing) and the client is told
/// it is stored, which may lead to more effects, carried out in turn. What
/// is left (frames to send, documents to re-render) is returned.
pub fn settle(
    client: &mut Client,
    mut store: Option<&mut MemoryStore>,
    effects: Vec<Effect>,
) -> Settled {
    let mut settled = Settled::default();
    let mut pending = effects;
    while !pending.is_empty() {
        let mut next = Vec::new();
        for effect in pending {
            match effect {
                Effect::Send(frame) => settled.frames.push(frame),
                Effect::Write(write) => {
                    if let Some(store) = store.as_deref_mut() {
                        for key in &write.deletes {
                            store.remove(key);
                        }
                        store.extend(write.puts);
                    }
                    if let Some(heads) = write.heads {
                        next.extend(client.stored(&write.document, &heads));
                    }
                }
                Effect::Changed(id) => {
                    once(&mut settled.changed, &id);
                    once(&mut settled.touched, &id);
                }
                Effect::Status(id) | Effect::Unavailable(id) => once(&mut settled.touched, &id),
                Effect::PresenceChanged(_) => {}
            }
        }
        pending = next;
    }
    settled
}

fn once(list: &mut Vec<DocumentId>, id: &DocumentId) {
    if !list.contains(id) {
        list.push(id.clone());
    }
}
