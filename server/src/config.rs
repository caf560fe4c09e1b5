//! Server settings, from flags or environment variables.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Parser;

#[derive(Debug, Clone, Parser)]
#[command(name = "qalf-server", about = "QALF relay and server")]
pub struct Config {
    /// Address to listen on.
    #[arg(long, env = "QALF_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,

    /// Folder for the SQLite database; created on first run.
    #[arg(long, env = "QALF_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,

    /// The built front end (Trunk's dist folder).
    #[arg(long, env = "QALF_DIST_DIR", default_value = "dist")]
    pub dist: PathBuf,

    /// Seed synthetic demo data on first run and offer the demo personas on
    /// the sign-in page.
    #[arg(long, env = "QALF_DEMO")]
    pub demo: bool,

    /// Months of past QA work the demo data includes (audits, moderations,
    /// observations, DRP alerts), so reports have something to show.
    #[arg(long, env = "QALF_DEMO_HISTORY_MONTHS", default_value_t = 12)]
    pub demo_history_months: u32,

    /// Folder for secrets kept apart from the data (the access log's seal
    /// key), e.g. on another volume or a secrets mount. The data folder when
    /// not given.
    #[arg(long, env = "QALF_SECRETS_DIR")]
    pub secrets_dir: Option<PathBuf>,

    /// The address people open QALF at (e.g. https://qalf.example.gov.uk),
    /// for links in e-mails and set-up links; the listening address if not
    /// given.
    #[arg(long, env = "QALF_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// The council's mail server, e.g. `smtp://mail.council.local:587`
    /// (STARTTLS required), `smtps://…:465`, with `user:password@` if it
    /// asks; `?tls=none` only for a relay on the same host. Without it,
    /// e-mails wait in the outbox until it is set.
    #[arg(long, env = "QALF_SMTP_URL")]
    pub smtp_url: Option<String>,

    /// Who e-mails come from.
    #[arg(long, env = "QALF_SMTP_FROM", default_value = "QALF <qalf@localhost>")]
    pub smtp_from: String,

    /// A PEM file of the certificate authority that signed the mail
    /// server's certificate, when it is the council's own (the host's
    /// trusted certificates are used besides).
    #[arg(long, env = "QALF_SMTP_CA_FILE")]
    pub smtp_ca_file: Option<PathBuf>,

    /// The council's identity provider (OpenID Connect), by its issuer
    /// address, e.g. `https://login.microsoftonline.com/<tenant>/v2.0`.
    /// People then sign in with their council account, matched to the
    /// staff directory by work e-mail.
    #[arg(long, env = "QALF_OIDC_ISSUER")]
    pub oidc_issuer: Option<String>,

    /// QALF's client id at the identity provider.
    #[arg(long, env = "QALF_OIDC_CLIENT_ID")]
    pub oidc_client_id: Option<String>,

    /// QALF's client secret at the identity provider (prefer the
    /// environment variable to the flag: flags show in process lists).
    #[arg(long, env = "QALF_OIDC_CLIENT_SECRET", hide_env_values = true)]
    pub oidc_client_secret: Option<String>,

    /// The claim matched to the staff directory's work e-mail: `email`
    /// (only when the provider says it is verified) or
    /// `preferred_username` (Entra ID's user principal name).
    #[arg(long, env = "QALF_OIDC_CLAIM", default_value = "email")]
    pub oidc_claim: String,

    /// Milliseconds between looks at the e-mail outbox (a new notification
    /// wakes it at once).
    #[arg(long, env = "QALF_MAIL_POLL_MS", default_value_t = 5000)]
    pub mail_poll_ms: u64,

    /// Extra origins allowed to open the sync socket, besides the server's own
    /// address (e.g. `https://qalf.example.gov.uk`). Comma separated.
    #[arg(long, env = "QALF_ALLOWED_ORIGINS", value_delimiter = ',')]
    pub allowed_origins: Vec<String>,

    /// Seconds between checks that every open sync socket's session is
    /// still live (expired ones are closed).
    #[arg(long, env = "QALF_SESSION_CHECK_SECONDS", default_value_t = 30)]
    pub session_check_seconds: u64,

    /// Sync frames a session may send per second, sustained.
    #[arg(long, env = "QALF_SYNC_FRAMES_PER_SECOND", default_value_t = 500)]
    pub sync_frames_per_second: u32,

    /// Sync frames a session may send in a burst (a first sync of many
    /// records).
    #[arg(long, env = "QALF_SYNC_FRAME_BURST", default_value_t = 5000)]
    pub sync_frame_burst: u32,

    /// Largest document the relay accepts changes to, in bytes stored.
    #[arg(long, env = "QALF_MAX_DOCUMENT_BYTES", default_value_t = 64 * 1024 * 1024)]
    pub max_document_bytes: u64,

