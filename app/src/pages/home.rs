use leptos::prelude::*;

use crate::components::problem::ErrorMessage;
use leptos_router::components::A;
use qalf_shared::api::{Me, Notification};
use qalf_shared::audit::follow_up::OverdueWork;
use qalf_shared::audit::rules::{self, Stage};
use qalf_shared::audit::{self, AuditDoc};
use qalf_shared::moderation::panel::{self, PanelDoc};
use qalf_shared::report::briefing::{self, BriefingDoc};
use qalf_shared::sync::DocumentId;

use crate::api;
use crate::clock;
use crate::device;
use crate::directory;
use crate::pages::observations::start::ObservationWork;
use crate::repo::use_repo;
use crate::session::use_session;

/// Notifications kept among the person's things on the device, for
/// offline use (safety alerts among them: gone at sign-out).
const NOTIFICATIONS: &str = "notifications";
/// The overdue follow-ups and actions, kept likewise.
const OVERDUE: &str = "overdue";

/// "My work": alerts and messages, the audits I am doing, what is overdue,
/// audits of my work and my team's; and who I am.
#[component]
pub fn Home() -> impl IntoView {
    let session = use_session();
    let repo = use_repo();
    let audits = {
        let repo = repo.clone();
        Memo::new(move |_| repo.read_all(audit::read))
    };
    move || {
        session.me().map(|me| {
            let doing = {
                let mine = me.id.clone();
                Signal::derive(move || {
                    let today = clock::today();
                    audits
                        .get()
                        .into_iter()
                        .filter(|(_, a)| rules::on_my_audits(a, &mine, today))
                        .collect::<Vec<_>>()
                })
            };
            let of_my_work = {
                let mine = me.id.clone();
                Signal::derive(move || {
                    let today = clock::today();
                    audits
                        .get()
                        .into_iter()
                        .filter(|(_, a)| rules::on_audits_of_my_work(a, &mine, today))
                        .collect::<Vec<_>>()
                })
            };
            view! {
                <h1>{format!("Welcome, {}", me.name)}</h1>
                <p class="lead">{me.job_title.clone()}</p>
                <Notifications />
                <Briefings />
                <MyPanels />
                <AuditList title="Audits you are doing" audits=doing empty="No audits are allocated to you." testid="my-audits" />
                <Overdue />
                {me.roles.contains(&qalf_shared::org::Role::HeadOfService).then(|| view! { <ReAuditsForMe /> })}
                <AuditList title="Audits of your work and your team's" audits=of_my_work empty="No audits of your or your team's work are open." testid="audits-of-my-work" />
                <ObservationWork />
                <WhoYouAre me=me.clone() />
                <EmailChoiceSection />
            }
        })
    }
}

/// The next thing to do for an audit, and whether it is late.
fn next_step(a: &AuditDoc) -> (&'static str, String) {
    let today = clock::today();
    match rules::stage(a, today) {
        Stage::Allocated => (
            "tag",
            match a.header.suggested_day {
                // R-ALLOC-5: the day the allocation suggests for audit work.
                Some(day) => format!(
                    "Book the joint meeting; suggested audit day {}",
                    day.format("%a %-d %B")
                ),
                _ => "Book the joint meeting".into(),
            },
        ),
        Stage::MeetingBooked => (
            "tag",
            format!(
                "Meeting on {}",
                a.header
                    .meeting_on
                    .map(|d| d.to_string())
                    .unwrap_or_default()
            ),
        ),
        Stage::InProgress => ("tag", "Complete the audit".into()),
        Stage::Completed => (
            "tag tag--green",
            match &a.follow_up.done_on {
                Some(_) => "Follow-up done".into(),
                None => format!(
                    "Follow-up on {}",
                    a.follow_up
                        .due_on
                        .map(|d| d.to_string())
                        .unwrap_or_default()
                ),
            },
        ),
        Stage::FollowUpDue => ("tag tag--orange", "Follow-up due today".into()),
        Stage::FollowUpOverdue => (
            "tag tag--red",
            format!(
                "Follow-up overdue since {}",
                a.follow_up
                    .due_on
                    .map(|d| d.to_string())
                    .unwrap_or_default()
            ),
        ),
        Stage::Closed => ("tag tag--grey", "Closed".into()),
    }
}

