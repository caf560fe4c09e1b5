//! Writes to IndexedDB, one at a time and in order. A failed write (a full
//! disk, say) is retried, and the header says local saving is failing; the
//! edits stay in memory meanwhile and nothing claims they are saved.

use futures::StreamExt;
use futures::channel::mpsc::UnboundedReceiver;
use qalf_shared::sync::Write;

use super::Repo;

const RETRY_MS: u32 = 3_000;

pub fn spawn(repo: Repo, mut queue: UnboundedReceiver<Write>) {
    let weak = repo.downgrade();
    drop(repo);
    leptos::task::spawn_local(async move {
        while let Some(write) = queue.next().await {
            loop {
                let Some(inner) = weak.upgrade() else { return };
                let repo = Repo::from_inner(inner);
                match repo.store().write(&write).await {
                    Ok(()) => {
                        repo.storage_recovered();
                        if let Some(heads) = &write.heads {
                            let effects = repo.client().borrow_mut().stored(&write.document, heads);
                            repo.apply(effects);
                        }
                        if let Some(tabs) = repo.tabs() {
                            tabs.wrote(&write.document);
                        }
                        break;
                    }
                    Err(e) => {
                        if repo.is_stopped() {
                            return;
                        }
                        leptos::logging::error!("saving on this device failed: {e}");
                        repo.storage_failed(&e);
                        drop(repo);
                        gloo_timers::future::TimeoutFuture::new(RETRY_MS).await;
                    }
                }
            }
        }
    });
}
