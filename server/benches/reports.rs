//! The reports benchmark (`cargo xtask bench reports`): a large council's
//! year (5,000 audits, 2,000 observations, 500 DRP alerts, 20,000 cases)
//! stored as real documents in a real SQLite file; then
//!
//! - the projection rebuilt from those documents alone (`reindex`),
//! - one record's projection updated after a change to its document, p50
//!   and p99 over many records (target p99 < 5 ms),
//! - the monthly and the 6-monthly report computed from the projection
//!   (target < 100 ms each),
//!
//! each beside a baseline measured in the same process: summing the same
//! rows with plain SQL `GROUP BY` queries. Figures are printed, never
//! asserted.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{NaiveDate, TimeZone, Utc};
use qalf_server::clock::ManualClock;
use qalf_server::config::Config;
use qalf_server::demo::history::{Scale, history};
use qalf_server::report::projection;
use qalf_server::{AppState, demo, directory};
use qalf_shared::access::Parties;
use qalf_shared::org::{
    Case, CaseRef, Cohort, Organisation, OrganisationParts, Person, PersonId, Role, ServiceArea,
    Team, TeamId,
};
use qalf_shared::report::ReportKind;
use qalf_shared::schedule::{Period, YearMonth};

const CASES: usize = 20_000;
const AREAS: usize = 10;
const RUNS: usize = 9;
const UPDATES: usize = 400;

fn id<T: std::str::FromStr>(s: String) -> T
where
    T::Err: std::fmt::Debug,
{
    s.parse().expect("a valid id")
}

fn person(
    id_: &str,
    roles: &[Role],
    team: Option<&str>,
    area: Option<&str>,
    manager: Option<&str>,
) -> Person {
    Person {
        id: id(id_.to_string()),
        name: format!("Staff {id_}"),
        job_title: roles.first().map(|r| r.label()).unwrap_or("").to_string(),
        roles: roles.to_vec(),
        team: team.map(|t| id(t.to_string())),
        service_area: area.map(|a| id(a.to_string())),
        line_manager: manager.map(|m| id(m.to_string())),
        started_on: None,
        in_post_since: None,
        email: None,
    }
}

