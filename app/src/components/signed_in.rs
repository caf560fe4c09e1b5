use leptos::prelude::*;
use leptos_router::components::Redirect;

use crate::components::shell::Shell;
use crate::session::{SessionState, use_session};

/// Shows its children inside the app shell to a signed-in person; sends
/// anyone else to the sign-in page.
#[component]
pub fn SignedIn(children: ChildrenFn) -> impl IntoView {
    let session = use_session();
    move || match session.state.get() {
        SessionState::Checking => view! {
            <p class="loading" role="status">"Loading…"</p>
        }
        .into_any(),
        SessionState::SignedOut => view! { <Redirect path="/sign-in" /> }.into_any(),
        SessionState::SignedIn { .. } => {
            let children = children.clone();
            view! { <Shell>{children()}</Shell> }.into_any()
        }
    }
}
