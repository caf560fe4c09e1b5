//! The schedule benchmark (`cargo xtask bench schedule`): a generated
//! 20,000-row cohort file with 1% bad rows, imported into the demo council,
//! then the month's selection and allocation over the enlarged case list;
//! and a 5,000-person staff directory from the HR system, imported into a
//! new real instance (the target: under 2 s, checked and applied).
//!
//! Every figure is printed beside a baseline measured in the same process
//! (reading the same file with the csv crate and nothing else), so the
//! ratios mean something on any machine. Figures are printed, never
//! asserted.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use qalf_server::clock::ManualClock;
use qalf_server::config::Config;
use qalf_server::{AppState, Server, demo};
use qalf_shared::api::schedule::ImportReport;
use qalf_shared::directory::{StaffPlan, plan_staff_import};
use qalf_shared::org::{Case, Organisation, Role};
use qalf_shared::schedule::{
    AllocationRequest, SchedulePolicy, SelectionRequest, ThemeEntry, YearMonth, allocate, apply,
    due_audits, plan_import, select,
};

const ROWS: usize = 20_000;
/// People in the generated staff directory.
const STAFF: usize = 5_000;
/// Every hundredth row is bad: 1%.
const BAD_EVERY: usize = 100;
const RUNS: usize = 9;

/// A cohort file against the demo council's teams and practitioners, with
/// a column QALF ignores, as case-system exports have.
fn cohort_file(org: &Organisation) -> String {
    let members: Vec<(String, String)> = org
        .people_with_role(Role::Practitioner)
        .filter_map(|p| Some((p.team.as_ref()?.to_string(), p.id.to_string())))
        .collect();
    let cohorts = ["CIN", "CP", "CWD", "CiC", "EH"];
    let mut csv =
        String::from("case_reference,cohort,team,practitioner,initials,age_band,case_status\n");
    for i in 0..ROWS {
        let (team, practitioner) = &members[i % members.len()];
        let cohort = if i % BAD_EVERY == BAD_EVERY - 1 {
            "LAC"
        } else {
            cohorts[i % cohorts.len()]
        };
        csv.push_str(&format!(
            "GEN-{i:06},{cohort},{team},{practitioner},AB,10-15,Open\n"
        ));
    }
    csv
}

/// An HR export of `STAFF` people: 10 service areas, each with a Head of
/// Service and teams of about 20, each team with its Team Manager.
fn staff_file() -> String {
    let mut csv = String::from(
        "staff_id,name,work_email,job_title,roles,team,service_area,line_manager,start_date,end_date\n",
    );
    let areas = 10;
    let per_team = 20;
    let mut written = 0;
    for a in 0..areas {
        let head = format!("H{a:03}");
        csv.push_str(&format!(
            "{head},Head {a},head.{a}@council.example,Head of Service,head-of-service,,Area {a},,2015-04-01,\n"
        ));
        written += 1;
        let mut t = 0;
        while written < STAFF * (a + 1) / areas {
            let manager = format!("M{a:03}-{t:03}");
            csv.push_str(&format!(
                "{manager},Manager {a} {t},manager.{a}.{t}@council.example,Team Manager,team-manager,Team {a}-{t},Area {a},{head},2018-09-01,\n"
            ));
            written += 1;
            for p in 0..per_team - 1 {
                if written >= STAFF * (a + 1) / areas {
                    break;
                }
                csv.push_str(&format!(
                    "P{a:03}-{t:03}-{p:02},Worker {a} {t} {p},worker.{a}.{t}.{p}@council.example,Social Worker,practitioner,Team {a}-{t},Area {a},{manager},01/09/2022,\n"
                ));
                written += 1;
            }
            t += 1;
        }
    }
    csv
}

