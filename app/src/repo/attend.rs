//! What every record page does with its document: open it with presence on
//! arrival, commit and leave on the way out, and read it as it changes.

use automerge::AutoCommit;
use leptos::prelude::*;
use qalf_shared::sync::DocumentId;

use super::Repo;

impl Repo {
    /// Opens `id` for the page being built (showing this person as present)
    /// and, when the page goes, commits what was typed and leaves.
    pub fn attend(&self, id: &DocumentId) {
        {
            let (repo, id) = (self.clone(), id.clone());
            leptos::task::spawn_local(async move {
                repo.open(&id).await;
                repo.set_presence(&id, None);
            });
        }
        let (repo, id) = (self.clone(), id.clone());
        on_cleanup(move || {
            repo.commit(&id);
            repo.leave(&id);
        });
    }

    /// The document read through `reader`, following every change to it.
    pub fn read_memo<T>(
        &self,
        id: &DocumentId,
        reader: fn(&AutoCommit) -> Option<T>,
    ) -> Memo<Option<T>>
    where
        T: PartialEq + Send + Sync + 'static,
    {
        let revision = self.signals(id).revision;
        let (repo, id) = (self.clone(), id.clone());
        Memo::new(move |_| {
            revision.track();
            repo.read(&id, reader).flatten()
        })
    }
}

impl Repo {
    /// Every document on this device that `reader` can read, tracking the
    /// index and each document's changes (call inside a reactive scope).
    pub fn read_all<T>(&self, reader: fn(&AutoCommit) -> Option<T>) -> Vec<(DocumentId, T)> {
        self.index()
            .get()
            .into_iter()
            .filter_map(|id| {
                self.signals(&id).revision.track();
                self.read(&id, reader).flatten().map(|doc| (id, doc))
            })
            .collect()
    }
}
