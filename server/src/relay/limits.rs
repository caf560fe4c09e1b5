//! The relay's limits: frames per session (a token bucket per session, shared
//! by all its connections) and the size of a document.

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::Mutex;

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use qalf_shared::sync::DocumentId;

use crate::auth::session::SessionKey;

pub struct Limits {
    frames: DefaultKeyedRateLimiter<SessionKey>,
    max_document_bytes: u64,
    /// Bytes stored per document, kept by the storage as it writes.
    sizes: Mutex<HashMap<String, u64>>,
}

impl Limits {
    pub fn new(frames_per_second: u32, burst: u32, max_document_bytes: u64) -> Limits {
        let per_second = NonZeroU32::new(frames_per_second.max(1)).expect("non-zero");
        let burst = NonZeroU32::new(burst.max(1)).expect("non-zero");
        Limits {
            frames: RateLimiter::keyed(Quota::per_second(per_second).allow_burst(burst)),
            max_document_bytes,
            sizes: Mutex::new(HashMap::new()),
        }
    }

    pub fn allow_frame(&self, session: &SessionKey) -> bool {
        self.frames.check_key(session).is_ok()
    }

    /// Records what a document now takes in storage.
    pub fn set_size(&self, document: &str, bytes: u64) {
        self.sizes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(document.to_string(), bytes);
    }

    pub fn over_size(&self, document: &DocumentId) -> bool {
        self.sizes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&document.to_string())
            .is_some_and(|bytes| *bytes > self.max_document_bytes)
    }
}
