//! One headless Chromium; a browser context (own cookies, storage and service
//! workers) per simulated user.

use std::path::PathBuf;

use anyhow::{Context, anyhow};
use chromiumoxide::Page;
use chromiumoxide::browser::BrowserConfig;
use chromiumoxide::cdp::browser_protocol::emulation::{
    SetDeviceMetricsOverrideParams, SetTouchEmulationEnabledParams,
};
use chromiumoxide::cdp::browser_protocol::network::{
    EmulateNetworkConditionsByRuleParams, EnableParams as NetworkEnableParams,
    EventWebSocketFrameReceived, NetworkConditions, OverrideNetworkStateParams,
};
use chromiumoxide::cdp::browser_protocol::target::{
    CreateBrowserContextParams, CreateTargetParams, SetAutoAttachParams,
};
use std::sync::{Arc, Mutex};

use chromiumoxide::cdp::js_protocol::runtime::{EventConsoleApiCalled, EventExceptionThrown};
use futures::StreamExt;
use serde::de::DeserializeOwned;
use tokio::task::JoinHandle;

use crate::eventually;

/// Whether the element's centre is the element (or inside it) for the
/// pointer: nothing else covers it and it is where it was measured.
const ON_TOP: &str = "function() { const r = this.getBoundingClientRect(); \
    const e = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2); \
    return !!e && (e === this || this.contains(e)); }";

pub struct Browser {
    inner: chromiumoxide::Browser,
    handler: JoinHandle<()>,
    /// The profile folder, when this browser made it (deleted with it).
    _profile: Option<tempfile::TempDir>,
}

/// The flags known to work here (see ARCHITECTURE.md); chromiumoxide adds the
/// leading `--`. The background-networking flags stop Chromium calling out
/// to a network this machine does not have.
const FLAGS: &[&str] = &[
    "headless=new",
    "no-sandbox",
    "disable-gpu",
    "disable-quic",
    "no-first-run",
    "disable-background-networking",
    "disable-component-update",
    "disable-sync",
    "disable-dev-shm-usage",
];

fn chromium() -> PathBuf {
    std::env::var_os("QALF_CHROMIUM")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("/usr/bin/chromium"))
}

impl Browser {
    pub async fn launch() -> anyhow::Result<Browser> {
        let profile = tempfile::tempdir()?;
        let mut browser = Browser::launch_in(profile.path()).await?;
        browser._profile = Some(profile);
        Ok(browser)
    }

    /// Chromium on a profile folder the caller keeps (never deleted here),
    /// so a browser started again on it finds what the last one stored.
    pub async fn launch_in(profile: &std::path::Path) -> anyhow::Result<Browser> {
        let config = BrowserConfig::builder()
            .chrome_executable(chromium())
            .user_data_dir(profile)
            .disable_default_args()
            .args(FLAGS.iter().copied())
            .viewport(None)
            .build()
            .map_err(|e| anyhow!("configuring Chromium: {e}"))?;
        let (inner, mut handler) = chromiumoxide::Browser::launch(config)
            .await
            .context("launching Chromium (is it installed? `cargo xtask setup`)")?;
        let handler = tokio::spawn(async move {
            // Unparsed protocol messages are not fatal (errors are skipped);
            // a closed connection ends the stream.
            while let Some(_event) = handler.next().await {}
        });
        Ok(Browser {
            inner,
            handler,
            _profile: None,
        })
    }

    /// Ends the browser as a crash or a flat battery would: SIGKILL, with no
    /// chance to close pages, commit typing or flush anything.
    pub async fn kill(mut self) -> anyhow::Result<()> {
        self.inner
            .kill()
            .await
            .ok_or_else(|| anyhow!("no Chromium process to kill"))??;
        Ok(())
    }

    /// A new user: their own browser context with one blank tab.
    pub async fn new_user(&self, name: &str) -> anyhow::Result<User> {
        let context = self
            .inner
            .create_browser_context(CreateBrowserContextParams::default())
            .await?;
        self.user_in(name, Some(context)).await
    }

