//! The QALF server: the sync relay, the HTTP API, sign-in and sessions, the
//! embedded database and the built front end.
//!
//! [`app`] builds the whole router from an [`AppState`], so tests drive it in
//! process; [`Server::start`] binds it to an address, as `main` does.

pub mod access;
pub mod access_log;
pub mod audits;
pub mod auth;
pub mod backup;
pub mod change_log;
pub mod clock;
pub mod config;
pub mod db;
pub mod demo;
pub mod directory;
pub mod error;
pub mod mail;
pub mod moderation;
pub mod notifications;
pub mod observations;
pub mod panels;
pub mod records;
pub mod registration;
pub mod relay;
pub mod report;
pub mod schedule;
pub mod settings;
pub mod setup;
pub mod templates;
pub mod web;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::serve::ListenerExt;
use qalf_shared::org::Organisation;
use tokio::task::JoinHandle;

use crate::access::AccessState;
use crate::access_log::AccessLog;
use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::db::Db;
use crate::relay::{Connections, GateContext, Limits, Relay, Tickets};

/// Everything a request handler may need, cheap to clone.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    config: Config,
    db: Db,
    clock: Arc<dyn Clock>,
    access: Arc<AccessState>,
    relay: Relay,
    tickets: Tickets,
    connections: Connections,
    access_log: AccessLog,
    sign_in_attempts: auth::SignInThrottle,
    /// Wakes the e-mail sender when a notification queues an e-mail.
    outbox: Arc<mail::Outbox>,
    /// The council's identity provider, when it has one.
    oidc: Option<auth::oidc::Oidc>,
    settings: settings::SettingsStore,
    projector: Arc<report::Projector>,
    /// Who made each change the relay took (R-SEC-1).
    authors: Arc<relay::rights::Authors>,
}

impl AppState {
    /// Opens the database under the configured data folder, creating both if
    /// needed, loads the organisation and the record registry, and starts the
    /// relay.
    pub async fn open(config: Config, clock: Arc<dyn Clock>) -> anyhow::Result<AppState> {
        db::create_private_dir(&config.data_dir)?;
        let db = Db::open(&config.database_path()).await?;
        let wanted = if config.demo {
            settings::Instance::Demo
        } else {
            settings::Instance::Live
        };
        let folder = config.data_dir.display().to_string();
        let fresh = db
            .call(move |conn| settings::check_instance(conn, wanted, &folder))
            .await??;
        let org = directory::load(&db).await?;
        let records = db.call(records::load_all).await?;
        let access = Arc::new(AccessState::new(org, records));
        let limits = Arc::new(Limits::new(
            config.sync_frames_per_second,
            config.sync_frame_burst,
            config.max_document_bytes,
            config.max_bytes_per_person_per_day,
        ));
        {
            let limits = limits.clone();
            db.call(move |conn| limits.load_sizes(conn)).await?;
        }
        let projector = Arc::new(report::Projector::default());
        let on_change: relay::OnChange = {
            let projector = projector.clone();
            Arc::new(move |id| projector.mark(id))
        };
        let relay = Relay::start(
            db.clone(),
            access.clone(),
            limits,
            config.relay_settings(),
            on_change,
        )
        .await?;
        let settings = settings::SettingsStore::load(&db).await?;
        let access_log = AccessLog::start(db.clone(), &config.secrets_path(), fresh)?;
        let sign_in_attempts = auth::SignInThrottle::new(config.sign_in_attempts_per_minute);
        let authors = Arc::new(relay::rights::Authors::load(db.clone()).await?);
        // A mail server named wrongly stops the start, rather than losing
        // e-mail quietly later.
        let mailer = mail::Mailer::from_config(&config)?;
        let oidc = auth::oidc::OidcConfig::from_config(&config)?
            .map(auth::oidc::Oidc::new)
            .transpose()?;
        let outbox = Arc::new(mail::Outbox::default());
        let state = AppState {
            inner: Arc::new(Inner {
                config,
                db,
                clock,
                access,
                relay,
                tickets: Tickets::default(),
                connections: Connections::default(),
                access_log,
                sign_in_attempts,
                outbox: outbox.clone(),
                oidc,
                settings,
                projector,
                authors,
            }),
        };
        tokio::spawn(report::projection::run(Arc::downgrade(&state.inner)));
        tokio::spawn(auth::session::close_expired(Arc::downgrade(&state.inner)));
        tokio::spawn(audits::follow_up::run(Arc::downgrade(&state.inner)));
        match mailer {
            Some(mailer) => {
                tokio::spawn(mail::run(Arc::downgrade(&state.inner), mailer, outbox));
            }
            None if !state.config().demo => tracing::warn!(
                "e-mail is not set up (--smtp-url): notifications are shown in the app, and their e-mails wait in the outbox until it is"
            ),
            None => {}
        }
        Ok(state)
    }