    /// Records one person may register in a day (a runaway or hostile
    /// client cannot fill the registry).
    #[arg(
        long,
        env = "QALF_MAX_RECORDS_PER_PERSON_PER_DAY",
        default_value_t = 500
    )]
    pub max_records_per_person_per_day: u32,

    /// Bytes of changes one person may send in a day; beyond it their
    /// changes wait on their device until the next day.
    #[arg(long, env = "QALF_MAX_BYTES_PER_PERSON_PER_DAY", default_value_t = 256 * 1024 * 1024)]
    pub max_bytes_per_person_per_day: u64,

    /// Sessions one person may hold at once; a new sign-in beyond it ends
    /// their oldest.
    #[arg(long, env = "QALF_MAX_SESSIONS_PER_PERSON", default_value_t = 10)]
    pub max_sessions_per_person: usize,

    /// Sync sockets one person may have open at once (tabs and devices).
    #[arg(long, env = "QALF_MAX_SOCKETS_PER_PERSON", default_value_t = 20)]
    pub max_sockets_per_person: usize,

    /// Unspent sync tickets one person may hold; a new one beyond it
    /// withdraws their oldest.
    #[arg(long, env = "QALF_MAX_TICKETS_PER_PERSON", default_value_t = 8)]
    pub max_tickets_per_person: usize,

    /// Addresses of reverse proxies whose `X-Forwarded-For` is believed:
    /// sign-in is throttled by the client address they report.
    #[arg(long, env = "QALF_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Vec<std::net::IpAddr>,

    /// Sign-in attempts per username per minute before refusing for a while.
    #[arg(long, env = "QALF_SIGN_IN_ATTEMPTS_PER_MINUTE", default_value_t = 10)]
    pub sign_in_attempts_per_minute: u32,

    /// Served over TLS (directly or behind a proxy): cookies get `Secure` and
    /// responses HSTS.
    #[arg(long, env = "QALF_TLS")]
    pub tls: bool,

    /// Document shards in the sync relay (each its own samod repo). A
    /// connection using a shard costs about 1 KiB per document loaded in
    /// it, so more shards make busy connections cheaper.
    #[arg(long, env = "QALF_RELAY_SHARDS", default_value_t = 64)]
    pub relay_shards: usize,

    /// Seconds after which a shard whose documents are all idle, with no
    /// one connected to it, is emptied from memory.
    #[arg(long, env = "QALF_RELAY_UNLOAD_SECONDS", default_value_t = 15 * 60)]
    pub relay_unload_seconds: u64,

    /// Documents a relay shard may hold before its idle ones are unloaded
    /// even while people are connected.
    #[arg(long, env = "QALF_RELAY_MAX_LOADED", default_value_t = 2000)]
    pub relay_max_loaded: usize,
}

impl Config {
    /// Settings for tests: a given data folder, no demo data, no front end.
    pub fn for_tests(data_dir: PathBuf) -> Config {
        Config {
            addr: "127.0.0.1:0".parse().expect("valid address"),
            data_dir,
            dist: PathBuf::from("dist"),
            demo: false,
            demo_history_months: 0,
            secrets_dir: None,
            public_url: None,
            smtp_url: None,
            smtp_from: "QALF <qalf@localhost>".into(),
            smtp_ca_file: None,
            mail_poll_ms: 100,
            oidc_issuer: None,
            oidc_client_id: None,
            oidc_client_secret: None,
            oidc_claim: "email".into(),
            allowed_origins: Vec::new(),
            session_check_seconds: 30,
            sync_frames_per_second: 500,
            sync_frame_burst: 5000,
            max_document_bytes: 64 * 1024 * 1024,
            max_records_per_person_per_day: 500,
            max_bytes_per_person_per_day: 256 * 1024 * 1024,
            max_sessions_per_person: 10,
            max_sockets_per_person: 20,
            max_tickets_per_person: 8,
            sign_in_attempts_per_minute: 10,
            trusted_proxies: Vec::new(),
            tls: false,
            relay_shards: 4,
            relay_unload_seconds: 15 * 60,
            relay_max_loaded: 2000,
        }
    }

    /// The address people open QALF at.
    pub fn public_url(&self) -> String {
        self.public_url
            .clone()
            .unwrap_or_else(|| format!("http://{}", self.addr))
    }

    pub fn relay_settings(&self) -> crate::relay::RelaySettings {
        let unload_after = Duration::from_secs(self.relay_unload_seconds);
        crate::relay::RelaySettings {
            shards: self.relay_shards.max(1),
            unload_after,
            max_loaded_per_shard: self.relay_max_loaded,
            check_every: (unload_after / 2)
                .clamp(Duration::from_millis(200), Duration::from_secs(30)),
        }
    }

    pub fn database_path(&self) -> PathBuf {
        self.data_dir.join("qalf.sqlite3")
    }

    /// Where secrets live: their own folder if given, else the data folder.
    pub fn secrets_path(&self) -> PathBuf {
        self.secrets_dir
            .clone()
            .unwrap_or_else(|| self.data_dir.clone())
    }
}
