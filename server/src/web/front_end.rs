//! The built front end, with Trunk's inline start-up script moved out to a
//! file of its own so the content security policy can forbid inline script.

use std::path::Path;
use std::sync::Arc;

use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use sha2::{Digest, Sha256};

/// `index.html` as served, and the start-up script taken out of it.
#[derive(Clone)]
pub struct FrontEnd {
    index: Arc<String>,
    loader: Option<(String, Arc<String>)>,
}

const SCRIPT_OPEN: &str = "<script type=\"module\"";
const SCRIPT_CLOSE: &str = "</script>";

impl FrontEnd {
    /// Reads `dist/index.html`. A missing front end is not fatal (the API and
    /// the relay work without it); pages then explain how to build it.
    ///
    /// A demonstration says so in the page itself (`data-demo` on `<html>`),
    /// so its banner is there from the first paint rather than pushing the
    /// page down once the settings arrive, under someone's finger.
    pub fn load(dist: &Path, demo: bool) -> FrontEnd {
        match std::fs::read_to_string(dist.join("index.html")) {
            Ok(html) if demo => Self::from_index(&mark_demo(&html)),
            Ok(html) => Self::from_index(&html),
            Err(_) => FrontEnd {
                index: Arc::new(String::from(
                    "<!DOCTYPE html><html lang=\"en-GB\"><title>QALF</title>\
                     <h1>The QALF front end is not built</h1>\
                     <p>Run <code>cargo xtask run</code> to build and serve it.</p></html>",
                )),
                loader: None,
            },
        }
    }

    fn from_index(html: &str) -> FrontEnd {
        let Some(open) = html.find(SCRIPT_OPEN) else {
            return FrontEnd {
                index: Arc::new(html.to_string()),
                loader: None,
            };
        };
        let Some(body_start) = html[open..].find('>').map(|i| open + i + 1) else {
            return Self::unchanged(html);
        };
        let Some(close) = html[body_start..]
            .find(SCRIPT_CLOSE)
            .map(|i| body_start + i)
        else {
            return Self::unchanged(html);
        };
        let script = html[body_start..close].to_string();
        let hash = Sha256::digest(script.as_bytes());
        let name = format!(
            "app-loader-{}.js",
            hash.iter()
                .take(8)
                .map(|b| format!("{b:02x}"))
                .collect::<String>()
        );
        let index = format!(
            "{}<script type=\"module\" src=\"/{name}\"></script>{}",
            &html[..open],
            &html[close + SCRIPT_CLOSE.len()..]
        );
        FrontEnd {
            index: Arc::new(index),
            loader: Some((name, Arc::new(script))),
        }
    }

    fn unchanged(html: &str) -> FrontEnd {
        FrontEnd {
            index: Arc::new(html.to_string()),
            loader: None,
        }
    }

    pub fn index(&self) -> Response {
        Html(self.index.as_str().to_string()).into_response()
    }

    /// The start-up script, if `path` names it.
    pub fn loader(&self, path: &str) -> Option<Response> {
        let (name, script) = self.loader.as_ref()?;
        (path.trim_start_matches('/') == name).then(|| {
            (
                StatusCode::OK,
                [(header::CONTENT_TYPE, "text/javascript; charset=utf-8")],
                script.as_str().to_string(),
            )
                .into_response()
        })
    }
}

/// Adds `data-demo` to the page's `<html>` element.
fn mark_demo(html: &str) -> String {
    match html.find("<html") {
        Some(at) => {
            let after = at + "<html".len();
            format!("{} data-demo{}", &html[..after], &html[after..])
        }
        None => html.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_demonstration_says_so_in_the_page_itself() {
        let html = "<!DOCTYPE html>\n<html lang=\"en-GB\"><body></body></html>";
        assert_eq!(
            mark_demo(html),
            "<!DOCTYPE html>\n<html data-demo lang=\"en-GB\"><body></body></html>"
        );
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("index.html"), html).unwrap();
        assert!(FrontEnd::load(dir.path(), true).index.contains("data-demo"));
        assert!(
            !FrontEnd::load(dir.path(), false)
                .index
                .contains("data-demo")
        );
    }

    #[test]
    fn the_inline_module_script_moves_to_its_own_file() {
        let html = "<html><head><link rel=\"x\"></head><body>\
            <script type=\"module\" nonce=\"\">import init from '/app.js';\nawait init();</script>\
            </body></html>";
        let fe = FrontEnd::from_index(html);
        assert!(!fe.index.contains("import init"));
        let (name, script) = fe.loader.clone().unwrap();
        assert!(fe.index.contains(&format!(
            "<script type=\"module\" src=\"/{name}\"></script>"
        )));
        assert_eq!(
            script.as_str(),
            "import init from '/app.js';\nawait init();"
        );
        assert!(fe.loader(&format!("/{name}")).is_some());
        assert!(fe.loader("/other.js").is_none());
    }

    #[test]
    fn a_page_without_inline_script_is_served_as_it_is() {
        let fe = FrontEnd::from_index("<html><body>hi</body></html>");
        assert_eq!(fe.index.as_str(), "<html><body>hi</body></html>");
    }
}
