//! Audit templates as versioned data (not code): the nine common sections
//! and the cohort-specific questions. A council edits the JSON; an audit
//! copies the questions it needs when it starts, so it keeps its template
//! version for good.

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::org::Cohort;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditTemplate {
    pub id: String,
    pub version: u32,
    pub title: String,
    pub sections: Vec<SectionTemplate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SectionTemplate {
    pub id: String,
    pub title: String,
    pub guidance: String,
    pub grade_descriptors: GradeDescriptors,
    pub questions: Vec<QuestionTemplate>,
}

/// What each grade looks like for a section.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GradeDescriptors {
    pub outstanding: String,
    pub good: String,
    pub requires_improvement: String,
    pub inadequate: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuestionTemplate {
    pub id: String,
    pub text: String,
    pub hint: String,
    /// Empty: every cohort.
    #[serde(default)]
    pub cohorts: Vec<Cohort>,
}

impl QuestionTemplate {
    pub fn applies_to(&self, cohort: Cohort) -> bool {
        self.cohorts.is_empty() || self.cohorts.contains(&cohort)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error("the template is not valid JSON for an audit template: {0}")]
    Json(String),
    #[error("the template has no sections")]
    NoSections,
    #[error("`{0}` is used twice")]
    DuplicateId(String),
    #[error("question `{question}` is not named after its section `{section}`")]
    MisplacedQuestion { section: String, question: String },
}

impl AuditTemplate {
    /// Parses and checks a template.
    pub fn parse(json: &str) -> Result<AuditTemplate, TemplateError> {
        let template: AuditTemplate =
            serde_json::from_str(json).map_err(|e| TemplateError::Json(e.to_string()))?;
        if template.sections.is_empty() {
            return Err(TemplateError::NoSections);
        }
        let mut seen = std::collections::BTreeSet::new();
        for section in &template.sections {
            if !seen.insert(section.id.clone()) {
                return Err(TemplateError::DuplicateId(section.id.clone()));
            }
            for q in &section.questions {
                if !q.id.starts_with(&format!("{}.", section.id)) {
                    return Err(TemplateError::MisplacedQuestion {
                        section: section.id.clone(),
                        question: q.id.clone(),
                    });
                }
                if !seen.insert(q.id.clone()) {
                    return Err(TemplateError::DuplicateId(q.id.clone()));
                }
            }
        }
        Ok(template)
    }

    /// The questions of a section that apply to a cohort.
    pub fn questions_for<'a>(
        &'a self,
        section: &'a SectionTemplate,
        cohort: Cohort,
    ) -> impl Iterator<Item = &'a QuestionTemplate> {
        section
            .questions
            .iter()
            .filter(move |q| q.applies_to(cohort))
    }
}

const CASE_FILE_AUDIT_V1: &str = include_str!("../../templates/audit/case-file-audit-v1.json");

/// The template new audits start on.
pub fn current() -> &'static AuditTemplate {
    static CURRENT: OnceLock<AuditTemplate> = OnceLock::new();
    CURRENT.get_or_init(|| {
        AuditTemplate::parse(CASE_FILE_AUDIT_V1).expect("the built-in audit template is valid")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_template_has_the_nine_common_sections_in_order() {
        let ids: Vec<_> = current().sections.iter().map(|s| s.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "safety",
                "voice",
                "assessment",
                "planning",
                "multi-agency",
                "oversight",
                "recording",
                "diversity",
                "impact"
            ]
        );
    }

    #[test]
    fn every_cohort_gets_its_own_questions_on_top_of_the_common_ones() {
        let t = current();
        let common: usize = t
            .sections
            .iter()
            .flat_map(|s| &s.questions)
            .filter(|q| q.cohorts.is_empty())
            .count();
        assert!(common >= 9 * 4);
        for cohort in Cohort::ALL {
            let specific = t
                .sections
                .iter()
                .flat_map(|s| &s.questions)
                .filter(|q| q.cohorts.contains(&cohort))
                .count();
            assert!(
                specific >= 4,
                "{cohort} has {specific} questions of its own"
            );
        }
    }

    #[test]
    fn a_template_with_a_repeated_question_id_is_rejected() {
        let mut t = current().clone();
        let q = t.sections[0].questions[0].clone();
        t.sections[0].questions.push(q);
        let json = serde_json::to_string(&t).unwrap();
        assert!(matches!(
            AuditTemplate::parse(&json),
            Err(TemplateError::DuplicateId(_))
        ));
    }

    #[test]
    fn a_template_with_an_unknown_field_is_rejected() {
        let json = r#"{"id":"x","version":1,"title":"t","sections":[],"colour":"red"}"#;
        assert!(matches!(
            AuditTemplate::parse(json),
            Err(TemplateError::Json(_))
        ));
    }
}
