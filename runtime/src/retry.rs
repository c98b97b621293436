//! Retries as an explicit policy: which failures are retried, how long to wait, when to stop.

use reqwest::{Method, StatusCode};
use std::collections::BTreeSet;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// When and how the client retries a request.
///
/// By default it retries connection failures and `429`, `502`, `503` and `504` answers of
/// idempotent requests (GET, HEAD, PUT, DELETE, OPTIONS), up to 4 attempts within 60 s, waiting
/// 250 ms, 500 ms, 1 s... (capped at 8 s, with jitter) or what `Retry-After` asks for. POST is
/// retried only when opted in, for all operations or for named ones, and `409 Conflict`
/// (concurrent Fleet writes) only when opted in. A request whose body is a stream is never
/// retried: it could not be sent again whole.
///
/// ```
/// use kibana_serverless_runtime::{OperationId, RetryPolicy};
/// use std::time::Duration;
///
/// # let bulk_reassign = OperationId::__generated("post_fleet_agents_bulk_reassign");
/// // `bulk_reassign` is a generated constant: `fleet::operations::POST_FLEET_AGENTS_BULK_REASSIGN`.
/// let policy = RetryPolicy::default()
///     .max_attempts(6)
///     .deadline(Duration::from_secs(120))
///     .retry_post_for([bulk_reassign])
///     .retry_conflicts(true);
/// assert_eq!(policy.attempts(), 6);
/// ```
#[derive(Clone, Debug)]
pub struct RetryPolicy {
    max_attempts: u32,
    initial_backoff: Duration,
    max_backoff: Duration,
    deadline: Option<Duration>,
    max_retry_after: Duration,
    post: PostRetries,
    conflicts: bool,
}

#[derive(Clone, Debug)]
enum PostRetries {
    Never,
    All,
    Operations(BTreeSet<&'static str>),
}

/// One generated operation, named for policies such as [`RetryPolicy::retry_post_for`]. Each
/// domain's generated `operations` module holds one constant per operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OperationId(&'static str);

impl OperationId {
    /// Generated code's constructor: the operation's method name on its domain client.
    #[doc(hidden)]
    pub const fn __generated(rust_method: &'static str) -> Self {
        Self(rust_method)
    }

    /// The operation's method name on its domain client, e.g. `post_fleet_setup`.
    pub const fn name(self) -> &'static str {
        self.0
    }
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 4,
            initial_backoff: Duration::from_millis(250),
            max_backoff: Duration::from_secs(8),
            deadline: Some(Duration::from_secs(60)),
            max_retry_after: Duration::from_secs(60),
            post: PostRetries::Never,
            conflicts: false,
        }
    }
}

impl RetryPolicy {
    /// Never retry.
    pub fn none() -> Self {
        Self {
            max_attempts: 1,
            ..Self::default()
        }
    }

    /// Attempts in all, the first included (at least 1).
    pub fn max_attempts(mut self, attempts: u32) -> Self {
        self.max_attempts = attempts.max(1);
        self
    }

    /// The attempts this policy allows.
    pub fn attempts(&self) -> u32 {
        self.max_attempts
    }

    /// The first wait; each later one doubles, up to `max`.
    pub fn backoff(mut self, initial: Duration, max: Duration) -> Self {
        self.initial_backoff = initial;
        self.max_backoff = max.max(initial);
        self
    }

    /// No retry starts once this much time has passed since the first attempt, and no wait
    /// would end past it.
    pub fn deadline(mut self, deadline: Duration) -> Self {
        self.deadline = Some(deadline);
        self
    }

    /// No overall deadline: only the attempt count bounds the retries.
    pub fn no_deadline(mut self) -> Self {
        self.deadline = None;
        self
    }

    /// The longest `Retry-After` the client waits for; a longer one ends the retries.
    pub fn max_retry_after(mut self, max: Duration) -> Self {
        self.max_retry_after = max;
        self
    }

    /// Retries POST requests too (every operation). Only for operations that are safe to repeat.
    pub fn retry_post(mut self, yes: bool) -> Self {
        self.post = if yes {
            PostRetries::All
        } else {
            PostRetries::Never
        };
        self
    }

    /// Retries POST requests of these operations: the constants each domain's `operations`
    /// module generates (`fleet::operations::POST_FLEET_SETUP`), so a typo does not compile.
    /// Adds to the operations named before; with [`RetryPolicy::retry_post`] on, every POST is
    /// retried already.
    pub fn retry_post_for<I: IntoIterator<Item = OperationId>>(mut self, operations: I) -> Self {
        let added = operations.into_iter().map(|o| o.0);
        self.post = match self.post {
            PostRetries::All => PostRetries::All,
            PostRetries::Never => PostRetries::Operations(added.collect()),
            PostRetries::Operations(mut named) => {
                named.extend(added);
                PostRetries::Operations(named)
            }
        };
        self
    }

    /// Retries `409 Conflict` answers (Fleet's concurrent writes).
    pub fn retry_conflicts(mut self, yes: bool) -> Self {
        self.conflicts = yes;
        self
    }

