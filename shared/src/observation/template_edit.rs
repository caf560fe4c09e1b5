//! The CPP's edits to the observation prompts (DOMAIN.md §9): reword, add
//! or retire a prompt in any kind's section. Each saved edit is the next
//! version; an observation keeps the version it started on, because it
//! copies its prompts when it starts (on the observer's device, from the
//! version it last fetched).
//!
//! The kinds, their sections and the purpose statement shown before consent
//! are the framework's, and so are the prompts that feed My Annual Review:
//! those may be reworded, never retired.

use std::collections::BTreeSet;

use super::template::{
    ACTIONS, AREAS, NARRATIVE, OBJECTIVES, ObservationTemplates, PromptTemplate, STRENGTHS,
};
use crate::org::Cohort;
use crate::question_set::{Asked, EditableSection, QuestionSet, new_id, problem};
use crate::settings::SettingProblem;

/// Keys name the kind as well: every kind has its own `development.areas`.
fn key(kind: &str, id: &str) -> String {
    format!("{kind}--{id}")
}

/// Why a prompt may be reworded but not retired.
fn kept_because(prompt: &str) -> Option<&'static str> {
    match prompt {
        NARRATIVE => Some("it holds what was seen"),
        STRENGTHS | AREAS | OBJECTIVES | ACTIONS => Some("it feeds My Annual Review"),
        _ => None,
    }
}

impl QuestionSet for ObservationTemplates {
    const NAME: &'static str = "Observation prompts";

    fn version(&self) -> u32 {
        self.version
    }

    fn sections(&self) -> Vec<EditableSection> {
        self.kinds
            .iter()
            .flat_map(|k| {
                let kind = k.kind.code();
                k.sections.iter().map(move |s| EditableSection {
                    part: Some(k.title.clone()),
                    key: key(kind, &s.id),
                    title: s.title.clone(),
                    questions: s
                        .prompts
                        .iter()
                        .map(|p| Asked {
                            key: key(kind, &p.id),
                            text: p.text.clone(),
                            asked_for: None,
                            kept_because: kept_because(&p.id),
                            detail: p.hint.clone(),
                        })
                        .collect(),
                })
            })
            .collect()
    }

    fn reword(&mut self, key_: &str, text: &str) {
        for k in &mut self.kinds {
            let kind = k.kind.code();
            for p in k.sections.iter_mut().flat_map(|s| &mut s.prompts) {
                if key(kind, &p.id) == key_ {
                    p.text = text.to_string();
                }
            }
        }
    }

    fn retire(&mut self, keys: &BTreeSet<String>) {
        for k in &mut self.kinds {
            let kind = k.kind.code();
            for s in &mut k.sections {
                s.prompts.retain(|p| !keys.contains(&key(kind, &p.id)));
            }
        }
    }

    fn add(&mut self, section_key: &str, text: &str, _cohorts: &[Cohort]) -> Option<String> {
        let (kind, section) = section_key.split_once("--")?;
        let k = self.kinds.iter_mut().find(|k| k.kind.code() == kind)?;
        let id = new_id(
            k.sections
                .iter()
                .flat_map(|s| &s.prompts)
                .map(|p| p.id.as_str())
                .collect::<Vec<_>>(),
            section,
            text,
        );
        let s = k.sections.iter_mut().find(|s| s.id == section)?;
        s.prompts.push(PromptTemplate {
            id: id.clone(),
            text: text.to_string(),
            hint: String::new(),
        });
        Some(key(kind, &id))
    }

    fn chooses_cohorts() -> bool {
        false
    }

    /// The same kinds, described the same way, with the same sections in
    /// the same order, each keeping a prompt; the same purpose statement.
    fn check_frame(&self, proposed: &Self, problems: &mut Vec<SettingProblem>) {
        let same_kinds = self.purpose_statement == proposed.purpose_statement
            && self.kinds.len() == proposed.kinds.len()
            && self.kinds.iter().zip(&proposed.kinds).all(|(a, b)| {
                a.kind == b.kind
                    && a.title == b.title
                    && a.description == b.description
                    && a.needs_consent == b.needs_consent
                    && a.sections.len() == b.sections.len()
                    && a.sections
                        .iter()
                        .zip(&b.sections)
                        .all(|(x, y)| x.id == y.id && x.title == y.title)
            });
        if !same_kinds {
            problems.push(problem(
                "sections".into(),
                "The kinds of observation and their sections are the framework's: prompts may change, sections may not",
            ));
        }
        for k in &proposed.kinds {
            for s in &k.sections {
                if s.prompts.is_empty() {
                    problems.push(problem(
                        format!("section-{}", key(k.kind.code(), &s.id)),
                        format!("{}, {} must keep at least one prompt", k.title, s.title),
                    ));
                }
            }
        }
    }

    fn succeeded_by(&self, proposed: &Self) -> Self {
        let mut next = proposed.clone();
        next.version = self.version + 1;
        next
    }

