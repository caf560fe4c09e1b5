//! The learning loop in a real browser: the CPP Service Manager opens last
//! month's QA report (R-REP-1), sees a chart and its table, downloads the
//! table as CSV and checks it against the screen (R-REP-6), prints the
//! report to an A4 PDF, writes the commentary, makes a 7-minute briefing,
//! edits and shares it (R-REP-3); a practitioner reads it from their home
//! page. An IRO raises a DRP alert with no signal and it is counted in the
//! quarterly DRP figures once the tablet reconnects (R-REP-5). axe-core
//! checks every new screen.

use std::path::{Path, PathBuf};

use qalf_e2e::axe::{assert_none, check, with_axe};
use qalf_e2e::{Browser, ServerProcess, Tablet, User, eventually};
use qalf_shared::schedule::YearMonth;

/// This month, by this machine's clock (as the server's).
fn this_month() -> YearMonth {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default();
    YearMonth::of(
        chrono::DateTime::from_timestamp(secs, 0)
            .unwrap_or_default()
            .date_naive(),
    )
}

/// The cells of a report table's rows, as the screen shows them.
async fn table_rows(user: &User, table: &str) -> anyhow::Result<Vec<Vec<String>>> {
    user.eval(&format!(
        "[...document.querySelectorAll('[data-table=\"{table}\"] tbody tr')]\
         .map(tr => [...tr.children].map(c => c.innerText.trim()))"
    ))
    .await
}

async fn table_columns(user: &User, table: &str) -> anyhow::Result<Vec<String>> {
    user.eval(&format!(
        "[...document.querySelectorAll('[data-table=\"{table}\"] thead th')].map(th => th.innerText.trim())"
    ))
    .await
}

/// Waits for a finished download in `dir`.
async fn downloaded(dir: &Path) -> anyhow::Result<PathBuf> {
    eventually("the CSV to download", || async {
        Ok(std::fs::read_dir(dir)?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .find(|p| p.extension().is_some_and(|e| e == "csv")))
    })
    .await
}