    pub(crate) fn deadline_value(&self) -> Option<Duration> {
        self.deadline
    }

    pub(crate) fn max_retry_after_value(&self) -> Duration {
        self.max_retry_after
    }

    /// May a request of this method and operation be retried at all?
    pub(crate) fn allows(&self, method: &Method, operation: &str) -> bool {
        if self.max_attempts <= 1 {
            return false;
        }
        match *method {
            Method::GET | Method::HEAD | Method::PUT | Method::DELETE | Method::OPTIONS => true,
            _ => match &self.post {
                PostRetries::Never => false,
                PostRetries::All => true,
                PostRetries::Operations(ops) => ops.contains(operation),
            },
        }
    }

    /// Is this status worth another attempt?
    pub(crate) fn retries_status(&self, status: StatusCode) -> bool {
        matches!(status.as_u16(), 429 | 502 | 503 | 504)
            || (self.conflicts && status == StatusCode::CONFLICT)
    }

    /// The wait before retry number `retry` (1 for the first retry): exponential, with jitter
    /// between half and all of it, so that many clients do not retry in step.
    pub(crate) fn backoff_for(&self, retry: u32) -> Duration {
        let exp = self
            .initial_backoff
            .saturating_mul(2u32.saturating_pow(retry.saturating_sub(1)));
        let capped = exp.min(self.max_backoff);
        let half = capped / 2;
        half + half.mul_f64(jitter())
    }
}

/// A number in [0, 1), different on each call; no cryptographic quality needed.
fn jitter() -> f64 {
    static STATE: AtomicU64 = AtomicU64::new(0);
    let seed = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    let mut x = STATE.fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed) ^ seed;
    // splitmix64
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^= x >> 31;
    (x >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_and_statuses() {
        let p = RetryPolicy::default();
        assert!(
            p.allows(&Method::GET, "x")
                && p.allows(&Method::DELETE, "x")
                && p.allows(&Method::PUT, "x")
        );
        assert!(!p.allows(&Method::POST, "x"));
        assert!(p.clone().retry_post(true).allows(&Method::POST, "x"));
        let some = p.clone().retry_post_for([OperationId::__generated("a")]);
        assert!(some.allows(&Method::POST, "a") && !some.allows(&Method::POST, "b"));
        // Naming more operations adds to them; it never narrows `retry_post(true)`.
        let more = some.retry_post_for([OperationId::__generated("b")]);
        assert!(more.allows(&Method::POST, "a") && more.allows(&Method::POST, "b"));
        let all = p
            .clone()
            .retry_post(true)
            .retry_post_for([OperationId::__generated("a")]);
        assert!(all.allows(&Method::POST, "c"));
        assert!(!RetryPolicy::none().allows(&Method::GET, "x"));
        for s in [429, 502, 503, 504] {
            assert!(p.retries_status(StatusCode::from_u16(s).unwrap()));
        }
        for s in [400, 401, 404, 409, 500] {
            assert!(!p.retries_status(StatusCode::from_u16(s).unwrap()), "{s}");
        }
        assert!(p.retry_conflicts(true).retries_status(StatusCode::CONFLICT));
    }

    #[test]
    fn backoff_grows_with_jitter_and_caps() {
        let p =
            RetryPolicy::default().backoff(Duration::from_millis(100), Duration::from_millis(800));
        for retry in 1..=6 {
            let full =
                Duration::from_millis(100 * 2u64.pow(retry - 1)).min(Duration::from_millis(800));
            for _ in 0..50 {
                let d = p.backoff_for(retry);
                assert!(d >= full / 2 && d <= full, "retry {retry}: {d:?}");
            }
        }
        let waits: BTreeSet<Duration> = (0..20).map(|_| p.backoff_for(3)).collect();
        assert!(waits.len() > 1, "jitter varies the wait");
    }

    #[test]
    fn the_deadline_is_a_minute_unless_set_or_lifted() {
        assert_eq!(
            RetryPolicy::default().deadline_value(),
            Some(Duration::from_secs(60))
        );
        assert_eq!(RetryPolicy::default().no_deadline().deadline_value(), None);
        assert_eq!(
            RetryPolicy::default()
                .deadline(Duration::from_secs(5))
                .deadline_value(),
            Some(Duration::from_secs(5))
        );
    }

    #[test]
    fn jitter_spreads_evenly() {
        let samples: Vec<f64> = (0..20_000).map(|_| jitter()).collect();
        assert!(samples.iter().all(|j| (0.0..1.0).contains(j)));
        let mut buckets = [0usize; 10];
        for j in &samples {
            buckets[(j * 10.0) as usize] += 1;
        }
        // 2,000 expected in each tenth; a biased generator leaves some far off.
        assert!(
            buckets.iter().all(|&n| (1_700..=2_300).contains(&n)),
            "{buckets:?}"
        );
        let distinct: BTreeSet<u64> = samples.iter().map(|j| j.to_bits()).collect();
        assert!(distinct.len() > 19_900, "values repeat: {}", distinct.len());
    }
}
