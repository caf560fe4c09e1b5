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
