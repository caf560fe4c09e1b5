//! The case file audit end to end: an auditor on a tablet works offline
//! through every section, raises a safety alert that reaches the Head of
//! Service once back online, is told why the audit cannot be completed yet,
//! completes it, and sees the follow-up fall due two weeks later; the
//! practitioner then reads the audit and disagrees, and the disagreement goes
//! through its three stages with the right people told (R-AUDIT-8): the
//! auditor, the CPP (who allocates a worker), that worker, and the Head of
//! Service for Safeguarding, Practice and QA, who may open the audit then;
//! at the follow-up the auditor tells the practitioner and manager that the
//! actions are unfinished, and the server closes the audit (R-AUDIT-7).

use qalf_e2e::pages::demo_username;
use qalf_e2e::{Browser, ServerProcess, Tablet, eventually};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_auditor_works_offline_through_an_audit_to_its_follow_up() -> anyhow::Result<()> {
    let server = ServerProcess::start().await?;
    let base = server.url("");
    let browser = Browser::launch().await?;
    let auditor = browser.new_user("auditor").await?;
    auditor.as_tablet(Tablet).await?;

    // The allocated audit is on "My work".
    auditor.sign_in_as(&base, "Team Manager").await?;
    auditor
        .wait_for_text("[data-testid=my-audits]", "Book the joint meeting")
        .await?;
    // The one still to do (My work also lists those awaiting follow-up).
    let opened: bool = auditor
        .eval(
            "(() => { const li = [...document.querySelectorAll('[data-testid=my-audits] li')]\
             .find(li => li.innerText.includes('Book the joint meeting')); \
             if (li) li.querySelector('a').click(); return !!li; })()",
        )
        .await?;
    assert!(opened, "the allocated audit is on My work");
    auditor
        .wait_for_text("[data-testid=audit-details]", "Head of Service")
        .await?;
    let audit_url: String = auditor.eval("location.href").await?;
    let head = auditor.summary_value("Head of Service").await?;
    let practitioner = auditor.summary_value("Practitioner").await?;
    let allocated = auditor.summary_value("Allocated on").await?;
    auditor
        .wait_for_text("[data-testid=doc-status]", "Synced")
        .await?;

    // Offline from here: everything is saved on the tablet.
    auditor.set_offline(true).await?;
    auditor
        .wait_for_text("[data-testid=sync-status]", "Offline")
        .await?;

    // R-AUDIT-2: too soon is refused inline; a week after allocation is fine.
    let allocated: chrono::NaiveDate = allocated.parse()?;
    auditor
        .set_date(
            "Joint meeting with the practitioner",
            &(allocated + chrono::Duration::days(3)).to_string(),
        )
        .await?;
    auditor
        .wait_for_text("main", "at least 7 days after allocation")
        .await?;
    auditor
        .set_date(
            "Joint meeting with the practitioner",
            &(allocated + chrono::Duration::days(7)).to_string(),
        )
        .await?;

    // Every section: answer every question, grade it and give the reason.
    let sections = [
        "Safety now",
        "The child's voice and lived experience",
        "Assessment",
        "Planning",
        "Multi-agency working",
        "Management oversight and supervision",
        "Recording",
        "Diversity and identity",
        "Impact and outcomes",
    ];
    for section in sections {
        auditor.click_named_containing_link(section).await?;
        auditor.wait_for_text(".audit-part h2", section).await?;
        let answered = auditor.click_all(".question input[value=yes]").await?;
        assert!(answered >= 4, "{section} has questions ({answered})");
        auditor
            .type_in_field("Evidence for question 1", "Seen in the case record.", true)
            .await?;
        auditor
            .choose(&format!("Grade for {section}"), "Good")
            .await?;
        auditor
            .type_in_field(
                &format!("Reason for the grade for {section}"),
                "The record shows consistent, child-focused work.",
                true,
            )
            .await?;
        auditor.leave_field().await?;
        eventually("the section's progress", || async {
            let nav = auditor.text_of(".part-nav").await?.unwrap_or_default();
            Ok(nav.contains("graded").then_some(()))
        })
        .await?;
    }

    // R-AUDIT-5: a safety concern, queued while offline.
    auditor.click_named("Raise a safety concern").await?;
    auditor
        .type_in_field(
            "What is the concern about the child's safety?",
            "The latest visit notes an unexplained injury that has not been followed up.",
            true,
        )
        .await?;
    auditor.click_named("Alert the Head of Service now").await?;
    auditor
        .wait_for_text("[data-testid=safety-alert]", "Queued on this device")
        .await?;

    auditor
        .click_named_containing_link("Overall judgement")
        .await?;
    auditor.choose("Overall grade", "Good").await?;
    auditor
        .type_in_field(
            "Reason for the overall grade",
            "Risks are understood and the plan is making a difference.",
            true,
        )
        .await?;
    // R-AUDIT-10: good practice, written offline.
    auditor
        .type_in_field(
            "Good practice to recognise (optional)",
            "Direct work with the child is creative and recorded in their words.",
            true,
        )
        .await?;
    auditor
        .click_named_containing_link("Actions and stretch targets")
        .await?;
    auditor
        .type_in_field(
            "Stretch target for the practitioner",
            "Record the child's own words after every visit.",
            true,
        )
        .await?;
    auditor
        .click_named_containing_link("Family feedback")
        .await?;
    auditor
        .choose("Who was consulted", "No one was consulted")
        .await?;

    // R-AUDIT-3: refused without the manager's stretch target, and told why.
    auditor
        .click_named_containing_link("Check and complete")
        .await?;
    auditor.click_named("Complete the audit").await?;
    let why = auditor
        .wait_for_text("[data-testid=blockers]", "stretch target for the manager")
        .await?;
    assert!(
        !why.contains("practitioner (every"),
        "only the missing part is listed: {why}"
    );
    auditor
        .click_named_containing_link("Actions and stretch targets")
        .await?;
    auditor
        .type_in_field(
            "Stretch target for the manager",
            "Make supervision notes show the reasons for decisions.",
            true,
        )
        .await?;
    auditor.leave_field().await?;
    auditor
        .click_named_containing_link("Check and complete")
        .await?;
    auditor.click_named("Complete the audit").await?;
    auditor
        .wait_for_text("[data-testid=completed]", "completed")
        .await?;
    auditor
        .wait_for_text("[data-testid=sync-status]", "waiting")
        .await?;

    // Back online: the alert goes first and says who was alerted.
    auditor.set_offline(false).await?;
    auditor
        .wait_for_text("[data-testid=safety-alert]", &format!("Alerted: {head}"))
        .await?;
    auditor
        .wait_for_text("[data-testid=sync-status]", "All changes synced")
        .await?;

    // R-AUDIT-10: the server sees the completed audit's good practice once
    // it arrives and sends one recognition to the practitioner.
    let audit_id = audit_url
        .split("/audits/")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_default()
        .to_string();
    let practitioner_http = reqwest::Client::builder().cookie_store(true).build()?;
    practitioner_http
        .post(format!("{base}/api/session"))
        .json(&serde_json::json!({
            "username": demo_username(&practitioner),
            "password": qalf_e2e::pages::DEMO_PASSWORD,
        }))
        .send()
        .await?
        .error_for_status()?;
    let recognitions = || async {
        let notes: Vec<serde_json::Value> = practitioner_http
            .get(format!("{base}/api/notifications"))
            .send()
            .await?
            .json()
            .await?;
        anyhow::Ok(
            notes
                .iter()
                .filter(|n| {
                    n["kind"] == "recognition" && n["document"].as_str() == Some(audit_id.as_str())
                })
                .count(),
        )
    };
    eventually("the practitioner recognised", || async {
        Ok((recognitions().await? > 0).then_some(()))
    })
    .await?;

    // The Head of Service sees it on their home page.
    let hos = browser.new_user("head-of-service").await?;
    hos.sign_in(&base, &demo_username(&head)).await?;
    hos.wait_for_text(
        "[data-testid=safety-alerts]",
        "Safety concern raised on case",
    )
    .await?;

    // Two weeks later (the demo clock moved on), the follow-up is due.
    let _: bool = auditor
        .eval("(localStorage.setItem('qalf.clock-offset-days', '14'), true)")
        .await?;
    auditor.open(&format!("{base}/")).await?;
    auditor
        .wait_for_text("[data-testid=my-audits]", "Follow-up due today")
        .await?;

    // R-AUDIT-8: the practitioner reads the audit and records a disagreement.
    let worker = browser.new_user("practitioner").await?;
    worker.sign_in(&base, &demo_username(&practitioner)).await?;
    worker
        .wait_for_text("[data-testid=audits-of-my-work]", "Follow-up on")
        .await?;
    worker.open(&audit_url).await?;
    worker.click_named_containing_link("Disagreement").await?;
    worker.click_named("Record a disagreement").await?;
    worker
        .type_in_field(
            "What is disagreed with (stage 1)",
            "The grade for Recording does not reflect the recent chronology.",
            true,
        )
        .await?;
    worker.leave_field().await?;
    worker
        .wait_for_text("[data-testid=disagreement-stage]", "Stage 1")
        .await?;
    worker
        .wait_for_text("[data-testid=doc-status]", "Synced")
        .await?;
    // The auditor sees it too.
    auditor.open(&format!("{audit_url}/disagreement")).await?;
    auditor
        .wait_for_text("[data-testid=disagreement-stage]", "Held by")
        .await?;
    // The entry can arrive a moment before the words typed into it.
    eventually("the auditor to read the disagreement", || async {
        let field = auditor
            .field_text("What is disagreed with (stage 1)")
            .await?;
        Ok(field.contains("recent chronology").then_some(()))
    })
    .await?;
    auditor
        .wait_for_message(&base, "stage 1: discuss it with the other party")
        .await?;

    // Talked through, not resolved: the auditor takes it to stage 2, and
    // the CPP is asked to allocate a worker.
    auditor.open(&format!("{audit_url}/disagreement")).await?;
    auditor.click_named("Close: not resolved").await?;
    auditor.click_named_containing("Go to stage 2").await?;
    auditor
        .wait_for_text("main", "Waiting for the CPP to allocate a worker.")
        .await?;
    auditor
        .wait_for_text("[data-testid=doc-status]", "Synced")
        .await?;
    let cpp = browser.new_user("cpp").await?;
    cpp.sign_in_as(&base, "CPP Service Manager").await?;
    cpp.wait_for_message(&base, "stage 2: allocate a CPP worker")
        .await?;
    cpp.click_named("Open the audit").await?;
    cpp.wait_for_text("[data-testid=audit-details]", "Practitioner")
        .await?;
    cpp.click_named_containing_link("Disagreement").await?;
    cpp.wait_for_text("main", "CPP worker for the restorative conversation")
        .await?;
    // The list of workers fills in from the directory: wait for a choice.
    let worker_name: String = eventually("a CPP worker offered", || async {
        let name: Option<String> = cpp
            .eval("(() => { const s = document.querySelector('select[id^=worker-]'); const o = s && s.options[s.selectedIndex]; return o && o.text ? o.text : null; })()")
            .await?;
        Ok(name)
    })
    .await?;
    cpp.click_named("Allocate the worker").await?;
    cpp.wait_for_text("main", &format!("Held by {worker_name}."))
        .await?;
    cpp.wait_for_text("[data-testid=doc-status]", "Synced")
        .await?;

    // The worker is told (read from the server with their own account: a
    // CPP member's browser first fetches every audit, which takes a while
    // on these machines). The conversation does not resolve it, and the
    // CPP takes it to stage 3.
    let cpp_worker = reqwest::Client::builder().cookie_store(true).build()?;
    cpp_worker
        .post(format!("{base}/api/session"))
        .json(&serde_json::json!({
            "username": demo_username(&worker_name),
            "password": qalf_e2e::pages::DEMO_PASSWORD,
        }))
        .send()
        .await?
        .error_for_status()?;
    eventually(
        "the worker told of the restorative conversation",
        || async {
            let notes: Vec<serde_json::Value> = cpp_worker
                .get(format!("{base}/api/notifications"))
                .send()
                .await?
                .json()
                .await?;
            Ok(notes
                .iter()
                .filter_map(|n| n["title"].as_str())
                .any(|t| t.contains("stage 2: you hold the restorative conversation"))
                .then_some(()))
        },
    )
    .await?;
    cpp.click_named("Close: not resolved").await?;
    cpp.click_named_containing("Go to stage 3").await?;
    let spqa = browser.new_user("spqa").await?;
    spqa.sign_in_as(&base, "Head of Service for Safeguarding")
        .await?;
    let head_spqa: String = spqa
        .eval("JSON.parse(localStorage.getItem('qalf.me')).name")
        .await?;
    cpp.wait_for_text("main", &format!("Held by {head_spqa}."))
        .await?;
    cpp.wait_for_text("[data-testid=doc-status]", "Synced")
        .await?;

    // The Head of Service for Safeguarding, Practice and QA is told, may
    // open the audit (the case is not in her area), and records her
    // decision.
    spqa.wait_for_message(&base, "stage 3: it is escalated to you")
        .await?;
    spqa.click_named("Open the audit").await?;
    spqa.wait_for_text("[data-testid=audit-details]", "Practitioner")
        .await?;
    spqa.click_named_containing_link("Disagreement").await?;
    spqa.type_in_field(
        "Outcome (stage 3)",
        "The grade stands; the chronology will be reviewed at supervision.",
        true,
    )
    .await?;
    spqa.leave_field().await?;
    spqa.click_named("Close: resolved").await?;
    spqa.wait_for_text("main", "Closed: resolved").await?;
    spqa.wait_for_text("[data-testid=doc-status]", "Synced")
        .await?;
    // Everyone sees who closed it.
    auditor.open(&format!("{audit_url}/disagreement")).await?;
    auditor
        .wait_for_text("main", &format!("Closed by {head_spqa} on"))
        .await?;

    // R-AUDIT-7: the follow-up. The actions are not finished, so the
    // auditor tells the practitioner and manager (a message, not a tick);
    // with the follow-up recorded, the server closes the audit.
    auditor.open(&format!("{audit_url}/follow-up")).await?;
    let today: String = auditor
        .eval("(() => { const d = new Date(Date.now() + 14 * 86400000); return d.toISOString().slice(0, 10); })()")
        .await?;
    auditor.set_date("Follow-up done on", &today).await?;
    auditor
        .choose("Are the recommended actions complete?", "No")
        .await?;
    auditor.wait_for_field("Case note put on file").await?;
    auditor
        .type_in_field(
            "Case note put on file",
            "Follow-up: the plan is not yet updated.",
            true,
        )
        .await?;
    auditor.leave_field().await?;
    auditor
        .click_named("Tell the practitioner and manager")
        .await?;
    auditor
        .wait_for_text(
            "[data-testid=contacted]",
            "were told the actions are not finished",
        )
        .await?;
    auditor
        .wait_for_text("[data-testid=audit-stage]", "Closed")
        .await?;
    // R-AUDIT-11: what was changed after completion is shown on the audit,
    // with who and when.
    auditor
        .wait_for_text("[data-testid=amendments]", "Changed after completion")
        .await?;
    let amended: String = auditor
        .eval("document.querySelector('[data-testid=amendments]').textContent")
        .await?;
    assert!(amended.contains("changed the follow-up on"), "{amended}");
    worker
        .wait_for_message(
            &base,
            "Recommended actions from an audit are not finished yet",
        )
        .await?;
    // Every later change to the audit left it at one recognition.
    assert_eq!(recognitions().await?, 1, "one recognition per audit");
    Ok(())
}