#[component]
fn AuditList(
    title: &'static str,
    audits: Signal<Vec<(DocumentId, AuditDoc)>>,
    empty: &'static str,
    testid: &'static str,
) -> impl IntoView {
    // A list holds only items: an empty list is said in a paragraph instead.
    let items = move || {
        let list = audits.get();
        if list.is_empty() {
            return view! { <p data-testid=testid>{empty}</p> }.into_any();
        }
        let items = list
            .into_iter()
            .map(|(id, a)| {
                let (class, step) = next_step(&a);
                let disputed = rules::disputed(&a);
                let alerts = a.safety_alerts.len();
                view! {
                    <li class="record-list__item">
                        <A href=format!("/audits/{id}")>
                            {format!("Case {} ({}) — {}", a.header.case, a.header.cohort, a.header.practitioner_name)}
                        </A>
                        <span class="tags">
                            <span class=class>{step}</span>
                            {disputed.then(|| view! { <span class="tag tag--orange">"Disputed"</span> })}
                            {(alerts > 0).then(|| view! { <span class="tag tag--red">"Safety alert"</span> })}
                        </span>
                    </li>
                }
            })
            .collect_view();
        view! { <ul class="record-list" data-testid=testid>{items}</ul> }.into_any()
    };
    view! {
        <section aria-labelledby=format!("{testid}-heading")>
            <h2 id=format!("{testid}-heading")>{title}</h2>
            {items}
        </section>
    }
}

/// The moderation panels I chair or sit on, soonest first (R-MOD-3): the
/// panel opens from here as well as from its invitation.
#[component]
fn MyPanels() -> impl IntoView {
    let repo = use_repo();
    let me = repo.me().id.to_string();
    let panels = Memo::new(move |_| {
        let mut list: Vec<(DocumentId, PanelDoc)> = repo
            .read_all(panel::read_panel)
            .into_iter()
            .filter(|(_, p)| p.chair == me || p.members.iter().any(|m| m.id == me))
            .collect();
        list.sort_by(|a, b| a.1.held_on.cmp(&b.1.held_on));
        list
    });
    move || {
        let list = panels.get();
        (!list.is_empty()).then(|| {
            let items = list
                .into_iter()
                .map(|(id, p)| {
                    let audits = p.audits.len();
                    view! {
                        <li class="record-list__item">
                            <A href=format!("/panels/{id}")>{format!(
                                "Panel on {}, chaired by {}: {audits} audit{}",
                                p.held_on,
                                p.chair_name,
                                if audits == 1 { "" } else { "s" }
                            )}</A>
                        </li>
                    }
                })
                .collect_view();
            view! {
                <section aria-labelledby="panels-heading">
                    <h2 id="panels-heading">"Moderation panels"</h2>
                    <ul class="record-list" data-testid="my-panels">{items}</ul>
                </section>
            }
        })
    }
}

/// Follow-ups and actions overdue for me (R-AUDIT-7), from every audit the
/// server holds, not only those on this device; the last list seen stays
/// readable offline.
#[component]
fn Overdue() -> impl IntoView {
    let me = use_session().me().map(|me| me.id);
    let work = RwSignal::new(
        me.as_ref()
            .and_then(|me| device::get::<OverdueWork>(me, OVERDUE)),
    );
    let unreachable = RwSignal::new(false);
    leptos::task::spawn_local(async move {
        match api::overdue().await {
            Ok(fresh) => {
                if let Some(me) = &me
                    && !device::set(me, OVERDUE, &fresh)
                {
                    leptos::logging::warn!("could not keep the overdue list for offline use");
                }
                work.set(Some(fresh));
            }
            Err(_) => unreachable.set(true),
        }
    });
    let items = move || {
        let Some(work) = work.get() else {
            return if unreachable.get() {
                view! { <p>"Connect to see what is overdue: the list comes from the server."</p> }
                    .into_any()
            } else {
                view! { <p role="status">"Looking for overdue work…"</p> }.into_any()
            };
        };
        if work.follow_ups.is_empty() && work.actions.is_empty() {
            return view! { <p data-testid="overdue">"Nothing is overdue."</p> }.into_any();
        }
        let org = directory::organisation();
        let name = move |p: &Option<qalf_shared::org::PersonId>| {
            p.as_ref()
                .and_then(|p| org.as_ref()?.person(p).map(|p| p.name.clone()))
                .unwrap_or_else(|| "no one named".into())
        };
        let follow_ups = work.follow_ups.into_iter().map(|f| {
            view! {
                <li class="record-list__item">
                    <A href=format!("/audits/{}/follow-up", f.audit)>{format!("Case {}: follow-up", f.case)}</A>
                    <span class="tag tag--red">{format!("Overdue since {}", f.due_on.format("%-d %B"))}</span>
                </li>
            }
        });
        let actions = work.actions.into_iter().map(|a| {
            view! {
                <li class="record-list__item">
                    <A href=format!("/audits/{}/actions", a.audit)>{format!("Case {}: an action for {}", a.case, name(&a.owner))}</A>
                    <span class="tag tag--red">{format!("Due {}", a.due_on.format("%-d %B"))}</span>
                </li>
            }
        });
        view! {
            <ul class="record-list" data-testid="overdue">
                {follow_ups.collect_view()}
                {actions.collect_view()}
            </ul>
        }
        .into_any()
    };
    view! {
        <section aria-labelledby="overdue-heading">
            <h2 id="overdue-heading">"Overdue"</h2>
            {items}
        </section>
    }
}

