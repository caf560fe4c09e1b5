//! Who is signed in.
//!
//! A way in (local accounts with argon2 passwords, or the council's OpenID
//! Connect provider) ends by calling [`session::start`] with a person id. Everything after that (the cookie, timeouts, sign-out, the
//! [`CurrentUser`] extractor) is the same whichever way the person came in.

pub mod client;
mod current_user;
pub mod local;
pub mod oidc;
mod routes;
pub mod session;
mod throttle;

pub use current_user::{CurrentUser, session_token};
pub(crate) use routes::me_for;
pub use routes::router;
pub use throttle::SignInThrottle;

/// The session cookie. HttpOnly and SameSite=Strict always; Secure over TLS.
pub const SESSION_COOKIE: &str = "qalf_session";

/// Refuses (403) anyone who does not hold `role`: the administrator's
/// screens, for instance.
pub fn require_role(
    state: &crate::AppState,
    user: &CurrentUser,
    role: qalf_shared::org::Role,
) -> crate::error::AppResult<()> {
    match state.org().person(&user.person) {
        Some(p) if p.has_role(role) => Ok(()),
        _ => Err(crate::error::AppError::Forbidden),
    }
}
