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

pub use current_user::CurrentUser;
pub(crate) use routes::me_for;
pub use routes::router;
pub use throttle::SignInThrottle;

/// The session cookie. HttpOnly and SameSite=Strict always; Secure over TLS.
pub const SESSION_COOKIE: &str = "qalf_session";
