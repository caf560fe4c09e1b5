//! The server's view of who may see what: the organisation and the registry
//! of records, held in memory and swapped whole on change. Every change bumps
//! a generation counter that open relay connections watch, so a grant given
//! or taken away applies to them at once.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use qalf_shared::access::{self, Access, RecordMeta};
use qalf_shared::org::{Organisation, PersonId};
use qalf_shared::sync::DocumentId;
use tokio::sync::watch;

pub struct AccessState {
    org: RwLock<Arc<Organisation>>,
    records: RwLock<HashMap<DocumentId, RecordMeta>>,
    generation: watch::Sender<u64>,
}

impl AccessState {
    pub fn new(org: Organisation, records: Vec<RecordMeta>) -> Self {
        AccessState {
            org: RwLock::new(Arc::new(org)),
            records: RwLock::new(records.into_iter().map(|m| (m.id.clone(), m)).collect()),
            generation: watch::Sender::new(0),
        }
    }

    pub fn org(&self) -> Arc<Organisation> {
        self.org.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub fn set_org(&self, org: Organisation) {
        *self.org.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(org);
        self.bump();
    }

    pub fn record(&self, id: &DocumentId) -> Option<RecordMeta> {
        self.records
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .get(id)
            .cloned()
    }

    /// Adds or replaces a record's registration.
    pub fn put_record(&self, meta: RecordMeta) {
        self.records
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .insert(meta.id.clone(), meta);
        self.bump();
    }

    /// Every registered record matching `wanted`.
    pub fn records_where(&self, wanted: impl Fn(&RecordMeta) -> bool) -> Vec<RecordMeta> {
        self.records
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .values()
            .filter(|m| wanted(m))
            .cloned()
            .collect()
    }

    /// Every record `person` may read.
    pub fn readable_by(&self, person: &PersonId) -> Vec<RecordMeta> {
        let org = self.org();
        self.records
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .values()
            .filter(|m| access::access(&org, person, m).can_read())
            .cloned()
            .collect()
    }

    /// What `person` may do with document `id`. Unregistered documents are
    /// nobody's.
    pub fn decide(&self, person: &PersonId, id: &DocumentId) -> Access {
        match self.record(id) {
            Some(meta) => access::access(&self.org(), person, &meta),
            None => Access::None,
        }
    }

    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.generation.subscribe()
    }

    fn bump(&self) {
        self.generation.send_modify(|g| *g += 1);
    }
}
