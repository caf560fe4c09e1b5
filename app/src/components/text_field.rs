use automerge::{Cursor, ObjId, ReadDoc};
use leptos::html;
use leptos::prelude::*;
use qalf_shared::document::DocumentError;
use qalf_shared::document::text::{FieldPath, cursor_at, cursor_position, set_text};
use qalf_shared::sync::DocumentId;
use wasm_bindgen::JsCast;

use crate::repo::use_repo;

/// A text field bound to a text object in a document, so that several people
/// can type into it at once and every character survives.
///
/// Each keystroke goes into the document at once as one splice; the change
/// is committed after a pause in typing or when the field loses focus. When
/// someone else's edit arrives, the field shows it and the caret stays with
/// the characters it was next to. Focus is announced as presence.
#[component]
pub fn TextField(
    /// The document holding the text.
    doc: DocumentId,
    /// Where the text object is in the document.
    path: FieldPath,
    /// The visible label.
    label: String,
    /// Guidance shown under the label.
    #[prop(optional, into)]
    hint: Option<String>,
    /// A textarea (true) or a one-line input.
    #[prop(default = true)]
    multiline: bool,
    /// Read-only fields show the text but take no input.
    #[prop(optional, into)]
    readonly: Signal<bool>,
    /// Called with the field's path when the person leaves it after editing.
    #[prop(optional)]
    on_change: Option<Callback<String>>,
) -> impl IntoView {
    let repo = use_repo();
    let element_id = format!("field-{}", path.name().replace('/', "-"));
    let hint_id = format!("{element_id}-hint");
    let area: NodeRef<html::Textarea> = NodeRef::new();
    let input: NodeRef<html::Input> = NodeRef::new();
    let caret = StoredValue::new_local(None::<(Cursor, Cursor)>);
    let edited = StoredValue::new(false);
    let signals = repo.signals(&doc);

    let control = move || -> Option<Control> {
        area.get()
            .map(Control::Area)
            .or_else(|| input.get().map(Control::Input))
    };

    let text_now = {
        let (repo, doc, path) = (repo.clone(), doc.clone(), path.clone());
        move || -> (Option<ObjId>, String) {
            repo.read(&doc, |d| {
                let obj = path.resolve_text(d);
                let text = obj
                    .as_ref()
                    .and_then(|o| d.text(o).ok())
                    .unwrap_or_default();
                (obj, text)
            })
            .unwrap_or((None, String::new()))
        }
    };

    let remember_caret = {
        let (repo, doc, path) = (repo.clone(), doc.clone(), path.clone());
        move || {
            let Some(c) = control() else { return };
            let (start, end) = c.selection();
            let cursors = repo
                .read(&doc, |d| {
                    let obj = path.resolve_text(d)?;
                    Some((cursor_at(d, &obj, start)?, cursor_at(d, &obj, end)?))
                })
                .flatten();
            caret.set_value(cursors);
        }
    };

    // Show the document's text; after someone else's edit, keep the caret
    // with its characters.
    {
        let (repo, doc, text_now) = (repo.clone(), doc.clone(), text_now.clone());
        let revision = signals.revision.clone();
        Effect::new(move |_| {
            revision.track();
            let Some(c) = control() else { return };
            let (obj, text) = text_now();
            if c.value() == text {
                return;
            }
            let focused = c.is_focused();
            let moved = caret.get_value().and_then(|(start, end)| {
                let obj = obj.as_ref()?;
                repo.read(&doc, |d| {
                    Some((
                        cursor_position(d, obj, &start)?,
                        cursor_position(d, obj, &end)?,
                    ))
                })
                .flatten()
            });
            c.set_value(&text);
            if focused && let Some((start, end)) = moved {
                c.set_selection(start, end);
            }
        });
    }

    let on_input = {
        let (repo, doc, path, remember_caret) = (
            repo.clone(),
            doc.clone(),
            path.clone(),
            remember_caret.clone(),
        );
        move |_| {
            if readonly.get_untracked() {
                return;
            }
            let Some(c) = control() else { return };
            let value = c.value();
            let path = path.clone();
            repo.edit(&doc, move |d| {
                let obj = path.resolve_text(d).ok_or_else(|| {
                    DocumentError::Missing(format!("text field at {}", path.name()))
                })?;
                set_text(d, &obj, &value)?;
                Ok::<_, DocumentError>(())
            });
            edited.set_value(true);
            remember_caret();
        }
    };
    let on_focus = {
        let (repo, doc, path, remember_caret) = (
            repo.clone(),
            doc.clone(),
            path.clone(),
            remember_caret.clone(),
        );
        move |_| {
            remember_caret();
            repo.set_presence(&doc, Some(path.name()));
        }
    };
    let on_blur = {
        let (repo, doc, name) = (repo.clone(), doc.clone(), path.name());
        move |_| {
            repo.commit(&doc);
            repo.set_presence(&doc, None);
            if edited.get_value() {
                edited.set_value(false);
                if let Some(cb) = on_change {
                    cb.run(name.clone());
                }
            }
        }
    };
    let on_caret = {
        let remember_caret = remember_caret.clone();
        move |_: web_sys::Event| remember_caret()
    };
    let on_key = {
        let on_caret = on_caret.clone();
        move |e: web_sys::KeyboardEvent| on_caret(e.into())
    };
    let on_click = {
        let on_caret = on_caret.clone();
        move |e: web_sys::MouseEvent| on_caret(e.into())
    };

    let initial = text_now().1;
    let described_by = hint.as_ref().map(|_| hint_id.clone());
    let hint_view = hint.map(|h| view! { <span class="hint" id=hint_id.clone()>{h}</span> });
    let field = if multiline {
        view! {
            <textarea
                id=element_id.clone()
                node_ref=area
                rows="6"
                spellcheck="true"
                aria-describedby=described_by
                readonly=move || readonly.get()
                prop:value=initial
                on:input=on_input
                on:focus=on_focus
                on:blur=on_blur
                on:select=on_caret.clone()
                on:keyup=on_key.clone()
                on:click=on_click.clone()
            ></textarea>
        }
        .into_any()
    } else {
        view! {
            <input
                type="text"
                id=element_id.clone()
                node_ref=input
                aria-describedby=described_by
                readonly=move || readonly.get()
                prop:value=initial
                on:input=on_input
                on:focus=on_focus
                on:blur=on_blur
                on:select=on_caret
                on:keyup=on_key
                on:click=on_click
            />
        }
        .into_any()
    };
    let presence = {
        let name = path.name();
        let presence = signals.presence.clone();
        move || {
            let here: Vec<String> = presence
                .get()
                .into_iter()
                .filter(|p| p.field.as_deref() == Some(name.as_str()))
                .map(|p| p.name)
                .collect();
            (!here.is_empty()).then(|| {
                view! {
                    <span class="field-presence" data-testid="field-presence">
                        {format!("{} also here", here.join(", "))}
                    </span>
                }
            })
        }
    };

    view! {
        <div class="field">
            <label for=element_id>{label}</label>
            {hint_view}
            {presence}
            {field}
        </div>
    }
}

