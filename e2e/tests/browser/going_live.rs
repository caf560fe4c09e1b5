//! A council's real instance, from `qalf-server init` to its administrator
//! signed in (R-LIVE-1).

use qalf_e2e::{Browser, ServerProcess};

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
    let address: String = admin.eval("location.href").await?;
    assert!(
        !address.contains('#'),
        "the spent token stays in the address bar: {address}"
    );

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
