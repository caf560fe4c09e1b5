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

    // Nothing of theirs is left in this browser's storage (the deleting
    // finishes just after the sign-in page shows).
    qalf_e2e::eventually("the first person's database to go", || async {
        let databases: Vec<String> = tablet
            .eval("indexedDB.databases().then(dbs => dbs.map(d => d.name))")
            .await?;
        Ok((!databases.iter().any(|d| d.contains(&first))).then_some(()))
    })
    .await?;
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
    tablet
        .wait_for_text("[data-testid=access-log]", "read")
        .await?;
    // Every read is logged, so the CPP narrows it down as anyone would.
    for (option, action) in [(4, "denied"), (3, "create")] {
        tablet.select_option("log-action", option).await?;
        tablet.click_named("Search").await?;
        qalf_e2e::eventually(&format!("the log narrowed to {action}"), || async {
            let log = tablet
                .text_of("[data-testid=access-log]")
                .await?
                .unwrap_or_default();
            Ok((log.contains(action) && !log.contains("\tread\t")).then_some(()))
        })
        .await?;
    }
    tablet
        .click_named("Check the log has not been altered")
        .await?;
    tablet.wait_for_text("main", "entries are intact").await?;
    Ok(())
}

/// The security review's shared-tablet findings: what a session keeps on
/// the device is the person's own and goes at sign-out; offline, the app
/// asks the last person to show it is them before opening their records;
/// a record no longer shared with someone leaves their device.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r_sec_6_a_shared_tablet_keeps_nothing_of_a_person_and_asks_who_is_there_offline()
-> anyhow::Result<()> {
    let server = ServerProcess::start().await?;
    let base = server.url("");
    let browser = Browser::launch().await?;
    let tablet = browser.new_user("tablet").await?;
    tablet.as_tablet(Tablet).await?;

    // A Team Manager's session: notifications and the directory are kept
    // for offline use, under their own name.
    tablet.sign_in_as(&base, "Team Manager").await?;
    let manager: String = tablet
        .eval("JSON.parse(localStorage.getItem('qalf.me')).id")
        .await?;
    tablet.offline_check_kept().await?;
    let kept = qalf_e2e::eventually("the directory and notifications kept", || async {
        let keys = tablet.local_storage_keys().await?;
        let theirs = |name: &str| keys.contains(&format!("qalf.{manager}.{name}"));
        Ok((theirs("directory") && theirs("notifications")).then_some(keys))
    })
    .await?;
    assert!(
        !kept
            .iter()
            .any(|k| k == "qalf.notifications" || k == "qalf.directory"),
        "kept for whoever uses the device next: {kept:?}"
    );

    // Signing out leaves nothing of theirs.
    tablet.click_named("Sign out").await?;
    tablet.wait_for_text("h1", "Sign in to QALF").await?;
    // The deleting finishes just after the sign-in page shows.
    qalf_e2e::eventually("nothing of theirs left after sign-out", || async {
        let left = tablet.local_storage_keys().await?;
        Ok((!left.iter().any(|k| k.contains(&manager))).then_some(()))
    })
    .await
    .map_err(|e| tablet.with_context(e))?;

    // The owner of a note shares it with a colleague, who opens it on the
    // tablet.
    let owner = browser.new_user("owner").await?;
    owner.sign_in_as(&base, "Team Manager").await?;
    let (note_url, colleague) = owner.start_shared_note(&base, "Shared for now").await?;
    owner
        .type_in_field("Note", "Until the review.", true)
        .await?;
    owner.leave_field().await?;
    owner
        .wait_for_text("[data-testid=doc-status]", "Synced")
        .await?;
    let note_id = note_url.rsplit('/').next().unwrap_or_default().to_string();
    tablet
        .sign_in(&base, &qalf_e2e::pages::demo_username(&colleague))
        .await?;
    tablet.offline_check_kept().await?;
    tablet.open(&note_url).await?;
    tablet.wait_for_field("Note").await?;
    qalf_e2e::eventually("the shared note on the tablet", || async {
        let text = tablet.field_text("Note").await?;
        Ok(text.contains("Until the review.").then_some(()))
    })
    .await?;
    qalf_e2e::eventually("the shared note stored on the tablet", || async {
        Ok(tablet
            .documents_stored()
            .await?
            .contains(&note_id)
            .then_some(()))
    })
    .await?;

    // Offline in a new tab (the browser closed and opened again): their
    // records wait behind their password.
    let tablet = browser.reopen(tablet).await?;
    tablet.as_tablet(Tablet).await?;
    tablet.set_offline(true).await?;
    tablet.open(&format!("{base}/")).await?;
    tablet.wait_for_text("h1", "Confirm it is you").await?;
    let shown = tablet.text_of("body").await?.unwrap_or_default();
    assert!(!shown.contains("Shared for now"), "{shown}");
    tablet.confirm_identity("not their password").await?;
    tablet
        .wait_for_text("[role=alert]", "That password is not right")
        .await?;
    tablet
        .confirm_identity(qalf_e2e::pages::DEMO_PASSWORD)
        .await?;
    tablet.wait_for_text("h1", "Welcome,").await?;

    // The owner stops sharing; at the tablet's next connection the note
    // leaves it.
    let status: u16 = owner
        .eval(&format!(
            "fetch('/api/records/{note_id}/members', {{ method: 'PUT', \
               headers: {{ 'Content-Type': 'application/json' }}, body: '[]' }}).then(r => r.status)"
        ))
        .await?;
    assert_eq!(status, 204);
    tablet.set_offline(false).await?;
    qalf_e2e::eventually("the note to leave the tablet", || async {
        let stored = tablet.documents_stored().await?;
        Ok((!stored.contains(&note_id)).then_some(()))
    })
    .await?;
    tablet.open(&format!("{base}/notes")).await?;
    tablet.wait_for_text("h1", "Notes").await?;
    let page = tablet.text_of("main").await?.unwrap_or_default();
    assert!(!page.contains("Shared for now"), "{page}");
    Ok(())
}
