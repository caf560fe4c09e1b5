//! Convergence of the sync client: several replicas edit one text field
//! while frames are delivered in random interleavings, connections drop
//! (losing frames in flight) and devices reload from their own storage.
//! Whatever happens, once everyone reconnects and the network goes quiet,
//! every replica holds the same text and nothing anyone typed is lost.
//!
//! The relay here is a minimal automerge-repo peer (one document, one sync
//! state per connection, relaying changes to every other connection), enough
//! to exercise the client's side of the protocol without I/O.

use std::collections::{BTreeMap, VecDeque};

use automerge::sync::{self, SyncDoc};
use automerge::transaction::Transactable;
use automerge::{Automerge, ObjId, ROOT, ReadDoc};
use proptest::prelude::*;
use qalf_shared::document::note;
use qalf_shared::org::PersonId;
use qalf_shared::sync::{Client, DocumentId, Effect, Message, PeerId, StorageKey};

const SERVER: &str = "relay";

struct Relay {
    doc: Automerge,
    document: DocumentId,
    /// One sync state per connected client.
    states: BTreeMap<usize, sync::State>,
}

impl Relay {
    fn new(document: DocumentId) -> Self {
        Relay {
            doc: qalf_shared::document::new_document(),
            document,
            states: BTreeMap::new(),
        }
    }

    fn handle(&mut self, from: usize, frame: &[u8], to_clients: &mut [VecDeque<Vec<u8>>]) {
        match Message::decode(frame).expect("clients send valid frames") {
            Message::Join { sender, .. } => {
                self.states.insert(from, sync::State::new());
                to_clients[from].push_back(
                    Message::Peer {
                        sender: PeerId::from_wire(SERVER.into()),
                        target: sender,
                        version: "1".into(),
                        metadata: None,
                    }
                    .encode(),
                );
            }
            Message::Sync { data, .. } | Message::Request { data, .. } => {
                let state = self.states.get_mut(&from).expect("joined");
                let message = sync::Message::decode(&data).expect("valid sync message");
                self.doc.receive_sync_message(state, message).unwrap();
                // Answer the sender and pass news on to everyone else.
                let connected: Vec<usize> = self.states.keys().copied().collect();
                for client in connected {
                    self.flush(client, to_clients);
                }
            }
            _ => {}
        }
    }

    fn flush(&mut self, client: usize, to_clients: &mut [VecDeque<Vec<u8>>]) {
        let state = self.states.get_mut(&client).expect("connected");
        while let Some(message) = self.doc.generate_sync_message(state) {
            to_clients[client].push_back(
                Message::Sync {
                    sender: PeerId::from_wire(SERVER.into()),
                    target: PeerId::from_wire(format!("p-{client}~dev")),
                    document: self.document.clone(),
                    data: message.encode(),
                }
                .encode(),
            );
        }
    }
}

struct Device {
    client: Client,
    storage: BTreeMap<StorageKey, Vec<u8>>,
    online: bool,
    /// What this device typed: one unique character per keystroke.
    typed: Vec<String>,
}

impl Device {
    fn new(index: usize) -> Self {
        let person = PersonId::parse(format!("p-{index}")).unwrap();
        Device {
            client: Client::new(
                PeerId::for_person(&person, "dev"),
                format!("store-{index}"),
                format!("s{index}"),
            ),
            storage: BTreeMap::new(),
            online: false,
            typed: Vec::new(),
        }
    }

    /// Carries out effects: frames go to the relay's inbox, writes to storage.
    fn apply(&mut self, effects: Vec<Effect>, to_relay: &mut VecDeque<Vec<u8>>) {
        let settled =
            qalf_testing::sync::settle(&mut self.client, Some(&mut self.storage), effects);
        if self.online {
            to_relay.extend(settled.frames);
        }
    }
}

fn body(doc: &impl ReadDoc) -> (ObjId, String) {
    let (_, id) = doc.get(ROOT, note::BODY).unwrap().unwrap();
    let text = doc.text(&id).unwrap();
    (id, text)
}

