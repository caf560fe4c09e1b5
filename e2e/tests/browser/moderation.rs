//! A moderation panel end to end, as three members on three devices: the
//! CPP sets it up, each member records a blind position that no one else's
//! device receives until they have recorded theirs or the chair reveals all
//! (R-MOD-3), the panel types the consensus together, one member drops out
//! and rejoins, and the consensus lands on the audit, flagged for re-audit
//! (R-MOD-4, R-MOD-5).

use std::collections::BTreeSet;

use qalf_e2e::{Browser, ServerProcess, Tablet, User, eventually};
use qalf_shared::api::{DemoPersona, DemoPersonas};
use qalf_shared::org::Role;

fn persona(all: &DemoPersonas, role: Role) -> anyhow::Result<DemoPersona> {
    all.personas
        .iter()
        .find(|p| p.roles.contains(&role))
        .cloned()
        .ok_or_else(|| anyhow::anyhow!("no {role} persona"))
}

/// The id of this member's own position document on the page.
async fn my_position(user: &User) -> anyhow::Result<String> {
    eventually(&format!("{}'s position to be made", user.name), || async {
        user.eval::<Option<String>>(
            "(() => { const p = document.querySelector('[data-testid=my-position]'); return p ? p.dataset.position : null; })()",
        )
        .await
    })
    .await
}

/// R-MOD-3: none of `others` is on this device: not stored, not received.
async fn blind_to(user: &User, others: &[&String]) -> anyhow::Result<()> {
    let stored = user.documents_stored().await?;
    let received = user.documents_received();
    for other in others {
        anyhow::ensure!(
            !stored.contains(*other),
            "{} has {other} in IndexedDB: {stored:?}",
            user.name
        );
        anyhow::ensure!(
            !received.contains(*other),
            "{} received frames of {other}: {received:?}",
            user.name
        );
    }
    Ok(())
}

/// Every character `typed` is in `text`, in the order it was typed.
fn keeps_in_order(text: &str, typed: &str) -> bool {
    let mut rest = text.chars();
    typed.chars().all(|c| rest.any(|t| t == c))
}

const LEARNING: &str = "Learning points";

async fn converged(users: &[&User], typed: &[&str]) -> anyhow::Result<String> {
    eventually(
        "every member to show the same, complete learning points",
        || async {
            let mut texts = BTreeSet::new();
            for u in users {
                texts.insert(u.field_text(LEARNING).await?);
            }
            let expected: usize = typed.iter().map(|t| t.chars().count()).sum();
            Ok((texts.len() == 1)
                .then(|| texts.into_iter().next().unwrap_or_default())
                .filter(|t| {
                    t.chars().count() == expected && typed.iter().all(|x| keeps_in_order(t, x))
                }))
        },
    )
    .await
}

async fn record_position(user: &User, grade: &str, quality: &str) -> anyhow::Result<()> {
    user.choose("Your grade for the case", grade).await?;
    user.choose("Your view of the audit's quality", quality)
        .await?;
    user.type_in_field("Your notes", "Plan drift since March.", true)
        .await?;
    user.leave_field().await?;
    user.click_named("Record my position").await?;
    user.wait_for_text("[data-testid=position-recorded]", "recorded")
        .await?;
    Ok(())
}