    /// The same person after closing the tab: a new tab in the same profile
    /// (storage, service worker and cookies kept), keeping the network state
    /// and tablet emulation given.
    pub async fn reopen(&self, user: User) -> anyhow::Result<User> {
        let User {
            name,
            page,
            context,
            ..
        } = user;
        page.close().await?;
        self.user_in(&name, context).await
    }

    /// Lets `user`'s downloads land in `dir`, as a person saving a file
    /// would.
    pub async fn allow_downloads(&self, user: &User, dir: &std::path::Path) -> anyhow::Result<()> {
        use chromiumoxide::cdp::browser_protocol::browser::{
            SetDownloadBehaviorBehavior, SetDownloadBehaviorParams,
        };
        let mut params = SetDownloadBehaviorParams::builder()
            .behavior(SetDownloadBehaviorBehavior::Allow)
            .download_path(dir.display().to_string());
        if let Some(context) = user.context.clone() {
            params = params.browser_context_id(context);
        }
        self.inner
            .execute(params.build().map_err(|e| anyhow!(e))?)
            .await?;
        Ok(())
    }

    /// A user in the browser's default context (the profile on disk).
    pub async fn default_user(&self, name: &str) -> anyhow::Result<User> {
        self.user_in(name, None).await
    }

    async fn user_in(
        &self,
        name: &str,
        context: Option<chromiumoxide::cdp::browser_protocol::browser::BrowserContextId>,
    ) -> anyhow::Result<User> {
        let mut params = CreateTargetParams::builder().url("about:blank");
        if let Some(context) = context.clone() {
            params = params.browser_context_id(context);
        }
        let page = self
            .inner
            .new_page(params.build().map_err(|e| anyhow!(e))?)
            .await?;
        page.execute(NetworkEnableParams::default()).await?;
        // chromiumoxide auto-attaches to new workers and holds them at start
        // until told to run; service workers then never start. The tests do
        // not drive workers, so let them start on their own.
        page.execute(
            SetAutoAttachParams::builder()
                .auto_attach(false)
                .wait_for_debugger_on_start(false)
                .flatten(true)
                .build()
                .map_err(|e| anyhow!(e))?,
        )
        .await?;
        let console = Arc::new(Mutex::new(Vec::new()));
        let mut logged = page.event_listener::<EventConsoleApiCalled>().await?;
        let mut thrown = page.event_listener::<EventExceptionThrown>().await?;
        let sink = console.clone();
        tokio::spawn(async move {
            loop {
                let line = tokio::select! {
                    Some(e) = logged.next() => format!(
                        "{:?}: {}",
                        e.r#type,
                        e.args
                            .iter()
                            .filter_map(|a| a
                                .value
                                .as_ref()
                                .map(|v| v.to_string())
                                .or_else(|| a.description.clone()))
                            .collect::<Vec<_>>()
                            .join(" ")
                    ),
                    Some(e) = thrown.next() => format!(
                        "exception: {} {}",
                        e.exception_details.text,
                        e.exception_details
                            .exception
                            .as_ref()
                            .and_then(|x| x.description.clone())
                            .unwrap_or_default()
                    ),
                    else => break,
                };
                sink.lock().unwrap_or_else(|e| e.into_inner()).push(line);
            }
        });
        // Every binary WebSocket frame the page receives, to check what
        // reached the device at all (not only what the page shows).
        let frames = Arc::new(Mutex::new(Vec::new()));
        let mut received = page.event_listener::<EventWebSocketFrameReceived>().await?;
        let sink = frames.clone();
        tokio::spawn(async move {
            use base64::Engine;
            while let Some(e) = received.next().await {
                if e.response.opcode == 2.0
                    && let Ok(bytes) =
                        base64::engine::general_purpose::STANDARD.decode(&e.response.payload_data)
                {
                    sink.lock().unwrap_or_else(|e| e.into_inner()).push(bytes);
                }
            }
        });
        Ok(User {
            name: name.to_string(),
            page,
            console,
            frames,
            context,
        })
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        self.handler.abort();
    }
}

/// A tablet held in portrait: 820 × 1180 CSS pixels with touch.
pub struct Tablet;