/// The figure as a CSV holds it: percentages without their sign, days
/// without the word, none as empty.
fn as_csv(shown: &str) -> String {
    match shown {
        "–" => String::new(),
        s if s.ends_with('%') => {
            let n = s.trim_end_matches('%');
            if n.contains('.') {
                n.to_string()
            } else {
                format!("{n}.0")
            }
        }
        s if s.ends_with(" days") => s.trim_end_matches(" days").to_string(),
        s => s.to_string(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cpp_reads_the_monthly_report_writes_commentary_and_shares_a_briefing_staff_read()
-> anyhow::Result<()> {
    let server = ServerProcess::start().await?;
    let base = server.url("");
    let browser = Browser::launch().await?;
    let mut violations = Vec::new();
    let mut screens = 0;

    let cpp = browser.new_user("cpp-lead").await?;
    with_axe(&cpp).await?;
    cpp.sign_in_as(&base, "CPP Service Manager").await?;
    cpp.click_named("Reports").await?;
    cpp.wait_for_text(
        "[data-testid=report-list]",
        "Monthly quality assurance report",
    )
    .await?;
    violations.extend(check(&cpp, "/reports").await?);
    screens += 1;

    // Last month's report: a chart and its table.
    let last_month = this_month().previous();
    cpp.click_named_containing_link(&format!(
        "Monthly quality assurance report: {}",
        last_month.label()
    ))
    .await?;
    cpp.wait_for_text("[data-table=grades-by-service-area]", "Service area")
        .await?;
    let bars: usize = cpp
        .eval(
            "document.querySelectorAll('[data-table=\"grades-by-service-area\"] svg rect').length",
        )
        .await?;
    assert!(bars >= 4, "the chart draws bars ({bars})");
    let chart_name: String = cpp
        .eval("(() => { const s = document.querySelector('[data-table=\"grades-by-service-area\"] svg'); \
               return [...s.getAttribute('aria-labelledby').split(' ')].map(id => document.getElementById(id).textContent).join(' '); })()")
        .await?;
    assert!(
        chart_name.contains("Grades by service area"),
        "{chart_name}"
    );
    let shown = table_rows(&cpp, "grades-by-service-area").await?;
    let columns = table_columns(&cpp, "grades-by-service-area").await?;
    assert!(shown.len() >= 3, "{shown:?}");
    cpp.screenshot("shot-report").await?;
    violations.extend(check(&cpp, "/reports/monthly").await?);
    screens += 1;

    // The table as CSV: the same figures.
    let downloads = tempfile::tempdir()?;
    browser.allow_downloads(&cpp, downloads.path()).await?;
    cpp.click_named("Download “Grades by service area” as CSV")
        .await?;
    let file = downloaded(downloads.path()).await?;
    let mut reader = csv::Reader::from_path(&file)?;
    let header: Vec<String> = reader.headers()?.iter().map(String::from).collect();
    assert_eq!(header, columns);
    let rows: Vec<Vec<String>> = reader
        .records()
        .map(|r| r.map(|r| r.iter().map(String::from).collect()))
        .collect::<Result<_, _>>()?;
    let expected: Vec<Vec<String>> = shown
        .iter()
        .map(|r| r.iter().map(|c| as_csv(c)).collect())
        .collect();
    assert_eq!(rows, expected);

    // Print / Save as PDF gives an A4 document.
    let pdf = cpp.print_to_pdf().await?;
    assert!(pdf.starts_with(b"%PDF"), "a PDF");
    assert!(
        pdf.len() > 20_000,
        "with the report in it ({} bytes)",
        pdf.len()
    );
    let text = String::from_utf8_lossy(&pdf);
    let pages: Vec<(f64, f64)> = text
        .split("/MediaBox [0 0 ")
        .skip(1)
        .filter_map(|rest| {
            let mut numbers = rest.split([' ', ']']);
            Some((numbers.next()?.parse().ok()?, numbers.next()?.parse().ok()?))
        })
        .collect();
    assert!(!pages.is_empty(), "pages in the PDF");
    for (width, height) in &pages {
        // A4 is 210 × 297 mm: 595 × 842 points.
        assert!(
            (width - 595.3).abs() < 2.0 && (height - 841.9).abs() < 2.0,
            "an A4 page, not {width} × {height}"
        );
    }

    // The commentary, written as a record.
    cpp.click_named("Write the commentary").await?;
    let label = "What the figures tell us, and what we will do";
    if let Err(e) = cpp.wait_for_field(label).await {
        // Say where it stood: the record's sync status and what the page logged.
        let section = cpp
            .text_of("[aria-labelledby=commentary-heading]")
            .await?
            .unwrap_or_default();
        let status = cpp.sync_status().await.unwrap_or_default();
        return Err(cpp.with_context(e.context(format!(
            "the commentary section showed {section:?}; the connection {status:?}"
        ))));
    }
    cpp.type_in_field(
        label,
        "Chronology keeps coming up: every team to review one case.",
        true,
    )
    .await?;
    cpp.leave_field().await?;
    cpp.wait_for_text(
        "[data-testid=commentary] [data-testid=doc-status]",
        "Synced",
    )
    .await?;

    // A drill-down names the records behind a figure.
    let figure: String = cpp
        .eval("document.querySelector('[data-table=\"grades-overall\"] a.figure-link').getAttribute('href')")
        .await?;
    cpp.open(&format!("{base}{figure}")).await?;
    cpp.wait_for_text("[data-testid=drill-records]", "Case")
        .await?;
    violations.extend(check(&cpp, "/reports/records").await?);
    screens += 1;
    cpp.open(&server.url("/reports/compliance")).await?;
    cpp.wait_for_text("[data-testid=compliance-lines]", "of")
        .await?;
    violations.extend(check(&cpp, "/reports/compliance").await?);
    screens += 1;
    for kind in ["quarterly", "half-yearly", "drp"] {
        cpp.open(&server.url(&format!("/reports/{kind}/{last_month}")))
            .await?;
        cpp.wait_for_text("[data-testid=report]", "Counted from the records")
            .await?;
        violations.extend(check(&cpp, &format!("/reports/{kind}")).await?);
        screens += 1;
    }

    // A 7-minute briefing from the report, edited, then shared.
    cpp.open(&server.url(&format!("/reports/monthly/{last_month}")))
        .await?;
    cpp.click_named("Make a 7-minute briefing").await?;
    cpp.wait_for_field("What to do next").await?;
    let title: String = cpp.eval("document.querySelector('h1').innerText").await?;
    assert!(title.contains("7-minute briefing"), "{title}");
    cpp.type_in_field(
        "What to do next",
        "\n• Bring one case to supervision this month.",
        true,
    )
    .await?;
    cpp.leave_field().await?;
    cpp.wait_for_text("[data-testid=briefing] [data-testid=doc-status]", "Synced")
        .await?;
    violations.extend(check(&cpp, "/briefings (draft)").await?);
    screens += 1;
    cpp.click_named("Share with all staff").await?;
    cpp.wait_for_text("[data-testid=briefing-shared]", "Shared with all staff")
        .await?;

    // Every member of staff reads it from their home page.
    let practitioner = browser.new_user("practitioner").await?;
    with_axe(&practitioner).await?;
    practitioner.as_tablet(Tablet).await?;
    practitioner.sign_in_as(&base, "Practitioner").await?;
    practitioner
        .wait_for_text("[data-testid=briefings]", title.trim())
        .await?;
    violations.extend(check(&practitioner, "/ (with a briefing)").await?);
    screens += 1;
    practitioner
        .click_named_containing_link(title.trim())
        .await?;
    practitioner
        .wait_for_text(
            "[data-testid=briefing]",
            "Bring one case to supervision this month.",
        )
        .await?;
    practitioner.screenshot("shot-briefing").await?;
    violations.extend(check(&practitioner, "/briefings (shared)").await?);
    screens += 1;
    assert_none(screens, &violations);
    Ok(())
}

/// The total of a DRP report table's "Raised" column.
async fn raised(user: &User) -> anyhow::Result<u32> {
    let rows = table_rows(user, "drp-by-category").await?;
    Ok(rows
        .iter()
        .filter_map(|r| r.get(1).and_then(|n| n.parse::<u32>().ok()))
        .sum())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_iro_raises_a_drp_alert_offline_and_it_is_counted_after_reconnecting()
-> anyhow::Result<()> {
    let server = ServerProcess::start().await?;
    let base = server.url("");
    let browser = Browser::launch().await?;
    let this_month = this_month();
    let drp_report = server.url(&format!("/reports/drp/{this_month}"));

    let cpp = browser.new_user("cpp").await?;
    cpp.sign_in_as(&base, "CPP Service Manager").await?;
    cpp.open(&drp_report).await?;
    cpp.wait_for_text("[data-table=drp-by-category]", "Frontline practice")
        .await?;
    let before = raised(&cpp).await?;

    let iro = browser.new_user("iro").await?;
    with_axe(&iro).await?;
    iro.as_tablet(Tablet).await?;
    iro.sign_in_as(&base, "Independent Reviewing Officer")
        .await?;
    iro.click_named("DRP alerts").await?;
    eventually("the cases the IRO chairs", || async {
        let n: usize = iro
            .eval("document.querySelectorAll('#drp-case option').length")
            .await?;
        Ok((n > 1).then_some(()))
    })
    .await?;
    let mut violations = check(&iro, "/drp").await?;
    iro.wait_for_text("[data-testid=sync-status]", "All changes synced")
        .await?;

    // No signal: the alert is raised and written on the tablet.
    iro.set_offline(true).await?;
    iro.wait_for_text("[data-testid=sync-status]", "Offline")
        .await?;
    let case = iro.select_option("drp-case", 1).await?;
    iro.select_option("drp-category", 2).await?;
    iro.click_named("Raise the alert").await?;
    iro.wait_for_text("h1", &format!("DRP alert: case {case}"))
        .await?;
    iro.type_in_field(
        "The concern",
        "The care plan has not been reviewed since the child moved.",
        true,
    )
    .await?;
    iro.leave_field().await?;
    iro.wait_for_text("[data-testid=sync-status]", "Offline")
        .await?;
    violations.extend(check(&iro, "/drp/:id").await?);

    // Back online: it reaches the server and the quarter's figures.
    iro.set_offline(false).await?;
    iro.wait_for_text("[data-testid=sync-status]", "All changes synced")
        .await?;
    eventually("the alert to be counted", || async {
        cpp.open(&drp_report).await?;
        cpp.wait_for_text("[data-table=drp-by-category]", "Frontline practice")
            .await?;
        Ok((raised(&cpp).await? == before + 1).then_some(()))
    })
    .await?;
    assert_none(2, &violations);
    Ok(())
}
