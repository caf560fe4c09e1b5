//! Document chunks in IndexedDB, in automerge-repo's layout: object store
//! `documents`, records `{ key: [documentId, "snapshot" | "incremental" |
//! "sync-state", name], binary: Uint8Array }`.
//!
//! Each person has their own database (`qalf-<person>`), so on a shared
//! tablet one person's records are never in another's storage, and signing
//! out can delete exactly theirs. Keys are content addressed, so two tabs
//! writing the same document never overwrite each other.

use idb::{
    Database, DatabaseEvent, Factory, KeyPath, KeyRange, ObjectStoreParams, Query, TransactionMode,
};
use js_sys::{Array, Object, Reflect, Uint8Array};
use qalf_shared::org::PersonId;
use qalf_shared::sync::{DocumentId, StorageKey, Write};
use wasm_bindgen::{JsCast, JsValue};

const DOCUMENTS: &str = "documents";
/// Records made on this device that the server has not yet accepted.
pub const OUTBOX: &str = "outbox";
/// Safety alerts raised offline, sent first when the network returns.
pub const ALERTS: &str = "alerts";
const VERSION: u32 = 2;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    #[error("this device's storage is full")]
    QuotaExceeded,
    #[error("this browser's storage is not available: {0}")]
    Unavailable(String),
    #[error("storage failed: {0}")]
    Failed(String),
}

fn failed(e: idb::Error) -> StoreError {
    let text = format!("{e:?}");
    if text.contains("QuotaExceeded") {
        StoreError::QuotaExceeded
    } else {
        StoreError::Failed(text)
    }
}

/// The name of a person's document database.
pub fn database_name(person: &PersonId) -> String {
    format!("qalf-{person}")
}

pub struct DocStore {
    db: Database,
}

fn key_array(parts: &[String]) -> Array {
    parts.iter().map(|p| JsValue::from_str(p)).collect()
}

fn record(key: &StorageKey, bytes: &[u8]) -> Result<JsValue, StoreError> {
    let object = Object::new();
    let set = |name: &str, value: &JsValue| {
        Reflect::set(&object, &JsValue::from_str(name), value)
            .map(|_| ())
            .map_err(|_| StoreError::Failed("building a record".into()))
    };
    set("key", &key_array(key.parts()))?;
    set("binary", &Uint8Array::from(bytes))?;
    Ok(object.into())
}

fn parse_record(value: &JsValue) -> Option<(StorageKey, Vec<u8>)> {
    let key: Array = Reflect::get(value, &JsValue::from_str("key"))
        .ok()?
        .dyn_into()
        .ok()?;
    let parts: Vec<String> = key.iter().filter_map(|p| p.as_string()).collect();
    let binary: Uint8Array = Reflect::get(value, &JsValue::from_str("binary"))
        .ok()?
        .dyn_into()
        .ok()?;
    Some((StorageKey::from_parts(parts), binary.to_vec()))
}

/// All keys under `[document]`: arrays sort after strings in IndexedDB, so
/// `[document, []]` is above every `[document, kind, name]`.
fn document_range(document: &DocumentId) -> Result<KeyRange, StoreError> {
    let lower: Array = [JsValue::from_str(&document.to_string())]
        .into_iter()
        .collect();
    let upper: Array = [
        JsValue::from_str(&document.to_string()),
        Array::new().into(),
    ]
    .into_iter()
    .collect();
    KeyRange::bound(&lower, &upper, Some(false), Some(false)).map_err(failed)
}

impl DocStore {
    pub async fn open(person: &PersonId) -> Result<DocStore, StoreError> {
        let factory = Factory::new().map_err(|e| StoreError::Unavailable(format!("{e:?}")))?;
        let mut request = factory
            .open(&database_name(person), Some(VERSION))
            .map_err(|e| StoreError::Unavailable(format!("{e:?}")))?;
        request.on_upgrade_needed(|event| {
            let Ok(db) = event.database() else { return };
            if !db.store_names().iter().any(|n| n == DOCUMENTS) {
                let mut params = ObjectStoreParams::new();
                params.key_path(Some(KeyPath::new_single("key")));
                let _created = db.create_object_store(DOCUMENTS, params);
            }
            for queue in [OUTBOX, ALERTS] {
                if !db.store_names().iter().any(|n| n == queue) {
                    let mut params = ObjectStoreParams::new();
                    params.key_path(Some(KeyPath::new_single("id")));
                    let _created = db.create_object_store(queue, params);
                }
            }
        });
        let db = request
            .await
            .map_err(|e| StoreError::Unavailable(format!("{e:?}")))?;
        Ok(DocStore { db })
    }

