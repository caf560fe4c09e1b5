//! Sign-in abuse (R-SEC-5): guesses are throttled per account *and* client
//! address, so that someone guessing one person's password from one place
//! is stopped without locking that person out from their own desk; one
//! address trying many accounts is throttled too. Password hashing (argon2,
//! slow and memory-hungry on purpose) runs a few at a time, with a short
//! queue; a flood beyond it is turned away rather than queued without
//! bound.

use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::atomic::{AtomicUsize, Ordering};

use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use tokio::sync::{Semaphore, SemaphorePermit};

/// Attempts from one address, over every account, per minute.
const PER_CLIENT_PER_MINUTE: u32 = 30;
/// Sign-ins waiting for a hashing slot before more are turned away.
const QUEUE: usize = 16;

pub struct SignInThrottle {
    per_account: DefaultKeyedRateLimiter<(String, IpAddr)>,
    per_client: DefaultKeyedRateLimiter<IpAddr>,
    hashing: Semaphore,
    limit: usize,
    waiting: AtomicUsize,
    busy: AtomicUsize,
    peak: AtomicUsize,
}

/// Permission to hash one password; counts while held.
pub struct HashSlot<'a> {
    throttle: &'a SignInThrottle,
    _permit: SemaphorePermit<'a>,
}

impl Drop for HashSlot<'_> {
    fn drop(&mut self) {
        self.throttle.busy.fetch_sub(1, Ordering::SeqCst);
    }
}

impl SignInThrottle {
    pub fn new(per_minute: u32) -> Self {
        let per_minute = NonZeroU32::new(per_minute.max(1)).expect("non-zero");
        let per_client = NonZeroU32::new(PER_CLIENT_PER_MINUTE).expect("non-zero");
        // As many hashes at once as there are cores, within reason.
        let limit = std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(2)
            .clamp(1, 4);
        SignInThrottle {
            per_account: RateLimiter::keyed(Quota::per_minute(per_minute)),
            per_client: RateLimiter::keyed(Quota::per_minute(per_client)),
            hashing: Semaphore::new(limit),
            limit,
            waiting: AtomicUsize::new(0),
            busy: AtomicUsize::new(0),
            peak: AtomicUsize::new(0),
        }
    }

    /// True if another attempt for `username` from `client` is allowed now.
    pub fn allow(&self, username: &str, client: IpAddr) -> bool {
        let account = (username.trim().to_lowercase(), client);
        self.per_client.check_key(&client).is_ok() && self.per_account.check_key(&account).is_ok()
    }

    /// A slot to hash a password in, waiting in a short queue; `None` when
    /// the queue is full (the server is busy: try again shortly).
    pub async fn hash_slot(&self) -> Option<HashSlot<'_>> {
        if self.waiting.fetch_add(1, Ordering::SeqCst) >= QUEUE {
            self.waiting.fetch_sub(1, Ordering::SeqCst);
            return None;
        }
        let permit = self.hashing.acquire().await;
        self.waiting.fetch_sub(1, Ordering::SeqCst);
        let permit = permit.ok()?;
        let now = self.busy.fetch_add(1, Ordering::SeqCst) + 1;
        self.peak.fetch_max(now, Ordering::SeqCst);
        Some(HashSlot {
            throttle: self,
            _permit: permit,
        })
    }

    /// The most hashes that ever ran at once.
    pub fn hashing_peak(&self) -> usize {
        self.peak.load(Ordering::SeqCst)
    }

    /// The most hashes allowed at once.
    pub fn hashing_limit(&self) -> usize {
        self.limit
    }
}
