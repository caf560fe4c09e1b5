//! Page objects: what a person does on each page, found by role, label and
//! visible text as they would find it.

use crate::{User, eventually};

/// The password every demo account shares.
pub const DEMO_PASSWORD: &str = "qalf-demo";

/// A demo person's username, from their name (as the server makes them).
pub use qalf_shared::org::demo_username;

impl User {
    /// Waits until the server has a message for this person whose title
    /// contains `title`, then finds it under Messages on their home page.
    pub async fn wait_for_message(&self, base: &str, title: &str) -> anyhow::Result<()> {
        let script = format!(
            "fetch('/api/notifications').then(r => r.json()).then(ns => ns.some(n => n.title.includes({})))",
            serde_json::to_string(title)?
        );
        // Longer than other waits: a CPP member's device fetches every audit
        // as it first signs in, and the page answers slowly meanwhile.
        let started = std::time::Instant::now();
        loop {
            match self.eval::<bool>(&script).await {
                Ok(true) => break,
                Ok(false) | Err(_) if started.elapsed() < crate::DEADLINE * 4 => {
                    tokio::time::sleep(std::time::Duration::from_millis(250)).await;
                }
                Ok(false) => anyhow::bail!("{}: no message {title:?}", self.name),
                Err(e) => return Err(e.context(format!("{}: no message {title:?}", self.name))),
            }
        }
        self.open(&format!("{base}/")).await?;
        self.wait_for_text("[data-testid=messages]", title).await?;
        Ok(())
    }

    /// Signs in with the form and waits for the home page.
    pub async fn sign_in(&self, base: &str, username: &str) -> anyhow::Result<()> {
        self.open(&format!("{base}/sign-in")).await?;
        self.fill("Username", username).await?;
        self.fill("Password", DEMO_PASSWORD).await?;
        self.click_named("Sign in").await?;
        self.wait_for_text("h1", "Welcome,").await?;
        Ok(())
    }

    /// The localStorage keys this page's origin holds.
    pub async fn local_storage_keys(&self) -> anyhow::Result<Vec<String>> {
        self.eval("Object.keys(localStorage)").await
    }

    /// Waits until this device can check, offline, that the person signed
    /// in is who they say (made just after an online sign-in).
    pub async fn offline_check_kept(&self) -> anyhow::Result<()> {
        eventually(&format!("{}: the offline identity check", self.name), || async {
            let kept: bool = self
                .eval(
                    "(() => { const me = JSON.parse(localStorage.getItem('qalf.me') || 'null');                        return !!me && localStorage.getItem('qalf.' + me.id + '.offline-verifier') !== null; })()",
                )
                .await?;
            Ok(kept.then_some(()))
        })
        .await
    }

    /// Offline, answers "Confirm it is you" with `password`.
    pub async fn confirm_identity(&self, password: &str) -> anyhow::Result<()> {
        self.wait_for_text("h1", "Confirm it is you").await?;
        self.fill("Password", password).await?;
        self.click_named("Open my records").await?;
        Ok(())
    }

    /// Signs in as the demo persona whose button mentions `role`.
    pub async fn sign_in_as(&self, base: &str, role: &str) -> anyhow::Result<()> {
        self.open(&format!("{base}/sign-in")).await?;
        self.click_named_containing(role).await?;
        self.wait_for_text("h1", "Welcome,").await?;
        Ok(())
    }

    /// Starts a note shared with the first colleague offered; returns the
    /// note's address and that colleague's name.
    pub async fn start_shared_note(
        &self,
        base: &str,
        title: &str,
    ) -> anyhow::Result<(String, String)> {
        self.open(&format!("{base}/notes")).await?;
        self.fill("Title", title).await?;
        let colleague: String = eventually("a colleague to share with", || async {
            self.eval::<Option<String>>(
                "(() => { const l = document.querySelector('.checkbox label'); return l ? l.innerText : null; })()",
            )
            .await
        })
        .await?;
        self.eval::<bool>(
            "(() => { document.querySelector('.checkbox input').click(); return true; })()",
        )
        .await?;
        self.click_named("Create note").await?;
        let url: String = eventually("the new note to open", || async {
            let href: String = self.eval("location.pathname").await?;
            Ok(href.starts_with("/notes/").then_some(href))
        })
        .await?;
        self.wait_for_field("Note").await?;
        let name = colleague
            .split(',')
            .next()
            .unwrap_or_default()
            .trim()
            .to_string();
        Ok((format!("{base}{url}"), name))
    }

    /// Waits until the field labelled `label` is on the page.
    pub async fn wait_for_field(&self, label: &str) -> anyhow::Result<()> {
        let script = field_script(label, "!!el");
        eventually(&format!("{}: the field {label:?}", self.name), || async {
            Ok(self.eval::<bool>(&script).await?.then_some(()))
        })
        .await
    }

    /// The current text of the field labelled `label`.
    pub async fn field_text(&self, label: &str) -> anyhow::Result<String> {
        self.eval(&field_script(label, "el ? el.value : ''")).await
    }

