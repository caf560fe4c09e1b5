//! Reports (DOMAIN.md §7): the list of reports, a report with its charts,
//! tables, commentary and owners' sections, the records behind a figure,
//! and the compliance dashboard. Figures come from the server; the written
//! parts are co-edited records like any other.

pub mod compliance;
pub mod drill;
pub mod report;

use leptos::prelude::*;
use leptos_router::components::A;
use qalf_shared::report::ReportKind;
use qalf_shared::report::drill::Drill;
use qalf_shared::schedule::YearMonth;

use crate::clock;
use crate::session::use_session;

/// A report's address.
pub fn report_href(kind: ReportKind, month: YearMonth) -> String {
    format!("/reports/{}/{month}", kind.code())
}

/// Where the records behind a figure are listed.
pub fn drill_href(drill: &Drill) -> String {
    let json = serde_json::to_string(drill).unwrap_or_default();
    format!(
        "/reports/records?q={}",
        String::from(js_sys::encode_uri_component(&json))
    )
}

/// The 7-minute briefings: shared ones for everyone, drafts too for the CPP.
#[component]
fn Briefings() -> impl IntoView {
    let list = RwSignal::new(None::<Vec<qalf_shared::api::report::BriefingSummary>>);
    leptos::task::spawn_local(async move {
        if let Ok(found) = crate::api::briefings().await {
            list.set(Some(found));
        }
    });
    move || {
        list.get().filter(|l| !l.is_empty()).map(|l| {
            let items = l
                .into_iter()
                .map(|b| {
                    let state = if b.shared_at.is_some() {
                        "Shared"
                    } else {
                        "Draft"
                    };
                    view! {
                        <li class="record-list__item">
                            <A href=format!("/briefings/{}", b.document)>{b.title.clone()}</A>
                            <span class="hint">{b.from_report.clone()}</span>
                            <span class="tag">{state}</span>
                        </li>
                    }
                })
                .collect_view();
            view! {
                <section aria-labelledby="report-briefings-heading">
                    <h2 id="report-briefings-heading">"7-minute briefings"</h2>
                    <ul class="record-list" data-testid="report-briefings">{items}</ul>
                </section>
            }
        })
    }
}

/// `/reports`: which report to read.
#[component]
pub fn ReportsPage() -> impl IntoView {
    let session = use_session();
    let this_month = YearMonth::of(clock::today());
    let last_month = this_month.previous();
    let year_start = crate::settings::current().year_start_month;
    let entry = move |kind: ReportKind, month: YearMonth, what: &'static str| {
        let period = kind.period(month, year_start);
        view! {
            <li class="record-list__item">
                <A href=report_href(kind, month)>{format!("{}: {}", kind.label(), period.label())}</A>
                <span class="hint">{what}</span>
            </li>
        }
    };
    move || {
        let Some(me) = session.me() else {
            return ().into_any();
        };
        if !qalf_shared::access::office::reads_reports(&me.roles) {
            return view! {
                <h1>"Reports"</h1>
                <p>"Reports with figures are for managers and the quality assurance team. 7-minute briefings are on your home page."</p>
            }
            .into_any();
        }
        view! {
            <h1>"Reports"</h1>
            <p class="lead">"What the audits, moderations, observations and DRP alerts add up to, from the records themselves."</p>
            <section aria-labelledby="current-heading">
                <h2 id="current-heading">"Reports"</h2>
                <ul class="record-list" data-testid="report-list">
                    {entry(ReportKind::Monthly, last_month, "Audits, grades, moderation, learning, overdue work, safety alerts and disputes.")}
                    {entry(ReportKind::Monthly, this_month, "This month so far.")}
                    {entry(ReportKind::Quarterly, last_month, "For DLT: the quarter month by month, with the reports from across the service.")}
                    {entry(ReportKind::HalfYearly, last_month, "For Extended DLT: the half-year, and the themes it proposes for the next six months.")}
                    {entry(ReportKind::Drp, last_month, "Dispute resolution alerts raised by IROs: categories, stages, outcomes and time to resolve.")}
                </ul>
            </section>
            <Briefings />
            <section aria-labelledby="compliance-heading">
                <h2 id="compliance-heading">"Compliance"</h2>
                <p>
                    <A href="/reports/compliance">"Audits, observations and supervision audits against each person's quota"</A>
                </p>
            </section>
        }
        .into_any()
    }
}
