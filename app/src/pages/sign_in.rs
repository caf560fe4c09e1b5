use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use qalf_shared::api::DemoPersonas;
use web_sys::SubmitEvent;

use crate::api::{self, ApiError};
use crate::session::use_session;

/// Sign-in with a local account; on a demo installation, one button per
/// demo persona as well.
#[component]
pub fn SignIn() -> impl IntoView {
    let session = use_session();
    let navigate = use_navigate();
    let username = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let personas = LocalResource::new(api::demo_personas);
    // Back from the council's identity provider without a session: why.
    if let Some(problem) = web_sys::window()
        .and_then(|w| w.location().search().ok())
        .and_then(|q| {
            q.trim_start_matches('?')
                .split('&')
                .find_map(|kv| kv.strip_prefix("problem=").map(str::to_string))
        })
    {
        error.set(Some(council_sign_in_problem(&problem).to_string()));
    }
    let council = LocalResource::new(api::settings);
    let council_button = move || {
        council
            .get()
            .and_then(|s| s.ok())
            .filter(|s| s.council_sign_in)
            .map(|_| {
                view! {
                    <section class="council-sign-in" aria-labelledby="council-heading">
                        <h2 id="council-heading" class="visually-hidden">"Your council account"</h2>
                        <a class="button" href="/auth/oidc/start" rel="external" data-testid="council-sign-in">
                            "Sign in with your council account"
                        </a>
                        <p class="hint">"Or, if you were given a QALF username, sign in with it below."</p>
                    </section>
                }
            })
    };

    let attempt = move |user: String, pass: String| {
        let navigate = navigate.clone();
        busy.set(true);
        error.set(None);
        leptos::task::spawn_local(async move {
            match api::sign_in(user, pass.clone()).await {
                Ok(me) => {
                    let person = me.id.clone();
                    session.signed_in(me).await;
                    navigate("/", Default::default());
                    // For confirming who is here when offline later; after
                    // the page has moved on, as the hash takes a moment.
                    gloo_timers::future::TimeoutFuture::new(50).await;
                    crate::identity::remember(&person, &pass);
                }
                Err(ApiError::Unreachable) => error.set(Some(
                    "The server cannot be reached. Check your connection and try again.".into(),
                )),
                Err(e) => error.set(Some(e.to_string())),
            }
            busy.set(false);
        });
    };
    let submit = {
        let attempt = attempt.clone();
        move |ev: SubmitEvent| {
            ev.prevent_default();
            if username.get_untracked().trim().is_empty() {
                error.set(Some("Enter your username".into()));
                return;
            }
            attempt(username.get_untracked(), password.get_untracked());
        }
    };

    let persona_list = move || {
        let attempt = attempt.clone();
        personas.get().and_then(|r| r.ok().flatten()).map(
            move |DemoPersonas { password, personas }| {
                let buttons = personas
                    .into_iter()
                    .map(|p| {
                        let attempt = attempt.clone();
                        let password = password.clone();
                        let roles = p
                            .roles
                            .iter()
                            .map(|r| r.label())
                            .collect::<Vec<_>>()
                            .join(", ");
                        let user = p.username.clone();
                        view! {
                            <li>
                                <button
                                    type="button"
                                    class="persona"
                                    disabled=move || busy.get()
                                    on:click=move |_| attempt(user.clone(), password.clone())
                                >
                                    <span class="persona__role">{roles}</span>
                                    <span class="persona__name">{p.name.clone()}</span>
                                </button>
                            </li>
                        }
                    })
                    .collect_view();
                view! {
                    <section class="personas" aria-labelledby="personas-heading">
                        <h2 id="personas-heading">"Demo: sign in as"</h2>
                        <p>"This is a demonstration with synthetic data. Choose a person to see QALF as they do."</p>
                        <ul class="personas__list">{buttons}</ul>
                    </section>
                }
            },
        )
    };

    view! {
        <crate::settings::DemoBanner />
        <main id="main" class="main narrow">
            <h1>"Sign in to QALF"</h1>
            <p class="lead">"Quality Assurance and Learning Framework, Children's Services"</p>
            <crate::components::problem::ProblemSummary error=error />
            <Suspense fallback=|| ()>{council_button}</Suspense>
            <form class="form" on:submit=submit novalidate>
                <div class="field">
                    <label for="username">"Username"</label>
                    <input
                        id="username"
                        name="username"
                        type="text"
                        autocomplete="username"
                        autocapitalize="none"
                        spellcheck="false"
                        bind:value=username
                    />
                </div>
                <div class="field">
                    <label for="password">"Password"</label>
                    <input
                        id="password"
                        name="password"
                        type="password"
                        autocomplete="current-password"
                        bind:value=password
                    />
                </div>
                <button type="submit" class="button" disabled=move || busy.get()>
                    "Sign in"
                </button>
            </form>
            <Suspense fallback=|| ()>{persona_list}</Suspense>
        </main>
    }
}

/// What went wrong at the council's identity provider, for the person.
fn council_sign_in_problem(code: &str) -> &'static str {
    match code {
        "not-in-directory" => {
            "Your council account is not on QALF's staff list, so QALF cannot let you in. Ask your QALF administrator to check the staff directory has your work e-mail address."
        }
        "unverified" => {
            "Your council account's e-mail address is not verified, so QALF cannot tell who you are. Ask your IT service desk."
        }
        "expired" => {
            "The sign-in from your council account had expired before it reached QALF. Try again; if it keeps happening, the server's clock may be wrong: tell your IT team."
        }
        "audience" => {
            "Your council account's sign-in was meant for another application, so QALF refused it. Try again; if it keeps happening, tell your IT team."
        }
        "cancelled" => "Signing in with your council account was cancelled.",
        "too-many" => "Too many sign-ins have been started from here: wait a minute and try again.",
        "stale" => "That sign-in was not started here or took too long. Try again from this page.",
        "invalid" => {
            "The sign-in from your council account failed QALF's checks, so QALF refused it. Tell your IT team."
        }
        _ => {
            "Your council's sign-in service could not be reached. Try again in a moment, or tell your IT team."
        }
    }
}
