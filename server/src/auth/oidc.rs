//! Signing in with the council's identity provider (R-LIVE-5): OpenID
//! Connect, authorization code with PKCE, configured by the provider's
//! issuer address, a client id and secret. The person the provider vouches
//! for is matched by their verified work e-mail (or another configured
//! claim) to the staff directory: no match, no access. Whatever goes wrong
//! ends on the sign-in page with a plain reason (`/sign-in?problem=…`).
//!
//! `GET /auth/oidc/start` sends the browser to the provider with a fresh
//! state, nonce and PKCE challenge, and binds the state to this browser in
//! a short-lived cookie (SameSite=Lax: it must come back on the provider's
//! redirect); `GET /auth/oidc/callback` checks the state against that
//! cookie, exchanges the code with the PKCE verifier, verifies the ID token
//! (signature, issuer, audience, expiry by the server's clock, nonce) and
//! starts a session.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use anyhow::Context;
use axum::Router;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum_extra::extract::CookieJar;
use axum_extra::extract::cookie::{Cookie, SameSite};
use chrono::{DateTime, Utc};
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
use openidconnect::{
    AuthorizationCode, ClaimsVerificationError, ClientId, ClientSecret, CsrfToken, IssuerUrl,
    Nonce, OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope,
    TokenResponse,
};
use qalf_shared::org::PersonId;
use serde::Deserialize;

use super::client::ClientAddress;
use super::{local, session};
use crate::AppState;
use crate::config::Config;

/// The cookie that ties a sign-in's state to the browser that began it.
const STATE_COOKIE: &str = "qalf_oidc_state";
/// How long a sign-in at the provider may take.
const PENDING_MINUTES: i64 = 10;
/// How long the provider's metadata and signing keys are trusted before
/// they are fetched again.
const DISCOVERY_LIFETIME: Duration = Duration::from_secs(3600);
/// Sign-ins begun and not finished, at most (older ones are dropped).
const MAX_PENDING: usize = 10_000;

/// Which claim names the person, matched to the directory's work e-mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MatchClaim {
    /// `email`, only when the provider says it is verified.
    Email,
    /// `preferred_username` (Entra ID's user principal name, which a
    /// council usually sets to the work address).
    PreferredUsername,
}

/// The provider, as configured.
pub struct OidcConfig {
    pub issuer: String,
    pub client_id: String,
    pub client_secret: String,
    pub claim: MatchClaim,
    pub redirect: String,
}

impl OidcConfig {
    /// The provider from `--oidc-issuer` and its client, or `None` when the
    /// council signs in with local accounts only.
    pub fn from_config(config: &Config) -> anyhow::Result<Option<OidcConfig>> {
        let Some(issuer) = &config.oidc_issuer else {
            return Ok(None);
        };
        let client_id = config
            .oidc_client_id
            .clone()
            .context("--oidc-issuer needs --oidc-client-id")?;
        let client_secret = config
            .oidc_client_secret
            .clone()
            .context("--oidc-issuer needs --oidc-client-secret")?;
        let claim = match config.oidc_claim.as_str() {
            "email" => MatchClaim::Email,
            "preferred_username" => MatchClaim::PreferredUsername,
            other => anyhow::bail!("--oidc-claim must be email or preferred_username, not {other}"),
        };
        Ok(Some(OidcConfig {
            issuer: issuer.clone(),
            client_id,
            client_secret,
            claim,
            redirect: format!(
                "{}/auth/oidc/callback",
                config.public_url().trim_end_matches('/')
            ),
        }))
    }
}

struct Pending {
    verifier: PkceCodeVerifier,
    nonce: Nonce,
    started: DateTime<Utc>,
}

/// The provider's sign-in, with what it has discovered and who is part way.
pub struct Oidc {
    config: OidcConfig,
    http: openidconnect::reqwest::Client,
    /// Discovered on first use (the provider may be down when QALF starts)
    /// and again after [`DISCOVERY_LIFETIME`] or a token signed with a key
    /// it did not list: providers rotate their signing keys.
    metadata: tokio::sync::Mutex<Option<(CoreProviderMetadata, std::time::Instant)>>,
    pending: Mutex<HashMap<String, Pending>>,
}

