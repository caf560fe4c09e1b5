//! A shared tablet: one person signs out, the next signs in on the same
//! browser profile and cannot see the first one's records, online or off.

use qalf_e2e::{Browser, ServerProcess, Tablet};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_next_person_on_a_shared_tablet_never_sees_the_last_ones_records() -> anyhow::Result<()>
{
    let server = ServerProcess::start().await?;
    let base = server.url("");
    let browser = Browser::launch().await?;
    let tablet = browser.new_user("tablet").await?;
    tablet.as_tablet(Tablet).await?;

    // The first person writes a private note and signs out.
    tablet.sign_in_as(&base, "Team Manager").await?;
    let first: String = tablet
        .eval("JSON.parse(localStorage.getItem('qalf.me')).id")
        .await?;
    tablet.open(&format!("{base}/notes")).await?;
    tablet.fill("Title", "Private supervision thoughts").await?;
    tablet.click_named("Create note").await?;
    tablet.wait_for_field("Note").await?;
    tablet.type_in_field("Note", "Only for me.", true).await?;
    tablet.leave_field().await?;
    tablet
        .wait_for_text("[data-testid=doc-status]", "Synced")
        .await?;
    let note_url: String = tablet.eval("location.href").await?;
    tablet.click_named("Sign out").await?;
    tablet.wait_for_text("h1", "Sign in to QALF").await?;

    // Nothing of theirs is left in this browser's storage.
    let databases: Vec<String> = tablet
        .eval("indexedDB.databases().then(dbs => dbs.map(d => d.name))")
        .await?;
    assert!(
        !databases.iter().any(|d| d.contains(&first)),
        "the first person's database is gone: {databases:?}"
    );
    let forgotten: bool = tablet
        .eval("localStorage.getItem('qalf.me') === null")
        .await?;
    assert!(forgotten, "the app no longer remembers who was signed in");

    // The next person signs in: the note is neither listed nor openable.
    tablet.sign_in_as(&base, "Practitioner").await?;
    tablet.open(&format!("{base}/notes")).await?;
    tablet.wait_for_text("h1", "Notes").await?;
    tablet
        .wait_for_text("main", "There are no notes on this device yet.")
        .await?;
    tablet.open(&note_url).await?;
    tablet.wait_for_text("main", "not available to you").await?;

    // Offline, after a reload, still nothing.
    tablet.set_offline(true).await?;
    tablet.page.reload().await?;
    let shown = qalf_e2e::eventually("the note page to answer offline", || async {
        let main = tablet.text_of("main").await?.unwrap_or_default();
        Ok(
            (main.contains("not on this device") || main.contains("not available to you"))
                .then_some(main),
        )
    })
    .await?;
    assert!(!shown.contains("Only for me."), "{shown}");
    let stored: Vec<String> = tablet
        .eval(
            "new Promise(done => { \
               const me = JSON.parse(localStorage.getItem('qalf.me')).id; \
               const open = indexedDB.open('qalf-' + me); \
               open.onsuccess = () => { \
                 const keys = open.result.transaction('documents').objectStore('documents').getAllKeys(); \
                 keys.onsuccess = () => done(keys.result.map(k => JSON.stringify(k))); }; })",
        )
        .await?;
    // Their own records (audits of their work) may be there; the note not.
    let note_id = note_url.rsplit('/').next().unwrap_or_default();
    assert!(
        !stored.iter().any(|key| key.contains(note_id)),
        "nothing of the first person's note is stored for the second: {stored:?}"
    );
    tablet.open(&format!("{base}/notes")).await?;
    tablet
        .wait_for_text("main", "There are no notes on this device yet.")
        .await?;
    let page = tablet.text_of("body").await?.unwrap_or_default();
    assert!(!page.contains("Private supervision thoughts"));
    assert!(!page.contains("Only for me."));
    tablet.set_offline(false).await?;

    // The CPP can see in the access log who made and who was refused it.
    tablet.click_named("Sign out").await?;
    tablet.wait_for_text("h1", "Sign in to QALF").await?;
    tablet.sign_in_as(&base, "CPP Service Manager").await?;
    tablet.open(&format!("{base}/access-log")).await?;
    let log = tablet
        .wait_for_text("[data-testid=access-log]", "denied")
        .await?;
    assert!(log.contains("create"), "{log}");
    tablet
        .click_named("Check the log has not been altered")
        .await?;
    tablet.wait_for_text("main", "entries are intact").await?;
    Ok(())
}
