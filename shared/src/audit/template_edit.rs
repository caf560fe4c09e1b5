//! The CPP's edits to the audit question set (DOMAIN.md §9): add a
//! question to a section (for every cohort or some), reword one, retire
//! one. Each saved edit is the next version; an audit keeps the version it
//! started on, because it copies its questions when it starts.

use std::collections::BTreeSet;

use super::template::{AuditTemplate, QuestionTemplate};
use crate::settings::SettingProblem;

fn problem(field: String, message: impl Into<String>) -> SettingProblem {
    SettingProblem {
        field,
        message: message.into(),
    }
}

/// A new question's id in `section`: the section's id and the question's
/// first words, never one the template has used.
pub fn new_question_id(template: &AuditTemplate, section: &str, text: &str) -> String {
    let words: Vec<String> = text
        .split_whitespace()
        .take(4)
        .map(|w| {
            w.chars()
                .filter(|c| c.is_ascii_alphanumeric())
                .collect::<String>()
                .to_lowercase()
        })
        .filter(|w| !w.is_empty())
        .collect();
    let base = format!(
        "{section}.{}",
        if words.is_empty() {
            "question".to_string()
        } else {
            words.join("-")
        }
    );
    let used: BTreeSet<&str> = template
        .sections
        .iter()
        .flat_map(|s| &s.questions)
        .map(|q| q.id.as_str())
        .collect();
    if !used.contains(base.as_str()) {
        return base;
    }
    (2..)
        .map(|n| format!("{base}-{n}"))
        .find(|id| !used.contains(id.as_str()))
        .expect("some suffix is free")
}

/// Checks `proposed` as the next version of `current`: the same sections
/// in the same order, with the same titles, guidance and grade descriptors
/// (the framework's, which every version shares), every question
/// worded, at least one question for every cohort in each section, a
/// retired question's id never reused. Gives the template to store, its
/// version the next one.
pub fn check_next(
    current: &AuditTemplate,
    retired: &BTreeSet<String>,
    proposed: &AuditTemplate,
) -> Result<AuditTemplate, Vec<SettingProblem>> {
    let mut problems = Vec::new();
    if proposed.version != current.version {
        problems.push(problem(
            "form".into(),
            format!(
                "Someone saved version {} of the questions while you were editing version {}: reload the page to see theirs, then make your changes again",
                current.version, proposed.version
            ),
        ));
        return Err(problems);
    }
    let same_sections = current.sections.len() == proposed.sections.len()
        && current
            .sections
            .iter()
            .zip(&proposed.sections)
            .all(|(a, b)| {
                a.id == b.id
                    && a.title == b.title
                    && a.guidance == b.guidance
                    && a.grade_descriptors == b.grade_descriptors
            });
    if !same_sections {
        problems.push(problem(
            "sections".into(),
            "The sections are the framework's: questions may change, sections may not",
        ));
    }
    for section in &proposed.sections {
        for q in &section.questions {
            if q.text.trim().is_empty() {
                problems.push(problem(
                    format!("question-{}", q.id),
                    format!("A question in {} has no words", section.title),
                ));
            }
            if retired.contains(&q.id) {
                problems.push(problem(
                    format!("question-{}", q.id),
                    "A retired question cannot come back under its old name: add it as new",
                ));
            }
        }
        if !crate::org::Cohort::ALL
            .into_iter()
            .all(|c| section.questions.iter().any(|q| q.applies_to(c)))
        {
            problems.push(problem(
                format!("section-{}", section.id),
                format!(
                    "{} must keep at least one question for every cohort",
                    section.title
                ),
            ));
        }
    }
    let mut next = proposed.clone();
    next.id = current.id.clone();
    next.version = current.version + 1;
    if problems.is_empty() {
        let json = serde_json::to_string(&next).map_err(|e| {
            vec![problem(
                "form".into(),
                format!("the template would not save: {e}"),
            )]
        })?;
        if let Err(e) = AuditTemplate::parse(&json) {
            problems.push(problem("form".into(), e.to_string()));
        }
    }
    if problems.is_empty() {
        Ok(next)
    } else {
        Err(problems)
    }
}

