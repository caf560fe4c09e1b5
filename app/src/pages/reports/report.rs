use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::{use_navigate, use_params_map};
use qalf_shared::api::report::ReportPage as Page;
use qalf_shared::report::document::{self as report_document, ReportDoc, section_path};
use qalf_shared::report::facts::{FindingSource, Polarity};
use qalf_shared::report::{Quote, ReportKind, Section};
use qalf_shared::schedule::YearMonth;
use qalf_shared::sync::{Availability, DocumentId};

use super::{drill_href, report_href};
use crate::api::{self, ApiError};
use crate::components::doc_status::DocStatus;
use crate::components::figure_table::FigureTable;
use crate::components::presence::PresenceList;
use crate::components::problem::{ErrorMessage, ErrorSummary};
use crate::components::text_field::TextField;
use crate::repo::use_repo;
use crate::session::use_session;

/// `/reports/:kind/:month`: a report for the period containing the month.
#[component]
pub fn ReportPage() -> impl IntoView {
    let params = use_params_map();
    let target = Memo::new(move |_| {
        let p = params.read();
        let kind = p.get("kind")?.parse::<ReportKind>().ok()?;
        let month = p.get("month")?.parse::<YearMonth>().ok()?;
        Some((kind, month))
    });
    move || match target.get() {
        Some((kind, month)) => view! { <LoadedReport kind month /> }.into_any(),
        None => view! { <h1>"This report's address is not right"</h1> }.into_any(),
    }
}

#[component]
fn LoadedReport(kind: ReportKind, month: YearMonth) -> impl IntoView {
    let page = RwSignal::new(None::<Result<Page, ApiError>>);
    let load = move || {
        leptos::task::spawn_local(async move {
            page.set(Some(api::report(kind, month).await));
        });
    };
    load();
    move || match page.get() {
        None => view! { <p class="loading" role="status">"Counting the figures…"</p> }.into_any(),
        Some(Err(ApiError::Unreachable)) => view! {
            <h1>{kind.label()}</h1>
            <div class="banner" role="status">
                <p>"Reports are counted on the server: connect to the network to read this one."</p>
            </div>
        }
        .into_any(),
        Some(Err(e)) => view! {
            <ErrorSummary title={kind.label()} level=1>
                <p>{e.to_string()}</p>
            </ErrorSummary>
        }
        .into_any(),
        Some(Ok(p)) => {
            view! { <ReportView page=p kind month reload=Callback::new(move |_| load()) /> }
                .into_any()
        }
    }
}

#[component]
fn ReportView(
    page: Page,
    kind: ReportKind,
    month: YearMonth,
    reload: Callback<()>,
) -> impl IntoView {
    let report = page.report.clone();
    let period = report.period;
    let previous = period.first.add_months(-(kind.months() as i32));
    let next = period.first.add_months(kind.months() as i32);
    let year_start = crate::settings::current().year_start_month;
    let print = move |_| {
        if let Some(window) = web_sys::window()
            && window.print().is_err()
        {
            leptos::logging::warn!("printing is not available");
        }
    };
    let sections = report
        .sections
        .iter()
        .map(|s| view! { <ReportSection section=s.clone() kind month /> })
        .collect_view();
    let withheld = (page.quotes_withheld > 0).then(|| {
        view! {
            <p class="hint">{format!(
                "{} from records you may not read {} left out.",
                if page.quotes_withheld == 1 { "1 quote".to_string() } else { format!("{} quotes", page.quotes_withheld) },
                if page.quotes_withheld == 1 { "is" } else { "are" }
            )}</p>
        }
    });
    view! {
        <div class="report" data-testid="report">
            <div class="record-header">
                <h1>{report.title()}</h1>
            </div>
            <p class="lead">{format!(
                "Counted from the records on {}. Overdue and open work is as of that day.",
                report.as_of.format("%-d %B %Y")
            )}</p>
            <nav class="report-nav no-print" aria-label="Other periods">
                <A href=report_href(kind, previous)>{format!("Previous: {}", kind.period(previous, year_start).label())}</A>
                <A href=report_href(kind, next)>{format!("Next: {}", kind.period(next, year_start).label())}</A>
                <A href="/reports">"All reports"</A>
            </nav>
            <div class="actions no-print">
                <button type="button" class="button button--secondary" on:click=print>"Print or save as PDF"</button>
                <Show when=move || page.may_brief>
                    <MakeBriefing kind month />
                </Show>
                <Show when=move || kind == ReportKind::HalfYearly && page.may_brief>
                    <CopyThemes month />
                </Show>
            </div>
            <Written kind month document=page.document.clone() may_write=page.may_write reload />
            {sections}
            {withheld}
        </div>
    }
}

