//! "Is this you?": offline, the last person to sign in on this device gives
//! their password before their records open. Someone else can sign out
//! (which deletes nothing not yet sent: only the remembered name goes) or
//! wait for the network and sign in as themselves.

use leptos::prelude::*;
use qalf_shared::api::Me;
use web_sys::SubmitEvent;

use crate::identity::{self, Checked};
use crate::session::use_session;

#[component]
pub fn ConfirmIdentity(me: Me) -> impl IntoView {
    let session = use_session();
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let name = me.name.clone();
    let lead = format!(
        "You are offline. To open {name}'s records on this device, enter {name}'s QALF password."
    );
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        error.set(None);
        let me = me.clone();
        leptos::task::spawn_local(async move {
            // Let "Checking…" show: the hash takes a moment.
            gloo_timers::future::TimeoutFuture::new(16).await;
            match identity::check(&me.id, &password.get_untracked()) {
                Checked::Confirmed => session.confirmed_offline(me).await,
                Checked::Wrong { attempts_left } => error.set(Some(format!(
                    "That password is not right. {attempts_left} {} left before you must sign in online.",
                    if attempts_left == 1 { "try" } else { "tries" }
                ))),
                Checked::Locked => {
                    error.set(Some(
                        "Too many wrong passwords: connect to the network and sign in.".into(),
                    ));
                    session.signed_out();
                }
            }
            password.set(String::new());
            busy.set(false);
        });
    };
    let not_me = move |_| session.signed_out();
    view! {
        <crate::settings::DemoBanner />
        <main id="main" class="main narrow">
            <h1>"Confirm it is you"</h1>
            <p class="lead">
                {lead}
            </p>
            <crate::components::problem::ProblemSummary error=error />
            <form class="form" on:submit=submit novalidate>
                <div class="field">
                    <label for="confirm-password">"Password"</label>
                    <input
                        id="confirm-password"
                        name="password"
                        type="password"
                        autocomplete="current-password"
                        bind:value=password
                    />
                </div>
                <button type="submit" class="button" disabled=move || busy.get()>
                    {move || if busy.get() { "Checking…" } else { "Open my records" }}
                </button>
            </form>
            <p>
                "Not " {name.clone()} "? "
                <button type="button" class="button button--secondary" on:click=not_me>
                    "Sign in as someone else"
                </button>
            </p>
        </main>
    }
}
