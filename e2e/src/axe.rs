//! WCAG 2.2 AA checks with axe-core (from npm, run in the page): make axe
//! available to a user's pages, check a screen, and print what was found.

use chromiumoxide::cdp::browser_protocol::page::AddScriptToEvaluateOnNewDocumentParams;
use serde::Deserialize;

use crate::{User, eventually, workspace_root};

/// The axe-core rule sets for WCAG 2.0, 2.1 and 2.2 at levels A and AA.
const RUN: &str = "axe.run(document, { runOnly: { type: 'tag', values: \
    ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'] }, resultTypes: ['violations'] })\
    .then(r => r.violations.map(v => ({ rule: v.id, impact: v.impact || '', help: v.help, \
    elements: v.nodes.slice(0, 5).map(n => n.target.join(' ')) })))";

/// The framework's rule ids (R-AUDIT-3…) in the page's text.
const RULE_IDS: &str =
    "Array.from(new Set(document.body.innerText.match(/\\bR-[A-Z0-9]+-[0-9]+\\b/g) || []))";

#[derive(Debug, Deserialize)]
pub struct Violation {
    pub rule: String,
    pub impact: String,
    pub help: String,
    pub elements: Vec<String>,
}

/// Makes axe-core available on every page this user opens.
pub async fn with_axe(user: &User) -> anyhow::Result<()> {
    let path = workspace_root().join("e2e/js/node_modules/axe-core/axe.min.js");
    let source = std::fs::read_to_string(&path)
        .map_err(|e| anyhow::anyhow!("{}: {e} (run `cargo xtask setup`)", path.display()))?;
    user.page
        .execute(AddScriptToEvaluateOnNewDocumentParams::new(source))
        .await?;
    Ok(())
}

/// Waits for the screen to finish loading, then runs axe on it.
pub async fn check(user: &User, screen: &str) -> anyhow::Result<Vec<(String, Violation)>> {
    eventually(&format!("{screen} to finish loading"), || async {
        let settled: bool = user
            .eval(
                "!!document.querySelector('h1') && !document.querySelector('.loading') \
                 && typeof axe !== 'undefined'",
            )
            .await?;
        Ok(settled.then_some(()))
    })
    .await?;
    let mut found: Vec<Violation> = user.eval(RUN).await?;
    // Plain language: people read "each Team Manager audits one case a
    // month", never the framework's rule ids.
    let rule_ids: Vec<String> = user.eval(RULE_IDS).await?;
    if !rule_ids.is_empty() {
        found.push(Violation {
            rule: "qalf-no-rule-ids".into(),
            impact: "serious".into(),
            help: format!("rule ids shown to people: {}", rule_ids.join(", ")),
            elements: Vec::new(),
        });
    }
    Ok(found.into_iter().map(|v| (screen.to_string(), v)).collect())
}

/// Prints the violations found as a table and fails if there are any.
pub fn assert_none(screens: usize, violations: &[(String, Violation)]) {
    println!(
        "\naxe-core, WCAG 2.2 AA: {screens} screens, {} violations",
        violations.len()
    );
    println!(
        "{:<28} {:<24} {:<9} help / elements",
        "screen", "rule", "impact"
    );
    for (screen, v) in violations {
        println!("{screen:<28} {:<24} {:<9} {}", v.rule, v.impact, v.help);
        for element in &v.elements {
            println!("{:<63}   {element}", "");
        }
    }
    assert!(
        violations.is_empty(),
        "{} WCAG 2.2 AA violations (table above)",
        violations.len()
    );
}