/// Why a sign-in through the provider ended without a session: the code
/// the sign-in page explains.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Problem {
    /// The provider could not be reached or refused the exchange.
    Provider,
    /// The sign-in was not begun here, took too long, or was replayed.
    Stale,
    /// The person cancelled at the provider.
    Cancelled,
    /// The ID token had expired.
    Expired,
    /// The ID token was meant for another application.
    Audience,
    /// The token failed another check (signature, issuer, nonce).
    Invalid,
    /// The provider has not verified the e-mail address.
    Unverified,
    /// Nobody in the staff directory has that address.
    NotInDirectory,
    /// Too many sign-ins begun from one address in a minute.
    TooMany,
}

impl Problem {
    /// What the record of failed sign-ins says.
    fn outcome(self) -> &'static str {
        match self {
            Problem::Provider => "identity provider: unreachable or refused",
            Problem::Stale => "identity provider: sign-in not begun here or too old",
            Problem::Cancelled => "identity provider: cancelled",
            Problem::Expired => "identity provider: ID token expired",
            Problem::Audience => "identity provider: ID token for another application",
            Problem::Invalid => "identity provider: ID token failed its checks",
            Problem::Unverified => "identity provider: e-mail not verified",
            Problem::NotInDirectory => "identity provider: not in the staff directory",
            Problem::TooMany => "identity provider: too many sign-ins begun",
        }
    }

    pub fn code(self) -> &'static str {
        match self {
            Problem::Provider => "provider",
            Problem::Stale => "stale",
            Problem::Cancelled => "cancelled",
            Problem::Expired => "expired",
            Problem::Audience => "audience",
            Problem::Invalid => "invalid",
            Problem::Unverified => "unverified",
            Problem::NotInDirectory => "not-in-directory",
            Problem::TooMany => "too-many",
        }
    }
}

impl Oidc {
    pub fn new(config: OidcConfig) -> anyhow::Result<Oidc> {
        let http = openidconnect::reqwest::ClientBuilder::new()
            // The provider's answers are read, never followed elsewhere.
            .redirect(openidconnect::reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(15))
            .build()
            .context("making the identity provider's HTTP client")?;
        Ok(Oidc {
            config,
            http,
            metadata: tokio::sync::Mutex::new(None),
            pending: Mutex::new(HashMap::new()),
        })
    }

    async fn metadata(&self) -> anyhow::Result<CoreProviderMetadata> {
        let mut known = self.metadata.lock().await;
        if let Some((m, at)) = known.as_ref()
            && at.elapsed() < DISCOVERY_LIFETIME
        {
            return Ok(m.clone());
        }
        let issuer = IssuerUrl::new(self.config.issuer.clone()).context("--oidc-issuer")?;
        let found = CoreProviderMetadata::discover_async(issuer, &self.http)
            .await
            .context("discovering the identity provider")?;
        *known = Some((found.clone(), std::time::Instant::now()));
        Ok(found)
    }

    /// Forgets the metadata, so the next sign-in fetches the keys again.
    async fn forget(&self) {
        *self.metadata.lock().await = None;
    }

    fn remember(&self, state: String, pending: Pending) {
        let mut map = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        let cutoff = pending.started - chrono::Duration::minutes(PENDING_MINUTES);
        map.retain(|_, p| p.started > cutoff);
        if map.len() >= MAX_PENDING
            && let Some(oldest) = map
                .iter()
                .min_by_key(|(_, p)| p.started)
                .map(|(k, _)| k.clone())
        {
            map.remove(&oldest);
        }
        map.insert(state, pending);
    }

    fn take(&self, state: &str, now: DateTime<Utc>) -> Option<Pending> {
        let mut map = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        map.remove(state)
            .filter(|p| now - p.started <= chrono::Duration::minutes(PENDING_MINUTES))
    }
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/auth/oidc/start", get(start))
        .route("/auth/oidc/callback", get(callback))
}

fn to_sign_in(problem: Problem) -> Response {
    Redirect::to(&format!("/sign-in?problem={}", problem.code())).into_response()
}