    /// Types into a field as a person would, one key at a time, at its start
    /// or its end.
    pub async fn type_in_field(&self, label: &str, text: &str, at_end: bool) -> anyhow::Result<()> {
        // The field may still be rendering after the click that led here.
        self.wait_for_field(label).await?;
        let place = if at_end {
            "(el.focus(), el.setSelectionRange(el.value.length, el.value.length), true)"
        } else {
            "(el.focus(), el.setSelectionRange(0, 0), true)"
        };
        self.eval::<bool>(&field_script(label, place)).await?;
        for ch in text.chars() {
            self.page
                .execute(
                    chromiumoxide::cdp::browser_protocol::input::InsertTextParams::new(
                        ch.to_string(),
                    ),
                )
                .await?;
        }
        Ok(())
    }

    /// Moves focus out of any field (committing what was typed).
    pub async fn leave_field(&self) -> anyhow::Result<()> {
        self.eval::<bool>(
            "(() => { document.activeElement && document.activeElement.blur(); return true; })()",
        )
        .await?;
        Ok(())
    }

    /// Clicks every element matching `selector` (radios, say) in the page,
    /// as a user's taps would; returns how many.
    pub async fn click_all(&self, selector: &str) -> anyhow::Result<usize> {
        let selector = serde_json::to_string(selector)?;
        self.eval(&format!(
            "(() => {{ const els = [...document.querySelectorAll({selector})]; els.forEach(e => e.click()); return els.length; }})()"
        ))
        .await
    }

    /// Sets the date field labelled `label` (ISO date) as a date picker does.
    pub async fn set_date(&self, label: &str, iso: &str) -> anyhow::Result<()> {
        let value = serde_json::to_string(iso)?;
        self.wait_for_field(label).await?;
        let ok: bool = self
            .eval(&field_script(
                label,
                &format!(
                    "(el.value = {value}, el.dispatchEvent(new Event('change', {{ bubbles: true }})), true)"
                ),
            ))
            .await?;
        anyhow::ensure!(ok, "no date field labelled {label:?}");
        Ok(())
    }

    /// Picks the radio labelled `option` in the group whose legend starts
    /// with `legend`.
    pub async fn choose(&self, legend: &str, option: &str) -> anyhow::Result<()> {
        let legend = serde_json::to_string(legend)?;
        let option = serde_json::to_string(option)?;
        let script = format!(
            "(() => {{ const fs = [...document.querySelectorAll('fieldset')].find(f => f.querySelector('legend') && f.querySelector('legend').innerText.trim().startsWith({legend}));              if (!fs) return false; const l = [...fs.querySelectorAll('label')].find(l => l.innerText.trim() === {option});              if (!l) return false; document.getElementById(l.htmlFor).click(); return true; }})()"
        );
        eventually(
            &format!("{}: a choice {legend} / {option}", self.name),
            || async { Ok(self.eval::<bool>(&script).await?.then_some(())) },
        )
        .await
    }

    /// Ticks the checkbox whose label contains `text` (waiting for it).
    pub async fn tick(&self, text: &str) -> anyhow::Result<()> {
        self.set_ticked(text, true).await
    }

    /// Unticks the checkbox whose label contains `text`.
    pub async fn untick(&self, text: &str) -> anyhow::Result<()> {
        self.set_ticked(text, false).await
    }

    async fn set_ticked(&self, text: &str, ticked: bool) -> anyhow::Result<()> {
        let text = serde_json::to_string(text)?;
        let script = format!(
            "(() => {{ const l = [...document.querySelectorAll('.checkbox label')].find(l => l.innerText.includes({text})); \
             if (!l) return false; const box = document.getElementById(l.htmlFor); if (box.checked !== {ticked}) box.click(); return true; }})()"
        );
        eventually(&format!("{}: a checkbox {text}", self.name), || async {
            Ok(self.eval::<bool>(&script).await?.then_some(()))
        })
        .await
    }

    /// How many elements match `selector` now.
    pub async fn count(&self, selector: &str) -> anyhow::Result<usize> {
        let selector = serde_json::to_string(selector)?;
        self.eval(&format!("document.querySelectorAll({selector}).length"))
            .await
    }

    /// The value of a summary list row (`<dt>` label → `<dd>` value).
    pub async fn summary_value(&self, label: &str) -> anyhow::Result<String> {
        let label = serde_json::to_string(label)?;
        eventually("a summary row", || async {
            self.eval::<Option<String>>(&format!(
                "(() => {{ const r = [...document.querySelectorAll('.summary__row')].find(r => r.querySelector('dt').innerText.trim() === {label}); return r ? r.querySelector('dd').innerText.trim() : null; }})()"
            ))
            .await
        })
        .await
    }

    /// The header's sync status text.
    pub async fn sync_status(&self) -> anyhow::Result<String> {
        Ok(self
            .text_of("[data-testid=sync-status]")
            .await?
            .unwrap_or_default())
    }
}

/// A script that finds the field labelled `label` as `el` and evaluates
/// `expression`.
fn field_script(label: &str, expression: &str) -> String {
    let label = serde_json::to_string(label).unwrap_or_default();
    format!(
        "(() => {{ const l = [...document.querySelectorAll('label')].find(l => l.innerText.trim() === {label}); \
         const el = l ? document.getElementById(l.htmlFor) : null; return {expression}; }})()"
    )
}