/// Once their own is recorded, a member's device receives the other two
/// positions; a failure says what the page showed and logged.
async fn sees_both_other_positions(user: &User) -> anyhow::Result<()> {
    let seen = eventually(
        &format!("{} to see both other positions", user.name),
        || async { Ok((user.count("[data-testid=position]").await? == 2).then_some(())) },
    )
    .await;
    if let Err(e) = seen {
        let shown = user.text_of("main").await?.unwrap_or_default();
        return Err(user.with_context(e.context(format!("the page showed: {shown}"))));
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panel_records_blind_positions_then_reaches_a_consensus_together() -> anyhow::Result<()> {
    let server = ServerProcess::start().await?;
    let base = server.url("");
    let personas: DemoPersonas = reqwest::get(server.url("/api/demo/personas"))
        .await?
        .json()
        .await?;
    let (chair_p, tm_p) = (
        persona(&personas, Role::CppPractitioner)?,
        persona(&personas, Role::TeamManager)?,
    );
    let browser = Browser::launch().await?;
    let chair = browser.new_user("chair").await?;
    let tm = browser.new_user("team manager").await?;
    tm.as_tablet(Tablet).await?;
    let sm = browser.new_user("service manager").await?;

    // R-MOD-1: the month's sample, drawn on the server, takes the
    // Inadequate audit and says why; it is kept, and shown to draw again
    // the same from its seed.
    chair.sign_in(&base, &chair_p.username).await?;
    chair.open(&format!("{base}/moderation")).await?;
    chair.click_named("Draw the sample").await?;
    chair
        .wait_for_text(
            "[data-testid=sample]",
            "every Inadequate audit is moderated",
        )
        .await?;
    chair.open(&format!("{base}/moderation")).await?;
    chair
        .wait_for_text("[data-testid=sample-summary]", "Seed")
        .await?;
    chair
        .wait_for_text(
            "main",
            "Drawn again from its seed, it gives the same audits",
        )
        .await?;

    // The CPP sets up a panel: three members, an audit its auditor graded
    // Good. Its auditor may not sit on it.
    chair.tick("graded Good").await?;
    let label: String = chair
        .eval("[...document.querySelectorAll('.checkbox label')].map(l => l.innerText).find(t => t.includes('graded Good'))")
        .await?;
    let auditor = personas
        .personas
        .iter()
        .find(|p| label.contains(&format!(", {}, graded", p.name)))
        .cloned();
    let sm_p = [
        Role::ServiceManager,
        Role::FamilySolutionsManager,
        Role::HeadOfService,
    ]
    .into_iter()
    .filter_map(|r| persona(&personas, r).ok())
    .find(|p| Some(&p.name) != auditor.as_ref().map(|a| &a.name) && p.name != tm_p.name)
    .ok_or_else(|| anyhow::anyhow!("no third member"))?;
    let member = |p: &DemoPersona| format!("{}, {}", p.name, p.job_title);
    chair.tick(&member(&tm_p)).await?;
    if let Some(auditor) = &auditor {
        chair.tick(&member(auditor)).await?;
        chair.press_named("Set up the panel").await?;
        chair
            .wait_for_text("[role=alert]", "choose members who did not")
            .await?;
        chair.untick(&member(auditor)).await?;
    }
    chair.tick(&member(&sm_p)).await?;
    chair.press_named("Set up the panel").await?;
    chair.wait_for_text("h1", "Moderation panel").await?;
    let panel: String = chair.eval("location.href").await?;

    // R-MOD-3: each member finds the panel from their home page.
    for (m, p) in [(&tm, &tm_p), (&sm, &sm_p)] {
        m.sign_in(&base, &p.username).await?;
        m.wait_for_message(&base, "You are on a moderation panel")
            .await?;
        // With the day it meets.
        m.wait_for_text("[data-testid=messages]", "It meets on")
            .await?;
        // The link in that message (a member may have other messages).
        let opened: bool = m
            .eval(
                "(() => { const li = [...document.querySelectorAll('[data-testid=messages] li')]\
                 .find(li => li.innerText.includes('You are on a moderation panel')); \
                 const a = li && li.querySelector('a'); if (a) a.click(); return !!a; })()",
            )
            .await?;
        assert!(opened, "{}: the invitation links to the panel", m.name);
        m.wait_for_text("h1", "Moderation panel").await?;
        let at: String = m.eval("location.href").await?;
        assert_eq!(at, panel, "{} opened the panel from the message", m.name);
    }
    // And the panel stays listed on their home page.
    tm.open(&format!("{base}/")).await?;
    tm.wait_for_text("[data-testid=my-panels]", "Panel on")
        .await?;
    tm.open(&panel).await?;
    tm.wait_for_text("h1", "Moderation panel").await?;
    let members = [&chair, &tm, &sm];
    let mut positions = Vec::new();
    for m in members {
        positions.push(my_position(m).await?);
    }
    let (p_chair, p_tm, p_sm) = (&positions[0], &positions[1], &positions[2]);
    // Everyone sees that the others have a position, and nothing of it.
    for m in members {
        eventually(
            &format!("{} to see two hidden positions", m.name),
            || async { Ok((m.count("[data-testid=hidden-position]").await? == 2).then_some(())) },
        )
        .await?;
        m.wait_for_text("[data-testid=doc-status]", "Synced")
            .await?;
    }
    chair
        .wait_for_text("[data-testid=presence]", &sm_p.name)
        .await?;
    // The frame log does see what arrives: the panel itself.
    let panel_id = panel.rsplit('/').next().unwrap_or_default().to_string();
    assert!(
        tm.documents_received().contains(&panel_id),
        "{:?}",
        tm.documents_received()
    );
    blind_to(&chair, &[p_tm, p_sm]).await?;
    blind_to(&tm, &[p_chair, p_sm]).await?;
    blind_to(&sm, &[p_chair, p_tm]).await?;

    // The Team Manager records theirs and may now see the others'; the
    // others still receive nothing of it.
    record_position(&tm, "Inadequate", "Good").await?;
    sees_both_other_positions(&tm).await?;
    // The device's own store is written just after the screen updates.
    eventually(
        "the Service Manager's position stored on the TM's device",
        || async { Ok(tm.documents_stored().await?.contains(p_sm).then_some(())) },
    )
    .await?;
    record_position(&sm, "Requires improvement to be good", "Good").await?;
    sees_both_other_positions(&sm).await?;
    chair
        .wait_for_text("[data-testid=doc-status]", "Synced")
        .await?;
    blind_to(&chair, &[p_tm, p_sm]).await?;
    assert_eq!(chair.count("[data-testid=hidden-position]").await?, 2);

    // The chair reveals all: the positions now reach the chair's device.
    chair.click_named("Reveal all positions").await?;
    chair
        .wait_for_text("[data-testid=revealed]", "revealed")
        .await?;
    eventually("the chair to see both positions", || async {
        Ok((chair.count("[data-testid=position]").await? == 2).then_some(()))
    })
    .await?;
    let shown = chair.text_of(".positions").await?.unwrap_or_default();
    assert!(
        shown.contains(&tm_p.name) && shown.contains("Inadequate"),
        "{shown}"
    );
    // Kept on the chair's device too (the write to storage can follow the
    // screen by a moment on a loaded machine).
    eventually("both positions stored on the chair's device", || async {
        let stored = chair.documents_stored().await?;
        Ok((stored.contains(p_tm) && stored.contains(p_sm)).then_some(()))
    })
    .await?;

    // R-MOD-4: all three type the learning points at the same time.
    for m in members {
        m.wait_for_field(LEARNING).await?;
    }
    let typed = [
        "Chronology not kept up to date. ",
        "Supervision did not test the plan. ",
        "Child's voice recorded well.",
    ];
    let (a, b, c) = tokio::join!(
        chair.type_in_field(LEARNING, typed[0], false),
        tm.type_in_field(LEARNING, typed[1], false),
        sm.type_in_field(LEARNING, typed[2], true),
    );
    a?;
    b?;
    c?;
    for m in members {
        m.leave_field().await?;
    }
    converged(&members, &typed).await?;

    // The Service Manager's connection drops mid-panel; both sides go on.
    sm.set_offline(true).await?;
    sm.wait_for_text("[data-testid=sync-status]", "Offline")
        .await?;
    let offline = " Escalate drift sooner.";
    let meanwhile = " Share with the team.";
    sm.type_in_field(LEARNING, offline, true).await?;
    sm.leave_field().await?;
    chair.type_in_field(LEARNING, meanwhile, true).await?;
    chair.leave_field().await?;
    sm.set_offline(false).await?;
    let all = [typed[0], typed[1], typed[2], offline, meanwhile];
    converged(&members, &all).await?;

    // The chair records the consensus; it lands on the audit.
    chair.choose("The panel's grade", "Inadequate").await?;
    chair
        .choose("The panel's view of the audit's quality", "Good")
        .await?;
    chair.click_named("Record the consensus").await?;
    chair
        .wait_for_text("[data-testid=consensus-recorded]", "recorded")
        .await?;
    tm.wait_for_text("[data-testid=consensus-recorded]", "recorded")
        .await?;
    chair.click_named_containing_link("Read the audit").await?;
    let outcome = chair
        .wait_for_text("[data-testid=moderated]", "Moderated by a moderation panel")
        .await?;
    assert!(outcome.contains("grade Inadequate"), "{outcome}");
    // R-MOD-5: moderated down to Inadequate, so the case goes to re-audit.
    chair
        .wait_for_text("[data-testid=reaudit-required]", "Re-audit required")
        .await?;
    // R-REAUDIT-1: it waits in its Head of Service's own queue.
    let detail = |label: &str| {
        format!(
            "[...document.querySelectorAll('[data-testid=audit-details] .summary__row')]\
             .filter(r => r.querySelector('dt').innerText.trim() === '{label}')\
             .map(r => r.querySelector('dd').innerText.trim())[0] || ''"
        )
    };
    let head: String = chair.eval(&detail("Head of Service")).await?;
    let case: String = chair.eval(&detail("Case reference")).await?;
    anyhow::ensure!(!head.is_empty() && !case.is_empty(), "the audit's details");
    let hos = browser.new_user("head of service").await?;
    hos.sign_in(&base, &qalf_shared::org::demo_username(&head))
        .await?;
    hos.wait_for_text("[data-testid=my-reaudits]", &format!("Case {case}"))
        .await?;
    // Not on the panel, they are told so rather than left waiting.
    hos.open(&panel).await?;
    hos.wait_for_text("main", "This panel is not available to you")
        .await?;
    Ok(())
}
