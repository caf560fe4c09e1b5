use std::future::Future;
use std::time::{Duration, Instant};

/// How long a condition may take before the test fails. Generous: these
/// machines are shared and a WASM start-up under load can take seconds.
pub const DEADLINE: Duration = Duration::from_secs(60);

/// Polls `check` until it returns `Ok(Some(value))`, failing with the last
/// error or `what` after `DEADLINE`.
pub async fn eventually<T, F, Fut>(what: &str, mut check: F) -> anyhow::Result<T>
where
    F: FnMut() -> Fut,
    Fut: Future<Output = anyhow::Result<Option<T>>>,
{
    let started = Instant::now();
    let mut last_error = None;
    loop {
        match check().await {
            Ok(Some(value)) => return Ok(value),
            Ok(None) => {}
            Err(e) => last_error = Some(e),
        }
        if started.elapsed() > DEADLINE {
            return Err(match last_error {
                Some(e) => e.context(format!("timed out waiting for {what}")),
                None => anyhow::anyhow!("timed out waiting for {what}"),
            });
        }
        // Yield to the browser between polls; this is a poll interval, not a wait
        // for something to happen.
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
