//! Starts the real server for a test: its own temporary data folder, the demo
//! organisation, and a clock the test can move.

use std::sync::Arc;

use chrono::{TimeZone, Utc};
use qalf_server::clock::ManualClock;
use qalf_server::config::Config;
use qalf_server::{AppState, Server, demo};

pub struct TestApp {
    pub server: Server,
    pub clock: Arc<ManualClock>,
    config: Config,
    _data: tempfile::TempDir,
}

impl TestApp {
    pub async fn spawn() -> TestApp {
        Self::spawn_with(|_| {}).await
    }

    pub async fn spawn_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
        let data = tempfile::tempdir().expect("temp dir");
        let mut config = Config::for_tests(data.path().to_path_buf());
        config.demo = true;
        adjust(&mut config);
        let clock = Arc::new(ManualClock::new(
            Utc.with_ymd_and_hms(2026, 11, 2, 9, 0, 0).unwrap(),
        ));
        let state = AppState::open(config.clone(), clock.clone())
            .await
            .expect("open");
        if config.demo {
            demo::seed_if_empty(&state).await.expect("seed");
        }
        let server = Server::serve(state).await.expect("serve");
        TestApp {
            server,
            clock,
            config,
            _data: data,
        }
    }

    pub fn data_dir(&self) -> &std::path::Path {
        self._data.path()
    }

    /// Stops the server and starts a new one on the same data folder.
    pub async fn restart(&mut self) {
        self.server.state.relay().stop().await;
        self.server.abort();
        let state = AppState::open(self.config.clone(), self.clock.clone())
            .await
            .expect("reopen");
        self.server = Server::serve(state).await.expect("serve again");
    }

    /// The person id of a role's demo persona.
    pub fn person(&self, role: qalf_shared::org::Role) -> qalf_shared::org::PersonId {
        let org = self.server.state.org();
        demo::persona_for(&org, role).expect("persona").1.id.clone()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.server.url())
    }

    /// `GET path` as `http`, the answer read as `T`.
    pub async fn get_json<T: serde::de::DeserializeOwned>(
        &self,
        http: &reqwest::Client,
        path: &str,
    ) -> T {
        let response = http.get(self.url(path)).send().await.unwrap();
        response.json().await.unwrap()
    }

    /// `method path` with a JSON body as `http`, the answer read as `T`.
    pub async fn send_json<T: serde::de::DeserializeOwned>(
        &self,
        http: &reqwest::Client,
        method: reqwest::Method,
        path: &str,
        body: &impl serde::Serialize,
    ) -> T {
        let response = http
            .request(method, self.url(path))
            .json(body)
            .send()
            .await
            .unwrap();
        response.json().await.unwrap()
    }

    /// A client with its own cookie jar: one browser.
    pub fn client(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .build()
            .expect("client")
    }

    /// The demo username for a role's persona.
    pub fn persona(&self, role: qalf_shared::org::Role) -> String {
        let org = self.server.state.org();
        demo::persona_for(&org, role).expect("persona").0
    }

    /// A client signed in as a given person (every demo account shares the
    /// demo password).
    pub async fn signed_in_person(&self, person: &qalf_shared::org::PersonId) -> reqwest::Client {
        let org = self.server.state.org();
        let username = demo::username_for(org.person(person).expect("a demo person"));
        let client = self.client();
        let response = client
            .post(self.url("/api/session"))
            .json(&serde_json::json!({
                "username": username,
                "password": demo::DEMO_PASSWORD,
            }))
            .send()
            .await
            .expect("sign in");
        assert_eq!(response.status(), 200, "sign-in as {person}");
        client
    }

    /// A client signed in as the persona for `role`.
    pub async fn signed_in(&self, role: qalf_shared::org::Role) -> reqwest::Client {
        let client = self.client();
        let response = client
            .post(self.url("/api/session"))
            .json(&serde_json::json!({
                "username": self.persona(role),
                "password": demo::DEMO_PASSWORD,
            }))
            .send()
            .await
            .expect("sign in");
        assert_eq!(response.status(), 200, "sign-in as {role:?}");
        client
    }

    /// The access log's rows for `person`, as (action, detail), oldest first.
    pub async fn logged(&self, person: &qalf_shared::org::PersonId) -> Vec<(String, String)> {
        self.logged_about(person)
            .await
            .into_iter()
            .map(|(action, _, detail)| (action, detail))
            .collect()
    }

    /// The access log's rows for `person`, as (action, record or case,
    /// detail), oldest first.
    pub async fn logged_about(
        &self,
        person: &qalf_shared::org::PersonId,
    ) -> Vec<(String, String, String)> {
        self.server.state.access_log().flush().await;
        let person = person.to_string();
        self.server
            .state
            .db()
            .call(move |conn| {
                let mut stmt = conn.prepare(
                    "SELECT action, document, detail FROM access_log WHERE person = ?1
                     ORDER BY seq",
                )?;
                let rows = stmt
                    .query_map([&person], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(rows)
            })
            .await
            .expect("the access log reads")
    }
}

impl TestApp {
    /// The notifications of `kind` about `document` that `person` has, once
    /// the server has acted on the changes it holds: waits up to ten
    /// seconds for at least `at_least` of them, then returns what there is.
    pub async fn notices(
        &self,
        client: &reqwest::Client,
        kind: &str,
        document: &str,
        at_least: usize,
    ) -> Vec<qalf_shared::api::Notification> {
        self.until_projected(
            || async {
                let all: Vec<qalf_shared::api::Notification> =
                    self.get_json(client, "/api/notifications").await;
                all.into_iter()
                    .filter(|n| n.kind == kind && n.document.as_deref() == Some(document))
                    .collect::<Vec<_>>()
            },
            |found| found.len() >= at_least,
        )
        .await
    }

    /// Asks `probe` until `done` holds of its answer or ten seconds pass,
    /// letting the server's pass over stored changes catch up between asks,
    /// and returns the last answer. ("Synced" can reach a device a moment
    /// before the relay's write, which is what marks a record for the
    /// pass.)
    pub async fn until_projected<T, Fut>(
        &self,
        mut probe: impl FnMut() -> Fut,
        done: impl Fn(&T) -> bool,
    ) -> T
    where
        Fut: Future<Output = T>,
    {
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(10);
        loop {
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
            self.server.state.projector().settled().await;
            let answer = probe().await;
            if done(&answer) || tokio::time::Instant::now() > deadline {
                return answer;
            }
        }
    }
}
