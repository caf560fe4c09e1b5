//! Sign-in attempts per username, so passwords cannot be guessed at speed.

use std::num::NonZeroU32;

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};

pub struct SignInThrottle {
    attempts: DefaultKeyedRateLimiter<String>,
}

impl SignInThrottle {
    pub fn new(per_minute: u32) -> Self {
        let per_minute = NonZeroU32::new(per_minute.max(1)).expect("non-zero");
        SignInThrottle {
            attempts: RateLimiter::keyed(Quota::per_minute(per_minute)),
        }
    }

    /// True if another attempt for `username` is allowed now.
    pub fn allow(&self, username: &str) -> bool {
        self.attempts
            .check_key(&username.trim().to_lowercase())
            .is_ok()
    }
}