/// Whether the device has the note yet.
fn has_body(doc: &impl ReadDoc) -> bool {
    doc.get(ROOT, note::BODY).ok().flatten().is_some()
}

#[derive(Debug, Clone)]
enum Step {
    /// Device types a unique marker at a position (fraction of the length);
    /// the keystroke is committed at once or left pending, as while typing.
    Type {
        device: usize,
        at: f64,
        commit: bool,
    },
    /// A pause in typing: pending keystrokes become a change.
    Commit {
        device: usize,
    },
    /// Device deletes a character at a position, if there is one.
    Delete {
        device: usize,
        at: f64,
    },
    /// One frame is delivered on one connection, in either direction.
    Deliver {
        device: usize,
        to_relay: bool,
    },
    Disconnect {
        device: usize,
    },
    Reconnect {
        device: usize,
    },
    /// The page reloads: the client is rebuilt from the device's storage.
    Reload {
        device: usize,
    },
}

fn step(devices: usize) -> impl Strategy<Value = Step> {
    let d = 0..devices;
    prop_oneof![
        4 => (d.clone(), 0.0..=1.0f64, any::<bool>())
            .prop_map(|(device, at, commit)| Step::Type { device, at, commit }),
        1 => d.clone().prop_map(|device| Step::Commit { device }),
        1 => (d.clone(), 0.0..=1.0f64).prop_map(|(device, at)| Step::Delete { device, at }),
        8 => (d.clone(), any::<bool>()).prop_map(|(device, to_relay)| Step::Deliver { device, to_relay }),
        1 => d.clone().prop_map(|device| Step::Disconnect { device }),
        1 => d.clone().prop_map(|device| Step::Reconnect { device }),
        1 => d.prop_map(|device| Step::Reload { device }),
    ]
}

struct World {
    relay: Relay,
    devices: Vec<Device>,
    to_relay: Vec<VecDeque<Vec<u8>>>,
    to_clients: Vec<VecDeque<Vec<u8>>>,
    document: DocumentId,
    marker: u32,
    deletes: bool,
}

impl World {
    fn new(count: usize, deletes: bool) -> World {
        let document = DocumentId::from_bytes([42; 16]);
        let genesis = note::new_note("Shared", "p-0", 0).unwrap();
        let mut devices: Vec<Device> = (0..count).map(Device::new).collect();
        let mut to_relay: Vec<VecDeque<Vec<u8>>> = vec![VecDeque::new(); count];
        // Device 0 creates the note; the others will find it through the relay.
        let mut effects = devices[0].client.create(document.clone(), genesis);
        effects.extend(devices[0].client.registration_accepted(&document));
        devices[0].apply(effects, &mut to_relay[0]);
        for (i, device) in devices.iter_mut().enumerate().skip(1) {
            let effects = device.client.request(document.clone());
            device.apply(effects, &mut to_relay[i]);
        }
        World {
            relay: Relay::new(document.clone()),
            devices,
            to_relay,
            to_clients: vec![VecDeque::new(); count],
            document,
            marker: 0,
            deletes,
        }
    }

    fn connect(&mut self, i: usize) {
        if self.devices[i].online {
            return;
        }
        self.devices[i].online = true;
        let effects = self.devices[i].client.connected();
        self.devices[i].apply(effects, &mut self.to_relay[i]);
    }

    fn disconnect(&mut self, i: usize) {
        if !self.devices[i].online {
            return;
        }
        self.devices[i].online = false;
        // Frames in flight on a dropped socket are lost.
        self.to_relay[i].clear();
        self.to_clients[i].clear();
        self.relay.states.remove(&i);
        let effects = self.devices[i].client.disconnected();
        self.devices[i].apply(effects, &mut self.to_relay[i]);
    }

