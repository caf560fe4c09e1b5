//! The CPP's edits to the audit question set (DOMAIN.md §9): add a
//! question to a section (for every cohort or some), reword one, retire
//! one. Each saved edit is the next version; an audit keeps the version it
//! started on, because it copies its questions when it starts.

use std::collections::BTreeSet;

use super::template::{AuditTemplate, QuestionTemplate};
use crate::org::Cohort;
use crate::question_set::{Asked, EditableSection, QuestionSet, new_id, problem};
use crate::settings::SettingProblem;

/// Who a question is asked for.
fn asked_for(cohorts: &[Cohort]) -> String {
    if cohorts.is_empty() {
        "Every cohort".into()
    } else {
        cohorts
            .iter()
            .map(|c| c.code().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl QuestionSet for AuditTemplate {
    const NAME: &'static str = "Audit questions";

    fn version(&self) -> u32 {
        self.version
    }

    fn sections(&self) -> Vec<EditableSection> {
        self.sections
            .iter()
            .map(|s| EditableSection {
                part: None,
                key: s.id.clone(),
                title: s.title.clone(),
                questions: s
                    .questions
                    .iter()
                    .map(|q| Asked {
                        key: q.id.clone(),
                        text: q.text.clone(),
                        asked_for: Some(asked_for(&q.cohorts)),
                        kept_because: None,
                        detail: format!("{:?} {:?}", q.hint, q.cohorts),
                    })
                    .collect(),
            })
            .collect()
    }

    fn reword(&mut self, key: &str, text: &str) {
        if let Some(q) = self
            .sections
            .iter_mut()
            .flat_map(|s| &mut s.questions)
            .find(|q| q.id == key)
        {
            q.text = text.to_string();
        }
    }

    fn retire(&mut self, keys: &BTreeSet<String>) {
        for section in &mut self.sections {
            section.questions.retain(|q| !keys.contains(&q.id));
        }
    }

    fn add(&mut self, section_key: &str, text: &str, cohorts: &[Cohort]) -> Option<String> {
        let id = new_id(
            self.asked()
                .iter()
                .map(|(_, q)| q.key.as_str())
                .collect::<Vec<_>>(),
            section_key,
            text,
        );
        let section = self.sections.iter_mut().find(|s| s.id == section_key)?;
        section.questions.push(QuestionTemplate {
            id: id.clone(),
            text: text.to_string(),
            hint: String::new(),
            cohorts: cohorts.to_vec(),
        });
        Some(id)
    }

    fn chooses_cohorts() -> bool {
        true
    }

    /// The same sections in the same order, with the same titles,
    /// guidance and grade descriptors (the framework's, which every version
    /// shares), and at least one question for every cohort in each.
    fn check_frame(&self, proposed: &Self, problems: &mut Vec<SettingProblem>) {
        let same_sections = self.sections.len() == proposed.sections.len()
            && self.sections.iter().zip(&proposed.sections).all(|(a, b)| {
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
            if !Cohort::ALL
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
    }

    fn succeeded_by(&self, proposed: &Self) -> Self {
        let mut next = proposed.clone();
        next.id = self.id.clone();
        next.version = self.version + 1;
        next
    }

    fn reads_back(&self) -> Result<(), String> {
        let json = serde_json::to_string(self).map_err(|e| e.to_string())?;
        AuditTemplate::parse(&json)
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::audit::template::current;
    use crate::question_set::{changes, check_next};

    #[test]
    fn r_live_4_adding_rewording_and_retiring_make_the_next_version() {
        let old = current().clone();
        let mut new = old.clone();
        let id = new
            .add(
                "safety",
                "Is the safety plan shared with the family?",
                &[Cohort::ChildProtection],
            )
            .unwrap();
        assert_eq!(id, "safety.is-the-safety-plan");
        new.sections[1].questions[0].text = "Is the child's voice heard, in their words?".into();
        let retired = new.sections[2].questions.remove(0);
        let next = check_next(&old, &BTreeSet::new(), &new).unwrap();
        assert_eq!(next.version, old.version + 1);
        let lines = changes(&old, &next);
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
        let mut again = next.clone();
        assert_ne!(
            again.add("safety", "Is the safety plan shared", &[]),
            Some(id)
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