#[component]
fn ReportSection(section: Section, kind: ReportKind, month: YearMonth) -> impl IntoView {
    let heading = format!("section-{}", section.id);
    let findings = section
        .findings
        .iter()
        .map(|f| view! { <p>{f.clone()}</p> })
        .collect_view();
    let tables = section
        .tables
        .iter()
        .map(|t| {
            let csv = api::report_csv_url(kind, month, &t.id);
            view! {
                <FigureTable
                    table=t.clone()
                    csv
                    drill_href=Callback::new(|d| drill_href(&d))
                />
            }
        })
        .collect_view();
    let quotes = (!section.quotes.is_empty()).then(|| {
        let items = section
            .quotes
            .iter()
            .map(|q| view! { <QuoteItem quote=q.clone() /> })
            .collect_view();
        view! {
            <h3>"In the records' own words"</h3>
            <ul class="quotes" data-testid="quotes">{items}</ul>
        }
    });
    let labelled_by = heading.clone();
    view! {
        <section class="report-section" aria-labelledby=labelled_by data-section=section.id.clone()>
            <h2 id=heading>{section.title.clone()}</h2>
            <div class="report-section__findings">{findings}</div>
            {tables}
            {quotes}
        </section>
    }
}

#[component]
fn QuoteItem(quote: Quote) -> impl IntoView {
    let (base, what) = match quote.source {
        FindingSource::Audit => ("audits", "audit"),
        FindingSource::Observation => ("observations", "observation"),
    };
    let kind = match quote.polarity {
        Polarity::Strength => "Strength",
        Polarity::Development => "Area for development",
    };
    view! {
        <li class="quote">
            <blockquote>{quote.text.clone()}</blockquote>
            <p class="hint">
                {format!("{kind}: {}, {} — ", quote.theme, quote.on.format("%-d %B %Y"))}
                <A href=format!("/{base}/{}", quote.record)>{format!("open the {what}")}</A>
            </p>
        </li>
    }
}

/// The CPP makes a 7-minute briefing from the report and goes to it.
#[component]
fn MakeBriefing(kind: ReportKind, month: YearMonth) -> impl IntoView {
    let navigate = use_navigate();
    let error = RwSignal::new(None::<String>);
    let busy = RwSignal::new(false);
    let make = move |_| {
        let navigate = navigate.clone();
        busy.set(true);
        leptos::task::spawn_local(async move {
            match api::make_briefing(kind, month).await {
                Ok(made) => navigate(&format!("/briefings/{}", made.document), Default::default()),
                Err(e) => error.set(Some(e.to_string())),
            }
            busy.set(false);
        });
    };
    view! {
        <button type="button" class="button" on:click=make disabled=move || busy.get()>
            "Make a 7-minute briefing"
        </button>
        <Show when=move || error.get().is_some()>
            <ErrorMessage>{move || error.get()}</ErrorMessage>
        </Show>
    }
}

/// The CPP copies the 6-monthly report's proposed themes into the schedule.
#[component]
fn CopyThemes(month: YearMonth) -> impl IntoView {
    let outcome = RwSignal::new(None::<Result<String, String>>);
    let copy = move |_| {
        leptos::task::spawn_local(async move {
            let said = match api::copy_proposed_themes(month).await {
                Ok(done) => {
                    let list = |months: &[YearMonth]| {
                        months
                            .iter()
                            .map(|m| m.label())
                            .collect::<Vec<_>>()
                            .join(", ")
                    };
                    let mut text = if done.copied.is_empty() {
                        "No themes were copied.".to_string()
                    } else {
                        format!("Copied into the schedule: {}.", list(&done.copied))
                    };
                    if !done.kept.is_empty() {
                        text.push_str(&format!(
                            " Kept the theme already scheduled for {}.",
                            list(&done.kept)
                        ));
                    }
                    Ok(text)
                }
                Err(e) => Err(e.to_string()),
            };
            outcome.set(Some(said));
        });
    };
    view! {
        <button type="button" class="button button--secondary" on:click=copy>
            "Copy the proposed themes into the schedule"
        </button>
        {move || outcome.get().map(|o| match o {
            Ok(text) => view! { <p class="panel" role="status" data-testid="themes-copied">{text}</p> }.into_any(),
            Err(text) => view! { <ErrorMessage>{text}</ErrorMessage> }.into_any(),
        })}
    }
}

