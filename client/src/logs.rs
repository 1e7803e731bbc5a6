//! The one `eth_getLogs` scanner: every event query of the client goes through [`LogScanner::scan`].
//!
//! Public providers cap `eth_getLogs` by block range (1,000–10,000 blocks) and by result count
//! (10,000 logs), each with its own message. The scanner pages the range, runs a few pages at once,
//! and when the provider refuses a page it splits that page — to the size the provider names when
//! its message names one, else in halves — and remembers the smaller size for every later page of
//! the process. Logs come back in chain order, `(block, logIndex)`.

use crate::{error::TransportError, retry::RpcStats, ClientError};
use alloy::{
    providers::{DynProvider, Provider},
    rpc::types::{Filter, Log},
};
use futures::stream::{FuturesUnordered, StreamExt};
use std::{
    collections::VecDeque,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    },
};

/// How the scanner pages.
#[derive(Clone, Copy, Debug)]
pub struct LogScanConfig {
    /// Blocks per page to start with (shrinks when a provider refuses).
    pub page_blocks: u64,
    /// Pages in flight at once.
    pub concurrency: usize,
}

impl Default for LogScanConfig {
    fn default() -> Self {
        Self {
            page_blocks: 10_000,
            concurrency: 4,
        }
    }
}

/// Pages `eth_getLogs`; shared by every query of a [`crate::Client`] (and its clones), so a refusal
/// learned once applies to all later scans.
#[derive(Clone, Debug)]
pub struct LogScanner {
    page_blocks: Arc<AtomicU64>,
    concurrency: usize,
    stats: Arc<RpcStats>,
}

impl LogScanner {
    pub fn new(config: LogScanConfig, stats: Arc<RpcStats>) -> Self {
        Self {
            page_blocks: Arc::new(AtomicU64::new(config.page_blocks.max(1))),
            concurrency: config.concurrency.max(1),
            stats,
        }
    }

    /// The page size in use now.
    pub fn page_blocks(&self) -> u64 {
        self.page_blocks.load(Ordering::Relaxed)
    }

    /// Every log matching `filter` (address and topics; its block range is ignored) in
    /// `from..=to`, ordered by `(block, logIndex)`. `what` names the query in errors.
    pub async fn scan(
        &self,
        provider: &DynProvider,
        filter: &Filter,
        from: u64,
        to: u64,
        what: &str,
    ) -> Result<Vec<Log>, ClientError> {
        let mut out = Vec::new();
        if from > to {
            return Ok(out);
        }
        let mut queue: VecDeque<(u64, u64)> = VecDeque::from([(from, to)]);
        let mut in_flight = FuturesUnordered::new();
        loop {
            while in_flight.len() < self.concurrency {
                let Some((a, b)) = queue.pop_front() else {
                    break;
                };
                // Cut to the page size known now (it may have shrunk since the range was queued).
                let page = self.page_blocks();
                let b_page = b.min(a.saturating_add(page - 1));
                if b_page < b {
                    queue.push_front((b_page + 1, b));
                }
                let page_filter = filter.clone().from_block(a).to_block(b_page);
                let provider = provider.clone();
                self.stats.log_pages.fetch_add(1, Ordering::Relaxed);
                in_flight.push(async move {
                    let result = provider.get_logs(&page_filter).await;
                    ((a, b_page), result)
                });
            }
            let Some(((a, b), result)) = in_flight.next().await else {
                break;
            };
            match result {
                Ok(logs) => out.extend(logs),
                Err(error) => {
                    let Some(refusal) = refusal(&error) else {
                        return Err(ClientError::Rpc {
                            call: format!("{what} logs (eth_getLogs blocks {a}..={b})"),
                            source: error,
                        });
                    };
                    let span = b - a + 1;
                    if span == 1 {
                        return Err(ClientError::LogsRefused {
                            what: what.to_string(),
                            from: a,
                            to: b,
                            source: error,
                        });
                    }
                    let smaller = refusal
                        .max_blocks
                        .filter(|n| *n < span)
                        .unwrap_or(span / 2)
                        .max(1);
                    self.page_blocks.fetch_min(smaller, Ordering::Relaxed);
                    self.stats.log_refusals.fetch_add(1, Ordering::Relaxed);
                    tracing::debug!(what, from = a, to = b, next_page = smaller, error = %crate::retry::short(&error), "provider refused a log page; splitting it");
                    // Split by `smaller` explicitly: the shared page size may not have shrunk if
                    // the refusal was about this page's result count.
                    let mut start = a;
                    let mut parts = Vec::new();
                    while start <= b {
                        let end = b.min(start + smaller - 1);
                        parts.push((start, end));
                        start = end + 1;
                    }
                    for part in parts.into_iter().rev() {
                        queue.push_front(part);
                    }
                }
            }
        }
        out.sort_by_key(|log| (log.block_number, log.log_index));
        Ok(out)
    }
}

/// A provider's refusal of a log query as too large, with the range it allows when it says so.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub max_blocks: Option<u64>,
}

/// Whether `error` is a provider refusing an `eth_getLogs` range or result count.
pub fn is_log_refusal(error: &TransportError) -> bool {
    refusal(error).is_some()
}

