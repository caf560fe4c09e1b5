//! Open sync connections by session, so that ending a session (sign-out,
//! expiry) closes its sockets too.

use std::collections::HashMap;
use std::sync::Mutex;

use tokio_util::sync::CancellationToken;

use crate::auth::session::SessionKey;

#[derive(Default)]
pub struct Connections {
    by_session: Mutex<HashMap<SessionKey, Vec<CancellationToken>>>,
}

impl Connections {
    pub fn add(&self, session: &SessionKey, connection: CancellationToken) {
        let mut map = self.by_session.lock().unwrap_or_else(|e| e.into_inner());
        map.retain(|_, tokens| {
            tokens.retain(|t| !t.is_cancelled());
            !tokens.is_empty()
        });
        map.entry(session.clone()).or_default().push(connection);
    }

    /// Closes every connection opened under `session`.
    pub fn close_session(&self, session: &SessionKey) {
        let tokens = self
            .by_session
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(session)
            .unwrap_or_default();
        for token in tokens {
            token.cancel();
        }
    }
}
