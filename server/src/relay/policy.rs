//! samod's share policy, backed by the access rules: for each document and
//! peer, a stream of decisions that starts with the current one and follows
//! every change to the organisation or the record registry.

use std::sync::Arc;

use futures::Stream;
use qalf_shared::access::Access;
use qalf_shared::sync::{DocumentId, PeerId};
use samod::ShareConfig;

use crate::access::AccessState;

#[derive(Clone)]
pub struct AccessPolicy {
    access: Arc<AccessState>,
}

impl AccessPolicy {
    pub fn new(access: Arc<AccessState>) -> Self {
        AccessPolicy { access }
    }
}

fn config(access: Access) -> ShareConfig {
    // Never announce: a client asks for what it may have.
    match access {
        Access::None => ShareConfig::none(),
        Access::Read => ShareConfig::read_only().with_announce(false),
        Access::Write => ShareConfig::read_write().with_announce(false),
    }
}

impl samod::SharePolicy for AccessPolicy {
    fn share(
        &self,
        doc_id: samod::DocumentId,
        peer_id: samod::PeerId,
    ) -> impl Stream<Item = ShareConfig> + Send + 'static {
        let access = self.access.clone();
        let document = DocumentId::parse(&doc_id.to_string()).ok();
        let person = PeerId::from_wire(peer_id.to_string()).person();
        let changes = access.subscribe();
        futures::stream::unfold(
            (changes, None::<ShareConfig>),
            move |(mut changes, last)| {
                let access = access.clone();
                let document = document.clone();
                let person = person.clone();
                async move {
                    loop {
                        let decision = match (&person, &document) {
                            (Some(person), Some(document)) => access.decide(person, document),
                            // Peers that are not QALF clients get nothing.
                            _ => Access::None,
                        };
                        let next = config(decision);
                        if last != Some(next) {
                            return Some((next, (changes, Some(next))));
                        }
                        changes.changed().await.ok()?;
                    }
                }
            },
        )
    }
}