    fn reads_back(&self) -> Result<(), String> {
        let json = serde_json::to_string(self).map_err(|e| e.to_string())?;
        ObservationTemplates::parse(&json)
            .map(|_| ())
            .map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::ObservationKind;
    use crate::observation::document::NewObservation;
    use crate::observation::new_observation;
    use crate::observation::template::current;
    use crate::question_set::{changes, check_next, retired};

    const PRACTICE: &str = "practice-observation";

    #[test]
    fn r_live_4_observation_prompts_are_reworded_added_and_retired_as_the_next_version() {
        let old = current().clone();
        let mut new = old.clone();
        let added = new
            .add(
                &key(PRACTICE, "practice"),
                "Did the worker explain what happens next?",
                &[],
            )
            .unwrap();
        assert_eq!(added, key(PRACTICE, "practice.did-the-worker-explain"));
        new.reword(
            &key(PRACTICE, "context.purpose"),
            "Why was the visit held today?",
        );
        new.retire(&BTreeSet::from([key(PRACTICE, "practice.identity")]));
        let next = check_next(&old, &BTreeSet::new(), &new).unwrap();
        assert_eq!(next.version, old.version + 1);
        let lines = changes(&old, &next);
        assert_eq!(lines.len(), 3, "{lines:?}");
        assert!(
            lines[0].starts_with("Reworded in Practice observation, "),
            "{lines:?}"
        );
        assert!(lines[1].starts_with("Added to Practice observation, "));
        assert!(lines[2].starts_with("Retired from Practice observation, "));

        // Another kind's prompt of the same name is untouched.
        let supervision = next.kind(ObservationKind::SupervisionObservation).unwrap();
        assert_eq!(
            supervision,
            old.kind(ObservationKind::SupervisionObservation).unwrap()
        );

        // An observation started on the new version asks the new prompts;
        // one started before keeps the old.
        let start = |set: &ObservationTemplates| {
            let doc = new_observation(
                set,
                &NewObservation {
                    kind: ObservationKind::PracticeObservation,
                    observer: "p1".parse().unwrap(),
                    observer_name: "Ann".into(),
                    subject: None,
                    team: None,
                    held_on: None,
                },
                "p1",
                0,
            )
            .unwrap();
            crate::observation::read(&doc).unwrap()
        };
        let prompts = |doc: &crate::observation::ObservationDoc| -> Vec<String> {
            doc.sections
                .iter()
                .flat_map(|s| s.prompts.iter().map(|p| p.text.clone()))
                .collect()
        };
        let on_new = start(&next);
        assert_eq!(on_new.template_version, 2);
        assert!(prompts(&on_new).contains(&"Why was the visit held today?".to_string()));
        assert!(
            prompts(&on_new).contains(&"Did the worker explain what happens next?".to_string())
        );
        let on_old = start(&old);
        assert_eq!(on_old.template_version, 1);
        assert!(!prompts(&on_old).contains(&"Why was the visit held today?".to_string()));

        // The retired prompt's name stays retired.
        let gone = retired(&[old.clone(), next.clone()], &next);
        assert_eq!(gone, BTreeSet::from([key(PRACTICE, "practice.identity")]));
    }

    #[test]
    fn r_live_4_observation_prompts_that_would_break_the_framework_are_refused() {
        let old = current().clone();

        // What feeds My Annual Review may be reworded, never retired.
        let mut no_strengths = old.clone();
        no_strengths.retire(&BTreeSet::from([key(PRACTICE, STRENGTHS)]));
        let problems = check_next(&old, &BTreeSet::new(), &no_strengths).unwrap_err();
        assert_eq!(problems.len(), 1, "{problems:?}");
        assert_eq!(
            problems[0].field,
            format!("section-{}", key(PRACTICE, "development"))
        );
        assert!(problems[0].message.contains("My Annual Review"));

        let mut reworded = old.clone();
        reworded.reword(&key(PRACTICE, STRENGTHS), "What went well?");
        assert!(check_next(&old, &BTreeSet::new(), &reworded).is_ok());

        let mut empty_words = old.clone();
        empty_words.reword(&key(PRACTICE, "context.setting"), " ");
        assert_eq!(
            check_next(&old, &BTreeSet::new(), &empty_words).unwrap_err()[0].field,
            format!("question-{}", key(PRACTICE, "context.setting"))
        );

        let mut bare = old.clone();
        bare.retire(&BTreeSet::from([
            key(PRACTICE, "family-feedback.child"),
            key(PRACTICE, "family-feedback.parents-carers"),
        ]));
        assert_eq!(
            check_next(&old, &BTreeSet::new(), &bare).unwrap_err()[0].field,
            format!("section-{}", key(PRACTICE, "family-feedback"))
        );

        let mut retitled = old.clone();
        retitled.kinds[0].title = "Something else".into();
        assert_eq!(
            check_next(&old, &BTreeSet::new(), &retitled).unwrap_err()[0].field,
            "sections"
        );
        let mut consent = old.clone();
        consent.kinds[0].needs_consent = false;
        assert_eq!(
            check_next(&old, &BTreeSet::new(), &consent).unwrap_err()[0].field,
            "sections",
            "whether consent is asked is the framework's"
        );

        let mut stale = old.clone();
        stale.version += 3;
        assert_eq!(
            check_next(&old, &BTreeSet::new(), &stale).unwrap_err()[0].field,
            "form"
        );

        let back = key(PRACTICE, "practice.identity");
        assert_eq!(
            check_next(&old, &BTreeSet::from([back.clone()]), &old).unwrap_err()[0].field,
            format!("question-{back}")
        );
    }
}
