use leptos::prelude::*;
use qalf_shared::audit::document::{Consulted, path};

use super::AuditContext;
use crate::components::check_field::CheckField;
use crate::components::choice_field::ChoiceField;
use crate::components::text_field::TextField;

/// Family feedback (R-AUDIT-6): whether the child and carers were consulted,
/// how, and what they said, after consulting the allocated worker.
#[component]
pub fn Family() -> impl IntoView {
    let context = use_context::<AuditContext>().expect("audit context");
    let readonly = context.findings_readonly();
    let amended = context.amendment_recorder();
    let id = context.id.clone();
    let family = path::family();
    view! {
        <h2>"Family feedback"</h2>
        <ChoiceField
            doc=id.clone()
            path=family.clone()
            key="consulted"
            options=Consulted::ALL.iter().map(|c| (c.code(), c.label())).collect()
            legend="Who was consulted as part of this audit?".to_string()
            readonly=readonly
            on_change=amended
        />
        <CheckField
            doc=id.clone()
            path=family.clone()
            key="worker_consulted_first"
            label="The allocated worker was consulted before the family was contacted".to_string()
            readonly=readonly
            on_change=amended
        />
        <TextField
            doc=id.clone()
            path=path::family_how()
            label="How they were consulted".to_string()
            readonly=readonly
            on_change=amended
        />
        <TextField
            doc=id
            path=path::family_said()
            label="What they said".to_string()
            readonly=readonly
            on_change=amended
        />
    }
}
