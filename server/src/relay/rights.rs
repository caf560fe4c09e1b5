//! Who wrote each change, and whether they may write what it touches
//! (R-SEC-1), checked by the gate before samod sees a change.
//!
//! Authorship: a change's actor id is bound to the first person whose
//! connection sends a change by it (`change_authors`), and a change by an
//! actor bound to someone else is refused, as is a change whose `by:`
//! message names anyone but its sender. So every change the relay holds
//! was sent by the person its actor is bound to.
//!
//! Write rights: every operation of every change is turned into a
//! [`Touch`] (its path from the record's root, resolved against the
//! relay's copy of the document and the objects the same connection made
//! in earlier frames) and put to [`rights::may_write`]. One refused
//! operation refuses the frame; an operation on an object the relay cannot
//! place is refused too.

use std::collections::{BTreeMap, HashMap};
use std::sync::Mutex;

use automerge::legacy::{ElementId, Key, ObjectId, OpId, OpType};
use automerge::{
    ActorId, Automerge, ObjType, Prop, ReadDoc, ScalarValue, ScalarValueRef, ValueRef,
};
use qalf_shared::access::RecordMeta;
use qalf_shared::access::rights::{self, Item, RecordState, Refusal, Step, Touch};
use qalf_shared::org::{Organisation, PersonId};

use crate::db::{Db, DbError};

/// Why a frame's changes were refused.
#[derive(Debug, Clone, thiserror::Error)]
pub enum Refused {
    #[error("changes refused: {0}")]
    Rights(#[from] Refusal),
    #[error("changes refused: made by another person's device")]
    AnotherPersonsActor,
    #[error("changes refused: signed in another person's name")]
    AnotherPersonsName,
    #[error("changes refused: they touch a part of the record the relay does not hold")]
    Unplaced,
    #[error("changes refused: not a well-formed change")]
    Malformed,
}

impl Refused {
    /// A fixed phrase for the access log (no record content).
    pub fn detail(&self) -> &'static str {
        match self {
            Refused::Rights(Refusal::NotYours) => "changes refused: another person's part",
            Refused::Rights(Refusal::Fixed) => "changes refused: a part fixed once made",
            Refused::Rights(Refusal::Locked) => "changes refused: the record is locked",
            Refused::Rights(Refusal::InSomeoneElsesName) => {
                "changes refused: an entry in another person's name"
            }
            Refused::AnotherPersonsActor => "changes refused: another person's device",
            Refused::AnotherPersonsName => "changes refused: signed in another person's name",
            Refused::Unplaced => "changes refused: an unknown part of the record",
            Refused::Malformed => "changes refused: malformed",
        }
    }
}

/// Actor ids and the people they are bound to.
pub struct Authors {
    db: Db,
    known: Mutex<HashMap<String, PersonId>>,
}

impl Authors {
    pub async fn load(db: Db) -> Result<Authors, DbError> {
        let known = db
            .call(|conn| {
                let mut stmt = conn.prepare("SELECT actor, person FROM change_authors")?;
                let rows = stmt
                    .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(rows)
            })
            .await?
            .into_iter()
            .filter_map(|(actor, person)| Some((actor, PersonId::parse(person).ok()?)))
            .collect();
        Ok(Authors {
            db,
            known: Mutex::new(known),
        })
    }

    fn bound(&self, actor: &str) -> Option<PersonId> {
        self.known
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(actor)
            .cloned()
    }

    /// Binds each actor to `person` if it is new; false if any is bound to
    /// someone else. New bindings are on disk before this returns.
    pub async fn claim(&self, actors: &[String], person: &PersonId) -> Result<bool, DbError> {
        let mut new = Vec::new();
        for actor in actors {
            match self.bound(actor) {
                Some(p) if &p == person => {}
                Some(_) => return Ok(false),
                None => new.push(actor.clone()),
            }
        }
        if new.is_empty() {
            return Ok(true);
        }
        let (rows, who) = (new.clone(), person.to_string());
        let winners: Vec<(String, String)> = self
            .db
            .call(move |conn| {
                let tx = conn.transaction()?;
                let mut out = Vec::new();
                for actor in &rows {
                    tx.execute(
                        "INSERT INTO change_authors (actor, person) VALUES (?1, ?2)
                         ON CONFLICT(actor) DO NOTHING",
                        rusqlite::params![actor, who],
                    )?;
                    let person: String = tx.query_row(
                        "SELECT person FROM change_authors WHERE actor = ?1",
                        [actor],
                        |r| r.get(0),
                    )?;
                    out.push((actor.clone(), person));
                }
                tx.commit()?;
                Ok(out)
            })
            .await?;
        let mut known = self.known.lock().unwrap_or_else(|e| e.into_inner());
        let mut mine = true;
        for (actor, bound) in winners {
            if let Ok(bound) = PersonId::parse(bound) {
                mine &= &bound == person;
                known.insert(actor, bound);
            }
        }
        Ok(mine)
    }
}

