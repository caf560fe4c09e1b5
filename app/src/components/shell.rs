use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

use crate::api::{self, ApiError};
use crate::components::sync_status::SyncStatus;
use crate::session::{SessionState, use_session};

/// The frame around every signed-in page: skip link, header with the person
/// and sign-out, navigation, and the main landmark.
#[component]
pub fn Shell(children: Children) -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    let name = move || session.me().map(|m| m.name).unwrap_or_default();
    let offline_identity = move || {
        matches!(
            session.state.get(),
            SessionState::SignedIn {
                confirmed: false,
                ..
            }
        )
    };
    let sign_out = move |_| {
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            match api::sign_out().await {
                Ok(()) | Err(ApiError::Unauthorized) => {
                    session.signed_out();
                    navigate("/sign-in", Default::default());
                }
                Err(e) => leptos::logging::warn!("sign-out failed: {e}"),
            }
        });
    };

    view! {
        <a class="skip-link" href="#main">"Skip to main content"</a>
        <header class="app-header">
            <div class="app-header__inner">
                <A href="/" attr:class="app-header__brand">
                    <span class="app-header__logo" aria-hidden="true">"QA"</span>
                    <span>"QALF"</span>
                </A>
                <nav class="app-nav" aria-label="Main">
                    <A href="/" exact=true>"Home"</A>
                    <A href="/notes">"Notes"</A>
                </nav>
                <div class="app-header__person">
                    <SyncStatus />
                    <span class="app-header__name">{name}</span>
                    <Show when=offline_identity>
                        <span class="tag tag--grey">"Offline"</span>
                    </Show>
                    <button type="button" class="button button--secondary" on:click=sign_out>
                        "Sign out"
                    </button>
                </div>
            </div>
        </header>
        <main id="main" class="main" tabindex="-1">
            {children()}
        </main>
    }
}
