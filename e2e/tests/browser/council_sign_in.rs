//! Signing in with the council's identity provider (R-LIVE-5), in Chromium
//! against a real OpenID Connect provider the test starts: a person on the
//! staff list reaches their home page; an address QALF does not know, an
//! unverified address, an expired ID token and one meant for another
//! application are each refused with a reason.

use qalf_e2e::{Browser, ServerProcess, User};
use qalf_testing::identity::{CLIENT_ID, CLIENT_SECRET};
use qalf_testing::{IdentityProvider, free_port};

/// Signs in at the provider's own login page as `login` (any password).
async fn at_the_provider(user: &User, base: &str, login: &str) -> anyhow::Result<()> {
    user.open(&format!("{base}/sign-in")).await?;
    user.click_named("Sign in with your council account")
        .await?;
    user.wait_for_text("h1", "Sign-in").await?;
    let filled: bool = user
        .eval(&format!(
            "(() => {{ document.querySelector('input[name=login]').value = {login:?}; \
             document.querySelector('input[name=password]').value = 'anything'; return true; }})()"
        ))
        .await?;
    assert!(filled);
    user.click_named("Sign-in").await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r_live_5_people_sign_in_with_their_council_account_matched_to_the_staff_list()
-> anyhow::Result<()> {
    let provider_port = free_port();
    let issuer = format!("http://127.0.0.1:{provider_port}");
    let server = ServerProcess::start_with(&[
        "--oidc-issuer",
        &issuer,
        "--oidc-client-id",
        CLIENT_ID,
        "--oidc-client-secret",
        CLIENT_SECRET,
    ])
    .await?;
    let base = server.url("");
    let _provider =
        IdentityProvider::start(provider_port, &server.url("/auth/oidc/callback")).await;
    let browser = Browser::launch().await?;

    // The Team Manager's work address, as the staff directory holds it.
    let setup = browser.new_user("finding the address").await?;
    setup.sign_in_as(&base, "Team Manager").await?;
    let address: String = setup
        .eval("fetch('/api/me/email').then(r => r.json()).then(c => c.address)")
        .await?;
    assert!(address.contains('@'), "{address}");

    // Signed in through the provider: their own home page and role.
    let manager = browser.new_user("team manager").await?;
    at_the_provider(&manager, &base, &address).await?;
    manager.wait_for_text("h1", "Welcome,").await?;
    manager
        .wait_for_text("[data-testid=roles]", "Team Manager")
        .await?;

    // Refused, each with its reason, and nobody signed in.
    for (login, reason) in [
        ("stranger", "not on QALF's staff list"),
        (&format!("unverified.{address}") as &str, "not verified"),
        (&format!("late.{address}"), "had expired"),
        (
            &format!("elsewhere.{address}"),
            "meant for another application",
        ),
    ] {
        let someone = browser.new_user(login).await?;
        at_the_provider(&someone, &base, login).await?;
        someone.wait_for_text("[role=alert]", reason).await?;
        someone.wait_for_text("h1", "Sign in to QALF").await?;
        let status: u16 = someone.eval("fetch('/api/me').then(r => r.status)").await?;
        assert_eq!(status, 401, "{login} was let in");
    }
    Ok(())
}