async fn start(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    jar: CookieJar,
) -> Response {
    let Some(oidc) = state.oidc() else {
        return Redirect::to("/sign-in").into_response();
    };
    // Each start holds a pending sign-in in memory: a flood from one
    // address must not push out everyone else's.
    if !state.sign_in_attempts().allow("(council sign-in)", address) {
        tracing::warn!(%address, "too many council sign-ins begun");
        return to_sign_in(Problem::TooMany);
    }
    let metadata = match oidc.metadata().await {
        Ok(m) => m,
        Err(e) => {
            tracing::warn!(error = %e, "the identity provider cannot be reached");
            return to_sign_in(Problem::Provider);
        }
    };
    let client = CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(oidc.config.client_id.clone()),
        Some(ClientSecret::new(oidc.config.client_secret.clone())),
    );
    let redirect = match RedirectUrl::new(oidc.config.redirect.clone()) {
        Ok(r) => r,
        Err(e) => {
            tracing::error!(error = %e, "the sign-in return address is not a URL");
            return to_sign_in(Problem::Provider);
        }
    };
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
    let (url, csrf, nonce) = client
        .set_redirect_uri(redirect)
        .authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        )
        .add_scope(Scope::new("email".into()))
        .add_scope(Scope::new("profile".into()))
        .set_pkce_challenge(challenge)
        .url();
    oidc.remember(
        csrf.secret().clone(),
        Pending {
            verifier,
            nonce,
            started: state.clock().now(),
        },
    );
    let cookie = Cookie::build((STATE_COOKIE, csrf.secret().clone()))
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(state.config().tls)
        .path("/auth/oidc")
        .max_age(time::Duration::minutes(PENDING_MINUTES))
        .build();
    (jar.add(cookie), Redirect::to(url.as_str())).into_response()
}

