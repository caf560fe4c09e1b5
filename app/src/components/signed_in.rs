use leptos::prelude::*;

use crate::components::problem::ErrorSummary;
use leptos_router::components::Redirect;

use crate::components::confirm_identity::ConfirmIdentity;
use crate::components::shell::Shell;
use crate::session::{RepoState, SessionState, use_session};

/// Shows its children inside the app shell to a signed-in person, once their
/// records on this device are open; sends anyone else to the sign-in page.
#[component]
pub fn SignedIn(children: ChildrenFn) -> impl IntoView {
    let session = use_session();
    move || {
        match (session.state.get(), session.repo.get()) {
        (SessionState::SignedOut, _) => view! { <Redirect path="/sign-in" /> }.into_any(),
        (SessionState::Confirming { me }, _) => view! { <ConfirmIdentity me=me /> }.into_any(),
        (SessionState::SignedIn { .. }, RepoState::Ready) => {
            let children = children.clone();
            view! { <Shell>{children()}</Shell> }.into_any()
        }
        (_, RepoState::Failed(error)) => view! {
            <main id="main" class="main narrow">
                <ErrorSummary title="Your records cannot be opened on this device" level=1>
                    <p>{error}</p>
                    <p>"This browser may block storage (for example in private browsing). Use a normal window, or another browser."</p>
                </ErrorSummary>
            </main>
        }
        .into_any(),
        _ => view! { <p class="loading" role="status">"Opening your records…"</p> }.into_any(),
    }
    }
}
