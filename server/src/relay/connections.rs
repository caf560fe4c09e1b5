//! Open sync connections by session, so that a session's end (sign-out,
//! expiry, deactivation, a password change) closes its sockets at once
//! (R-SEC-4).

use std::collections::HashMap;
use std::sync::Mutex;

use qalf_shared::org::PersonId;
use tokio_util::sync::CancellationToken;

use crate::auth::session::SessionKey;

struct Open {
    person: PersonId,
    tokens: Vec<CancellationToken>,
}

#[derive(Default)]
pub struct Connections {
    by_session: Mutex<HashMap<SessionKey, Open>>,
}

impl Connections {
    /// Adds a connection, unless the person already has `most` open.
    pub fn add(
        &self,
        session: &SessionKey,
        person: &PersonId,
        connection: CancellationToken,
        most: usize,
    ) -> bool {
        let mut map = self.by_session.lock().unwrap_or_else(|e| e.into_inner());
        map.retain(|_, open| {
            open.tokens.retain(|t| !t.is_cancelled());
            !open.tokens.is_empty()
        });
        let theirs: usize = map
            .values()
            .filter(|o| &o.person == person)
            .map(|o| o.tokens.len())
            .sum();
        if theirs >= most {
            return false;
        }
        map.entry(session.clone())
            .or_insert_with(|| Open {
                person: person.clone(),
                tokens: Vec::new(),
            })
            .tokens
            .push(connection);
        true
    }

    /// Closes every connection opened under `session`.
    pub fn close_session(&self, session: &SessionKey) {
        let open = self
            .by_session
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(session);
        for token in open.map(|o| o.tokens).unwrap_or_default() {
            token.cancel();
        }
    }

    /// Closes every connection of every session of `person`.
    pub fn close_person(&self, person: &PersonId) {
        let closed: Vec<Open> = {
            let mut map = self.by_session.lock().unwrap_or_else(|e| e.into_inner());
            let keys: Vec<SessionKey> = map
                .iter()
                .filter(|(_, o)| &o.person == person)
                .map(|(k, _)| k.clone())
                .collect();
            keys.iter().filter_map(|k| map.remove(k)).collect()
        };
        for token in closed.into_iter().flat_map(|o| o.tokens) {
            token.cancel();
        }
    }

    /// The sessions with a connection open now.
    pub fn sessions(&self) -> Vec<SessionKey> {
        self.by_session
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .keys()
            .cloned()
            .collect()
    }
}
