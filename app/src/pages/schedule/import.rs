use leptos::prelude::*;
use qalf_shared::api::schedule::ImportReport;
use qalf_shared::schedule::{ImportPlan, ImportPlanner};

use crate::api::{self, ApiError};
use crate::components::file_problems::FileProblems as Problems;
use crate::components::problem::ErrorSummary;
use crate::directory;
use crate::format::{plural, thousands};

/// Rows checked between repaints of the progress bar.
const ROWS_PER_STEP: usize = 1_000;
/// Matches the server's limit for a cohort file.
const MAX_FILE_BYTES: f64 = 32.0 * 1024.0 * 1024.0;

/// Where the import has got to.
#[derive(Debug, Clone, PartialEq)]
enum Stage {
    Idle,
    Reading,
    /// Rows checked on this device, and about how many there are.
    Checking {
        rows: usize,
        of_about: usize,
    },
    /// Asking the server what importing would do.
    Planning,
    /// The server's plan, and the check made on this device.
    Planned(ImportReport),
    /// Checked on this device only: the server could not be reached.
    CheckedHere(ImportReport),
    Importing(ImportReport),
    Imported(ImportReport),
    Failed(String),
}

/// The cohort import (DOMAIN.md §1): the CPP uploads the case list exported
/// from the case management system. Every row is checked on this device
/// first (a progress bar for tens of thousands of rows, and it works
/// offline), then the server says what importing would do, and imports
/// nothing from a file with errors unless the CPP chooses the valid rows.
#[component]
pub fn ImportCases() -> impl IntoView {
    let stage = RwSignal::new(Stage::Idle);
    // The file's bytes, kept to send again when importing.
    let file = StoredValue::new(Vec::<u8>::new());

    let on_file = move |ev: leptos::ev::Event| {
        let Some(chosen) = crate::file::chosen(&ev) else {
            return;
        };
        if chosen.size() > MAX_FILE_BYTES {
            stage.set(Stage::Failed(
                "The file is larger than 32 MB: export only the columns QALF needs.".into(),
            ));
            return;
        }
        stage.set(Stage::Reading);
        leptos::task::spawn_local(async move {
            let bytes = match crate::file::bytes(&chosen).await {
                Ok(bytes) => bytes,
                Err(message) => {
                    stage.set(Stage::Failed(message));
                    return;
                }
            };
            file.set_value(bytes.clone());
            let here = check_here(&bytes, stage).await;
            stage.set(Stage::Planning);
            match api::import_plan(&bytes).await {
                Ok(report) => stage.set(Stage::Planned(report)),
                Err(ApiError::Unreachable) => match here {
                    Some(report) => stage.set(Stage::CheckedHere(report)),
                    None => stage.set(Stage::Failed(
                        "The server cannot be reached and this device has no staff directory \
                         to check the file against. Connect and try again."
                            .into(),
                    )),
                },
                Err(e) => stage.set(Stage::Failed(e.to_string())),
            }
        });
    };

    let import = move |valid_rows: bool| {
        let Stage::Planned(report) = stage.get_untracked() else {
            return;
        };
        stage.set(Stage::Importing(report));
        leptos::task::spawn_local(async move {
            let bytes = file.get_value();
            match api::import_apply(&bytes, valid_rows).await {
                Ok(report) => stage.set(Stage::Imported(report)),
                Err(e) => stage.set(Stage::Failed(e.to_string())),
            }
        });
    };

    let progress = move || {
        match stage.get() {
        Stage::Reading => Some(view! {
            <p role="status">"Reading the file…"</p>
        }
        .into_any()),
        Stage::Checking { rows, of_about } => Some(view! {
            <div class="field">
                <label for="import-progress">"Checking rows"</label>
                <progress id="import-progress" max=of_about.max(rows) value=rows>
                    {format!("{rows} of about {of_about}")}
                </progress>
                <p class="hint" role="status">
                    {format!("{} of about {} rows checked", thousands(rows), thousands(of_about.max(rows)))}
                </p>
            </div>
        }
        .into_any()),
        Stage::Planning => Some(view! {
            <div class="field">
                <label for="import-progress">"Asking the server what importing would do"</label>
                <progress id="import-progress"></progress>
            </div>
        }
        .into_any()),
        Stage::Importing(_) => Some(view! {
            <div class="field">
                <label for="import-progress">"Importing"</label>
                <progress id="import-progress"></progress>
            </div>
        }
        .into_any()),
        _ => None,
    }
    };

    let outcome = move || {
        match stage.get() {
        Stage::Planned(report) => {
            let n = report.valid_rows;
            let choice = if report.errors.is_empty() && n > 0 {
                view! {
                    <div class="actions">
                        <button type="button" class="button" on:click=move |_| import(false)>
                            {format!("Import {}", plural(n, "row", "rows"))}
                        </button>
                    </div>
                }
                .into_any()
            } else if n > 0 {
                view! {
                    <p>
                        "Rows with errors are never imported. Correct them in the file and upload it again, or import the rows that are right now and the rest later."
                    </p>
                    <div class="actions">
                        <button type="button" class="button" on:click=move |_| import(true)>
                            {format!("Import the {} valid {}", thousands(n), if n == 1 { "row" } else { "rows" })}
                        </button>
                    </div>
                }
                .into_any()
            } else {
                view! { <p>"No row of this file can be imported."</p> }.into_any()
            };
            view! {
                <Report report=report.clone() />
                {choice}
            }
            .into_any()
        }
        Stage::CheckedHere(report) => view! {
            <div class="banner" role="status">
                <p>
                    "Checked on this device: the server cannot be reached, so nothing can be imported yet. Connect and choose the file again to import it."
                </p>
            </div>
            <Problems issues=report.errors.clone() />
        }
        .into_any(),
        Stage::Imported(report) => {
            let not_imported = (report.rejected_rows > 0).then(|| {
                format!(
                    " {} with errors {} not imported.",
                    plural(report.rejected_rows, "row", "rows"),
                    if report.rejected_rows == 1 { "was" } else { "were" }
                )
            });
            view! {
                <div class="panel" role="status" data-testid="import-done">
                    <h3>"Imported"</h3>
                    <p>
                        {format!(
                            "{} new {}, {} updated, {} unchanged.",
                            thousands(report.new),
                            if report.new == 1 { "case" } else { "cases" },
                            thousands(report.updated),
                            thousands(report.unchanged)
                        )}
                        {not_imported}
                    </p>
                    <p>{format!(
                        "{} existing {} not in the file {} kept as {} {}.",
                        thousands(report.kept),
                        if report.kept == 1 { "case" } else { "cases" },
                        if report.kept == 1 { "is" } else { "are" },
                        if report.kept == 1 { "it" } else { "they" },
                        if report.kept == 1 { "was" } else { "were" }
                    )}</p>
                </div>
                <Problems issues=report.errors.clone() />
            }
            .into_any()
        }
        Stage::Failed(message) => view! {
            <ErrorSummary title="The file was not imported" level=3>
                <p>{message}</p>
            </ErrorSummary>
        }
        .into_any(),
        _ => ().into_any(),
    }
    };

    view! {
        <h2>"Import cases"</h2>
        <p>
            "Upload the case list exported from the case management system as CSV. The first row names the columns: "
            <code>"case_reference"</code>", "<code>"cohort"</code>", "<code>"team"</code>" and "<code>"practitioner"</code>
            ", and if you have them "<code>"initials"</code>", "<code>"age_band"</code>" and "<code>"chaired_by"</code>
            ". QALF keeps nothing else. Cases already in QALF are updated, never duplicated; cases not in the file are kept."
        </p>
        <div class="field">
            <label for="cohort-file">"Cohort file (CSV)"</label>
            <span class="hint" id="cohort-file-hint">"Every row is checked before anything is imported."</span>
            <input
                id="cohort-file"
                type="file"
                class="input--file"
                accept=".csv,text/csv"
                aria-describedby="cohort-file-hint"
                on:change=on_file
            />
        </div>
        {progress}
        {outcome}
    }
}

