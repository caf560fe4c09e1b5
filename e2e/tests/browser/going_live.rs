//! A council's real instance, from `qalf-server init` to its administrator
//! signed in (R-LIVE-1).

use qalf_e2e::{Browser, ServerProcess, eventually};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r_live_1_the_first_administrator_sets_their_password_through_the_link_once()
-> anyhow::Result<()> {
    let (server, link) = ServerProcess::start_real().await?;
    let browser = Browser::launch().await?;
    let admin = browser.new_user("administrator").await?;

    // No demo personas, no banner: a real instance with nobody in it yet.
    admin.open(&server.url("/sign-in")).await?;
    admin.wait_for_text("h1", "Sign in to QALF").await?;
    assert_eq!(admin.count("[data-testid=demo-banner]").await?, 0);
    assert_eq!(admin.count(".persona").await?, 0);

    admin.open(&link).await?;
    admin.wait_for_text("h1", "Choose your password").await?;
    admin.fill("New password", "short").await?;
    admin.fill("The same password again", "short").await?;
    admin.click_named("Set my password and sign in").await?;
    admin
        .wait_for_text("[role=alert]", "at least 12 characters")
        .await?;
    // Back to it afresh (the same address again would not reload).
    admin.open(&server.url("/sign-in")).await?;
    admin.open(&link).await?;
    admin.wait_for_text("h1", "Choose your password").await?;
    let chosen = "lantern harbour violet";
    admin.fill("New password", chosen).await?;
    admin.fill("The same password again", chosen).await?;
    admin.click_named("Set my password and sign in").await?;
    admin.wait_for_text("h1", "Welcome,").await?;
    admin
        .wait_for_text("[data-testid=roles]", "Administrator")
        .await?;
    // The spent token leaves the address bar once the page has used it.
    eventually("the token gone from the address bar", || async {
        let address: String = admin.eval("location.href").await?;
        Ok((!address.contains('#')).then_some(()))
    })
    .await?;

    // The link works once; the password chosen signs them in.
    let other = browser.new_user("someone with the old link").await?;
    other.open(&link).await?;
    other.wait_for_text("h1", "Choose your password").await?;
    other
        .fill("New password", "another long passphrase")
        .await?;
    other
        .fill("The same password again", "another long passphrase")
        .await?;
    other.click_named("Set my password and sign in").await?;
    other
        .wait_for_text("[role=alert]", "used or has expired")
        .await?;
    other.open(&server.url("/sign-in")).await?;
    other.fill("Username", "admin").await?;
    other.fill("Password", chosen).await?;
    other.click_named("Sign in").await?;
    other.wait_for_text("h1", "Welcome,").await?;
    Ok(())
}

/// The administrator's first password, through the link.
async fn set_up(admin: &qalf_e2e::User, link: &str, password: &str) -> anyhow::Result<()> {
    admin.open(link).await?;
    admin.wait_for_text("h1", "Choose your password").await?;
    admin.fill("New password", password).await?;
    admin.fill("The same password again", password).await?;
    admin.click_named("Set my password and sign in").await?;
    admin.wait_for_text("h1", "Welcome,").await?;
    Ok(())
}

const STAFF_HEADER: &str =
    "staff_id,name,work_email,job_title,roles,team,service_area,line_manager,start_date,end_date\n";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r_live_2_and_3_the_administrator_imports_the_staff_file_and_changes_the_moderation_rate()