/// Reads the messages of common providers: "query exceeds max block range 1000" (anvil/reth
/// style), "exceed maximum block range: 5000", "block range is too wide", "eth_getLogs is limited
/// to a 10,000 range" (QuickNode), "up to a 2K block range … this block range should work:
/// [0x1, 0x7d0]" (Alchemy), "query returned more than 10000 results" (Infura, code -32005),
/// "Log response size exceeded", "limit exceeded".
pub fn refusal(error: &TransportError) -> Option<Refusal> {
    let (code, message) = match error {
        TransportError::ErrorResp(payload) => (Some(payload.code), payload.message.to_string()),
        TransportError::Transport(kind) => (None, kind.to_string()),
        other => (None, other.to_string()),
    };
    classify_message(code, &message)
}

fn classify_message(code: Option<i64>, message: &str) -> Option<Refusal> {
    let m = message.to_lowercase();
    let is_rate_limit =
        m.contains("rate limit") || m.contains("rate exceeded") || m.contains("too many requests");
    let about_range = (m.contains("block range")
        || m.contains("range too")
        || m.contains("range is too")
        || m.contains("max range")
        || m.contains("maximum range")
        || m.contains("range limit")
        || (m.contains("limited to") && m.contains("range")))
        && !is_rate_limit;
    let about_results = m.contains("more than") && m.contains("result")
        || m.contains("too many results")
        || m.contains("response size")
        || m.contains("too many logs")
        || m.contains("logs over")
        || (m.contains("limit exceeded") && !is_rate_limit)
        || (code == Some(-32005) && !is_rate_limit && m.contains("limit"));
    if !about_range && !about_results {
        return None;
    }
    Some(Refusal {
        max_blocks: suggested_range(&m)
            .or_else(|| about_range.then(|| number_after_range(&m)).flatten()),
    })
}

/// Alchemy's "this block range should work: [0x1, 0x7d0]".
fn suggested_range(m: &str) -> Option<u64> {
    let open = m.find('[')?;
    let close = open + m[open..].find(']')?;
    let (a, b) = m[open + 1..close].split_once(',')?;
    let parse = |s: &str| u64::from_str_radix(s.trim().trim_start_matches("0x"), 16).ok();
    let (a, b) = (parse(a)?, parse(b)?);
    (b >= a).then(|| b - a + 1)
}

/// The first number after "range" ("max block range 1000", "range: 5000", "a 2K block range" reads
/// the number before it, "10,000 range" too).
fn number_after_range(m: &str) -> Option<u64> {
    let at = m.find("range")?;
    let after = &m[at + 5..];
    parse_count(after.trim_start_matches(|c: char| !c.is_ascii_digit()))
        .filter(|n| *n > 0)
        .or_else(|| {
            // "a 2K block range", "a 10,000 range": a number right before "(block) range".
            let before = m[..at].trim_end();
            let before = before.strip_suffix("block").unwrap_or(before).trim_end();
            let (before, thousands) = match before.strip_suffix('k') {
                Some(rest) => (rest, 1_000),
                None => (before, 1),
            };
            let start = before
                .rfind(|c: char| !(c.is_ascii_digit() || c == ','))
                .map_or(0, |i| i + 1);
            parse_count(&before[start..]).map(|n| n * thousands)
        })
}

fn parse_count(s: &str) -> Option<u64> {
    let digits: String = s
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == ',')
        .filter(|c| *c != ',')
        .collect();
    let n: u64 = digits.parse().ok()?;
    let rest = &s[s
        .find(|c: char| !(c.is_ascii_digit() || c == ','))
        .unwrap_or(s.len())..];
    Some(if rest.starts_with('k') { n * 1_000 } else { n })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blocks(code: Option<i64>, message: &str) -> Option<Option<u64>> {
        classify_message(code, message).map(|r| r.max_blocks)
    }

    #[test]
    fn reads_the_range_providers_allow() {
        assert_eq!(
            blocks(Some(-32600), "query exceeds max block range 1000"),
            Some(Some(1_000))
        );
        assert_eq!(
            blocks(None, "exceed maximum block range: 5000"),
            Some(Some(5_000))
        );
        assert_eq!(
            blocks(Some(-32602), "eth_getLogs is limited to a 10,000 range"),
            Some(Some(10_000))
        );
        assert_eq!(
            blocks(Some(-32602), "Log response size exceeded. You can make eth_getLogs requests with up to a 2K block range and no limit on the response size, or you can request any block range with a cap of 10K logs in the response. Based on your parameters, this block range should work: [0x0, 0x7cf]"),
            Some(Some(2_000))
        );
        assert_eq!(blocks(None, "block range is too wide"), Some(None));
        assert_eq!(
            blocks(Some(-32005), "query returned more than 10000 results"),
            Some(None)
        );
        assert_eq!(blocks(Some(-32005), "limit exceeded"), Some(None));
        assert_eq!(
            blocks(None, "HTTP error 413 with body: block range too large"),
            Some(None)
        );
    }

    #[test]
    fn rate_limits_and_other_errors_are_not_refusals() {
        assert_eq!(
            blocks(Some(-32005), "project ID request rate exceeded"),
            None
        );
        assert_eq!(blocks(Some(429), "Too Many Requests"), None);
        assert_eq!(blocks(Some(-32000), "header not found"), None);
        assert_eq!(blocks(Some(3), "execution reverted"), None);
    }
}