/// A large council: ten service areas, each with a Head of Service, two
/// Service Managers and eight teams of a Team Manager and eight
/// practitioners; two IRO teams; the CPP; 20,000 cases.
fn large_council() -> Organisation {
    use Role::{
        AssistantDirector, ChiefExecutive, CppPractitioner, CppServiceManager, Director,
        HeadOfService, Iro, IroServiceManager, Practitioner, ServiceManager, TeamManager,
    };
    let mut people = vec![
        person("ceo", &[ChiefExecutive], None, None, None),
        person("dcs", &[Director], None, None, Some("ceo")),
        person("ad", &[AssistantDirector], None, None, Some("dcs")),
    ];
    let mut areas = Vec::new();
    let mut teams = Vec::new();
    let mut practice_teams: Vec<(String, Vec<String>)> = Vec::new();
    for a in 0..AREAS {
        let area = format!("area-{a}");
        let hos = format!("hos-{a}");
        people.push(person(
            &hos,
            &[HeadOfService],
            None,
            Some(&area),
            Some("ad"),
        ));
        areas.push(ServiceArea {
            id: id(area.clone()),
            name: format!("Service area {a}"),
            head: Some(id(hos.clone())),
        });
        for s in 0..2 {
            let sm = format!("sm-{a}-{s}");
            people.push(person(
                &sm,
                &[ServiceManager],
                None,
                Some(&area),
                Some(&hos),
            ));
            for t in 0..4 {
                let team = format!("team-{a}-{s}-{t}");
                let tm = format!("tm-{a}-{s}-{t}");
                teams.push(Team {
                    id: id(team.clone()),
                    name: format!("Team {a}.{s}.{t}"),
                    service_area: id(area.clone()),
                    manager: Some(id(tm.clone())),
                });
                people.push(person(
                    &tm,
                    &[TeamManager],
                    Some(&team),
                    Some(&area),
                    Some(&sm),
                ));
                let mut members = Vec::new();
                for w in 0..8 {
                    let sw = format!("sw-{a}-{s}-{t}-{w}");
                    people.push(person(
                        &sw,
                        &[Practitioner],
                        Some(&team),
                        Some(&area),
                        Some(&tm),
                    ));
                    members.push(sw);
                }
                practice_teams.push((team, members));
            }
        }
    }
    let sr = "area-0";
    let mut iros = Vec::new();
    for t in 0..2 {
        let team = format!("iro-team-{t}");
        let manager = format!("iro-sm-{t}");
        teams.push(Team {
            id: id(team.clone()),
            name: format!("IRO team {t}"),
            service_area: id(sr.to_string()),
            manager: Some(id(manager.clone())),
        });
        people.push(person(
            &manager,
            &[IroServiceManager],
            Some(&team),
            Some(sr),
            Some("hos-0"),
        ));
        for i in 0..10 {
            let iro = format!("iro-{t}-{i}");
            people.push(person(&iro, &[Iro], Some(&team), Some(sr), Some(&manager)));
            iros.push(iro);
        }
    }
    teams.push(Team {
        id: id("cpp".to_string()),
        name: "Centre for Professional Practice".into(),
        service_area: id(sr.to_string()),
        manager: Some(id("cpp-sm".to_string())),
    });
    people.push(person(
        "cpp-sm",
        &[CppServiceManager],
        Some("cpp"),
        Some(sr),
        Some("hos-0"),
    ));
    for c in 0..6 {
        people.push(person(
            &format!("cpp-{c}"),
            &[CppPractitioner],
            Some("cpp"),
            Some(sr),
            Some("cpp-sm"),
        ));
    }
    let cases = (0..CASES)
        .map(|n| {
            let (team, members) = &practice_teams[n % practice_teams.len()];
            let cohort = Cohort::ALL[n % Cohort::ALL.len()];
            let chaired = matches!(cohort, Cohort::ChildProtection | Cohort::ChildInCare);
            Case {
                reference: id::<CaseRef>(format!("BIG-{n:06}")),
                cohort,
                team: id::<TeamId>(team.clone()),
                practitioner: id::<PersonId>(members[n % members.len()].clone()),
                chaired_by: chaired.then(|| id(iros[n % iros.len()].clone())),
                initials: None,
                age_band: None,
            }
        })
        .collect();
    Organisation::new(OrganisationParts {
        service_areas: areas,
        teams,
        people,
        cases,
    })
    .expect("the large council is consistent")
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn percentile(times: &mut [Duration], p: f64) -> Duration {
    times.sort();
    let i = ((times.len() as f64 - 1.0) * p).round() as usize;
    times[i]
}

const DRP_SQL: &str = "SELECT category, stage, COUNT(*) FROM report_drp_alerts
         WHERE raised_on BETWEEN ?1 AND ?2 GROUP BY 1, 2";

/// The baseline: the same rows summed with plain SQL, as a BI tool would
/// (only the DRP alerts' for the DRP report).
fn plain_sql(
    conn: &rusqlite::Connection,
    from: NaiveDate,
    to: NaiveDate,
    drp_only: bool,
) -> rusqlite::Result<usize> {
    let (from, to) = (from.to_string(), to.to_string());
    let mut rows = 0;
    let all = [
        "SELECT auditor_role, COUNT(*), SUM(completed_on IS NOT NULL) FROM report_audits
         WHERE allocated_on BETWEEN ?1 AND ?2 GROUP BY 1",
        "SELECT service_area, COALESCE(moderated_grade, grade), COUNT(*) FROM report_audits
         WHERE completed_on BETWEEN ?1 AND ?2 GROUP BY 1, 2",
        "SELECT cohort, COALESCE(moderated_grade, grade), COUNT(*) FROM report_audits
         WHERE completed_on BETWEEN ?1 AND ?2 GROUP BY 1, 2",
        "SELECT s.section, s.grade, COUNT(*) FROM report_section_grades s
         JOIN report_audits a ON a.record = s.record
         WHERE a.completed_on BETWEEN ?1 AND ?2 GROUP BY 1, 2",
        "SELECT moderated_by, SUM(agreed), COUNT(*) FROM report_moderations
         WHERE completed_on BETWEEN ?1 AND ?2 GROUP BY 1",
        "SELECT theme, polarity, service_area, COUNT(*) FROM report_findings
         WHERE found_on BETWEEN date(?2, '-12 months') AND ?2 GROUP BY 1, 2, 3",
        "SELECT service_area, COUNT(*) FROM report_audits
         WHERE completed_on IS NOT NULL AND follow_up_done IS NULL AND follow_up_due < ?2 GROUP BY 1",
        DRP_SQL,
    ];
    let queries: &[&str] = if drp_only { &[DRP_SQL] } else { &all };
    for sql in queries {
        let mut stmt = conn.prepare_cached(sql)?;
        let mut q = stmt.query(rusqlite::params![from, to])?;
        while q.next()?.is_some() {
            rows += 1;
        }
    }
    Ok(rows)
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let data = tempfile::tempdir()?;
    let config = Config::for_tests(data.path().to_path_buf());
    let clock = Arc::new(ManualClock::new(
        Utc.with_ymd_and_hms(2026, 12, 4, 9, 0, 0).unwrap(),
    ));
    let state = AppState::open(config, clock).await?;
    let org = large_council();
    let stored = org.clone();
    state
        .db()
        .call(move |conn| directory::replace(conn, &stored))
        .await?;
    state.reload_org().await?;
    let today = NaiveDate::from_ymd_opt(2026, 12, 4).unwrap();

    println!("\nReports benchmark: a large council's year, real documents in a real SQLite file");
    let started = Instant::now();
    let scale = Scale {
        audits_per_auditor: 4,
        observation_rounds: 4,
        drp_alerts_per_month: 42,
    };
    let made = {
        let org = org.clone();
        tokio::task::spawn_blocking(move || history(&org, today, 12, scale, 7)).await?
    };
    let count =
        |f: &dyn Fn(&Parties) -> bool| made.records.iter().filter(|m| f(&m.parties)).count();
    let audits = count(&|p| matches!(p, Parties::Audit { .. }));
    let observations = count(&|p| matches!(p, Parties::Observation { .. }));
    let drp = count(&|p| matches!(p, Parties::Drp { .. }));
    let moderations = count(&|p| matches!(p, Parties::Moderation { .. }));
    println!(
        "  generated {audits} audits, {moderations} moderations, {observations} observations, {drp} DRP alerts over {} cases in {:.1} s",
        org.cases().count(),
        started.elapsed().as_secs_f64()
    );
    demo::store_history(&state, made, false).await?;

    // The projection, rebuilt from the documents alone.
    let records = state.access().records_where(|_| true);
    let mut rebuilds = Vec::new();
    let mut with_facts = 0;
    for _ in 0..3 {
        let (records, org) = (records.clone(), org.clone());
        let done = state
            .db()
            .call(move |conn| projection::reindex(conn, &records, &org))
            .await?;
        with_facts = done.with_facts;
        rebuilds.push(done.took);
    }
    println!(
        "\n  rebuild of the projection ({} records, {} with facts): {:.0} ms (median of 3), {:.2} ms a record",
        records.len(),
        with_facts,
        ms(median(rebuilds.clone())),
        ms(median(rebuilds)) / records.len() as f64
    );

    // One record's update after its document changes.
    let audit_ids: Vec<_> = records
        .iter()
        .filter(|m| matches!(m.parties, Parties::Audit { .. }))
        .take(UPDATES)
        .map(|m| m.id.clone())
        .collect();
    for id in &audit_ids {
        state
            .relay()
            .with_document(id, |doc| {
                use automerge::transaction::Transactable;
                let mut tx = doc.transaction();
                let _ = tx.put(automerge::ROOT, "closed_at", 1_796_000_000i64);
                tx.commit();
            })
            .await?;
    }
    state.projector().settled().await;
    let mut updates = Vec::with_capacity(audit_ids.len());
    for id in &audit_ids {
        let started = Instant::now();
        projection::project(&state, id).await?;
        updates.push(started.elapsed());
    }
    let p50 = percentile(&mut updates, 0.5);
    let p99 = percentile(&mut updates, 0.99);
    println!(
        "  projection update after a change, {} audits: p50 {:.2} ms, p99 {:.2} ms (target p99 < 5 ms)",
        updates.len(),
        ms(p50),
        ms(p99)
    );

    // Reports against plain SQL over the same rows.
    let month = YearMonth::of(today).previous();
    println!(
        "\n  {:<44} {:>10} {:>12} {:>8}",
        "report", "ms", "baseline ms", "ratio"
    );
    for (label, kind) in [
        ("monthly report (last month)", ReportKind::Monthly),
        ("quarterly report", ReportKind::Quarterly),
        ("6-monthly report", ReportKind::HalfYearly),
        ("quarterly DRP report", ReportKind::Drp),
    ] {
        let period: Period = kind.period(month, 4);
        let mut times = Vec::new();
        let mut tables = 0;
        for _ in 0..RUNS {
            let started = Instant::now();
            let report = qalf_server::report::compute_report(&state, kind, period)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            times.push(started.elapsed());
            tables = report.tables().count();
        }
        let (from, to) = (period.first_day(), period.last_day());
        let mut baseline = Vec::new();
        for _ in 0..RUNS {
            let started = Instant::now();
            state
                .db()
                .call(move |conn| Ok(plain_sql(conn, from, to, kind == ReportKind::Drp)?))
                .await?;
            baseline.push(started.elapsed());
        }
        let (t, b) = (median(times), median(baseline));
        println!(
            "  {:<44} {:>10.1} {:>12.2} {:>7.1}x   ({tables} tables)",
            label,
            ms(t),
            ms(b),
            t.as_secs_f64() / b.as_secs_f64()
        );
    }
    println!("  (target: each report < 100 ms)");
    Ok(())
}
