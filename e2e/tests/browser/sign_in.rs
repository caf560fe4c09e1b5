//! Signing in as a demo persona and seeing yourself on the home page.

use qalf_e2e::{Browser, ServerProcess, Tablet};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_team_manager_signs_in_on_a_tablet_and_sees_their_roles() -> anyhow::Result<()> {
    let server = ServerProcess::start().await?;
    let browser = Browser::launch().await?;
    let user = browser.new_user("team-manager").await?;
    user.as_tablet(Tablet).await?;
    user.open(&server.url("/")).await?;

    // Not signed in: the app sends us to the sign-in page.
    user.wait_for_text("h1", "Sign in to QALF").await?;
    user.click_named_containing("Team Manager").await?;

    user.wait_for_text("h1", "Welcome,").await?;
    let roles = user
        .wait_for_text("[data-testid=roles]", "Team Manager")
        .await?;
    assert!(roles.contains("Team Manager"), "roles shown: {roles}");
    // The home page shows the line manager.
    user.wait_for_text("main", "Line manager").await?;

    // A reload keeps the session (HttpOnly cookie) and shows the same person.
    user.page.reload().await?;
    user.wait_for_text("[data-testid=roles]", "Team Manager")
        .await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_in_with_a_wrong_password_explains_the_problem() -> anyhow::Result<()> {
    let server = ServerProcess::start().await?;
    let browser = Browser::launch().await?;
    let user = browser.new_user("stranger").await?;
    user.open(&server.url("/sign-in")).await?;
    user.fill("Username", "nobody.here").await?;
    user.fill("Password", "guess").await?;
    user.click_named("Sign in").await?;
    let alert = user
        .wait_for_text("[role=alert]", "There is a problem")
        .await?;
    assert!(
        alert.contains("the username or password is wrong"),
        "{alert}"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signing_out_returns_to_the_sign_in_page_and_stays_signed_out() -> anyhow::Result<()> {
    let server = ServerProcess::start().await?;
    let browser = Browser::launch().await?;
    let user = browser.new_user("practitioner").await?;
    user.open(&server.url("/")).await?;
    user.click_named_containing("Practitioner").await?;
    user.wait_for_text("h1", "Welcome,").await?;
    user.click_named("Sign out").await?;
    user.wait_for_text("h1", "Sign in to QALF").await?;
    user.open(&server.url("/")).await?;
    user.wait_for_text("h1", "Sign in to QALF").await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r_sec_10_every_page_of_a_demo_says_it_is_a_demo() -> anyhow::Result<()> {
    let server = ServerProcess::start().await?;
    let browser = Browser::launch().await?;
    let user = browser.new_user("visitor").await?;
    user.open(&server.url("/sign-in")).await?;
    user.wait_for_text("[data-testid=demo-banner]", "Demonstration")
        .await?;
    user.click_named_containing("Team Manager").await?;
    user.wait_for_text("h1", "Welcome,").await?;
    for path in ["/", "/notes", "/reports"] {
        user.open(&server.url(path)).await?;
        let banner = user
            .wait_for_text("[data-testid=demo-banner]", "Never type real information")
            .await?;
        assert!(banner.contains("invented"), "{path}: {banner}");
    }
    Ok(())
}