-> anyhow::Result<()> {
    let (_server, link) = ServerProcess::start_real().await?;
    let browser = Browser::launch().await?;
    let admin = browser.new_user("administrator").await?;
    set_up(&admin, &link, "lantern harbour violet").await?;

    // The HR export, with two bad rows.
    let folder = tempfile::tempdir()?;
    let bad = folder.path().join("staff-with-errors.csv");
    std::fs::write(
        &bad,
        format!(
            "{STAFF_HEADER}\
             E0900,Jordan Hale,jordan.hale@council.example,Head of Service,head-of-service,,Assessment,,2015-09-01,\n\
             E1001,Sam Okafor,sam.okafor-at-council,Team Manager,team-manager,Assessment 1,Assessment,E0900,2019-04-01,\n\
             E1002,Priya Shah,priya.shah@council.example,Social Worker,social worker,Assessment 1,,E1001,01/09/2023,\n\
             E2000,Chris Lane,chris.lane@council.example,CPP Service Manager,cpp-service-manager,,Quality Assurance,,2018-01-01,\n"
        ),
    )?;
    admin.click_named("Staff").await?;
    admin.wait_for_text("h1", "Staff directory").await?;
    admin.choose_file("#staff-file", &bad).await?;
    let errors = admin
        .wait_for_text(
            "[data-testid=import-errors]",
            "2 rows of the file have errors",
        )
        .await?;
    assert!(errors.contains("work_email"), "{errors}");
    assert!(errors.contains("unknown role `social worker`"), "{errors}");
    assert_eq!(admin.count("[data-testid=staff-apply]").await?, 0);

    // Fixed, previewed, applied.
    let good = folder.path().join("staff.csv");
    let fixed = std::fs::read_to_string(&bad)?
        .replace("sam.okafor-at-council", "sam.okafor@council.example")
        .replace("social worker", "practitioner");
    std::fs::write(&good, fixed)?;
    admin.choose_file("#staff-file", &good).await?;
    let preview = admin
        .wait_for_text("[data-testid=staff-plan]", "Joining (4)")
        .await?;
    assert!(
        preview.contains("Sam Okafor (Team Manager, Assessment 1)"),
        "{preview}"
    );
    assert!(preview.contains("New teams: Assessment 1"), "{preview}");
    admin.click_named("Apply the staff directory").await?;
    admin
        .wait_for_text("[data-testid=staff-applied]", "4 joiners")
        .await?;

    // A local account for Sam, through a link the administrator passes on.
    let accounts = admin
        .wait_for_text("[data-testid=accounts]", "Sam Okafor")
        .await?;
    assert!(accounts.contains("No password"), "{accounts}");
    let clicked: bool = admin
        .eval(
            "(() => { const b = document.querySelector('button[aria-label=\"Make a link for Sam Okafor to set up their account\"]'); \
             if (!b) return false; b.click(); return true; })()",
        )
        .await?;
    assert!(clicked);
    admin
        .wait_for_text("[data-testid=account-link]", "sign in as sam.okafor")
        .await?;
    let sams_link: String = admin
        .eval("document.getElementById('account-link-text').value")
        .await?;
    let sam = browser.new_user("sam").await?;
    set_up(&sam, &sams_link, "sam's own passphrase").await?;
    sam.wait_for_text("[data-testid=roles]", "Team Manager")
        .await?;

    // One person changed by hand, between HR files.
    let chosen: bool = admin
        .eval(
            "(() => { const s = document.getElementById('person-choice'); if (!s) return false; \
             s.value = 'E1002'; s.dispatchEvent(new Event('change', { bubbles: true })); return true; })()",
        )
        .await?;
    assert!(chosen);
    eventually("Priya's details in the form", || async {
        let name: String = admin
            .eval("document.getElementById('person-name').value")
            .await?;
        Ok((name == "Priya Shah").then_some(()))
    })
    .await?;
    admin.replace("Job title", "Senior Social Worker").await?;
    admin.click_named("Save the person").await?;
    admin
        .wait_for_text("[data-testid=edit-person]", "Priya Shah is saved")
        .await?;

    // The moderation rate, changed and logged.
    admin.click_named("Settings").await?;
    admin.wait_for_text("h1", "Settings").await?;
    admin.wait_for_text("form", "Moderation").await?;
    admin
        .replace("Social care audits moderated (%)", "150")
        .await?;
    admin.click_named("Save the settings").await?;
    admin
        .wait_for_text("#settings-problems", "between 0% and 100%")
        .await?;
    admin
        .replace("Social care audits moderated (%)", "25")
        .await?;
    admin.click_named("Save the settings").await?;
    admin
        .wait_for_text("[data-testid=settings-saved]", "apply now")
        .await?;
    let log = admin
        .wait_for_text("[data-testid=change-log]", "20% → 25%")
        .await?;
    assert!(log.contains("Staff directory"), "{log}");
    assert!(
        log.contains("Priya Shah changed by hand: job title"),
        "{log}"
    );
    Ok(())
}
