//! Two people write in one note from two browsers: live, offline, through a
//! reload with no network, and across a server crash. Nothing typed is lost.

use qalf_e2e::pages::demo_username;
use qalf_e2e::{Browser, ServerProcess, Tablet, User, eventually};

/// Every character `typed` is in `text`, in the order it was typed.
fn keeps_in_order(text: &str, typed: &str) -> bool {
    let mut rest = text.chars();
    typed.chars().all(|c| rest.any(|t| t == c))
}

/// Waits until both people see the same note text and it holds everything
/// each of them typed.
async fn converged(a: &User, b: &User, typed: &[&str]) -> anyhow::Result<String> {
    eventually("both browsers to show the same, complete note", || async {
        let (ta, tb) = (a.field_text("Note").await?, b.field_text("Note").await?);
        let complete = typed.iter().all(|t| keeps_in_order(&ta, t));
        let expected_len: usize = typed.iter().map(|t| t.chars().count()).sum();
        Ok((ta == tb && complete && ta.chars().count() == expected_len).then_some(ta))
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_people_edit_one_note_live_offline_and_across_a_server_crash() -> anyhow::Result<()> {
    let mut server = ServerProcess::start().await?;
    let base = server.url("");
    let browser = Browser::launch().await?;
    let a = browser.new_user("manager").await?;
    a.as_tablet(Tablet).await?;
    let b = browser.new_user("worker").await?;

    a.sign_in_as(&base, "Team Manager").await?;
    let (note, colleague) = a.start_shared_note(&base, "Visit to the family").await?;
    b.sign_in(&base, &demo_username(&colleague)).await?;
    b.open(&note).await?;
    b.wait_for_field("Note").await?;
    a.wait_for_text("[data-testid=presence]", &colleague)
        .await?;

    // 1. Both type into the same field at the same time.
    let from_a = "Strengths: warm, child-led play. ";
    let from_b = "Worry: the home was cold.";
    let (ra, rb) = tokio::join!(
        a.type_in_field("Note", from_a, false),
        b.type_in_field("Note", from_b, true)
    );
    ra?;
    rb?;
    a.leave_field().await?;
    b.leave_field().await?;
    converged(&a, &b, &[from_a, from_b]).await?;
    a.wait_for_text("[data-testid=doc-status]", "Synced")
        .await?;

    // 2. The manager loses the network, keeps writing, and the page reloads
    // while offline and with the server gone: the app still opens, from
    // the service worker, with the offline edits.
    a.set_offline(true).await?;
    a.wait_for_text("[data-testid=sync-status]", "Offline")
        .await?;
    let offline_a = " Seen alone in her room.";
    a.type_in_field("Note", offline_a, true).await?;
    a.leave_field().await?;
    a.wait_for_text("[data-testid=sync-status]", "waiting")
        .await?;
    let meanwhile_b = " Plan: review in a week.";
    b.type_in_field("Note", meanwhile_b, false).await?;
    b.leave_field().await?;
    b.wait_for_text("[data-testid=doc-status]", "Synced")
        .await?;

    server.kill()?;
    a.page.reload().await?;
    a.wait_for_field("Note").await?;
    // The page reads the note from the device's store as it opens: wait for
    // it there (an edit that was lost never shows, and the wait fails).
    eventually("the offline edit after the reload", || async {
        let after_reload = a.field_text("Note").await?;
        Ok(keeps_in_order(&after_reload, offline_a).then_some(()))
    })
    .await?;
    // The header still counts the waiting changes.
    a.wait_for_text("[data-testid=sync-status]", "waiting")
        .await?;

    // 3. Back online (and the server back): everything converges.
    server.restart().await?;
    a.set_offline(false).await?;
    let all = [from_a, from_b, offline_a, meanwhile_b];
    converged(&a, &b, &all).await?;
    a.wait_for_text("[data-testid=sync-status]", "All changes synced")
        .await?;

    // 4. The server crashes while both are online and typing; both reconnect
    // when it is back and nothing is lost.
    server.kill()?;
    let crash_a = " Next visit Tuesday.";
    let crash_b = " School contacted.";
    a.type_in_field("Note", crash_a, true).await?;
    b.type_in_field("Note", crash_b, false).await?;
    a.leave_field().await?;
    b.leave_field().await?;
    server.restart().await?;
    let all = [from_a, from_b, offline_a, meanwhile_b, crash_a, crash_b];
    let text = converged(&a, &b, &all).await?;
    assert!(text.contains("Next visit Tuesday."));
    b.wait_for_text("[data-testid=sync-status]", "All changes synced")
        .await?;
    Ok(())
}
