//! A person's first password, chosen through the one-time link printed
//! when a real instance was set up. The token is after `#` in the link, so
//! it reaches the server only in the request that spends it.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use web_sys::SubmitEvent;

use crate::api::{self, ApiError};
use crate::session::use_session;

/// The shortest password the server accepts.
const MIN_CHARS: usize = 12;

#[component]
pub fn SetUp() -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    let token = web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .map(|h| h.trim_start_matches('#').to_string())
        .unwrap_or_default();
    let password = RwSignal::new(String::new());
    let again = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let has_token = !token.is_empty();
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let (chosen, repeated) = (password.get_untracked(), again.get_untracked());
        if chosen.chars().count() < MIN_CHARS {
            error.set(Some(format!(
                "Choose a password of at least {MIN_CHARS} characters."
            )));
            return;
        }
        if chosen != repeated {
            error.set(Some("The two passwords are not the same.".into()));
            return;
        }
        let (token, navigate) = (token.clone(), navigate.clone());
        busy.set(true);
        error.set(None);
        leptos::task::spawn_local(async move {
            match api::set_up(token, chosen.clone()).await {
                Ok(me) => {
                    // The link is spent: it leaves the address bar.
                    if let Some(w) = web_sys::window() {
                        let _cleared = w.location().set_hash("");
                    }
                    let person = me.id.clone();
                    session.signed_in(me).await;
                    navigate("/", Default::default());
                    gloo_timers::future::TimeoutFuture::new(50).await;
                    crate::identity::remember(&person, &chosen);
                }
                Err(ApiError::Unreachable) => error.set(Some(
                    "The server cannot be reached. Check your connection and try again.".into(),
                )),
                Err(e) => error.set(Some(e.to_string())),
            }
            busy.set(false);
        });
    };
    view! {
        <main id="main" class="main narrow">
            <h1>"Choose your password"</h1>
            <Show
                when=move || has_token
                fallback=|| view! {
                    <p>"This page needs the set-up link you were given, in full. Ask whoever runs QALF for a new one."</p>
                }
            >
                <p class="lead">
                    "You will sign in to QALF with it. Use at least "
                    {MIN_CHARS}
                    " characters: a few words you will remember work well."
                </p>
                <crate::components::problem::ProblemSummary error=error />
                <form class="form" on:submit=submit.clone() novalidate>
                    <div class="field">
                        <label for="new-password">"New password"</label>
                        <input
                            id="new-password"
                            type="password"
                            autocomplete="new-password"
                            bind:value=password
                        />
                    </div>
                    <div class="field">
                        <label for="new-password-again">"The same password again"</label>
                        <input
                            id="new-password-again"
                            type="password"
                            autocomplete="new-password"
                            bind:value=again
                        />
                    </div>
                    <button type="submit" class="button" disabled=move || busy.get()>
                        "Set my password and sign in"
                    </button>
                </form>
            </Show>
        </main>
    }
}