    /// The council's settings as they are now.
    pub fn settings(&self) -> Arc<qalf_shared::settings::CouncilSettings> {
        self.inner.settings.get()
    }

    pub fn settings_store(&self) -> &settings::SettingsStore {
        &self.inner.settings
    }

    /// The reports' projection, which follows every document change.
    pub fn projector(&self) -> Arc<report::Projector> {
        self.inner.projector.clone()
    }

    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    pub fn db(&self) -> &Db {
        &self.inner.db
    }

    pub fn clock(&self) -> &dyn Clock {
        self.inner.clock.as_ref()
    }

    pub fn access(&self) -> &AccessState {
        &self.inner.access
    }

    pub fn relay(&self) -> &Relay {
        &self.inner.relay
    }

    pub fn tickets(&self) -> &Tickets {
        &self.inner.tickets
    }

    pub fn connections(&self) -> &Connections {
        &self.inner.connections
    }

    pub fn access_log(&self) -> &AccessLog {
        &self.inner.access_log
    }

    /// Logs `person`'s access to a record the server knows of, with its
    /// kind from the registry (ids only, as every access log row). A read
    /// is on disk before this returns, and refused when the log cannot be
    /// written: call it before serving what was read.
    pub async fn log_access(
        &self,
        person: &qalf_shared::org::PersonId,
        id: &qalf_shared::sync::DocumentId,
        action: access_log::Action,
        detail: &str,
    ) -> Result<(), error::AppError> {
        self.log_accesses(person, [id], action, detail).await
    }

    /// [`log_access`](Self::log_access) for several records at once (one
    /// write to the log).
    pub async fn log_accesses<'a>(
        &self,
        person: &qalf_shared::org::PersonId,
        ids: impl IntoIterator<Item = &'a qalf_shared::sync::DocumentId>,
        action: access_log::Action,
        detail: &str,
    ) -> Result<(), error::AppError> {
        let now = self.clock().now();
        let events = ids.into_iter().map(|id| {
            let meta = self.access().record(id);
            access_log::Event::new(now, person, id, meta.as_ref(), action, detail)
        });
        self.log_events(events.collect()).await
    }

    /// Logs events as their action asks: reads on disk before this
    /// returns (or an error), refusals rate-limited, the rest queued.
    pub async fn log_events(&self, events: Vec<access_log::Event>) -> Result<(), error::AppError> {
        let log = self.access_log();
        let (reads, others): (Vec<_>, Vec<_>) = events
            .into_iter()
            .partition(|e| e.action == access_log::Action::Read);
        for event in others {
            match event.action {
                access_log::Action::Denied => log.record_refusal(event),
                _ => log.record(event).await,
            }
        }
        log.record_durably(reads)
            .await
            .map_err(|_| error::AppError::LogUnavailable)
    }

    /// Where notifications go beyond the app (e-mail, when plugged in).
    /// The council's identity provider, when it signs people in.
    pub fn oidc(&self) -> Option<&auth::oidc::Oidc> {
        self.inner.oidc.as_ref()
    }

    /// The e-mail outbox's wake-up: call it once notifications are stored.
    pub fn outbox(&self) -> &mail::Outbox {
        &self.inner.outbox
    }

    pub fn sign_in_attempts(&self) -> &auth::SignInThrottle {
        &self.inner.sign_in_attempts
    }

    pub fn access_state(&self) -> Arc<AccessState> {
        self.inner.access.clone()
    }

    /// What the relay's gates need, for one new connection.
    pub fn gate_context(&self) -> GateContext {
        GateContext {
            access: self.inner.access.clone(),
            log: self.inner.access_log.clone(),
            limits: self.inner.relay.limits().clone(),
            clock: self.inner.clock.clone(),
            db: self.inner.db.clone(),
            relay: self.inner.relay.clone(),
            authors: self.inner.authors.clone(),
        }
    }

    /// The organisation as it is now.
    pub fn org(&self) -> Arc<Organisation> {
        self.inner.access.org()
    }

    /// Re-reads the organisation after it changed in the database; open sync
    /// connections see the new access at once.
    pub async fn reload_org(&self) -> anyhow::Result<()> {
        let org = directory::load(self.db()).await?;
        self.inner.access.set_org(org);
        Ok(())
    }
}

