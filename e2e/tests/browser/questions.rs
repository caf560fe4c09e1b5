//! The CPP rewords an audit question in the app and saves the next version
//! of the question set (R-LIVE-4).

use qalf_e2e::{Browser, ServerProcess};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r_live_4_the_cpp_rewords_a_question_and_saves_the_next_version() -> anyhow::Result<()> {
    let server = ServerProcess::start().await?;
    let base = server.url("");
    let browser = Browser::launch().await?;
    let cpp = browser.new_user("cpp").await?;
    cpp.sign_in_as(&base, "CPP Service Manager").await?;
    cpp.click_named("Questions").await?;
    cpp.wait_for_text("h1", "Audit questions").await?;
    cpp.wait_for_text("main", "Safety").await?;
    let changed: bool = cpp
        .eval(
            "(() => { const t = document.querySelector('.template-question textarea'); if (!t) return false; \
             t.value = 'Is the child safe today, and how do we know?'; \
             t.dispatchEvent(new Event('change', { bubbles: true })); return true; })()",
        )
        .await?;
    assert!(changed);
    cpp.click_named("Save the questions").await?;
    cpp.wait_for_text("[data-testid=questions-saved]", "Saved as version 2")
        .await?;
    // What the server keeps.
    let version: u32 = cpp
        .eval("fetch('/api/templates/audit').then(r => r.json()).then(t => t.version)")
        .await?;
    assert_eq!(version, 2);
    Ok(())
}

/// The CPP rewords an observation prompt; a Team Manager whose tablet saw
/// the new version once online starts an observation offline on a home
/// visit, and it asks the new words.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn r_live_4_an_observation_started_offline_asks_the_prompts_the_cpp_saved()
-> anyhow::Result<()> {
    const REWORDED: &str = "Why was the visit held today, in the family's words?";
    let server = ServerProcess::start().await?;
    let base = server.url("");
    let browser = Browser::launch().await?;
    let cpp = browser.new_user("cpp").await?;
    cpp.sign_in_as(&base, "CPP Service Manager").await?;
    cpp.click_named("Questions").await?;
    cpp.wait_for_text("h1", "Audit questions").await?;
    cpp.click_named("Observation prompts").await?;
    cpp.wait_for_text("h1", "Observation prompts").await?;
    // The first kind, practice observation, is shown first.
    cpp.wait_for_text("main", "Kept: it feeds My Annual Review.")
        .await?;
    let changed: bool = cpp
        .eval(&format!(
            "(() => {{ const t = document.getElementById('question-practice-observation--context.purpose'); if (!t) return false; \
             t.value = {}; t.dispatchEvent(new Event('change', {{ bubbles: true }})); return true; }})()",
            serde_json::to_string(REWORDED)?
        ))
        .await?;
    assert!(
        changed,
        "the practice observation's purpose prompt is on the page"
    );
    cpp.click_named("Save the questions").await?;
    cpp.wait_for_text("[data-testid=questions-saved]", "Saved as version 2")
        .await?;

    let manager = browser.new_user("manager").await?;
    manager.sign_in_as(&base, "Team Manager").await?;
    manager
        .wait_for_text("[data-testid=obligations]", "Practice observation")
        .await?;
    // The work list fetched the prompts as it opened; wait until they are
    // kept on the tablet, then lose the signal.
    qalf_e2e::eventually("the new prompts kept on the tablet", || async {
        let kept: Option<u32> = manager
            .eval("JSON.parse(localStorage.getItem('qalf.observation-prompts') || 'null')?.version ?? null")
            .await?;
        Ok((kept == Some(2)).then_some(()))
    })
    .await?;
    manager.set_offline(true).await?;
    manager
        .wait_for_text("[data-testid=sync-status]", "Offline")
        .await?;
    manager.click_named("Start").await?;
    manager
        .wait_for_text("[data-testid=consent-step]", "Consent")
        .await?;
    manager.wait_for_text("main", REWORDED).await?;
    Ok(())
}