#[derive(Deserialize)]
struct Answer {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

async fn callback(
    State(state): State<AppState>,
    ClientAddress(address): ClientAddress,
    jar: CookieJar,
    Query(answer): Query<Answer>,
) -> Response {
    let bound = jar.get(STATE_COOKIE).map(|c| c.value().to_string());
    let jar = jar.remove(Cookie::build(STATE_COOKIE).path("/auth/oidc").build());
    let outcome = finish(&state, bound.as_deref(), answer).await;
    let now = state.clock().now().timestamp();
    match outcome {
        Ok(person) => match session::start(&state, person.clone()).await {
            Ok(cookie) => {
                tracing::info!(person = %person, "signed in through the identity provider");
                (jar.add(cookie), Redirect::to("/")).into_response()
            }
            Err(e) => {
                tracing::error!(error = %e, "starting a session failed");
                (jar, to_sign_in(Problem::Provider)).into_response()
            }
        },
        Err(problem) => {
            tracing::warn!(%address, problem = problem.code(), "sign-in through the identity provider refused");
            if let Err(e) =
                local::record_failure(state.db(), now, None, address, problem.outcome()).await
            {
                tracing::error!(error = %e, "recording a failed sign-in failed");
            }
            (jar, to_sign_in(problem)).into_response()
        }
    }
}

/// The person the provider vouches for; `bound` is the state this
/// browser's cookie holds.
async fn finish(
    state: &AppState,
    bound: Option<&str>,
    answer: Answer,
) -> Result<PersonId, Problem> {
    let oidc = state.oidc().ok_or(Problem::Provider)?;
    if answer.error.as_deref() == Some("access_denied") {
        return Err(Problem::Cancelled);
    }
    let (Some(code), Some(csrf)) = (answer.code, answer.state) else {
        return Err(Problem::Provider);
    };
    // The state must be the one this browser was given.
    if bound != Some(csrf.as_str()) {
        return Err(Problem::Stale);
    }
    let now = state.clock().now();
    let pending = oidc.take(&csrf, now).ok_or(Problem::Stale)?;
    let metadata = oidc.metadata().await.map_err(|_| Problem::Provider)?;
    let client = CoreClient::from_provider_metadata(
        metadata,
        ClientId::new(oidc.config.client_id.clone()),
        Some(ClientSecret::new(oidc.config.client_secret.clone())),
    )
    .set_redirect_uri(
        RedirectUrl::new(oidc.config.redirect.clone()).map_err(|_| Problem::Provider)?,
    );
    let tokens = client
        .exchange_code(AuthorizationCode::new(code))
        .map_err(|_| Problem::Provider)?
        .set_pkce_verifier(pending.verifier)
        .request_async(&oidc.http)
        .await
        .map_err(|e| {
            tracing::warn!(error = %e, "the identity provider refused the code");
            Problem::Provider
        })?;
    let id_token = tokens.id_token().ok_or(Problem::Invalid)?;
    let verifier = client.id_token_verifier().set_time_fn(move || now);
    let claims = id_token
        .claims(&verifier, &pending.nonce)
        .map_err(|e| match e {
            ClaimsVerificationError::Expired(_) => Problem::Expired,
            ClaimsVerificationError::InvalidAudience(_) => Problem::Audience,
            other => {
                tracing::warn!(error = %other, "an ID token failed its checks");
                Problem::Invalid
            }
        });
    let claims = match claims {
        Ok(c) => c,
        Err(problem) => {
            // A key the provider rotated in: the next attempt fetches them.
            if problem == Problem::Invalid {
                oidc.forget().await;
            }
            return Err(problem);
        }
    };
    let from_token = named(
        oidc.config.claim,
        claims.email().map(|e| e.as_str()),
        claims.email_verified(),
        claims.preferred_username().map(|u| u.as_str()),
    );
    // Many providers put only `sub` in the ID token when they also issue
    // an access token: the claim then comes from their UserInfo endpoint,
    // for the same subject (the library checks it).
    let address = match from_token {
        Some(found) => found?,
        None => {
            let info: openidconnect::core::CoreUserInfoClaims = client
                .user_info(tokens.access_token().clone(), Some(claims.subject().clone()))
                .map_err(|e| {
                    tracing::warn!(error = %e, "the ID token lacks the claim and the provider has no user information endpoint");
                    Problem::Provider
                })?
                .request_async(&oidc.http)
                .await
                .map_err(|e| {
                    tracing::warn!(error = %e, "the identity provider's user information did not read");
                    Problem::Provider
                })?;
            named(
                oidc.config.claim,
                info.email().map(|e| e.as_str()),
                info.email_verified(),
                info.preferred_username().map(|u| u.as_str()),
            )
            .ok_or(Problem::NotInDirectory)??
        }
    }
    .trim()
    .to_lowercase();
    // The address must name one person: two with it is a directory to
    // correct, not a choice to make.
    let org = state.org();
    let mut found = org
        .people()
        .filter(|p| p.email.as_deref() == Some(address.as_str()));
    match (found.next(), found.next()) {
        (Some(person), None) => Ok(person.id.clone()),
        (Some(_), Some(_)) => {
            tracing::warn!("two people in the staff directory share a work address");
            Err(Problem::NotInDirectory)
        }
        _ => Err(Problem::NotInDirectory),
    }
}

/// The address the configured claim gives, `None` when the claim is
/// absent, and a refusal for an e-mail the provider has not verified.
fn named(
    claim: MatchClaim,
    email: Option<&str>,
    verified: Option<bool>,
    preferred_username: Option<&str>,
) -> Option<Result<String, Problem>> {
    match claim {
        MatchClaim::Email => {
            let email = email?;
            Some(if verified == Some(true) {
                Ok(email.to_string())
            } else {
                Err(Problem::Unverified)
            })
        }
        MatchClaim::PreferredUsername => preferred_username.map(|u| Ok(u.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r_live_5_only_a_verified_address_names_a_person() {
        let e = Some("sam@council.example");
        assert_eq!(
            named(MatchClaim::Email, e, Some(true), None),
            Some(Ok("sam@council.example".into()))
        );
        assert_eq!(
            named(MatchClaim::Email, e, None, None),
            Some(Err(Problem::Unverified))
        );
        assert_eq!(named(MatchClaim::Email, None, Some(true), e), None);
        assert_eq!(
            named(MatchClaim::PreferredUsername, None, None, e),
            Some(Ok("sam@council.example".into()))
        );
    }
}
