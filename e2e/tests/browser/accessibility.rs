//! WCAG 2.2 AA, checked by axe-core (from npm, run in the page) on every
//! screen people use: signed out, a Team Manager on a tablet through a whole
//! audit, My work and notes, and the CPP's moderation, schedule and access
//! log screens. Any violation fails the test, with the rule, its help text
//! and the elements it found, printed as a table.

use qalf_e2e::axe::{assert_none, check, with_axe};
use qalf_e2e::{Browser, ServerProcess, Tablet, User, eventually};

/// The in-app links whose address starts with `prefix`, once, in page order.
async fn links(user: &User, prefix: &str) -> anyhow::Result<Vec<String>> {
    user.eval(&format!(
        "[...new Set([...document.querySelectorAll('a[href^=\"{prefix}\"]')]\
         .map(a => a.getAttribute('href')))]"
    ))
    .await
}

/// Follows an in-app link as a person would, keeping the page (and axe).
async fn follow(user: &User, href: &str) -> anyhow::Result<()> {
    let clicked: bool = user
        .eval(&format!(
            "(() => {{ const a = document.querySelector('a[href=\"{href}\"]'); \
             if (a) a.click(); return !!a; }})()"
        ))
        .await?;
    anyhow::ensure!(clicked, "no link to {href}");
    eventually(&format!("{href} to open"), || async {
        let at: String = user.eval("location.pathname").await?;
        Ok((at == href).then_some(()))
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_screen_meets_wcag_2_2_aa() -> anyhow::Result<()> {
    let server = ServerProcess::start().await?;
    let base = server.url("");
    let browser = Browser::launch().await?;
    let mut violations = Vec::new();
    let mut screens = 0;

    // Signed out, then a Team Manager on a tablet.
    let manager = browser.new_user("team-manager").await?;
    manager.as_tablet(Tablet).await?;
    with_axe(&manager).await?;
    manager.open(&server.url("/sign-in")).await?;
    violations.extend(check(&manager, "/sign-in").await?);
    screens += 1;
    manager.sign_in_as(&base, "Team Manager").await?;
    manager
        .wait_for_text("[data-testid=my-audits]", "Book the joint meeting")
        .await?;
    violations.extend(check(&manager, "/ (My work)").await?);
    screens += 1;

    // A whole audit: every part its navigation offers.
    let audit = links(&manager, "/audits/")
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| anyhow::anyhow!("no allocated audit on My work"))?;
    follow(&manager, &audit).await?;
    manager
        .wait_for_text("[data-testid=audit-details]", "Head of Service")
        .await?;
    violations.extend(check(&manager, &audit).await?);
    screens += 1;
    for part in links(&manager, &format!("{audit}/")).await? {
        follow(&manager, &part).await?;
        violations.extend(check(&manager, &part).await?);
        screens += 1;
    }
    for path in ["/notes", "/observations"] {
        manager.open(&server.url(path)).await?;
        violations.extend(check(&manager, path).await?);
        screens += 1;
    }
    // My Annual Review, from the observations page.
    let review = links(&manager, "/people/")
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| anyhow::anyhow!("no link to My Annual Review"))?;
    follow(&manager, &review).await?;
    manager.wait_for_text("h1", "My Annual Review").await?;
    violations.extend(check(&manager, &review).await?);
    screens += 1;

    // The CPP's screens, on a desktop.
    let cpp = browser.new_user("cpp").await?;
    with_axe(&cpp).await?;
    cpp.sign_in_as(&base, "CPP Service Manager").await?;
    for path in [
        "/moderation",
        "/schedule",
        "/schedule/import",
        "/schedule/themes",
        "/schedule/on-purpose",
        "/schedule/re-audits",
        "/schedule/compliance",
        "/access-log",
        "/settings",
        "/templates",
        "/templates/observations",
        "/observations",
    ] {
        cpp.open(&server.url(path)).await?;
        violations.extend(check(&cpp, path).await?);
        screens += 1;
    }

    // The administrator's staff directory.
    let admin = browser.new_user("administrator").await?;
    with_axe(&admin).await?;
    admin.sign_in_as(&base, "Administrator").await?;
    for path in ["/staff"] {
        admin.open(&server.url(path)).await?;
        admin.wait_for_text("h1", "Staff directory").await?;
        violations.extend(check(&admin, path).await?);
        screens += 1;
    }

    assert_none(screens, &violations);
    Ok(())
}