    /// Every chunk stored for one document.
    pub async fn load(
        &self,
        document: &DocumentId,
    ) -> Result<Vec<(StorageKey, Vec<u8>)>, StoreError> {
        let tx = self
            .db
            .transaction(&[DOCUMENTS], TransactionMode::ReadOnly)
            .map_err(failed)?;
        let store = tx.object_store(DOCUMENTS).map_err(failed)?;
        let values = store
            .get_all(Some(Query::KeyRange(document_range(document)?)), None)
            .map_err(failed)?
            .await
            .map_err(failed)?;
        Ok(values.iter().filter_map(parse_record).collect())
    }

    /// The documents this device holds.
    pub async fn documents(&self) -> Result<Vec<DocumentId>, StoreError> {
        let tx = self
            .db
            .transaction(&[DOCUMENTS], TransactionMode::ReadOnly)
            .map_err(failed)?;
        let store = tx.object_store(DOCUMENTS).map_err(failed)?;
        let keys = store
            .get_all_keys(None, None)
            .map_err(failed)?
            .await
            .map_err(failed)?;
        let mut ids: Vec<DocumentId> = keys
            .iter()
            .filter_map(|k| Array::from(k).get(0).as_string())
            .filter_map(|id| DocumentId::parse(&id).ok())
            .collect();
        ids.dedup();
        Ok(ids)
    }

    /// Carries out one write in one transaction: all of it lands, or none.
    pub async fn write(&self, write: &Write) -> Result<(), StoreError> {
        let tx = self
            .db
            .transaction(&[DOCUMENTS], TransactionMode::ReadWrite)
            .map_err(failed)?;
        let store = tx.object_store(DOCUMENTS).map_err(failed)?;
        for (key, bytes) in &write.puts {
            store.put(&record(key, bytes)?, None).map_err(failed)?;
        }
        for key in &write.deletes {
            store
                .delete(Query::Key(key_array(key.parts()).into()))
                .map_err(failed)?;
        }
        let result = tx.commit().map_err(failed)?.await.map_err(failed)?;
        if result.is_aborted() {
            return Err(StoreError::Failed("the write was aborted".into()));
        }
        Ok(())
    }

    /// Deletes every chunk of one document (its access was withdrawn).
    pub async fn delete_document(&self, document: &DocumentId) -> Result<(), StoreError> {
        let tx = self
            .db
            .transaction(&[DOCUMENTS], TransactionMode::ReadWrite)
            .map_err(failed)?;
        let store = tx.object_store(DOCUMENTS).map_err(failed)?;
        store
            .delete(Query::KeyRange(document_range(document)?))
            .map_err(failed)?;
        tx.commit().map_err(failed)?.await.map_err(failed)?;
        Ok(())
    }

    /// Puts an entry (JSON) in a queue kept until the server accepts it.
    pub async fn queue_put(&self, queue: &str, id: &str, json: &str) -> Result<(), StoreError> {
        let tx = self
            .db
            .transaction(&[queue], TransactionMode::ReadWrite)
            .map_err(failed)?;
        let store = tx.object_store(queue).map_err(failed)?;
        let object = Object::new();
        Reflect::set(&object, &"id".into(), &JsValue::from_str(id))
            .map_err(|_| StoreError::Failed("building a queue entry".into()))?;
        Reflect::set(&object, &"json".into(), &JsValue::from_str(json))
            .map_err(|_| StoreError::Failed("building a queue entry".into()))?;
        store.put(&object.into(), None).map_err(failed)?;
        tx.commit().map_err(failed)?.await.map_err(failed)?;
        Ok(())
    }

    /// Everything in a queue: (id, JSON).
    pub async fn queue(&self, queue: &str) -> Result<Vec<(String, String)>, StoreError> {
        let tx = self
            .db
            .transaction(&[queue], TransactionMode::ReadOnly)
            .map_err(failed)?;
        let store = tx.object_store(queue).map_err(failed)?;
        let values = store
            .get_all(None, None)
            .map_err(failed)?
            .await
            .map_err(failed)?;
        Ok(values
            .iter()
            .filter_map(|v| {
                let id = Reflect::get(v, &"id".into()).ok()?.as_string()?;
                let json = Reflect::get(v, &"json".into()).ok()?.as_string()?;
                Some((id, json))
            })
            .collect())
    }

    pub async fn queue_remove(&self, queue: &str, id: &str) -> Result<(), StoreError> {
        let tx = self
            .db
            .transaction(&[queue], TransactionMode::ReadWrite)
            .map_err(failed)?;
        let store = tx.object_store(queue).map_err(failed)?;
        store
            .delete(Query::Key(JsValue::from_str(id)))
            .map_err(failed)?;
        tx.commit().map_err(failed)?.await.map_err(failed)?;
        Ok(())
    }

    pub fn close(&self) {
        self.db.close();
    }
}

/// Deletes a person's whole database (sign-out on a shared device).
pub async fn delete_database(person: &PersonId) -> Result<(), StoreError> {
    let factory = Factory::new().map_err(|e| StoreError::Unavailable(format!("{e:?}")))?;
    factory
        .delete(&database_name(person))
        .map_err(failed)?
        .await
        .map_err(failed)
}
