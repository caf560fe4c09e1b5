use chrono::NaiveDate;
use leptos::prelude::*;
use qalf_shared::audit::document::path;
use qalf_shared::audit::rules::meeting_date_allowed;

use super::AuditContext;
use crate::components::date_field::DateField;
use crate::settings;

/// Who and what the audit is about, and the joint meeting (R-AUDIT-2).
#[component]
pub fn Details() -> impl IntoView {
    let context = use_context::<AuditContext>().expect("audit context");
    let audit = context.audit;
    let readonly = context.findings_readonly();
    let amended = context.amendment_recorder();
    let rows = move || {
        audit.get().map(|a| {
            let h = a.header;
            [
                ("Case reference", h.case.to_string()),
                ("Cohort", h.cohort.to_string()),
                ("Theme", h.theme),
                ("Team", h.team_name),
                ("Practitioner", h.practitioner_name),
                ("Team Manager", h.team_manager_name),
                ("Auditor", h.auditor_name),
                ("Head of Service", h.head_of_service_name),
                ("Kind of audit", h.audit_kind.label().to_string()),
                ("Allocated on", h.allocated_on.to_string()),
            ]
            .into_iter()
            // R-ALLOC-5, when the monthly allocation suggested a day.
            .chain(
                h.suggested_day
                    .map(|d| ("Suggested audit day", d.to_string())),
            )
            .map(|(label, value)| {
                view! {
                    <div class="summary__row">
                        <dt>{label}</dt>
                        <dd>{value}</dd>
                    </div>
                }
            })
            .collect_view()
        })
    };
    let check_meeting = Callback::new(move |value: String| {
        let allocated = audit.get_untracked()?.header.allocated_on;
        let meeting: NaiveDate = value.parse().ok()?;
        meeting_date_allowed(&settings::current().audit_policy, allocated, meeting)
            .err()
            .map(|earliest| {
                format!(
                    "The joint meeting must be at least {} days after allocation: on or after {}",
                    settings::current().audit_policy.meeting_min_days,
                    earliest.format("%-d %B %Y")
                )
            })
    });
    let header = path::header();
    view! {
        <h2>"Details and meeting"</h2>
        <dl class="summary" data-testid="audit-details">{rows}</dl>
        {move || audit.get().and_then(|a| a.header.theme_notes).map(|notes| view! {
            <div class="panel" data-testid="theme-notes">
                <h3>"The Centre for Professional Practice's notes on this month's theme"</h3>
                <p>{notes}</p>
            </div>
        })}
        <p class="hint">
            "At allocation, contact the practitioner and their Team Manager and agree a time to meet, at least a week later, to do the audit together."
        </p>
        <DateField
            doc=context.id.clone()
            path=header.clone()
            key="meeting_on"
            label="Joint meeting with the practitioner".to_string()
            readonly=readonly
            check=check_meeting
            on_change=amended
        />
        <div class="field-row">
            <DateField
                doc=context.id.clone()
                path=header.clone()
                key="period_from"
                label="Period reviewed: from".to_string()
                readonly=readonly
                on_change=amended
            />
            <DateField
                doc=context.id.clone()
                path=header
                key="period_to"
                label="to".to_string()
                readonly=readonly
                on_change=amended
            />
        </div>
        {move || audit.get().and_then(|a| a.reaudit).map(|r| view! { <ReAuditCheck link=r /> })}
    }
}

/// On a re-audit: the audit it re-audits, who re-audits beside the Cabinet
/// Member (R-REAUDIT-3), and the re-auditor's own answer on the action plan
/// (R-REAUDIT-1), which the result shared with the Service Manager reads.
#[component]
fn ReAuditCheck(link: qalf_shared::audit::document::ReAuditOf) -> impl IntoView {
    let context = use_context::<AuditContext>().expect("audit context");
    let readonly = context.findings_readonly();
    let amended = context.amendment_recorder();
    view! {
        <h3>"Re-audit"</h3>
        <p>
            "This re-audits "
            <a href=format!("/audits/{}", link.original)>"the earlier audit of this case"</a>
            ". Read its action plan there and check the case file: is every action done?"
        </p>
        {link.alongside_name.map(|n| view! {
            <p data-testid="alongside">{format!("Re-audited side by side with {n} of the Centre for Professional Practice.")}</p>
        })}
        <crate::components::choice_field::ChoiceField
            doc=context.id.clone()
            path=path::reaudit()
            key="action_plan_complete"
            options=vec![("yes", "Yes"), ("no", "No")]
            legend="Is the earlier audit's action plan complete?".to_string()
            inline=true
            yes_no=true
            readonly=readonly
            on_change=amended
        />
    }
}
