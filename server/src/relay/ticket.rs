//! One-time tickets for the sync socket. Browsers cannot set headers on a
//! WebSocket, and tokens in URLs end up in logs; so a signed-in session asks
//! for a ticket over HTTP (cookie, same origin) and spends it, once, within a
//! minute, on the upgrade. The ticket carries the person, the session and the
//! peer id the client will use.

use std::collections::HashMap;
use std::sync::Mutex;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use chrono::{DateTime, Duration, Utc};
use qalf_shared::org::PersonId;
use qalf_shared::sync::PeerId;
use rand::RngCore;

use crate::auth::session::SessionKey;

const LIFETIME_SECS: i64 = 60;

#[derive(Debug, Clone)]
pub struct Ticket {
    pub person: PersonId,
    pub peer: PeerId,
    pub session: SessionKey,
    expires: DateTime<Utc>,
    /// Issue order (times can tie).
    issued: u64,
}

#[derive(Default)]
pub struct Tickets {
    open: Mutex<HashMap<String, Ticket>>,
    issued: std::sync::atomic::AtomicU64,
}

impl Tickets {
    /// Issues a ticket; a person holds at most `most` unspent, so beyond
    /// it their oldest is withdrawn.
    pub fn issue(
        &self,
        person: PersonId,
        peer: PeerId,
        session: SessionKey,
        now: DateTime<Utc>,
        most: usize,
    ) -> String {
        let mut bytes = [0u8; 24];
        rand::rng().fill_bytes(&mut bytes);
        let code = URL_SAFE_NO_PAD.encode(bytes);
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        open.retain(|_, t| t.expires > now);
        let mut theirs: Vec<(u64, String)> = open
            .iter()
            .filter(|(_, t)| t.person == person)
            .map(|(code, t)| (t.issued, code.clone()))
            .collect();
        theirs.sort();
        let excess = (theirs.len() + 1).saturating_sub(most.max(1));
        for (_, old) in theirs.into_iter().take(excess) {
            open.remove(&old);
        }
        open.insert(
            code.clone(),
            Ticket {
                person,
                peer,
                session,
                expires: now + Duration::seconds(LIFETIME_SECS),
                issued: self
                    .issued
                    .fetch_add(1, std::sync::atomic::Ordering::Relaxed),
            },
        );
        code
    }

    /// Withdraws every ticket of a session that has ended.
    pub fn revoke_session(&self, session: &SessionKey) {
        self.open
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|_, t| &t.session != session);
    }

    /// Withdraws every ticket of a person's sessions.
    pub fn revoke_person(&self, person: &PersonId) {
        self.open
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .retain(|_, t| &t.person != person);
    }

    /// Spends a ticket: it works once, before it expires.
    pub fn redeem(&self, code: &str, now: DateTime<Utc>) -> Option<Ticket> {
        let mut open = self.open.lock().unwrap_or_else(|e| e.into_inner());
        open.remove(code).filter(|t| t.expires > now)
    }
}
