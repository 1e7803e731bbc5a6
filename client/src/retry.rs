//! Retries for JSON-RPC reads: exponential backoff with jitter on rate limits (HTTP 429 and the
//! providers' rate-limit error payloads), 5xx, timeouts and failed connections.
//!
//! alloy's `RetryBackoffLayer` decides *what* is retryable well (its `RetryPolicy`), and that
//! classification is reused here, but it waits a fixed `initial_backoff` on every attempt and only
//! retries errors alloy classifies, which leaves out refused connections (a node that is still
//! starting) and 500/502/504. This layer adds those, doubles the wait per attempt with jitter, bounds
//! each attempt with a timeout, and counts what it did in [`RpcStats`].
//!
//! Only reads (`eth_*` queries, `net_*`, `web3_*`) are retried after a timeout or a dropped
//! connection: the server may have processed the request. Anything else — `eth_sendRawTransaction`,
//! a node's control methods — is retried only when the server said it did not process it (429,
//! 503); any other failure goes back to the caller. For a transaction, the sender then checks by
//! hash whether the node has it before it sends the same bytes again (see `Client::submit`).

use crate::logs::is_log_refusal;
use alloy::{
    rpc::json_rpc::{RequestPacket, ResponsePacket},
    transports::{
        layers::{RateLimitRetryPolicy, RetryPolicy as AlloyRetryPolicy},
        TransportError, TransportErrorKind, TransportFut,
    },
};
use std::{
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    },
    task::{Context, Poll},
    time::Duration,
};
use tower::{Layer, Service};

/// How hard to retry.
#[derive(Clone, Copy, Debug)]
pub struct RetryPolicy {
    /// Attempts after the first.
    pub max_retries: u32,
    /// Wait before the first retry; doubled each time, up to `max_backoff`.
    pub initial_backoff: Duration,
    pub max_backoff: Duration,
    /// Bound on one attempt (a provider that accepts the connection and never answers).
    pub request_timeout: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 8,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(8),
            request_timeout: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// The wait before retry number `attempt` (1-based): `initial × 2^(attempt−1)`, capped, with the
    /// upper half jittered so that concurrent clients do not retry in lockstep.
    pub fn backoff(&self, attempt: u32) -> Duration {
        let exp = self
            .initial_backoff
            .saturating_mul(1u32 << attempt.saturating_sub(1).min(16))
            .min(self.max_backoff);
        let half = exp / 2;
        half + half.mul_f64(jitter())
    }
}

/// What the transport did, for diagnostics and measurements.
#[derive(Debug, Default)]
pub struct RpcStats {
    /// Requests sent (each attempt counts).
    pub requests: AtomicU64,
    /// Attempts that were retried.
    pub retries: AtomicU64,
    /// Of those, rate-limited ones (HTTP 429 or a rate-limit payload).
    pub rate_limited: AtomicU64,
    /// `eth_getLogs` pages fetched.
    pub log_pages: AtomicU64,
    /// `eth_getLogs` pages the provider refused as too large (then split).
    pub log_refusals: AtomicU64,
    /// Transactions whose send failed in transit and were found by hash or sent again.
    pub send_recoveries: AtomicU64,
}

impl RpcStats {
    /// A snapshot of the counters.
    pub fn snapshot(&self) -> RpcStatsSnapshot {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        RpcStatsSnapshot {
            requests: get(&self.requests),
            retries: get(&self.retries),
            rate_limited: get(&self.rate_limited),
            log_pages: get(&self.log_pages),
            log_refusals: get(&self.log_refusals),
            send_recoveries: get(&self.send_recoveries),
        }
    }
}

/// Counters at one moment.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RpcStatsSnapshot {
    pub requests: u64,
    pub retries: u64,
    pub rate_limited: u64,
    pub log_pages: u64,
    pub log_refusals: u64,
    pub send_recoveries: u64,
}

/// The tower layer; see the module docs.
#[derive(Clone, Debug)]
pub struct RetryLayer {
    policy: RetryPolicy,
    stats: Arc<RpcStats>,
}

impl RetryLayer {
    pub fn new(policy: RetryPolicy, stats: Arc<RpcStats>) -> Self {
        Self { policy, stats }
    }
}

impl<S> Layer<S> for RetryLayer {
    type Service = RetryService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        RetryService {
            inner,
            policy: self.policy,
            stats: self.stats.clone(),
        }
    }
}