/// Safety alerts (for a Head of Service) and other messages, newest first;
/// the last ones seen stay readable offline.
#[component]
fn Notifications() -> impl IntoView {
    let me = use_session().me().map(|me| me.id);
    let notes = RwSignal::new(
        me.as_ref()
            .and_then(|me| device::get::<Vec<Notification>>(me, NOTIFICATIONS))
            .unwrap_or_default(),
    );
    leptos::task::spawn_local(async move {
        if let Ok(fresh) = api::notifications().await {
            if let Some(me) = &me
                && !device::set(me, NOTIFICATIONS, &fresh)
            {
                leptos::logging::warn!("could not keep notifications for offline use");
            }
            notes.set(fresh);
        }
    });
    move || {
        let list = notes.get();
        (!list.is_empty()).then(|| {
            let alerts: Vec<_> = list.iter().filter(|n| n.kind == "safety-alert").cloned().collect();
            let others: Vec<_> = list.iter().filter(|n| n.kind != "safety-alert").cloned().collect();
            let render = |items: Vec<Notification>| {
                items
                    .into_iter()
                    .map(|n| {
                        // The same place the e-mail links to.
                        let link = n.document.clone().map(|d| {
                            let href = qalf_shared::notify::path_for(&n.kind, Some(&d));
                            view! { <A href=href>{qalf_shared::notify::link_text(&n.kind)}</A> }
                        });
                        view! {
                            <li class="notification">
                                <h3>{n.title}</h3>
                                <p>{n.body}</p>
                                {link}
                            </li>
                        }
                    })
                    .collect_view()
            };
            view! {
                {(!alerts.is_empty()).then(|| view! {
                    <section class="alerts" aria-labelledby="alerts-heading" data-testid="safety-alerts">
                        <h2 id="alerts-heading">"Safety alerts"</h2>
                        <ul class="notifications">{render(alerts.clone())}</ul>
                    </section>
                })}
                {(!others.is_empty()).then(|| view! {
                    <section aria-labelledby="messages-heading" data-testid="messages">
                        <h2 id="messages-heading">"Messages"</h2>
                        <ul class="notifications">{render(others.clone())}</ul>
                    </section>
                })}
            }
        })
    }
}

/// Shared 7-minute briefings, newest first, read from this device (so they
/// open offline too) (R-REP-3).
#[component]
fn Briefings() -> impl IntoView {
    let repo = use_repo();
    let shared = Memo::new(move |_| {
        let mut list: Vec<(DocumentId, BriefingDoc)> = repo
            .read_all(briefing::read)
            .into_iter()
            .filter(|(_, b)| b.shared_at.is_some())
            .collect();
        list.sort_by_key(|(_, b)| std::cmp::Reverse(b.shared_at));
        list
    });
    move || {
        let list = shared.get();
        (!list.is_empty()).then(|| {
            let items = list
                .into_iter()
                .map(|(id, b)| {
                    let when = b
                        .shared_at
                        .and_then(|at| chrono::DateTime::from_timestamp(at, 0))
                        .map(|at| at.format("%-d %B %Y").to_string())
                        .unwrap_or_default();
                    view! {
                        <li class="record-list__item">
                            <A href=format!("/briefings/{id}")>{b.title.as_str().trim().to_string()}</A>
                            <span class="tag">{format!("Shared {when}")}</span>
                        </li>
                    }
                })
                .collect_view();
            view! {
                <section aria-labelledby="briefings-heading">
                    <h2 id="briefings-heading">"7-minute briefings"</h2>
                    <ul class="record-list" data-testid="briefings">{items}</ul>
                </section>
            }
        })
    }
}

#[component]
fn WhoYouAre(me: Me) -> impl IntoView {
    let roles = me
        .roles
        .iter()
        .map(|r| view! { <li class="tag">{r.label()}</li> })
        .collect_view();
    let row = |label: &'static str, value: Option<String>| {
        value.map(|v| {
            view! {
                <div class="summary__row">
                    <dt>{label}</dt>
                    <dd>{v}</dd>
                </div>
            }
        })
    };
    let reports = (me.direct_reports > 0).then(|| me.direct_reports.to_string());
    view! {
        <section aria-labelledby="roles-heading">
            <h2 id="roles-heading">"Your roles"</h2>
            <ul class="tags" data-testid="roles">{roles}</ul>
            <dl class="summary">
                {row("Team", me.team.clone())}
                {row("Service area", me.service_area.clone())}
                {row("Line manager", me.line_manager.clone())}
                {row("Direct reports", reports)}
            </dl>
        </section>
    }
}