/// The whole HTTP surface.
pub fn app(state: AppState) -> Router {
    let dist = state.config().dist.clone();
    let (tls, demo) = (state.config().tls, state.config().demo);
    let router = Router::new()
        .merge(auth::router())
        .merge(demo::router())
        .merge(auth::oidc::router())
        .merge(access_log::router())
        .merge(audits::router())
        .merge(notifications::router())
        .merge(panels::router())
        .merge(moderation::router())
        .merge(observations::router())
        .merge(directory::router())
        .merge(registration::router())
        .merge(schedule::router())
        .merge(report::router())
        .merge(relay::router())
        .merge(setup::router())
        .merge(change_log::router())
        .merge(mail::router())
        .merge(settings::router())
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            web::origin::same_origin_writes,
        ))
        // What the API answers is about people and children: no browser
        // or proxy keeps a copy for the next user of the device.
        .layer(tower_http::set_header::SetResponseHeaderLayer::overriding(
            axum::http::header::CACHE_CONTROL,
            axum::http::HeaderValue::from_static("no-store"),
        ))
        .with_state(state)
        .merge(web::router(&dist, demo));
    web::with_security_headers(router, tls)
}

/// A running server.
pub struct Server {
    pub addr: SocketAddr,
    pub state: AppState,
    task: JoinHandle<std::io::Result<()>>,
}

impl Server {
    /// Opens storage, seeds the demo data if asked and the database is new,
    /// and starts serving on the configured address.
    pub async fn start(config: Config) -> anyhow::Result<Server> {
        let state = AppState::open(config, Arc::new(SystemClock)).await?;
        if state.config().demo && demo::seed_if_empty(&state).await? {
            tracing::info!("seeded the demo organisation");
        }
        Self::serve(state).await
    }

    /// Serves an already opened state (tests use this with their own clock).
    pub async fn serve(state: AppState) -> anyhow::Result<Server> {
        let listener = tokio::net::TcpListener::bind(state.config().addr)
            .await
            .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", state.config().addr))?;
        let addr = listener.local_addr()?;
        let router = app(state.clone());
        // Sync frames are small and wanted at once: no Nagle delay (browsers
        // set the same on their side of a WebSocket).
        let listener = listener.tap_io(|tcp| {
            if let Err(e) = tcp.set_nodelay(true) {
                tracing::warn!("cannot set TCP_NODELAY: {e}");
            }
        });
        // The peer's address reaches handlers (sign-in is throttled by it).
        let task = tokio::spawn(async move {
            axum::serve(
                listener,
                router.into_make_service_with_connect_info::<SocketAddr>(),
            )
            .await
        });
        Ok(Server { addr, state, task })
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Stops serving new requests (tests restart servers this way).
    pub fn abort(&self) {
        self.task.abort();
    }

    /// Runs until the server stops.
    pub async fn wait(self) -> anyhow::Result<()> {
        self.task.await??;
        Ok(())
    }
}