/// One person at one browser tab.
pub struct User {
    pub name: String,
    pub page: Page,
    /// What the page logged (console and uncaught exceptions), for failures.
    console: Arc<Mutex<Vec<String>>>,
    /// Binary WebSocket frames received, in order.
    frames: Arc<Mutex<Vec<Vec<u8>>>>,
    /// The browser context: this person's profile (storage, service worker).
    context: Option<chromiumoxide::cdp::browser_protocol::browser::BrowserContextId>,
}

impl User {
    /// The documents whose content (sync data or presence) arrived in any
    /// WebSocket frame this page received.
    pub fn documents_received(&self) -> std::collections::BTreeSet<String> {
        use qalf_shared::sync::Message;
        self.frames
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .filter_map(|f| match Message::decode(f).ok()? {
                Message::Sync { document, .. }
                | Message::Request { document, .. }
                | Message::Ephemeral { document, .. } => Some(document.to_string()),
                _ => None,
            })
            .collect()
    }

    /// The documents this person has anything of in IndexedDB.
    pub async fn documents_stored(&self) -> anyhow::Result<std::collections::BTreeSet<String>> {
        let ids: Vec<String> = self
            .eval(
                "new Promise((done, fail) => { \
                   const me = JSON.parse(localStorage.getItem('qalf.me')).id; \
                   const open = indexedDB.open('qalf-' + me); \
                   open.onerror = () => fail(open.error); \
                   open.onsuccess = () => { \
                     const keys = open.result.transaction('documents').objectStore('documents').getAllKeys(); \
                     keys.onsuccess = () => { open.result.close(); done(keys.result.map(k => k[0])); }; }; })",
            )
            .await?;
        Ok(ids.into_iter().collect())
    }

    pub async fn open(&self, url: &str) -> anyhow::Result<()> {
        self.page.goto(url).await?;
        Ok(())
    }

    pub async fn as_tablet(&self, _: Tablet) -> anyhow::Result<()> {
        self.page
            .execute(
                SetDeviceMetricsOverrideParams::builder()
                    .width(820)
                    .height(1180)
                    .device_scale_factor(2.0)
                    .mobile(true)
                    .build()
                    .map_err(|e| anyhow!(e))?,
            )
            .await?;
        self.page
            .execute(
                SetTouchEmulationEnabledParams::builder()
                    .enabled(true)
                    .max_touch_points(5)
                    .build()
                    .map_err(|e| anyhow!(e))?,
            )
            .await?;
        Ok(())
    }

    /// Cuts (or restores) this user's network, as airplane mode would.
    pub async fn set_offline(&self, offline: bool) -> anyhow::Result<()> {
        // Requests fail, and the page's `navigator.onLine` and its
        // `online`/`offline` events follow, as on a real device.
        self.page
            .execute(EmulateNetworkConditionsByRuleParams::new(
                offline,
                // An empty pattern matches every request.
                vec![NetworkConditions::new("", 0.0, -1.0, -1.0)],
            ))
            .await?;
        self.page
            .execute(OverrideNetworkStateParams::new(offline, 0.0, -1.0, -1.0))
            .await?;
        Ok(())
    }

    /// The page printed to PDF as "Print / Save as PDF" would, on the page
    /// size its print stylesheet asks for.
    pub async fn print_to_pdf(&self) -> anyhow::Result<Vec<u8>> {
        use chromiumoxide::cdp::browser_protocol::page::PrintToPdfParams;
        let params = PrintToPdfParams::builder()
            .prefer_css_page_size(true)
            .print_background(true)
            .build();
        Ok(self.page.pdf(params).await?)
    }

    /// Picks the option at `index` of the select with id `id`, as a person
    /// choosing from the list would.
    pub async fn select_option(&self, id: &str, index: usize) -> anyhow::Result<String> {
        let id = serde_json::to_string(id)?;
        self.eval(&format!(
            "(() => {{ const s = document.getElementById({id}); s.value = s.options[{index}].value;              s.dispatchEvent(new Event('change', {{ bubbles: true }})); return s.value; }})()"
        ))
        .await
    }

