//! The audit: the editor the auditor works through with the practitioner,
//! section by section, and the read view for practitioners and managers with
//! their responses and the disagreement path.

mod actions;
mod complete;
mod context;
mod details;
mod disagreement;
mod family;
mod follow_up;
mod history;
mod judgement;
mod parts;
mod safety;
mod section;

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use qalf_shared::moderation::ModeratedBy;
use qalf_shared::sync::DocumentId;

pub use self::context::AuditContext;
use self::parts::{Part, PartNav};
pub use self::section::{grade_label, grade_options};
use crate::components::doc_status::DocStatus;
use crate::components::presence::PresenceList;
use crate::components::record_gate::record_gate;

/// `/audits/:id` and `/audits/:id/:part`.
#[component]
pub fn AuditPage() -> impl IntoView {
    let params = use_params_map();
    let part = move || {
        params
            .read()
            .get("part")
            .unwrap_or_else(|| "details".into())
    };
    crate::pages::record_page("audit", move |id| {
        view! { <AuditLoader id part=Signal::derive(part) /> }
    })
}

#[component]
fn AuditLoader(id: DocumentId, part: Signal<String>) -> impl IntoView {
    let context = AuditContext::new(id.clone());
    provide_context(context.clone());
    // Only whether the audit is there matters here: the view below follows
    // every change itself, and must not be rebuilt on each keystroke.
    let present = Memo::new({
        let audit = context.audit;
        move |_| audit.with(Option::is_some)
    });
    record_gate(&id, "audit", present, move || view! { <AuditView part /> })
}

#[component]
fn AuditView(part: Signal<String>) -> impl IntoView {
    let context = use_context::<AuditContext>().expect("audit context");
    let id = context.id.clone();
    let audit = context.audit;
    let title = move || {
        audit
            .get()
            .map(|a| format!("Audit of case {} ({})", a.header.case, a.header.cohort))
            .unwrap_or_default()
    };
    let stage = move || {
        audit
            .get()
            .map(|a| qalf_shared::audit::rules::stage(&a, crate::clock::today()).label())
            .unwrap_or_default()
    };
    let current = move || Part::parse(&part.get());
    view! {
        <div class="record-header">
            <h1>{title}</h1>
            <span class="tag tag--grey" data-testid="audit-stage">{stage}</span>
            <DocStatus doc=id.clone() />
        </div>
        <PresenceList doc=id.clone() />
        <Moderated />
        <Amendments />
        <safety::SafetyAlerts />
        <div class="audit-layout">
            <PartNav current=Signal::derive(current) />
            <div class="audit-part">
                {move || match current() {
                    Part::Details => view! { <details::Details /> }.into_any(),
                    Part::Section(id) => view! { <section::SectionPart section=id /> }.into_any(),
                    Part::Judgement => view! { <judgement::Judgement /> }.into_any(),
                    Part::Actions => view! { <actions::Actions /> }.into_any(),
                    Part::Family => view! { <family::Family /> }.into_any(),
                    Part::Complete => view! { <complete::Complete /> }.into_any(),
                    Part::FollowUp => view! { <follow_up::FollowUp /> }.into_any(),
                    Part::Disagreement => view! { <disagreement::Disagreement /> }.into_any(),
                    Part::History => view! { <history::History /> }.into_any(),
                }}
                <parts::NextPart current=Signal::derive(current) />
            </div>
        </div>
    }
}

/// What moderation concluded, fed back to everyone on the audit (R-MOD-2,
/// R-MOD-5).
#[component]
fn Moderated() -> impl IntoView {
    let context = use_context::<AuditContext>().expect("audit context");
    let audit = context.audit;
    move || {
        let a = audit.get()?;
        let m = a.moderated?;
        let by = if m.by == ModeratedBy::Panel {
            "a moderation panel"
        } else {
            "the CPP"
        };
        let outcome = if m.no_consensus {
            "the panel did not reach a consensus".to_string()
        } else {
            format!(
                "grade {}, audit quality {}",
                grade_label(m.grade),
                grade_label(m.audit_quality)
            )
        };
        let link = (m.by == ModeratedBy::Moderation).then(|| {
            view! { " " <leptos_router::components::A href=format!("/moderations/{}", m.record)>"Read the moderation"</leptos_router::components::A> }
        });
        Some(view! {
            <div class="panel" role="status" data-testid="moderated">
                <p>
                    {format!("Moderated by {by}: {outcome}.")}
                    {link}
                </p>
                {a.reaudit_required.then(|| view! {
                    <p><strong class="tag tag--red" data-testid="reaudit-required">"Re-audit required"</strong></p>
                })}
            </div>
        })
    }
}

/// What was changed after completion, by whom and when (R-AUDIT-11): what
/// is recorded may later be read by the child or used in court, so changes
/// to a completed audit are shown on it.
#[component]
fn Amendments() -> impl IntoView {
    let context = use_context::<AuditContext>().expect("audit context");
    let audit = context.audit;
    move || {
        let a = audit.get()?;
        let lines = qalf_shared::audit::rules::amendments_in_words(&a);
        if lines.is_empty() {
            return None;
        }
        let org = crate::directory::organisation();
        let name = move |id: &qalf_shared::org::PersonId| {
            org.as_ref()
                .and_then(|org| org.person(id).map(|p| p.name.clone()))
                .unwrap_or_else(|| "Someone no longer in the directory".into())
        };
        let count = lines.len();
        let items = lines
            .into_iter()
            .rev()
            .map(|l| {
                let when = chrono::DateTime::from_timestamp(l.at, 0)
                    .map(|t| t.format("%-d %B %Y at %H:%M").to_string())
                    .unwrap_or_default();
                view! { <li>{format!("{} changed {} on {when}.", name(&l.by), l.what.join(", "))}</li> }
            })
            .collect_view();
        Some(view! {
            <details class="panel" data-testid="amendments">
                <summary>{format!(
                    "Changed after completion ({count} amendment{})",
                    if count == 1 { "" } else { "s" }
                )}</summary>
                <ul>{items}</ul>
            </details>
        })
    }
}