/// What changed from `old` to `new`, one line each, for the change log.
pub fn template_changes(old: &AuditTemplate, new: &AuditTemplate) -> Vec<String> {
    let find = |t: &AuditTemplate, id: &str| -> Option<(String, QuestionTemplate)> {
        t.sections.iter().find_map(|s| {
            s.questions
                .iter()
                .find(|q| q.id == id)
                .map(|q| (s.title.clone(), q.clone()))
        })
    };
    let ids = |t: &AuditTemplate| -> Vec<String> {
        t.sections
            .iter()
            .flat_map(|s| s.questions.iter().map(|q| q.id.clone()))
            .collect()
    };
    let mut out = Vec::new();
    for id in ids(new) {
        match (find(old, &id), find(new, &id)) {
            (None, Some((section, q))) => out.push(format!("Added to {section}: \"{}\"", q.text)),
            (Some((_, before)), Some((section, after))) if before != after => {
                out.push(format!("Reworded in {section}: \"{}\"", after.text))
            }
            _ => {}
        }
    }
    for id in ids(old) {
        if find(new, &id).is_none()
            && let Some((section, q)) = find(old, &id)
        {
            out.push(format!("Retired from {section}: \"{}\"", q.text));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::template::current;
    use crate::org::Cohort;

    #[test]
    fn r_live_4_adding_rewording_and_retiring_make_the_next_version() {
        let old = current().clone();
        let mut new = old.clone();
        let id = new_question_id(&old, "safety", "Is the safety plan shared with the family?");
        assert_eq!(id, "safety.is-the-safety-plan");
        new.sections[0].questions.push(QuestionTemplate {
            id: id.clone(),
            text: "Is the safety plan shared with the family?".into(),
            hint: String::new(),
            cohorts: vec![Cohort::ChildProtection],
        });
        new.sections[1].questions[0].text = "Is the child's voice heard, in their words?".into();
        let retired = new.sections[2].questions.remove(0);
        let next = check_next(&old, &BTreeSet::new(), &new).unwrap();
        assert_eq!(next.version, old.version + 1);
        let lines = template_changes(&old, &next);
        assert_eq!(lines.len(), 3, "{lines:?}");
        assert!(lines[0].starts_with("Added to"), "{lines:?}");
        assert!(lines[1].starts_with("Reworded in"), "{lines:?}");
        assert_eq!(
            lines[2],
            format!(
                "Retired from {}: \"{}\"",
                old.sections[2].title, retired.text
            )
        );
        // The id is free again nowhere: a second question with the same
        // words gets its own.
        assert_ne!(
            new_question_id(&next, "safety", "Is the safety plan shared"),
            id
        );
    }

    #[test]
    fn r_live_4_a_question_set_that_would_break_audits_is_refused() {
        let old = current().clone();
        let mut empty = old.clone();
        empty.sections[0].questions[0].text = "  ".into();
        let fields: Vec<String> = check_next(&old, &BTreeSet::new(), &empty)
            .unwrap_err()
            .into_iter()
            .map(|p| p.field)
            .collect();
        assert_eq!(
            fields,
            [format!("question-{}", old.sections[0].questions[0].id)]
        );

        let mut bare = old.clone();
        bare.sections[3].questions.clear();
        let problems = check_next(&old, &BTreeSet::new(), &bare).unwrap_err();
        assert_eq!(problems[0].field, format!("section-{}", old.sections[3].id));

        let mut reguided = old.clone();
        reguided.sections[4].guidance = "Something else".into();
        assert_eq!(
            check_next(&old, &BTreeSet::new(), &reguided).unwrap_err()[0].field,
            "sections",
            "guidance is the framework's, shared by every version"
        );

        let mut renamed = old.clone();
        renamed.sections.swap(0, 1);
        assert_eq!(
            check_next(&old, &BTreeSet::new(), &renamed).unwrap_err()[0].field,
            "sections"
        );

        let mut stale = old.clone();
        stale.version = old.version + 5;
        assert_eq!(
            check_next(&old, &BTreeSet::new(), &stale).unwrap_err()[0].field,
            "form",
            "a save made from another version than the current one"
        );

        let gone = old.sections[0].questions[0].id.clone();
        let retired = BTreeSet::from([gone.clone()]);
        let problems = check_next(&old, &retired, &old).unwrap_err();
        assert_eq!(problems[0].field, format!("question-{gone}"));
    }
}