/// The two kinds of text control, behind one interface.
enum Control {
    Area(web_sys::HtmlTextAreaElement),
    Input(web_sys::HtmlInputElement),
}

impl Control {
    fn value(&self) -> String {
        match self {
            Control::Area(e) => e.value(),
            Control::Input(e) => e.value(),
        }
    }

    fn set_value(&self, value: &str) {
        match self {
            Control::Area(e) => e.set_value(value),
            Control::Input(e) => e.set_value(value),
        }
    }

    /// Selection in UTF-16 units, as the document counts.
    fn selection(&self) -> (usize, usize) {
        let (start, end) = match self {
            Control::Area(e) => (e.selection_start(), e.selection_end()),
            Control::Input(e) => (e.selection_start(), e.selection_end()),
        };
        let start = start.ok().flatten().unwrap_or(0) as usize;
        let end = end.ok().flatten().unwrap_or(start as u32) as usize;
        (start, end)
    }

    fn set_selection(&self, start: usize, end: usize) {
        let _moved = match self {
            Control::Area(e) => e.set_selection_range(start as u32, end as u32),
            Control::Input(e) => e.set_selection_range(start as u32, end as u32),
        };
    }

    fn is_focused(&self) -> bool {
        let element: &web_sys::Element = match self {
            Control::Area(e) => e.unchecked_ref(),
            Control::Input(e) => e.unchecked_ref(),
        };
        web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.active_element())
            .is_some_and(|active| &active == element)
    }
}