/// The report's written parts: the commentary and, for the quarterly and
/// 6-monthly reports, the owners' sections (R-REP-1, R-REP-2).
#[component]
fn Written(
    kind: ReportKind,
    month: YearMonth,
    document: Option<DocumentId>,
    may_write: bool,
    reload: Callback<()>,
) -> impl IntoView {
    match document {
        Some(id) => view! { <WrittenDocument id kind /> }.into_any(),
        None if may_write => {
            let error = RwSignal::new(None::<String>);
            let start = move |_| {
                leptos::task::spawn_local(async move {
                    match api::make_report_document(kind, month).await {
                        Ok(_) => reload.run(()),
                        Err(e) => error.set(Some(e.to_string())),
                    }
                });
            };
            let what = if kind.has_owner_sections() {
                "Write the commentary and the sections"
            } else {
                "Write the commentary"
            };
            view! {
                <section class="report-section no-print" aria-labelledby="commentary-heading">
                    <h2 id="commentary-heading">"Commentary"</h2>
                    <p>"No one has written about this period yet."</p>
                    <button type="button" class="button" on:click=start>{what}</button>
                    <Show when=move || error.get().is_some()>
                        <ErrorMessage>{move || error.get()}</ErrorMessage>
                    </Show>
                </section>
            }
            .into_any()
        }
        None => ().into_any(),
    }
}

#[component]
fn WrittenDocument(id: DocumentId, kind: ReportKind) -> impl IntoView {
    let repo = use_repo();
    let session = use_session();
    repo.attend(&id);
    let doc: Memo<Option<ReportDoc>> = repo.read_memo(&id, report_document::read);
    let status = repo.signals(&id).status;
    let unavailable = Memo::new(move |_| {
        status
            .get()
            .is_some_and(|s| s.availability == Availability::Unavailable)
    });
    let present = Memo::new(move |_| doc.with(Option::is_some));
    let cpp = move || {
        session
            .me()
            .is_some_and(|me| qalf_shared::org::works_in_cpp(&me.roles))
    };
    move || {
        if unavailable.get() {
            return view! { <p>"The commentary is not available to you."</p> }.into_any();
        }
        if !present.get() {
            return view! { <p class="loading" role="status">"Opening the commentary…"</p> }
                .into_any();
        }
        let d = doc.get_untracked().expect("present");
        let roles = session.me().map(|me| me.roles).unwrap_or_default();
        let commentary_readonly = Signal::derive(move || !cpp());
        let owners = d
            .sections
            .iter()
            .map(|s| {
                let mine = roles.contains(&s.owner);
                let readonly = Signal::derive(move || !(mine || cpp()));
                let section_id = s.id.clone();
                let ready = {
                    let section_id = section_id.clone();
                    Memo::new(move |_| {
                        doc.get()
                            .and_then(|d| d.sections.into_iter().find(|x| x.id == section_id))
                            .is_some_and(|x| x.ready_at.is_some())
                    })
                };
                let mark = {
                    let (repo, id, section_id) = (repo.clone(), id.clone(), section_id.clone());
                    Callback::new(move |_: ()| {
                        let now = crate::clock::now_secs();
                        let me = repo.me().id.to_string();
                        let path = section_path(&section_id);
                        repo.edit(&id, |d| {
                            qalf_shared::document::fields::set_scalar(d, &path, "ready_at", Some(now.into()))?;
                            qalf_shared::document::fields::set_scalar(d, &path, "ready_by", Some(me.as_str().into()))
                        });
                        repo.commit(&id);
                    })
                };
                let owner_label = s.owner.label();
                view! {
                    <section class="owner-section" data-owner-section=s.id.clone()>
                        <h3>{s.title.clone()}</h3>
                        <p class="hint">{format!("Written by the {owner_label}.")}</p>
                        <TextField
                            doc=id.clone()
                            path=qalf_shared::report::document::key_themes_path(&s.id)
                            label=format!("{}: key themes", s.title)
                            readonly=readonly
                        />
                        <TextField
                            doc=id.clone()
                            path=qalf_shared::report::document::trends_path(&s.id)
                            label=format!("{}: trends", s.title)
                            readonly=readonly
                        />
                        <Show
                            when=move || ready.get()
                            fallback=move || view! {
                                <Show when=move || !readonly.get()>
                                    <button type="button" class="button button--secondary no-print" on:click=move |_| mark.run(())>
                                        "Mark this section as ready"
                                    </button>
                                </Show>
                            }
                        >
                            <p class="tag tag--green">"Ready"</p>
                        </Show>
                    </section>
                }
            })
            .collect_view();
        let owners_heading = kind.has_owner_sections().then(|| {
            view! { <h2 id="owners-heading">"Reports from across the service"</h2> }
        });
        view! {
            <section class="report-section" aria-labelledby="commentary-heading" data-testid="commentary">
                <div class="record-header">
                    <h2 id="commentary-heading">"Commentary"</h2>
                    <DocStatus doc=id.clone() />
                </div>
                <PresenceList doc=id.clone() />
                <TextField
                    doc=id.clone()
                    path=qalf_shared::report::document::commentary_path()
                    label="What the figures tell us, and what we will do".to_string()
                    hint="Written by the CPP Service Manager; others in the team can add to it at the same time."
                    readonly=commentary_readonly
                />
                {owners_heading}
                {owners}
            </section>
        }
        .into_any()
    }
}
