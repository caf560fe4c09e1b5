//! E-mail (R-LIVE-6): every notification the app shows also goes by e-mail
//! to the person's work address, through the council's mail server (SMTP,
//! STARTTLS unless the address says otherwise). Notifications queue their
//! e-mail in the [`outbox`] in the same transaction, so nothing is lost
//! when the mail server is down: the sender here retries with backoff until
//! it takes each one. No child-level text goes into any e-mail (see
//! `qalf_shared::notify`).

pub mod outbox;
mod routes;

pub use routes::router;

use std::collections::BTreeMap;
use std::sync::{Arc, Weak};
use std::time::Duration;

use anyhow::Context;
use lettre::message::Mailbox;
use lettre::message::header::ContentType;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use qalf_shared::notify::{digest_for, email_for};
use tokio::sync::Notify;

use crate::config::Config;
use crate::{AppState, Inner};

/// E-mails sent in one pass.
const BATCH: usize = 200;

/// The council's mail server, as configured.
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    /// The address people open QALF at, for links.
    base: String,
}

impl Mailer {
    /// The mail server from `--smtp-url`, or `None` when e-mail is not set
    /// up (notifications then wait in the outbox until it is).
    pub fn from_config(config: &Config) -> anyhow::Result<Option<Mailer>> {
        let Some(raw) = &config.smtp_url else {
            return Ok(None);
        };
        let url = url::Url::parse(raw).context("--smtp-url is not an address")?;
        let host = url
            .host_str()
            .context("--smtp-url names no mail server")?
            .trim_matches(|c| c == '[' || c == ']')
            .to_string();
        let mut tls = TlsParameters::builder(host.clone());
        if let Some(file) = &config.smtp_ca_file {
            let pem = std::fs::read(file)
                .with_context(|| format!("reading the mail server's CA file {}", file.display()))?;
            tls = tls.add_root_certificate(
                Certificate::from_pem(&pem).context("the mail server's CA file is not PEM")?,
            );
        }
        let tls = tls
            .build_rustls()
            .context("setting up TLS for the mail server")?;
        let plain = url.query_pairs().any(|(k, v)| k == "tls" && v == "none");
        let (tls, default_port) = match url.scheme() {
            "smtps" => (Tls::Wrapper(tls), 465),
            "smtp" if plain => (Tls::None, 25),
            "smtp" => (Tls::Required(tls), 587),
            other => anyhow::bail!("--smtp-url must start smtp:// or smtps://, not {other}://"),
        };
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host)
            .port(url.port().unwrap_or(default_port))
            .tls(tls)
            .timeout(Some(Duration::from_secs(20)));
        if !url.username().is_empty() {
            let decode = |s: &str| {
                percent_encoding::percent_decode_str(s)
                    .decode_utf8_lossy()
                    .into_owned()
            };
            builder = builder.credentials(Credentials::new(
                decode(url.username()),
                decode(url.password().unwrap_or("")),
            ));
        }
        let from: Mailbox = config
            .smtp_from
            .parse()
            .context("--smtp-from is not an e-mail address")?;
        Ok(Some(Mailer {
            transport: builder.build(),
            from,
            base: config.public_url().trim_end_matches('/').to_string(),
        }))
    }
}

/// Wakes the sender when a notification has queued an e-mail.
#[derive(Default)]
pub struct Outbox {
    wake: Notify,
}

impl Outbox {
    pub fn wake(&self) {
        self.wake.notify_one();
    }
}

/// Sends what is due, then waits for a wake-up or the next poll, while the
/// server runs.
pub(crate) async fn run(state: Weak<Inner>, mailer: Mailer, outbox: Arc<Outbox>) {
    loop {
        let every = match state.upgrade() {
            Some(inner) => {
                let state = AppState { inner };
                if let Err(e) = send_due(&state, &mailer).await {
                    tracing::error!(error = %e, "sending e-mail failed");
                }
                Duration::from_millis(state.config().mail_poll_ms.max(10))
            }
            None => return,
        };
        tokio::select! {
            _ = tokio::time::sleep(every) => {}
            _ = outbox.wake.notified() => {}
        }
    }
}

/// One e-mail to send: one notification, or a person's morning summary.
struct Batch {
    ids: Vec<i64>,
    person: String,
    address: String,
    /// (kind, path) of each item.
    items: Vec<(String, String)>,
    digest: bool,
    attempts: u32,
}

fn batches(due: Vec<outbox::Queued>) -> Vec<Batch> {
    let mut out: Vec<Batch> = Vec::new();
    let mut summaries: BTreeMap<String, usize> = BTreeMap::new();
    for q in due {
        if q.digest
            && let Some(&i) = summaries.get(&q.person)
        {
            let batch = &mut out[i];
            batch.ids.push(q.id);
            batch.items.push((q.kind, q.path));
            batch.attempts = batch.attempts.max(q.attempts);
            continue;
        }
        if q.digest {
            summaries.insert(q.person.clone(), out.len());
        }
        out.push(Batch {
            ids: vec![q.id],
            person: q.person,
            address: q.address,
            items: vec![(q.kind, q.path)],
            digest: q.digest,
            attempts: q.attempts,
        });
    }
    out
}

async fn send_due(state: &AppState, mailer: &Mailer) -> anyhow::Result<()> {
    let now = state.clock().now();
    let due = state
        .db()
        .call(move |conn| outbox::due(conn, now.timestamp(), BATCH))
        .await?;
    if due.is_empty() {
        return Ok(());
    }
    let org = state.org();
    for batch in batches(due) {
        let name = qalf_shared::org::PersonId::parse(batch.person.as_str())
            .ok()
            .and_then(|p| org.person(&p).map(|p| p.name.clone()))
            .unwrap_or_default();
        let links: Vec<(String, String)> = batch
            .items
            .iter()
            .map(|(kind, path)| (kind.clone(), format!("{}{path}", mailer.base)))
            .collect();
        let email = if batch.digest {
            digest_for(&name, &links)
        } else {
            email_for(&links[0].0, &name, &links[0].1)
        };
        let message = batch
            .address
            .parse::<Mailbox>()
            .map_err(|e| e.to_string())
            .and_then(|to| {
                Message::builder()
                    .from(mailer.from.clone())
                    .to(to)
                    .subject(email.subject)
                    .header(ContentType::TEXT_PLAIN)
                    .body(email.body)
                    .map_err(|e| e.to_string())
            });
        let outcome = match message {
            Ok(message) => mailer
                .transport
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| e.to_string()),
            Err(e) => Err(format!("the message could not be made: {e}")),
        };
        let ids = batch.ids.clone();
        match outcome {
            Ok(()) => {
                let at = state.clock().now().timestamp();
                state
                    .db()
                    .call(move |conn| outbox::mark_sent(conn, &ids, at))
                    .await?;
                tracing::info!(person = %batch.person, items = batch.ids.len(), "e-mail sent");
            }
            Err(error) => {
                // The reason is the mail server's or the network's, never
                // the message's content.
                tracing::warn!(person = %batch.person, attempts = batch.attempts + 1, %error, "e-mail not sent; will retry");
                let (attempts, now) = (batch.attempts, state.clock().now());
                state
                    .db()
                    .call(move |conn| outbox::mark_failed(conn, &ids, attempts, now, &error))
                    .await?;
                // The server is likely down for the rest too: try them
                // all again on the next pass.
                break;
            }
        }
    }
    Ok(())
}