/// Checks the file against the staff directory on this device, a step of
/// rows at a time so the progress bar moves. Cases are not on the device,
/// so this finds the rows' problems; the server says what is new.
async fn check_here(bytes: &[u8], stage: RwSignal<Stage>) -> Option<ImportReport> {
    directory::refresh().await;
    let org = directory::organisation()?;
    // Rows are about as long as the first data row.
    let first_row = bytes
        .split(|b| *b == b'\n')
        .nth(1)
        .map_or(64, |r| r.len().max(16) + 1);
    let of_about = bytes.len() / first_row;
    let mut planner = ImportPlanner::new(bytes, &org);
    stage.set(Stage::Checking { rows: 0, of_about });
    while planner.step(ROWS_PER_STEP) {
        stage.set(Stage::Checking {
            rows: planner.progress().rows,
            of_about,
        });
        // Lets the browser repaint the progress bar.
        gloo_timers::future::TimeoutFuture::new(0).await;
    }
    let plan: ImportPlan = planner.finish();
    Some(ImportReport::from_plan(&plan, false))
}

/// What importing would do, with every problem by line.
#[component]
fn Report(report: ImportReport) -> impl IntoView {
    let warnings = report
        .warnings
        .iter()
        .map(|w| view! { <li>{w.to_string()}</li> })
        .collect_view();
    view! {
        <section aria-labelledby="plan-heading" data-testid="import-plan">
            <h3 id="plan-heading">"What importing would do"</h3>
            <p>{report.summary.clone()}</p>
            <Show when={
                let empty = report.warnings.is_empty();
                move || !empty
            }>
                <ul class="hint">{warnings.clone()}</ul>
            </Show>
            <Problems issues=report.errors.clone() />
        </section>
    }
}