/// The service [`RetryLayer`] wraps around a transport.
#[derive(Clone, Debug)]
pub struct RetryService<S> {
    inner: S,
    policy: RetryPolicy,
    stats: Arc<RpcStats>,
}

impl<S> Service<RequestPacket> for RetryService<S>
where
    S: Service<
            RequestPacket,
            Response = ResponsePacket,
            Error = TransportError,
            Future = TransportFut<'static>,
        > + Clone
        + Send
        + 'static,
{
    type Response = ResponsePacket;
    type Error = TransportError;
    type Future = TransportFut<'static>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: RequestPacket) -> Self::Future {
        let inner = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, inner);
        let (policy, stats) = (self.policy, self.stats.clone());
        let reads = request.method_names().all(is_read);
        let method = request.method_names().next().unwrap_or("batch").to_string();
        Box::pin(async move {
            let mut attempt = 0u32;
            loop {
                stats.requests.fetch_add(1, Ordering::Relaxed);
                let result =
                    match tokio::time::timeout(policy.request_timeout, inner.call(request.clone()))
                        .await
                    {
                        Ok(result) => result,
                        Err(_) => Err(TransportErrorKind::custom_str(&format!(
                            "request timed out after {}s",
                            policy.request_timeout.as_secs()
                        ))),
                    };
                // An error payload is the server's answer: when it is final, it goes back as the
                // response it was, so alloy decodes it (revert data included) as usual.
                let (error, response) = match result {
                    Ok(response) => match response.as_error() {
                        Some(payload) => {
                            (TransportError::ErrorResp(payload.clone()), Some(response))
                        }
                        None => return Ok(response),
                    },
                    Err(e) => (e, None),
                };
                let verdict = classify(&error, reads);
                attempt += 1;
                if verdict == Verdict::Fail || attempt > policy.max_retries {
                    return match response {
                        Some(response) => Ok(response),
                        None => Err(error),
                    };
                }
                stats.retries.fetch_add(1, Ordering::Relaxed);
                if verdict == Verdict::RateLimited {
                    stats.rate_limited.fetch_add(1, Ordering::Relaxed);
                }
                let wait = alloy_hint(&error)
                    .map(|hint| hint.min(policy.max_backoff))
                    .unwrap_or_else(|| policy.backoff(attempt));
                tracing::debug!(%method, attempt, wait_ms = wait.as_millis() as u64, error = %short(&error), "retrying RPC request");
                tokio::time::sleep(wait).await;
            }
        })
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Verdict {
    RateLimited,
    Transient,
    Fail,
}

/// Whether `method` only reads, so that repeating it is harmless.
fn is_read(method: &str) -> bool {
    let writes = [
        "eth_sendRawTransaction",
        "eth_sendTransaction",
        "eth_sign",
        "eth_signTransaction",
        "eth_signTypedData_v4",
        "eth_submitWork",
        "eth_submitHashrate",
        "eth_sendRawTransactionSync",
    ];
    (method.starts_with("eth_") || method.starts_with("net_") || method.starts_with("web3_"))
        && !writes.contains(&method)
}

fn classify(error: &TransportError, reads: bool) -> Verdict {
    // A log range the provider refuses is for the log scanner to split, never to retry as is
    // (Infura answers it with -32005, the code it also uses for rate limits).
    if is_log_refusal(error) {
        return Verdict::Fail;
    }
    let rate_limited = match error {
        TransportError::Transport(TransportErrorKind::HttpError(e)) => e.status == 429,
        TransportError::Transport(TransportErrorKind::HttpErrorWithRetryAfter {
            error, ..
        }) => error.status == 429,
        TransportError::ErrorResp(payload) => payload.is_retry_err(),
        _ => false,
    };
    if rate_limited {
        return Verdict::RateLimited;
    }
    if !reads {
        // Anything else may have reached the node and been processed.
        return match error {
            TransportError::Transport(TransportErrorKind::HttpError(e)) if e.status == 503 => {
                Verdict::Transient
            }
            _ => Verdict::Fail,
        };
    }
    if RateLimitRetryPolicy::default().should_retry(error) {
        return Verdict::Transient;
    }
    match error {
        TransportError::Transport(TransportErrorKind::HttpError(e)) if e.status >= 500 => {
            Verdict::Transient
        }
        TransportError::Transport(TransportErrorKind::Custom(_))
        | TransportError::Transport(TransportErrorKind::BackendGone) => {
            if is_connection_error(error) {
                Verdict::Transient
            } else {
                Verdict::Fail
            }
        }
        _ => Verdict::Fail,
    }
}