    fn run(&mut self, step: Step) {
        match step {
            Step::Commit { device } => {
                let effects = self.devices[device].client.commit_all();
                self.devices[device].apply(effects, &mut self.to_relay[device]);
            }
            Step::Type { device, at, commit } => {
                let Some(doc) = self.devices[device].client.doc(&self.document) else {
                    return;
                };
                if !has_body(doc) {
                    return; // not received yet
                }
                let (obj, text) = body(doc);
                let len = text.encode_utf16().count();
                let pos = ((len as f64) * at) as usize;
                self.marker += 1;
                // One unique character per keystroke, so a later insert can
                // never split an earlier one.
                let marker = char::from_u32(0x4E00 + self.marker)
                    .expect("CJK ideographs are chars")
                    .to_string();
                let inserted = marker.clone();
                let edit = |tx: &mut automerge::AutoCommit| tx.splice_text(&obj, pos, 0, &inserted);
                let client = &mut self.devices[device].client;
                let (_, effects) = if commit {
                    client.change(&self.document, "p", 0, edit)
                } else {
                    client.edit(&self.document, "p", 0, edit)
                }
                .unwrap();
                self.devices[device].typed.push(marker);
                self.devices[device].apply(effects, &mut self.to_relay[device]);
            }
            Step::Delete { device, at } => {
                if !self.deletes {
                    return;
                }
                let Some(doc) = self.devices[device].client.doc(&self.document) else {
                    return;
                };
                if !has_body(doc) {
                    return;
                }
                let (obj, text) = body(doc);
                let len = text.encode_utf16().count();
                if len == 0 {
                    return;
                }
                let pos = (((len - 1) as f64) * at) as usize;
                let (_, effects) = self.devices[device]
                    .client
                    .change(&self.document, "p", 0, |tx| {
                        tx.splice_text(&obj, pos, 1, "")
                    })
                    .unwrap();
                self.devices[device].apply(effects, &mut self.to_relay[device]);
            }
            Step::Deliver { device, to_relay } => {
                if to_relay {
                    if let Some(frame) = self.to_relay[device].pop_front() {
                        self.relay.handle(device, &frame, &mut self.to_clients);
                    }
                } else if let Some(frame) = self.to_clients[device].pop_front() {
                    let effects = self.devices[device].client.receive(&frame, 0).unwrap();
                    self.devices[device].apply(effects, &mut self.to_relay[device]);
                }
            }
            Step::Disconnect { device } => self.disconnect(device),
            Step::Reconnect { device } => self.connect(device),
            Step::Reload { device } => {
                // The page commits what is pending as it goes away.
                let effects = self.devices[device].client.commit_all();
                self.devices[device].apply(effects, &mut self.to_relay[device]);
                let online = self.devices[device].online;
                self.disconnect(device);
                let d = &mut self.devices[device];
                let storage = d.storage.clone();
                d.client = Device::new(device).client;
                let chunks: Vec<(StorageKey, Vec<u8>)> = storage
                    .into_iter()
                    .filter(|(k, _)| k.document().as_ref() == Some(&self.document))
                    .collect();
                let effects = if chunks.is_empty() {
                    d.client.request(self.document.clone())
                } else {
                    d.client.load(self.document.clone(), chunks).unwrap()
                };
                d.apply(effects, &mut self.to_relay[device]);
                if online {
                    self.connect(device);
                }
            }
        }
    }

    /// Everyone online; deliver every frame until nothing moves.
    fn settle(&mut self) {
        for i in 0..self.devices.len() {
            let effects = self.devices[i].client.commit_all();
            self.devices[i].apply(effects, &mut self.to_relay[i]);
            self.connect(i);
        }
        for _ in 0..10_000 {
            let mut moved = false;
            for i in 0..self.devices.len() {
                while let Some(frame) = self.to_relay[i].pop_front() {
                    self.relay.handle(i, &frame, &mut self.to_clients);
                    moved = true;
                }
                while let Some(frame) = self.to_clients[i].pop_front() {
                    let effects = self.devices[i].client.receive(&frame, 0).unwrap();
                    self.devices[i].apply(effects, &mut self.to_relay[i]);
                    moved = true;
                }
            }
            if !moved {
                return;
            }
        }
        panic!("the network never went quiet");
    }

