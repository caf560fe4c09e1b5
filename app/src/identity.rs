//! Who is at the device when the server cannot say: the last person to
//! sign in online confirms their password before their records are shown
//! offline (a shared tablet's next user cannot just open the app).
//!
//! At each online sign-in the app keeps an Argon2 hash of the password
//! (a fresh salt each time) among that person's things on the device; it
//! goes at sign-out with the rest. After [`ATTEMPTS`] wrong answers it is
//! deleted too, and the person must sign in online. Once confirmed (or
//! signed in online), a reload in the same tab does not ask again; a new
//! tab or a reopened browser does.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use gloo_storage::{SessionStorage, Storage};
use qalf_shared::org::PersonId;

use crate::device;

const VERIFIER: &str = "offline-verifier";
/// In this tab's session storage: who has shown it is them here.
const CONFIRMED_HERE: &str = "qalf.confirmed-here";
const FAILURES: &str = "offline-failures";

/// Wrong answers allowed before only an online sign-in will do.
pub const ATTEMPTS: u32 = 5;

/// Keeps what is needed to check `password` offline later.
pub fn remember(person: &PersonId, password: &str) {
    let salt = match SaltString::encode_b64(&crate::repo::random_bytes::<16>()) {
        Ok(salt) => salt,
        Err(e) => {
            leptos::logging::error!("no salt for the offline check: {e}");
            return;
        }
    };
    match Argon2::default().hash_password(password.as_bytes(), &salt) {
        Ok(hash) => {
            if !device::set(person, VERIFIER, &hash.to_string()) {
                leptos::logging::warn!(
                    "could not keep the offline check: offline use needs a sign-in"
                );
            }
            device::delete(person, FAILURES);
        }
        Err(e) => leptos::logging::error!("the offline check could not be made: {e}"),
    }
}

/// Whether `person` has shown it is them in this tab already.
pub fn confirmed_here(person: &PersonId) -> bool {
    SessionStorage::get::<PersonId>(CONFIRMED_HERE).is_ok_and(|p| &p == person)
}

pub fn mark_confirmed_here(person: &PersonId) {
    let _kept = SessionStorage::set(CONFIRMED_HERE, person);
}

pub fn forget_confirmed_here() {
    SessionStorage::delete(CONFIRMED_HERE);
}

/// Whether `person` can confirm who they are on this device offline.
pub fn can_confirm(person: &PersonId) -> bool {
    device::get::<String>(person, VERIFIER).is_some()
}

/// The answer to an offline check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Checked {
    Confirmed,
    Wrong {
        attempts_left: u32,
    },
    /// Too many wrong answers (or nothing to check against): sign in online.
    Locked,
}

pub fn check(person: &PersonId, password: &str) -> Checked {
    let Some(stored) = device::get::<String>(person, VERIFIER) else {
        return Checked::Locked;
    };
    let matches = PasswordHash::new(&stored)
        .map(|hash| {
            Argon2::default()
                .verify_password(password.as_bytes(), &hash)
                .is_ok()
        })
        .unwrap_or(false);
    if matches {
        device::delete(person, FAILURES);
        return Checked::Confirmed;
    }
    let failures = device::get::<u32>(person, FAILURES).unwrap_or(0) + 1;
    if failures >= ATTEMPTS {
        device::delete(person, VERIFIER);
        device::delete(person, FAILURES);
        return Checked::Locked;
    }
    device::set(person, FAILURES, &failures);
    Checked::Wrong {
        attempts_left: ATTEMPTS - failures,
    }
}
