//! The month's work end to end: the CPP imports a cohort file (its bad row
//! reported by line, then the valid rows imported on request), schedules
//! the month's theme, runs the allocation (a change by hand refused inline
//! by the rules) and confirms it; a Team Manager it names finds the new
//! audit on "My work" with a suggested audit day. All data is synthetic.

use qalf_e2e::pages::demo_username;
use qalf_e2e::{Browser, ServerProcess, User, eventually};
use qalf_shared::schedule::YearMonth;
use serde::Deserialize;

/// A practitioner and the team they work in, from the staff directory.
#[derive(Debug, Deserialize)]
struct Member {
    id: String,
    team: Option<String>,
    roles: Vec<String>,
}

#[derive(Debug, Deserialize)]
struct Directory {
    org: Parts,
}

#[derive(Debug, Deserialize)]
struct Parts {
    people: Vec<Member>,
}

/// A proposed allocation as the preview table shows it.
#[derive(Debug, Deserialize)]
struct Row {
    case: String,
    auditor: String,
    auditor_id: String,
}

/// The proposed allocations given to Team Managers.
async fn team_manager_rows(user: &User) -> anyhow::Result<Vec<Row>> {
    eventually("Team Managers in the preview", || async {
        let rows: Vec<Row> = user
            .eval(
                "[...document.querySelectorAll('[data-testid=allocation-preview] [data-role=team-manager]')]\
                 .map(row => ({ case: row.dataset.case, auditor: row.dataset.auditor, \
                               auditor_id: row.querySelector('select').value }))",
            )
            .await?;
        Ok((rows.len() >= 2).then_some(rows))
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_cpp_imports_schedules_and_allocates_and_a_team_manager_sees_the_audit()
-> anyhow::Result<()> {
    // The council's mail server (STARTTLS), for the allocation e-mails.
    let certs = tempfile::tempdir()?;
    let (cert, key) = qalf_testing::certificate(certs.path());
    let mail_port = qalf_testing::free_port();
    let mail = qalf_testing::MailServer::start(mail_port, &cert, &key).await;
    let server = ServerProcess::start_with(&[
        "--smtp-url",
        &format!("smtp://127.0.0.1:{mail_port}"),
        "--smtp-ca-file",
        &cert.display().to_string(),
    ])
    .await?;
    let base = server.url("");
    let browser = Browser::launch().await?;
    let cpp = browser.new_user("cpp").await?;
    cpp.sign_in_as(&base, "CPP Service Manager").await?;

    // A small synthetic cohort file: two right rows and, on line 3, a cohort
    // that does not exist.
    let directory: Directory = cpp
        .eval("fetch('/api/directory').then(r => r.json())")
        .await?;
    let (team, practitioner) = directory
        .org
        .people
        .iter()
        .find(|p| p.roles.iter().any(|r| r == "practitioner"))
        .and_then(|p| Some((p.team.clone()?, p.id.clone())))
        .ok_or_else(|| anyhow::anyhow!("no practitioner in the directory"))?;
    let folder = tempfile::tempdir()?;
    let file = folder.path().join("cohort.csv");
    std::fs::write(
        &file,
        format!(
            "case_reference,cohort,team,practitioner,initials,age_band\n\
             E2E-0001,CWD,{team},{practitioner},AB,10-15\n\
             E2E-0002,XYZ,{team},{practitioner},CD,5-9\n\
             E2E-0003,CWD,{team},{practitioner},EF,16-17\n"
        ),
    )?;

    cpp.click_named_containing_link("Schedule").await?;
    cpp.click_named_containing_link("Import cases").await?;
    cpp.choose_file("#cohort-file", &file).await?;
    let errors = cpp
        .wait_for_text("[data-testid=import-errors]", "unknown cohort `XYZ`")
        .await?;
    assert!(errors.contains("1 row of the file has errors"), "{errors}");
    let line: String = cpp
        .eval("document.querySelector('[data-testid=import-errors] tbody tr td').innerText")
        .await?;
    assert_eq!(line, "3", "the bad row is reported with its line");
    cpp.wait_for_text("[data-testid=import-plan]", "2 new")
        .await?;
    cpp.click_named("Import the 2 valid rows").await?;
    cpp.wait_for_text("[data-testid=import-done]", "2 new cases")
        .await?;

    // This month's theme, drawn from Children with Disabilities cases.
    let this_month: String = cpp.eval("new Date().toISOString().slice(0, 7)").await?;
    let month = this_month.parse::<YearMonth>()?.label();
    cpp.click_named_containing_link("Themes").await?;
    // The demo schedules themes six months ahead, from the last 6-monthly
    // report: this month's is replaced by hand.
    let field = format!("Theme for {month}");
    cpp.wait_for_field(&field).await?;
    let missing: String = cpp
        .eval("(() => { const e = document.querySelector('[data-testid=missing-themes]'); return e ? e.innerText : ''; })()")
        .await?;
    assert!(!missing.contains(&month), "{missing}");
    let cleared: bool = cpp
        .eval(&format!(
            "(() => {{ const i = document.getElementById('theme-{this_month}'); i.value = ''; \
             i.dispatchEvent(new Event('input', {{ bubbles: true }})); return true; }})()"
        ))
        .await?;
    assert!(cleared);
    cpp.fill(&field, "Communication and the child's voice")
        .await?;
    cpp.tick("Children with Disabilities (CWD)").await?;
    cpp.screenshot("shot-themes-before").await?;
    cpp.click_named(&format!("Save {month}")).await?;
    cpp.wait_for_text(
        &format!("[data-month='{this_month}'] [role=status]"),
        "Saved",
    )
    .await?;

    // The allocation: seeded, previewed with reasons, checked by hand.
    cpp.click_named_containing_link("Allocation").await?;
    cpp.wait_for_text(
        "[data-testid=month-theme]",
        "Communication and the child's voice",
    )
    .await?;
    cpp.fill("Seed", "20261126").await?;
    cpp.click_named("Run the allocation").await?;
    cpp.wait_for_text("[data-testid=selection-explanation]", "seed 20261126")
        .await?;
    let rows = team_manager_rows(&cpp).await?;
    let preview = cpp
        .text_of("[data-testid=allocation-preview]")
        .await?
        .unwrap_or_default();
    assert!(
        preview.contains("Team Manager quota 1 a month"),
        "{preview}"
    );
    assert!(preview.contains("CWD"), "{preview}");

    // A second case for a Team Manager who already has one: refused
    // inline, with the rule, and the choice goes back.
    cpp.screenshot("shot-preview").await?;
    let (first, second) = (&rows[0], &rows[1]);
    let changed: bool = cpp
        .eval(&format!(
            "(() => {{ const s = document.getElementById('auditor-{}'); s.value = '{}'; \
             s.dispatchEvent(new Event('change', {{ bubbles: true }})); return true; }})()",
            second.case, first.auditor_id
        ))
        .await?;
    assert!(changed);
    let refused = cpp
        .wait_for_text(
            &format!("[data-case='{}'] [role=alert]", second.case),
            "Refused",
        )
        .await?;
    // Explained in words, never by the rule's id.
    assert!(
        refused.len() > "Refused: ".len() + 20 && !refused.contains("R-ALLOC-"),
        "{refused}"
    );
    eventually("the choice to go back", || async {
        let value: String = cpp
            .eval(&format!(
                "document.getElementById('auditor-{}').value",
                second.case
            ))
            .await?;
        Ok((value == second.auditor_id).then_some(()))
    })
    .await?;

    // E-mails the demo's own allocations sent at start, and then ours:
    // each audit tells its auditor, practitioner and Team Manager.
    const ALLOCATED: &str = "Subject: QALF: an audit has been allocated that involves you";
    let before = mail.about(ALLOCATED).len();
    cpp.click_named_containing("Confirm and make").await?;
    let confirmed = cpp
        .wait_for_text("[data-testid=confirmed]", "is allocated")
        .await?;
    assert!(confirmed.contains("Verified"), "{confirmed}");
    let sent = mail.wait_for_about(before + rows.len(), ALLOCATED).await;
    for message in &sent {
        assert!(
            !message.contains(&first.case) && !message.contains("E2E-"),
            "an e-mail names a case: {message}"
        );
    }
    cpp.wait_for_text("[data-testid=confirmed-audits]", &first.case)
        .await?;
    cpp.screenshot("shot-confirmed").await?;
    cpp.click_named_containing_link("Re-audits").await?;
    cpp.wait_for_text("main", "This quarter").await?;
    cpp.screenshot("shot-reaudits").await?;
    cpp.click_named_containing_link("Compliance").await?;
    cpp.wait_for_text("[data-testid=compliance]", "Met").await?;
    let _: bool = cpp
        .eval("(document.querySelector('[data-testid=compliance] .button--link').click(), true)")
        .await?;
    cpp.wait_for_text("[data-testid=compliance-drill-down]", "Audits this month")
        .await?;
    cpp.screenshot("shot-compliance").await?;

    // The Team Manager finds the audit on "My work", with the suggested day.
    let tm = browser.new_user("team-manager").await?;
    tm.sign_in(&base, &demo_username(&first.auditor)).await?;
    let mine = tm
        .wait_for_text("[data-testid=my-audits]", &format!("Case {}", first.case))
        .await?;
    assert!(mine.contains("suggested audit day"), "{mine}");
    tm.screenshot("shot-mywork").await?;
    Ok(())
}
