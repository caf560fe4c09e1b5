use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_navigate;

use crate::components::sync_status::SyncStatus;
use crate::repo::{LinkState, use_repo};
use crate::session::{SessionState, use_session};
use qalf_shared::access::office;

/// The frame around every signed-in page: skip link, header with the person,
/// sync status and sign-out, navigation, and the main landmark.
#[component]
pub fn Shell(children: Children) -> impl IntoView {
    let session = use_session();
    let overview = use_repo().overview();
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
    let shows_log = move || {
        session
            .me()
            .is_some_and(|me| office::may_read_access_log(&me.roles))
    };
    let imports_staff = move || {
        session
            .me()
            .is_some_and(|me| office::may_keep_staff_directory(&me.roles))
    };
    let changes_settings = move || {
        session
            .me()
            .is_some_and(|me| office::may_change_settings(&me.roles))
    };
    let is_cpp = move || {
        session
            .me()
            .is_some_and(|me| qalf_shared::org::works_in_cpp(&me.roles))
    };
    // R-ALLOC-3: IRO Service Managers allocate their IROs' peer audits.
    let allocates_peer_audits = move || {
        session.me().is_some_and(|me| {
            me.roles
                .contains(&qalf_shared::org::Role::IroServiceManager)
        })
    };
    let observes = move || {
        session
            .me()
            .is_some_and(|me| qalf_shared::observation::rules::takes_part(&me.roles))
    };
    let reads_reports = move || {
        session
            .me()
            .is_some_and(|me| office::reads_reports(&me.roles))
    };
    // IROs raise DRP alerts; their managers and the CPP read them.
    let drp = move || {
        session.me().is_some_and(|me| {
            me.roles.iter().any(|r| {
                r.is_cpp()
                    || matches!(
                        r,
                        qalf_shared::org::Role::Iro | qalf_shared::org::Role::IroServiceManager
                    )
            })
        })
    };
    let confirming = RwSignal::new(false);
    // Changes the server does not hold: what signing out would lose.
    let unsynced = {
        let overview = overview.clone();
        move || overview.get().waiting
    };

    let sign_out = move || {
        let navigate = navigate.clone();
        leptos::task::spawn_local(async move {
            session.sign_out().await;
            navigate("/sign-in", Default::default());
        });
    };
    let ask_to_sign_out = {
        let sign_out = sign_out.clone();
        let unsynced = unsynced.clone();
        move |_| {
            // What is being typed counts too.
            use_repo().commit_all();
            if unsynced() > 0 {
                confirming.set(true);
            } else {
                sign_out();
            }
        }
    };
    let expired = {
        let overview = overview.clone();
        move || overview.get().link == LinkState::SessionExpired
    };

    view! {
        <a class="skip-link" href="#main">"Skip to main content"</a>
        <crate::settings::DemoBanner />
        <header class="app-header">
            <div class="app-header__inner">
                <A href="/" attr:class="app-header__brand">
                    <span class="app-header__logo" aria-hidden="true">"QA"</span>
                    <span>"QALF"</span>
                </A>
                <nav class="app-nav" aria-label="Main">
                    <A href="/" exact=true>"Home"</A>
                    <A href="/notes">"Notes"</A>
                    <Show when=observes>
                        <A href="/observations">"Observations"</A>
                    </Show>
                    <Show when=reads_reports>
                        <A href="/reports">"Reports"</A>
                    </Show>
                    <Show when=drp>
                        <A href="/drp">"DRP alerts"</A>
                    </Show>
                    <Show when=is_cpp>
                        <A href="/moderation">"Moderation"</A>
                    </Show>
                    <Show when=allocates_peer_audits>
                        <A href="/iro-peer-audits">"IRO peer audits"</A>
                    </Show>
                    <Show when=is_cpp>
                        <A href="/schedule">"Schedule"</A>
                    </Show>
                    <Show when=is_cpp>
                        <A href="/templates">"Questions"</A>
                    </Show>
                    <Show when=shows_log>
                        <A href="/access-log">"Access log"</A>
                    </Show>
                    <Show when=imports_staff>
                        <A href="/staff">"Staff"</A>
                    </Show>
                    <Show when=changes_settings>
                        <A href="/settings">"Settings"</A>
                    </Show>
                </nav>
                <div class="app-header__person">
                    <SyncStatus />
                    <span class="app-header__name">{name}</span>
                    <Show when=offline_identity>
                        <span class="tag tag--grey">"Offline"</span>
                    </Show>
                    <button type="button" class="button button--secondary" on:click=ask_to_sign_out>
                        "Sign out"
                    </button>
                </div>
            </div>
        </header>
        <Show when=move || confirming.get()>
            <div class="banner banner--warning" role="alertdialog" aria-labelledby="sign-out-title" aria-describedby="sign-out-text">
                <h2 id="sign-out-title">"Changes have not reached the server"</h2>
                <p id="sign-out-text">
                    {
                        let unsynced = unsynced.clone();
                        move || format!(
                            "{} change(s) made on this device are not on the server yet. Signing out deletes your records from this device, so these changes would be lost. Stay signed in until they sync (connect to the network), unless you are sure.",
                            unsynced()
                        )
                    }
                </p>
                <div class="actions">
                    <button type="button" class="button" on:click=move |_| confirming.set(false)>
                        "Stay signed in"
                    </button>
                    <button type="button" class="button button--warning" on:click={
                        let sign_out = sign_out.clone();
                        move |_| sign_out()
                    }>"Sign out and lose them"</button>
                </div>
            </div>
        </Show>
        <Show when=expired>
            <div class="banner" role="status">
                <p>
                    "Your session has ended. Everything you do here is kept on this device; "
                    <A href="/sign-in">"sign in again"</A>
                    " to sync it."
                </p>
            </div>
        </Show>
        <main id="main" class="main" tabindex="-1">
            {children()}
        </main>
    }
}