    /// Evaluates a JavaScript expression (awaiting a promise) in the page.
    pub async fn eval<T: DeserializeOwned>(&self, expression: &str) -> anyhow::Result<T> {
        let result = self
            .page
            .evaluate(expression)
            .await
            .with_context(|| format!("evaluating `{expression}` for {}", self.name))?;
        result
            .into_value()
            .map_err(|e| anyhow!("reading the result of `{expression}`: {e}"))
    }

    /// Waits until `selector` matches an element whose text contains `text`.
    pub async fn wait_for_text(&self, selector: &str, text: &str) -> anyhow::Result<String> {
        let last = Mutex::new(None::<String>);
        let found = eventually(
            &format!("{}: `{selector}` to show {text:?}", self.name),
            || async {
                let found = self.text_of(selector).await?;
                *last.lock().unwrap_or_else(|e| e.into_inner()) = found.clone();
                Ok(found.filter(|t| t.contains(text)))
            },
        )
        .await;
        let last = last.into_inner().unwrap_or_else(|e| e.into_inner());
        if found.is_err()
            && let Ok(path) = self.screenshot("timeout").await
        {
            eprintln!("screenshot of {}: {}", self.name, path.display());
        }
        found.map_err(|e| self.with_context(e.context(format!("it showed {last:?}"))))
    }

    /// The last lines the page logged.
    pub fn console(&self) -> Vec<String> {
        let lines = self.console.lock().unwrap_or_else(|e| e.into_inner());
        lines.iter().rev().take(20).rev().cloned().collect()
    }

    /// Adds what the page logged to an error, so a failure explains itself.
    pub fn with_context(&self, error: anyhow::Error) -> anyhow::Error {
        let console = self.console();
        if console.is_empty() {
            error
        } else {
            error.context(format!("{} logged:\n  {}", self.name, console.join("\n  ")))
        }
    }

    /// The inner text of the first element matching `selector`, if any.
    pub async fn text_of(&self, selector: &str) -> anyhow::Result<Option<String>> {
        let selector_json = serde_json::to_string(selector)?;
        self.eval(&format!(
            "(() => {{ const e = document.querySelector({selector_json}); return e ? e.innerText : null; }})()"
        ))
        .await
    }

    /// Waits for the element an XPath names; on timeout the error carries
    /// what the page logged.
    async fn find(&self, xpath: &str, what: &str) -> anyhow::Result<chromiumoxide::Element> {
        eventually(&format!("{}: {what}", self.name), || async {
            Ok(self.page.find_xpath(xpath).await.ok())
        })
        .await
        .map_err(|e| self.with_context(e))
    }

    /// Clicks the element an XPath names where it is once it has stopped
    /// moving (a status badge changing width can shift a button just as the
    /// pointer arrives), and returns it. The element is looked up afresh on
    /// every try: a list that re-renders as records arrive replaces its
    /// elements, and a handle kept from before points at a removed one.
    async fn click_steady(
        &self,
        xpath: &str,
        what: &str,
    ) -> anyhow::Result<chromiumoxide::Element> {
        let last = Mutex::new(None);
        eventually(&format!("{}: {what} to stop moving", self.name), || async {
            let Ok(element) = self.page.find_xpath(xpath).await else {
                return Ok(None);
            };
            element.scroll_into_view().await?;
            let b = element.bounding_box().await?;
            let now = (b.x, b.y, b.width, b.height);
            let steady = {
                let mut last = last.lock().unwrap_or_else(|e| e.into_inner());
                let steady = *last == Some(now);
                *last = Some(now);
                steady
            };
            if !steady {
                return Ok(None);
            }
            // Nothing slid over it meanwhile (a list above still filling
            // in as records arrive): the pointer lands on it.
            let on_top = element
                .call_js_fn(ON_TOP, false)
                .await?
                .result
                .value
                .and_then(|v| v.as_bool())
                .unwrap_or(false);
            if !on_top {
                return Ok(None);
            }
            element.click().await?;
            Ok(Some(element))
        })
        .await
        .map_err(|e| self.with_context(e))
    }

