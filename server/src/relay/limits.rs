//! The relay's limits: frames per session (a token bucket per session, shared
//! by all its connections), the size of a document, and the bytes of
//! changes each person may send in a day.
//!
//! Sizes are what the relay has stored, read from the database at start
//! and kept as the storage writes; a document with no size holds nothing
//! yet (its first content must come from its creator).

use std::collections::HashMap;
use std::num::NonZeroU32;
use std::sync::Mutex;

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use qalf_shared::org::PersonId;
use qalf_shared::sync::DocumentId;

use crate::auth::session::SessionKey;
use crate::db::DbError;

pub struct Limits {
    frames: DefaultKeyedRateLimiter<SessionKey>,
    max_document_bytes: u64,
    max_person_bytes_per_day: u64,
    /// Bytes stored per document, kept by the storage as it writes.
    sizes: Mutex<HashMap<String, u64>>,
    /// Bytes of changes each person sent today (the day as days since 1970).
    sent_today: Mutex<HashMap<PersonId, (i64, u64)>>,
}

impl Limits {
    pub fn new(
        frames_per_second: u32,
        burst: u32,
        max_document_bytes: u64,
        max_person_bytes_per_day: u64,
    ) -> Limits {
        let per_second = NonZeroU32::new(frames_per_second.max(1)).expect("non-zero");
        let burst = NonZeroU32::new(burst.max(1)).expect("non-zero");
        Limits {
            frames: RateLimiter::keyed(Quota::per_second(per_second).allow_burst(burst)),
            max_document_bytes,
            max_person_bytes_per_day,
            sizes: Mutex::new(HashMap::new()),
            sent_today: Mutex::new(HashMap::new()),
        }
    }

    /// Reads what every stored document takes (at start).
    pub fn load_sizes(&self, conn: &rusqlite::Connection) -> Result<(), DbError> {
        let mut stmt = conn.prepare(
            "SELECT substr(key, 1, instr(key, '/') - 1) AS document, SUM(length(data))
             FROM chunks WHERE instr(key, '/') > 0 GROUP BY document",
        )?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?)))?;
        let mut sizes = self.sizes.lock().unwrap_or_else(|e| e.into_inner());
        for row in rows {
            let (document, bytes) = row?;
            sizes.insert(document, bytes.max(0) as u64);
        }
        Ok(())
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

    /// Bytes the relay holds of a document (0: nothing yet).
    pub fn stored_bytes(&self, document: &DocumentId) -> u64 {
        self.sizes
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&document.to_string())
            .copied()
            .unwrap_or(0)
    }

    /// Whether `incoming` bytes of changes would take a document over the
    /// limit: checked on the frame, before anything is stored.
    pub fn would_exceed(&self, document: &DocumentId, incoming: u64) -> bool {
        self.stored_bytes(document).saturating_add(incoming) > self.max_document_bytes
    }

    /// Counts `bytes` against the person's quota for `day`; false (and
    /// nothing counted) if they would go over it.
    pub fn take_from_quota(&self, person: &PersonId, day: i64, bytes: u64) -> bool {
        let mut sent = self.sent_today.lock().unwrap_or_else(|e| e.into_inner());
        // Yesterday's counts are of no further use.
        sent.retain(|_, (d, _)| *d >= day);
        let used = sent.entry(person.clone()).or_insert((day, 0));
        if used.1.saturating_add(bytes) > self.max_person_bytes_per_day {
            return false;
        }
        used.1 += bytes;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_persons_quota_is_per_day_and_refuses_without_counting() {
        let limits = Limits::new(10, 10, 1000, 100);
        let p = PersonId::parse("p-1").unwrap();
        assert!(limits.take_from_quota(&p, 1, 60));
        assert!(!limits.take_from_quota(&p, 1, 60));
        assert!(limits.take_from_quota(&p, 1, 40));
        assert!(limits.take_from_quota(&p, 2, 100), "a new day");
    }

    #[test]
    fn a_document_is_over_the_limit_by_what_it_would_hold() {
        let limits = Limits::new(10, 10, 1000, 100);
        let id = DocumentId::from_bytes([1; 16]);
        assert!(!limits.would_exceed(&id, 1000));
        limits.set_size(&id.to_string(), 600);
        assert!(!limits.would_exceed(&id, 400));
        assert!(limits.would_exceed(&id, 401));
    }
}