/// Where their e-mail goes and how often: each as it happens, or one
/// summary each morning. Online only: the choice lives on the server.
#[component]
fn EmailChoiceSection() -> impl IntoView {
    use qalf_shared::api::EmailChoice;
    use qalf_shared::notify::Delivery;
    let choice = RwSignal::new(None::<EmailChoice>);
    let said = RwSignal::new(None::<String>);
    leptos::task::spawn_local(async move {
        if let Ok(c) = api::email_choice().await {
            choice.set(Some(c));
        }
    });
    let choose = move |delivery: Delivery| {
        let Some(current) = choice.get_untracked() else {
            return;
        };
        leptos::task::spawn_local(async move {
            match api::choose_email(&EmailChoice {
                delivery,
                ..current
            })
            .await
            {
                Ok(c) => {
                    choice.set(Some(c));
                    said.set(Some("Saved.".into()));
                }
                Err(e) => said.set(Some(format!("Not saved: {e}"))),
            }
        });
    };
    move || {
        choice.get().map(|c| {
            let address = c
                .address
                .clone()
                .unwrap_or_else(|| "no work address in the staff directory".into());
            let is = move |d: Delivery| choice.get().is_some_and(|c| c.delivery == d);
            view! {
                <section aria-labelledby="email-heading">
                    <h2 id="email-heading">"E-mail"</h2>
                    <fieldset class="fieldset">
                        <legend>{format!("What comes to {address}")}</legend>
                        <div class="radio">
                            <input
                                type="radio"
                                id="email-immediate"
                                name="email-delivery"
                                prop:checked=move || is(Delivery::Immediate)
                                on:change=move |_| choose(Delivery::Immediate)
                            />
                            <label for="email-immediate">"Each e-mail as it happens"</label>
                        </div>
                        <div class="radio">
                            <input
                                type="radio"
                                id="email-digest"
                                name="email-delivery"
                                prop:checked=move || is(Delivery::DailyDigest)
                                on:change=move |_| choose(Delivery::DailyDigest)
                            />
                            <label for="email-digest">"One summary each morning"</label>
                        </div>
                    </fieldset>
                    <p class="hint" role="status">{move || said.get()}</p>
                </section>
            }
        })
    }
}

/// For a Head of Service: the Inadequate cases of their service areas
/// waiting for their re-audit (by the grade each audit stands at after
/// moderation), from the server, with the re-audit once the CPP has
/// allocated it.
#[component]
fn ReAuditsForMe() -> impl IntoView {
    let items = LocalResource::new(|| async { api::my_reaudits().await });
    let list = move || {
        items.get().map(|answer| match answer {
            Err(api::ApiError::Unreachable) => view! {
                <p>"You are offline: the re-audits waiting for you are shown when you are connected."</p>
            }
            .into_any(),
            Err(e) => view! { <ErrorMessage>{e.to_string()}</ErrorMessage> }.into_any(),
            Ok(items) if items.is_empty() => {
                view! { <p>"No Inadequate case in your service areas is waiting for your re-audit."</p> }.into_any()
            }
            Ok(items) => {
                let rows = items
                    .into_iter()
                    .map(|item| {
                        let q = item.queued;
                        let text = format!(
                            "Case {}, graded Inadequate on {}",
                            q.case,
                            q.graded_on.format("%-d %B %Y")
                        );
                        let link = match item.allocated {
                            Some(audit) => view! {
                                <A href=format!("/audits/{audit}")>"Open your re-audit"</A>
                            }
                            .into_any(),
                            None => view! {
                                <span class="tag">"The CPP will allocate it to you"</span>
                            }
                            .into_any(),
                        };
                        view! {
                            <li class="record-list__item">
                                <A href=format!("/audits/{}", q.original)>{text}</A>
                                {link}
                            </li>
                        }
                    })
                    .collect_view();
                view! { <ul class="record-list">{rows}</ul> }.into_any()
            }
        })
    };
    view! {
        <section aria-labelledby="reaudits-heading" data-testid="my-reaudits">
            <h2 id="reaudits-heading">"Inadequate cases waiting for your re-audit"</h2>
            <Suspense fallback=|| view! { <p class="loading" role="status">"Loading…"</p> }>{list}</Suspense>
        </section>
    }
}
