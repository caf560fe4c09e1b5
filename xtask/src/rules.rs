//! Every rule in the domain specification (`../shared/spec/DOMAIN.md`,
//! beside the checkout) is named by a test: a test function whose name
//! holds the rule id (`r_audit_3_…` for R-AUDIT-3). The rules of work not
//! built yet are listed below with the issue that builds them; when that
//! work names the rule in a test, the list must lose it.

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;

use anyhow::{Result, bail};

/// Rules whose work is an open issue, not yet built.
const NOT_YET: [(&str, &str); 9] = [
    ("R-A11Y-1", "issue 19, accessibility beyond axe"),
    ("R-A11Y-2", "issue 19, accessibility beyond axe"),
    ("R-A11Y-3", "issue 19, accessibility beyond axe"),
    ("R-A11Y-4", "issue 19, accessibility beyond axe"),
    ("R-A11Y-5", "issue 19, accessibility beyond axe"),
    ("R-SCALE-1", "issue 20, PostgreSQL and several nodes"),
    ("R-SCALE-2", "issue 20, PostgreSQL and several nodes"),
    ("R-SCALE-3", "issue 20, PostgreSQL and several nodes"),
    ("R-SCALE-4", "issue 20, PostgreSQL and several nodes"),
];

/// The rule ids a specification names (`R-AUDIT-3`…), in order.
fn rule_ids(spec: &str) -> BTreeSet<String> {
    let mut ids = BTreeSet::new();
    for (i, _) in spec.match_indices("R-") {
        let rest = &spec[i + 2..];
        let area: String = rest
            .chars()
            .take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
            .collect();
        let after = &rest[area.len()..];
        let Some(number) = after.strip_prefix('-') else {
            continue;
        };
        let digits: String = number.chars().take_while(char::is_ascii_digit).collect();
        if !area.is_empty() && !digits.is_empty() {
            ids.insert(format!("R-{area}-{digits}"));
        }
    }
    ids
}

/// The test-function prefix for a rule id: `R-AUDIT-3` → `r_audit_3_`.
fn test_prefix(id: &str) -> String {
    format!("{}_", id.to_ascii_lowercase().replace('-', "_"))
}

/// Whether `source` has a function named for the rule (its name holds
/// `r_audit_3_`, not `r_audit_30_`).
fn named_in(source: &str, prefix: &str) -> bool {
    source.lines().any(|line| {
        let line = line.trim_start();
        let Some(name) = line
            .strip_prefix("async fn ")
            .or_else(|| line.strip_prefix("fn "))
        else {
            return false;
        };
        name.split('(').next().is_some_and(|n| n.contains(prefix))
    })
}

fn rust_sources(dir: &Path, out: &mut Vec<String>) -> Result<()> {
    for entry in fs::read_dir(dir)? {
        let path = entry?.path();
        let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if path.is_dir() {
            if name != "target" && !name.starts_with('.') && name != "node_modules" {
                rust_sources(&path, out)?;
            }
        } else if name.ends_with(".rs") {
            out.push(fs::read_to_string(&path)?);
        }
    }
    Ok(())
}

/// Checks the workspace at `root`; says what it found, or why it failed.
pub fn check(root: &Path) -> Result<String> {
    let spec_path = root.join("../shared/spec/DOMAIN.md");
    let Ok(spec) = fs::read_to_string(&spec_path) else {
        return Ok(format!(
            "skipped: no domain specification at {}",
            spec_path.display()
        ));
    };
    let mut sources = Vec::new();
    for dir in [
        "shared", "server", "app", "e2e", "testing", "bench", "xtask", "fuzz",
    ] {
        let dir = root.join(dir);
        if dir.is_dir() {
            rust_sources(&dir, &mut sources)?;
        }
    }
    let ids = rule_ids(&spec);
    let not_yet: BTreeSet<&str> = NOT_YET.iter().map(|(id, _)| *id).collect();
    let mut missing = Vec::new();
    let mut built_but_listed = Vec::new();
    for id in &ids {
        let prefix = test_prefix(id);
        let named = sources.iter().any(|s| named_in(s, &prefix));
        match (named, not_yet.contains(id.as_str())) {
            (false, false) => missing.push(id.clone()),
            (true, true) => built_but_listed.push(id.clone()),
            _ => {}
        }
    }
    if !missing.is_empty() {
        bail!("no test is named after {}", missing.join(", "));
    }
    if !built_but_listed.is_empty() {
        bail!(
            "{} now have tests: take them off the list of rules not yet built (xtask/src/rules.rs)",
            built_but_listed.join(", ")
        );
    }
    Ok(format!(
        "{} rules, each named by a test; {} not built yet ({})",
        ids.len() - not_yet.len(),
        not_yet.len(),
        NOT_YET
            .iter()
            .map(|(_, why)| *why)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect::<Vec<_>>()
            .join("; ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rule_ids_and_the_tests_that_name_them() {
        let spec = "- R-AUDIT-3: both targets. See R-AUDIT-30 and R-SEC-10, not R-x or R-AUDIT-.";
        let ids: Vec<String> = rule_ids(spec).into_iter().collect();
        assert_eq!(ids, vec!["R-AUDIT-3", "R-AUDIT-30", "R-SEC-10"]);
        let source = "fn helper() {}\n    async fn r_audit_30_something() {}\n";
        assert!(named_in(source, &test_prefix("R-AUDIT-30")));
        assert!(!named_in(source, &test_prefix("R-AUDIT-3")));
        assert!(named_in(
            "fn r_live_2_and_3_x() {}",
            &test_prefix("R-LIVE-2")
        ));
    }

    #[test]
    fn this_workspace_names_every_rule_it_has_built() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .expect("the workspace");
        let said = check(root).unwrap();
        println!("{said}");
    }
}
