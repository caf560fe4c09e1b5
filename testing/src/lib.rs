//! Real services for the tests: each is the program a council would run
//! (or its nearest open equal), started by the test on a free port and
//! stopped when the test drops it. Nothing here is a mock.

pub mod identity;
pub mod mail;

pub use identity::IdentityProvider;
pub use mail::{MailServer, certificate, free_port};