/// Objects a connection's earlier frames made, which samod may not have
/// applied yet when the next frame is checked: their paths, by op id.
#[derive(Default)]
pub struct Made {
    paths: HashMap<(u64, ActorId), (Vec<Step>, ObjType)>,
}

/// The most objects remembered per connection; past it, the relay's copy
/// of the document (which has them by then) is asked instead.
const MADE_MOST: usize = 20_000;

/// The changes of one frame, decoded.
pub struct Incoming {
    changes: Vec<(automerge::ChangeHash, automerge::ExpandedChange)>,
}

/// The chunks of a sync message's change data: each a storage chunk
/// (magic, checksum, type, length, data), several perhaps in one.
fn chunks(mut bytes: &[u8]) -> Result<Vec<(u8, &[u8])>, Refused> {
    const HEAD: usize = 9; // magic (4), checksum (4), type (1)
    let mut out = Vec::new();
    while !bytes.is_empty() {
        let kind = *bytes.get(HEAD - 1).ok_or(Refused::Malformed)?;
        let mut rest = bytes.get(HEAD..).ok_or(Refused::Malformed)?;
        let before = rest.len();
        let len = leb128::read::unsigned(&mut rest).map_err(|_| Refused::Malformed)?;
        // A length is the sender's claim: checked, so a huge one is refused
        // rather than wrapping round to a chunk that never advances.
        let whole = usize::try_from(len)
            .ok()
            .and_then(|len| len.checked_add(HEAD + (before - rest.len())))
            .ok_or(Refused::Malformed)?;
        let chunk = bytes.get(..whole).ok_or(Refused::Malformed)?;
        out.push((kind, chunk));
        bytes = &bytes[whole..];
    }
    Ok(out)
}

/// The changes in one chunk of change data, each with its hash and its
/// operations spelt out.
fn decode_chunk(
    kind: u8,
    chunk: &[u8],
) -> Result<Vec<(automerge::ChangeHash, automerge::ExpandedChange)>, Refused> {
    let found: Vec<automerge::Change> = match kind {
        0 => Automerge::load(chunk)
            .map_err(|_| Refused::Malformed)?
            .get_changes(&[]),
        1 | 2 => vec![automerge::Change::try_from(chunk).map_err(|_| Refused::Malformed)?],
        3 => automerge::Bundle::try_from(chunk)
            .map_err(|_| Refused::Malformed)?
            .to_changes()
            .map_err(|_| Refused::Malformed)?,
        _ => return Err(Refused::Malformed),
    };
    Ok(found.into_iter().map(|c| (c.hash(), c.decode())).collect())
}

impl Incoming {
    /// Every change in a frame's change data, whatever the chunks: single
    /// changes (plain or compressed), bundles, or whole documents.
    pub fn decode(raw: &[Vec<u8>]) -> Result<Incoming, Refused> {
        let mut changes = Vec::new();
        for data in raw {
            for (kind, chunk) in chunks(data)? {
                // automerge 0.12 panics on some crafted chunks instead of
                // failing (fuzzing the gate found it in expanding a change
                // whose ops name an actor it does not list, and in reading
                // a bundle's columns): whatever a device sends, a panic
                // here is a malformed chunk, refused like any other.
                let decoded = std::panic::catch_unwind(|| decode_chunk(kind, chunk))
                    .map_err(|_| Refused::Malformed)??;
                changes.extend(decoded);
            }
        }
        Ok(Incoming { changes })
    }

    /// The changes `doc` does not hold yet: what the relay will write.
    pub fn new_hashes(&self, doc: &Automerge) -> Vec<automerge::ChangeHash> {
        self.changes
            .iter()
            .filter(|(hash, _)| doc.get_change_by_hash(hash).is_none())
            .map(|(hash, _)| *hash)
            .collect()
    }