/// The staff directory through the real server: a new real instance, its
/// administrator signed in through the set-up link, the file checked and
/// applied.
async fn staff_through_the_server(csv: &str) -> anyhow::Result<(Duration, Duration, usize)> {
    let data = tempfile::tempdir()?;
    let config = Config::for_tests(data.path().to_path_buf());
    let clock = Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap(),
    ));
    let state = AppState::open(config, clock).await?;
    let link = qalf_server::setup::first_administrator(
        &state,
        qalf_server::setup::NewAdministrator {
            name: "Bench Admin".into(),
            username: "bench.admin".into(),
        },
    )
    .await?;
    let server = Server::serve(state).await?;
    let http = reqwest::Client::builder().cookie_store(true).build()?;
    http.post(format!("{}/api/set-up", server.url()))
        .json(&serde_json::json!({ "token": link.token, "password": "a long bench passphrase" }))
        .send()
        .await?
        .error_for_status()?;
    let started = Instant::now();
    let plan: StaffPlan = http
        .post(format!("{}/api/directory/staff-file/plan", server.url()))
        .body(csv.to_string())
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let planned = started.elapsed();
    anyhow::ensure!(plan.errors.is_empty(), "{:?}", &plan.errors[..1]);
    let started = Instant::now();
    http.post(format!("{}/api/directory/staff-file/apply", server.url()))
        .body(csv.to_string())
        .send()
        .await?
        .error_for_status()?;
    let applied = started.elapsed();
    let people = server.state.org().people().count();
    server.state.relay().stop().await;
    server.abort();
    Ok((planned, applied, people))
}

/// The baseline: reading every record of a file with the csv crate,
/// nothing more; the number of fields.
fn fields_in(file: &str) -> usize {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(file.as_bytes());
    let mut record = csv::ByteRecord::new();
    let mut n = 0usize;
    while reader.read_byte_record(&mut record).expect("csv") {
        n += record.len();
    }
    n
}

/// The median of `RUNS` timings of `f`.
fn median<T>(mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut times = Vec::with_capacity(RUNS);
    let mut last = None;
    for _ in 0..RUNS {
        let started = Instant::now();
        let out = std::hint::black_box(f());
        times.push(started.elapsed());
        last = Some(out);
    }
    times.sort();
    (times[RUNS / 2], last.expect("at least one run"))
}

fn ms(d: Duration) -> String {
    format!("{:>9.2} ms", d.as_secs_f64() * 1e3)
}

fn line(what: &str, took: Duration, baseline: Duration) {
    println!(
        "  {what:<52} {}  {:>7.1}x baseline",
        ms(took),
        took.as_secs_f64() / baseline.as_secs_f64()
    );
}

/// The whole import through the real server: the file posted to the plan
/// and apply endpoints, rows written to a fresh SQLite file, the
/// organisation reloaded.
async fn through_the_server(csv: &str) -> anyhow::Result<(Duration, Duration, ImportReport)> {
    let data = tempfile::tempdir()?;
    let mut config = Config::for_tests(data.path().to_path_buf());
    config.demo = true;
    let clock = Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap(),
    ));
    let state = AppState::open(config, clock).await?;
    demo::seed_if_empty(&state).await?;
    let server = Server::serve(state).await?;
    let org = server.state.org();
    let (username, _) = demo::persona_for(&org, Role::CppServiceManager)
        .ok_or_else(|| anyhow::anyhow!("no CPP"))?;
    let http = reqwest::Client::builder().cookie_store(true).build()?;
    http.post(format!("{}/api/session", server.url()))
        .json(&serde_json::json!({ "username": username, "password": demo::DEMO_PASSWORD }))
        .send()
        .await?
        .error_for_status()?;
    let started = Instant::now();
    let plan: ImportReport = http
        .post(format!("{}/api/schedule/import/plan", server.url()))
        .body(csv.to_string())
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let planned = started.elapsed();
    anyhow::ensure!(plan.rejected_rows == ROWS / BAD_EVERY, "{}", plan.summary);
    let started = Instant::now();
    let done: ImportReport = http
        .post(format!(
            "{}/api/schedule/import/apply?valid_rows=true",
            server.url()
        ))
        .body(csv.to_string())
        .send()
        .await?
        .error_for_status()?
        .json()
        .await?;
    let applied = started.elapsed();
    server.state.relay().stop().await;
    server.abort();
    Ok((planned, applied, done))
}