    fn texts(&self) -> Vec<String> {
        self.devices
            .iter()
            .map(|d| body(d.client.doc(&self.document).unwrap()).1)
            .collect()
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Inserts only: every replica converges and every marker typed anywhere
    /// is in the final text exactly once.
    #[test]
    fn concurrent_typing_converges_and_keeps_every_character(
        devices in 3usize..=4,
        steps in prop::collection::vec(step(4), 1..120),
    ) {
        let mut world = World::new(devices, false);
        for s in steps {
            let s = match s {
                Step::Type { device, at, commit } => Step::Type { device: device % devices, at, commit },
                Step::Commit { device } => Step::Commit { device: device % devices },
                Step::Delete { device, at } => Step::Delete { device: device % devices, at },
                Step::Deliver { device, to_relay } => Step::Deliver { device: device % devices, to_relay },
                Step::Disconnect { device } => Step::Disconnect { device: device % devices },
                Step::Reconnect { device } => Step::Reconnect { device: device % devices },
                Step::Reload { device } => Step::Reload { device: device % devices },
            };
            world.run(s);
        }
        world.settle();
        let texts = world.texts();
        for text in &texts {
            prop_assert_eq!(text, &texts[0]);
        }
        for device in &world.devices {
            for marker in &device.typed {
                prop_assert_eq!(texts[0].matches(marker.as_str()).count(), 1, "marker {} lost", marker);
            }
        }
        // Everyone is synced once the network is quiet.
        for device in &world.devices {
            let status = device.client.status(&world.document).unwrap();
            prop_assert!(status.synced, "{:?}", status);
            prop_assert!(status.saved, "{:?}", status);
            prop_assert_eq!(status.waiting, 0);
        }
    }

    /// Inserts and deletes: every replica ends with the same text as the relay.
    #[test]
    fn concurrent_inserts_and_deletes_converge(
        devices in 3usize..=4,
        steps in prop::collection::vec(step(4), 1..120),
    ) {
        let mut world = World::new(devices, true);
        for s in steps {
            let s = match s {
                Step::Type { device, at, commit } => Step::Type { device: device % devices, at, commit },
                Step::Commit { device } => Step::Commit { device: device % devices },
                Step::Delete { device, at } => Step::Delete { device: device % devices, at },
                Step::Deliver { device, to_relay } => Step::Deliver { device: device % devices, to_relay },
                Step::Disconnect { device } => Step::Disconnect { device: device % devices },
                Step::Reconnect { device } => Step::Reconnect { device: device % devices },
                Step::Reload { device } => Step::Reload { device: device % devices },
            };
            world.run(s);
        }
        world.settle();
        let relay_text = body(&world.relay.doc).1;
        for text in world.texts() {
            prop_assert_eq!(&text, &relay_text);
        }
    }
}

#[test]
fn offline_changes_are_counted_as_waiting_and_survive_a_reload() {
    let mut world = World::new(3, false);
    world.settle();
    world.run(Step::Disconnect { device: 1 });
    world.run(Step::Type {
        device: 1,
        at: 0.0,
        commit: true,
    });
    world.run(Step::Type {
        device: 1,
        at: 1.0,
        commit: true,
    });
    let status = world.devices[1].client.status(&world.document).unwrap();
    assert_eq!(status.waiting, 2);
    assert!(status.saved && !status.synced);
    world.run(Step::Reload { device: 1 });
    let status = world.devices[1].client.status(&world.document).unwrap();
    assert_eq!(status.waiting, 2, "the count survives a reload");
    world.settle();
    let status = world.devices[1].client.status(&world.document).unwrap();
    assert!(status.synced && status.waiting == 0);
    assert_eq!(world.texts()[0], world.texts()[1]);
}