    /// Leaves out the changes `doc` already holds (a device catching up
    /// may send them again, whoever made them).
    fn new_in<'a>(
        &'a self,
        doc: &'a Automerge,
    ) -> impl Iterator<Item = &'a automerge::ExpandedChange> + 'a {
        self.changes
            .iter()
            .filter(|(hash, _)| doc.get_change_by_hash(hash).is_none())
            .map(|(_, change)| change)
    }

    /// Resolves every new operation against `doc` and remembers what the
    /// changes make; with `judge`, puts each to the record's write rights.
    /// Refuses a change whose `by:` message names anyone but `person`.
    /// Returns the actor ids (hex) of the new changes, to bind to `person`.
    pub fn check(
        &self,
        doc: &Automerge,
        person: &PersonId,
        made: &mut Made,
        judge: Option<(&Organisation, &RecordMeta)>,
    ) -> Result<Vec<String>, Refused> {
        let mine = format!("by:{person}");
        let mut actors: Vec<String> = Vec::new();
        let state = RecordState {
            locked: qalf_shared::moderation::panel::read_position(doc)
                .is_some_and(|p| qalf_shared::moderation::panel::position_recorded(&p)),
        };
        // What this frame makes is remembered only if the frame passes.
        let mut frame = Made::default();
        for change in self.new_in(doc) {
            if let Some(message) = &change.message
                && message.starts_with("by:")
                && message != &mine
            {
                return Err(Refused::AnotherPersonsName);
            }
            actors.push(change.actor_id.to_hex_string());
            let start = change.start_op.get();
            for (i, op) in change.operations.iter().enumerate() {
                let id = (start + i as u64, change.actor_id.clone());
                let (path, obj_type) = place(doc, [&frame, &*made], &op.obj)?;
                let touch = if matches!(obj_type, ObjType::Text) {
                    Touch {
                        path: path.clone(),
                        value: None,
                        delete: false,
                    }
                } else {
                    let mut path = path.clone();
                    path.push(match &op.key {
                        Key::Map(k) => Step::Key(k.to_string()),
                        Key::Seq(_) if op.insert => Step::Item(Item::New),
                        Key::Seq(element) => {
                            Step::Item(existing_item(doc, [&frame, &*made], element))
                        }
                    });
                    Touch {
                        path,
                        value: match &op.action {
                            OpType::Put(ScalarValue::Str(s)) => Some(s.to_string()),
                            _ => None,
                        },
                        delete: matches!(op.action, OpType::Delete),
                    }
                };
                if let OpType::Make(t) = op.action {
                    frame.paths.insert(id, (touch.path.clone(), t));
                }
                if let Some((org, meta)) = judge {
                    rights::may_write(org, person, meta, state, &touch)?;
                }
            }
        }
        if made.paths.len() + frame.paths.len() > MADE_MOST {
            made.paths.clear();
        }
        made.paths.extend(frame.paths);
        actors.sort();
        actors.dedup();
        Ok(actors)
    }
}

fn exid(doc: &Automerge, id: &OpId) -> Option<(automerge::ObjId, ObjType)> {
    doc.import(&format!("{}@{}", id.counter(), id.actor().to_hex_string()))
        .ok()
}

/// Where an object is: its path from the root and its type.
fn place(
    doc: &Automerge,
    made: [&Made; 2],
    obj: &ObjectId,
) -> Result<(Vec<Step>, ObjType), Refused> {
    let id = match obj {
        ObjectId::Root => return Ok((Vec::new(), ObjType::Map)),
        ObjectId::Id(id) => id,
    };
    let key = (id.counter(), id.actor().clone());
    if let Some(known) = made.iter().find_map(|m| m.paths.get(&key)) {
        return Ok(known.clone());
    }
    let (obj, obj_type) = exid(doc, id).ok_or(Refused::Unplaced)?;
    let mut steps = Vec::new();
    let mut child = obj.clone();
    for parent in doc.parents(&obj).map_err(|_| Refused::Unplaced)? {
        steps.push(match parent.prop {
            Prop::Map(k) => Step::Key(k),
            Prop::Seq(_) => Step::Item(Item::Existing(text_fields(doc, &child))),
        });
        child = parent.obj;
    }
    steps.reverse();
    Ok((steps, obj_type))
}

/// An existing list item, with its string fields when it is a map.
fn existing_item(doc: &Automerge, made: [&Made; 2], element: &ElementId) -> Item {
    let ElementId::Id(id) = element else {
        return Item::Existing(BTreeMap::new());
    };
    let key = (id.counter(), id.actor().clone());
    if made.iter().any(|m| m.paths.contains_key(&key)) {
        return Item::New;
    }
    match exid(doc, id) {
        Some((obj, ObjType::Map)) => Item::Existing(text_fields(doc, &obj)),
        _ => Item::Existing(BTreeMap::new()),
    }
}

fn text_fields(doc: &Automerge, obj: &automerge::ObjId) -> BTreeMap<String, String> {
    doc.map_range(obj, ..)
        .filter_map(|item| match item.value {
            ValueRef::Scalar(ScalarValueRef::Str(text)) => {
                Some((item.key.to_string(), text.to_string()))
            }
            _ => None,
        })
        .collect()
}