fn alloy_hint(error: &TransportError) -> Option<Duration> {
    RateLimitRetryPolicy::default().backoff_hint(error)
}

/// A failure to connect, a connection closed or reset mid-request, or a timeout.
pub fn is_connection_error(error: &(dyn std::error::Error + 'static)) -> bool {
    let mut current: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = current {
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            use std::io::ErrorKind::*;
            if matches!(
                io.kind(),
                ConnectionRefused
                    | ConnectionReset
                    | ConnectionAborted
                    | NotConnected
                    | BrokenPipe
                    | TimedOut
                    | UnexpectedEof
            ) {
                return true;
            }
        }
        let text = e.to_string().to_lowercase();
        if [
            "error sending request",
            "connection closed",
            "connection reset",
            "connection refused",
            "timed out",
            "broken pipe",
            "incomplete message",
            "backend connection task has stopped",
        ]
        .iter()
        .any(|needle| text.contains(needle))
        {
            return true;
        }
        current = e.source();
    }
    false
}

/// First line of a transport error, for log lines.
pub(crate) fn short(error: &dyn std::fmt::Display) -> String {
    let text = error.to_string();
    text.lines()
        .next()
        .unwrap_or_default()
        .chars()
        .take(200)
        .collect()
}

/// A number in `[0, 1)` that differs between calls and processes, without a random-number crate.
fn jitter() -> f64 {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
    hasher.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    (hasher.finish() >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy::{rpc::json_rpc::ErrorPayload, transports::HttpError};

    fn http(status: u16) -> TransportError {
        TransportError::Transport(TransportErrorKind::HttpError(HttpError {
            status,
            body: String::new(),
        }))
    }

    fn payload(code: i64, message: &str) -> TransportError {
        TransportError::ErrorResp(ErrorPayload {
            code,
            message: message.to_string().into(),
            data: None,
        })
    }

    #[test]
    fn rate_limits_server_errors_and_dropped_connections_are_retried() {
        assert_eq!(classify(&http(429), true), Verdict::RateLimited);
        assert_eq!(
            classify(&payload(-32005, "project ID request rate exceeded"), true),
            Verdict::RateLimited
        );
        for status in [500, 502, 503, 504] {
            assert_eq!(
                classify(&http(status), true),
                Verdict::Transient,
                "{status}"
            );
        }
        let refused =
            TransportErrorKind::custom(std::io::Error::from(std::io::ErrorKind::ConnectionRefused));
        assert_eq!(classify(&refused, true), Verdict::Transient);
        assert_eq!(classify(&http(400), true), Verdict::Fail);
        assert_eq!(
            classify(&payload(3, "execution reverted"), true),
            Verdict::Fail
        );
    }

    #[test]
    fn log_range_refusals_are_left_to_the_scanner() {
        assert_eq!(
            classify(
                &payload(-32005, "query returned more than 10000 results"),
                true
            ),
            Verdict::Fail
        );
        assert_eq!(
            classify(&payload(-32600, "query exceeds max block range 1000"), true),
            Verdict::Fail
        );
    }

    #[test]
    fn writes_are_retried_only_when_the_server_did_not_process_them() {
        assert!(is_read("eth_getLogs") && is_read("eth_call") && is_read("net_version"));
        assert!(!is_read("eth_sendRawTransaction") && !is_read("anvil_mine"));
        assert_eq!(classify(&http(429), false), Verdict::RateLimited);
        assert_eq!(classify(&http(503), false), Verdict::Transient);
        assert_eq!(classify(&http(502), false), Verdict::Fail);
        let closed = TransportErrorKind::custom_str("connection closed before message completed");
        assert_eq!(classify(&closed, false), Verdict::Fail);
        assert_eq!(classify(&closed, true), Verdict::Transient);
    }

    #[test]
    fn backoff_doubles_with_jitter_and_is_capped() {
        let policy = RetryPolicy {
            max_retries: 10,
            initial_backoff: Duration::from_millis(100),
            max_backoff: Duration::from_secs(1),
            request_timeout: Duration::from_secs(1),
        };
        for (attempt, full) in [(1, 100), (2, 200), (3, 400), (4, 800), (5, 1000), (9, 1000)] {
            let wait = policy.backoff(attempt).as_millis() as u64;
            assert!(
                wait >= full / 2 && wait <= full,
                "attempt {attempt}: {wait} ms"
            );
        }
    }
}
