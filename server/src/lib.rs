//! The QALF server: the sync relay, the HTTP API, sign-in and sessions, the
//! embedded database and the built front end.
//!
//! [`app`] builds the whole router from an [`AppState`], so tests drive it in
//! process; [`Server::start`] binds it to an address, as `main` does.

pub mod auth;
pub mod clock;
pub mod config;
pub mod db;
pub mod demo;
pub mod directory;
pub mod error;
mod web;

use std::net::SocketAddr;
use std::sync::{Arc, RwLock};

use axum::Router;
use qalf_shared::org::Organisation;
use tokio::task::JoinHandle;

use crate::clock::{Clock, SystemClock};
use crate::config::Config;
use crate::db::Db;

/// Everything a request handler may need, cheap to clone.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

struct Inner {
    config: Config,
    db: Db,
    clock: Arc<dyn Clock>,
    /// The organisation, swapped whole when it changes so readers never see
    /// half an update.
    org: RwLock<Arc<Organisation>>,
}

impl AppState {
    /// Opens the database under the configured data folder, creating both if
    /// needed, and loads the organisation.
    pub async fn open(config: Config, clock: Arc<dyn Clock>) -> anyhow::Result<AppState> {
        std::fs::create_dir_all(&config.data_dir).map_err(|e| {
            anyhow::anyhow!(
                "cannot create the data folder {}: {e}",
                config.data_dir.display()
            )
        })?;
        let db = Db::open(&config.database_path()).await?;
        let org = directory::load(&db).await?;
        Ok(AppState {
            inner: Arc::new(Inner {
                config,
                db,
                clock,
                org: RwLock::new(Arc::new(org)),
            }),
        })
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

    /// The organisation as it is now.
    pub fn org(&self) -> Arc<Organisation> {
        self.inner
            .org
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Re-reads the organisation after it changed in the database.
    pub async fn reload_org(&self) -> anyhow::Result<()> {
        let org = directory::load(self.db()).await?;
        *self.inner.org.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(org);
        Ok(())
    }
}

/// The whole HTTP surface.
pub fn app(state: AppState) -> Router {
    let dist = state.config().dist.clone();
    let tls = state.config().tls;
    let router = Router::new()
        .merge(auth::router())
        .with_state(state)
        .merge(web::router(&dist));
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
        let task = tokio::spawn(async move { axum::serve(listener, router).await });
        Ok(Server { addr, state, task })
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Runs until the server stops.
    pub async fn wait(self) -> anyhow::Result<()> {
        self.task.await??;
        Ok(())
    }
}