fn main() -> anyhow::Result<()> {
    let org = demo::organisation(demo::DEMO_SEED);
    let csv = cohort_file(&org);
    println!(
        "schedule benchmark: {ROWS} rows ({:.1} MB), 1 in {BAD_EVERY} bad; the demo council \
         ({} staff, {} cases); median of {RUNS} runs",
        csv.len() as f64 / 1e6,
        org.people().count(),
        org.cases().count()
    );

    // The baseline: reading every record of the file, nothing more.
    let (baseline, records) = median(|| fields_in(&csv));
    println!("\nimport");
    println!(
        "  {:<52} {}     1.0x baseline  ({records} fields)",
        "baseline: read the CSV with the csv crate",
        ms(baseline)
    );
    let (planned, plan) = median(|| plan_import(csv.as_bytes(), &org));
    assert_eq!(plan.rejected_rows(), ROWS / BAD_EVERY);
    line(
        &format!(
            "plan: check every row ({} errors, by line)",
            plan.errors.len()
        ),
        planned,
        baseline,
    );
    let existing: Vec<Case> = org.cases().cloned().collect();
    let (applied, merged) = median(|| apply(&plan, &existing));
    line(
        &format!("apply: merge {} valid rows", plan.rows.len()),
        applied,
        baseline,
    );
    line("plan + apply", planned + applied, baseline);

    let runtime = tokio::runtime::Runtime::new()?;
    let (server_plan, server_apply, report) = runtime.block_on(through_the_server(&csv))?;
    line(
        "server: POST the file, plan (HTTP, JSON report)",
        server_plan,
        baseline,
    );
    line(
        &format!(
            "server: POST again, apply ({} new cases to SQLite, reload)",
            report.new
        ),
        server_apply,
        baseline,
    );

    // The month's selection and allocation over the enlarged case list.
    let mut parts: qalf_shared::org::OrganisationParts = org.clone().into();
    parts.cases = merged;
    let big = Organisation::new(parts)?;
    let policy = SchedulePolicy::default();
    let month: YearMonth = "2026-11".parse()?;
    let theme = ThemeEntry {
        month,
        theme: "The child's lived experience".into(),
        cohorts: Default::default(),
        notes: String::new(),
    };
    let due = due_audits(&big, &policy, month).len();
    let today = month.first_day();
    println!(
        "\nallocation ({} cases, {due} audits due)",
        big.cases().count()
    );
    for (what, count) in [
        ("as many cases as audits due", due),
        (
            "every eligible case (the largest pool)",
            big.cases().count(),
        ),
    ] {
        let (took, (selection, allocation)) = median(|| {
            let selection = select(
                &big,
                &policy,
                &SelectionRequest {
                    theme: &theme,
                    count,
                    on_purpose: &[],
                    history: &[],
                    seed: 20_261_102,
                },
            );
            let allocation = allocate(&AllocationRequest::from_selection(
                &big,
                &policy,
                &selection,
                today,
                &[],
                20_261_102,
            ));
            (selection, allocation)
        });
        line(
            &format!(
                "select + allocate, {what}: {} drawn, {} allocated",
                selection.drawn.len(),
                allocation.allocations.len()
            ),
            took,
            baseline,
        );
    }

    // The staff directory from the HR system.
    let staff = staff_file();
    let (baseline, records) = median(|| fields_in(&staff));
    println!(
        "\nstaff directory ({STAFF} people, {:.2} MB)",
        staff.len() as f64 / 1e6
    );
    println!(
        "  {:<52} {}     1.0x baseline  ({records} fields)",
        "baseline: read the CSV with the csv crate",
        ms(baseline)
    );
    let empty = Organisation::new(Default::default())?;
    let (planned, plan) = median(|| plan_staff_import(staff.as_bytes(), &empty, today));
    anyhow::ensure!(plan.errors.is_empty(), "{:?}", &plan.errors[..1]);
    line(
        &format!(
            "plan: check, preview {} joiners, build the directory",
            plan.joiners.len()
        ),
        planned,
        baseline,
    );
    let (server_plan, server_apply, people) = runtime.block_on(staff_through_the_server(&staff))?;
    line(
        "server: POST the file, plan (HTTP, JSON preview)",
        server_plan,
        baseline,
    );
    line(
        &format!("server: POST again, apply ({people} people to SQLite, reload)"),
        server_apply,
        baseline,
    );
    println!(
        "  {:<52} {}  (target: under 2,000 ms)",
        "server: checked and applied, in all",
        ms(server_plan + server_apply)
    );
    Ok(())
}