    /// Presses Enter on the button whose visible text is `name`, as a
    /// keyboard user would: for a button below a list that keeps growing
    /// while records arrive, where a pointer aimed a moment ago can land on
    /// whatever has slid under it.
    pub async fn press_named(&self, name: &str) -> anyhow::Result<()> {
        let xpath = format!("//button[normalize-space()={}]", xpath_literal(name));
        let element = self
            .find(&xpath, &format!("a button named {name:?}"))
            .await?;
        element.focus().await?;
        element.press_key("Enter").await?;
        Ok(())
    }

    /// Clicks the button (or link) whose visible text is `name`, as a finger
    /// or mouse would, once it exists.
    pub async fn click_named(&self, name: &str) -> anyhow::Result<()> {
        let xpath = format!(
            "//*[self::button or self::a][normalize-space()={}]",
            xpath_literal(name)
        );
        self.click_steady(&xpath, &format!("a control named {name:?}"))
            .await
            .map(drop)
    }

    /// Clicks the first button whose visible text contains `text`.
    pub async fn click_named_containing(&self, text: &str) -> anyhow::Result<()> {
        let xpath = format!(
            "//button[contains(normalize-space(), {})]",
            xpath_literal(text)
        );
        self.click_steady(&xpath, &format!("a button mentioning {text:?}"))
            .await
            .map(drop)
    }

    /// Clicks the first link whose visible text contains `text`.
    pub async fn click_named_containing_link(&self, text: &str) -> anyhow::Result<()> {
        let xpath = format!("//a[contains(normalize-space(), {})]", xpath_literal(text));
        self.click_steady(&xpath, &format!("a link mentioning {text:?}"))
            .await
            .map(drop)
    }

    /// Types into the field labelled `label`.
    pub async fn fill(&self, label: &str, text: &str) -> anyhow::Result<()> {
        let xpath = format!(
            "//*[@id=//label[normalize-space()={}]/@for]",
            xpath_literal(label)
        );
        let element = self
            .click_steady(&xpath, &format!("a field labelled {label:?}"))
            .await?;
        element.type_str(text).await?;
        Ok(())
    }

    /// Replaces what the field labelled `label` holds with `text`, as
    /// someone selecting its contents and typing over them would.
    pub async fn replace(&self, label: &str, text: &str) -> anyhow::Result<()> {
        let xpath = format!(
            "//*[@id=//label[normalize-space()={}]/@for]",
            xpath_literal(label)
        );
        let element = self
            .click_steady(&xpath, &format!("a field labelled {label:?}"))
            .await?;
        element
            .call_js_fn("function() { this.select(); }", false)
            .await?;
        element.type_str(text).await?;
        Ok(())
    }

    /// Chooses `path` in the file input `selector`, as the file picker would.
    pub async fn choose_file(&self, selector: &str, path: &std::path::Path) -> anyhow::Result<()> {
        use chromiumoxide::cdp::browser_protocol::dom::SetFileInputFilesParams;
        let input = eventually("the file input", || async {
            Ok(self.page.find_element(selector).await.ok())
        })
        .await?;
        self.page
            .execute(
                SetFileInputFilesParams::builder()
                    .files(vec![path.display().to_string()])
                    .backend_node_id(input.backend_node_id)
                    .build()
                    .map_err(|e| anyhow::anyhow!(e))?,
            )
            .await?;
        Ok(())
    }

    /// Saves a screenshot under target/e2e-screenshots, for a failing test.
    pub async fn screenshot(&self, name: &str) -> anyhow::Result<PathBuf> {
        let dir = crate::workspace_root().join("target/e2e-screenshots");
        std::fs::create_dir_all(&dir)?;
        let path = dir.join(format!("{name}-{}.png", self.name));
        let png = self
            .page
            .screenshot(
                chromiumoxide::page::ScreenshotParams::builder()
                    .full_page(true)
                    .build(),
            )
            .await?;
        std::fs::write(&path, png)?;
        Ok(path)
    }
}

/// An XPath string literal for any text (XPath 1 has no escapes).
fn xpath_literal(text: &str) -> String {
    if !text.contains('\'') {
        format!("'{text}'")
    } else if !text.contains('"') {
        format!("\"{text}\"")
    } else {
        let parts: Vec<String> = text.split('\'').map(|p| format!("'{p}'")).collect();
        format!("concat({})", parts.join(", \"'\", "))
    }
}
