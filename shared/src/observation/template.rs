//! Observation templates as versioned data, like the audit's.

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

use crate::access::ObservationKind;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObservationTemplates {
    pub version: u32,
    /// Shown to children and families before consent is asked (R-OBS-1).
    pub purpose_statement: String,
    pub kinds: Vec<KindTemplate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KindTemplate {
    pub kind: ObservationKind,
    pub title: String,
    pub description: String,
    /// A planned meeting or visit with children or families: consent first.
    pub needs_consent: bool,
    pub sections: Vec<SectionTemplate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SectionTemplate {
    pub id: String,
    pub title: String,
    pub prompts: Vec<PromptTemplate>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PromptTemplate {
    pub id: String,
    pub text: String,
    pub hint: String,
}

/// The prompts every kind has, which feed My Annual Review (R-OBS-3).
pub const STRENGTHS: &str = "development.strengths";
pub const AREAS: &str = "development.areas";
pub const OBJECTIVES: &str = "development.mar-objectives";
pub const ACTIONS: &str = "development.actions";
/// What was seen.
pub const NARRATIVE: &str = "observation.narrative";

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error("the templates are not valid JSON for observation templates: {0}")]
    Json(String),
    #[error("{kind} lacks the prompt `{prompt}`")]
    MissingPrompt { kind: String, prompt: &'static str },
    #[error("{0} is described twice")]
    DuplicateKind(String),
}

impl ObservationTemplates {
    pub fn parse(json: &str) -> Result<ObservationTemplates, TemplateError> {
        let templates: ObservationTemplates =
            serde_json::from_str(json).map_err(|e| TemplateError::Json(e.to_string()))?;
        let mut seen = std::collections::BTreeSet::new();
        for kind in &templates.kinds {
            if !seen.insert(kind.kind) {
                return Err(TemplateError::DuplicateKind(kind.kind.code().to_string()));
            }
            for prompt in [NARRATIVE, STRENGTHS, AREAS, OBJECTIVES, ACTIONS] {
                let found = kind
                    .sections
                    .iter()
                    .flat_map(|s| &s.prompts)
                    .any(|p| p.id == prompt);
                if !found {
                    return Err(TemplateError::MissingPrompt {
                        kind: kind.kind.code().to_string(),
                        prompt,
                    });
                }
            }
        }
        Ok(templates)
    }

    pub fn kind(&self, kind: ObservationKind) -> Option<&KindTemplate> {
        self.kinds.iter().find(|k| k.kind == kind)
    }
}

const OBSERVATIONS_V1: &str = include_str!("../../templates/observation/observations-v1.json");

pub fn current() -> &'static ObservationTemplates {
    static CURRENT: OnceLock<ObservationTemplates> = OnceLock::new();
    CURRENT.get_or_init(|| {
        ObservationTemplates::parse(OBSERVATIONS_V1)
            .expect("the built-in observation templates are valid")
    })
}
