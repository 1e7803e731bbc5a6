//! A hostile JSON-RPC provider in front of anvil, behaving like the public providers the client must
//! survive: `eth_getLogs` capped at 1,000 blocks and 10,000 results (refused with the messages real
//! providers send), 5% of reads answered with HTTP 429, and the answer to one
//! `eth_sendRawTransaction` dropped after the transaction was forwarded (the node has it; the client
//! sees a closed connection).
//!
//! A small HTTP/1.1 server on its own thread and runtime (tests block on child processes), forwarding
//! each request to anvil on a fresh connection. Deterministic: the 429s follow a seeded generator.

use serde_json::{json, Value};
use std::{
    net::SocketAddr,
    sync::{
        atomic::{AtomicBool, AtomicU64, Ordering},
        Arc, Mutex,
    },
};
use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
};

/// What the proxy does to requests.
#[derive(Clone, Debug)]
pub struct Hostility {
    /// Largest `eth_getLogs` block range answered.
    pub max_log_blocks: u64,
    /// Largest `eth_getLogs` result answered.
    pub max_log_results: usize,
    /// Percent of reads (every method but `eth_sendRawTransaction`) answered with HTTP 429.
    pub rate_limit_percent: u64,
    /// Drop the answer to this `eth_sendRawTransaction` (1-based), after forwarding it.
    pub drop_send: Option<u64>,
    pub seed: u64,
}

impl Default for Hostility {
    fn default() -> Self {
        Self {
            max_log_blocks: 1_000,
            max_log_results: 10_000,
            rate_limit_percent: 5,
            drop_send: Some(6),
            seed: 0x5eed,
        }
    }
}

/// What the proxy saw and did.
#[derive(Debug, Default)]
pub struct ProxyStats {
    pub requests: AtomicU64,
    pub rate_limited: AtomicU64,
    pub get_logs: AtomicU64,
    pub refused_ranges: AtomicU64,
    pub refused_results: AtomicU64,
    pub sends: AtomicU64,
    pub dropped_sends: AtomicU64,
}

impl ProxyStats {
    pub fn get(&self, counter: &AtomicU64) -> u64 {
        counter.load(Ordering::Relaxed)
    }
}

impl std::fmt::Display for ProxyStats {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} requests, {} answered 429, {} eth_getLogs ({} refused for range, {} for result count), {} sends ({} answer dropped)",
            self.get(&self.requests),
            self.get(&self.rate_limited),
            self.get(&self.get_logs),
            self.get(&self.refused_ranges),
            self.get(&self.refused_results),
            self.get(&self.sends),
            self.get(&self.dropped_sends),
        )
    }
}

/// The running proxy; stops when dropped.
pub struct HostileProxy {
    addr: SocketAddr,
    pub stats: Arc<ProxyStats>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
    state: Arc<State>,
}

fn socket_addr(url: &str) -> SocketAddr {
    url.trim_start_matches("http://")
        .trim_end_matches('/')
        .replace("localhost", "127.0.0.1")
        .parse()
        .expect("upstream is http://HOST:PORT")
}

impl HostileProxy {
    /// Starts a proxy to `upstream` (`http://127.0.0.1:PORT`) on a free local port.
    pub fn start(upstream: &str, hostility: Hostility) -> Self {
        let upstream = socket_addr(upstream);
        let std_listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind a local port");
        std_listener.set_nonblocking(true).expect("nonblocking");
        let addr = std_listener.local_addr().expect("local addr");
        let stats = Arc::new(ProxyStats::default());
        let stop = Arc::new(AtomicBool::new(false));
        let state = Arc::new(State {
            upstream: Mutex::new(upstream),
            hostility: hostility.clone(),
            stats: stats.clone(),
            rng: Mutex::new(hostility.seed | 1),
        });
        let stop_flag = stop.clone();
        let state_handle = state.clone();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("proxy runtime");
            runtime.block_on(async move {
                let listener = TcpListener::from_std(std_listener).expect("tokio listener");
                while !stop_flag.load(Ordering::Relaxed) {
                    let accepted = tokio::time::timeout(
                        std::time::Duration::from_millis(100),
                        listener.accept(),
                    )
                    .await;
                    if let Ok(Ok((socket, _))) = accepted {
                        let state = state.clone();
                        tokio::spawn(async move {
                            let _ = serve(socket, state).await;
                        });
                    }
                }
            });
        });
        Self {
            addr,
            stats,
            stop,
            thread: Some(thread),
            state: state_handle,
        }
    }

    /// Forwards to another node from now on (a restarted anvil).
    pub fn set_upstream(&self, upstream: &str) {
        *self.state.upstream.lock().unwrap() = socket_addr(upstream);
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for HostileProxy {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

struct State {
    upstream: Mutex<SocketAddr>,
    hostility: Hostility,
    stats: Arc<ProxyStats>,
    rng: Mutex<u64>,
}

impl State {
    fn upstream(&self) -> SocketAddr {
        *self.upstream.lock().unwrap()
    }

    /// xorshift64*: a deterministic sequence in 0..100.
    fn roll(&self) -> u64 {
        let mut x = self.rng.lock().unwrap();
        *x ^= *x >> 12;
        *x ^= *x << 25;
        *x ^= *x >> 27;
        x.wrapping_mul(0x2545_f491_4f6c_dd1d) % 100
    }
}

enum Answer {
    Status(u16, Vec<u8>),
    Drop,
}

/// One client connection: requests until the client closes it (keep-alive).
async fn serve(mut socket: TcpStream, state: Arc<State>) -> std::io::Result<()> {
    let mut buffer = Vec::new();
    loop {
        let Some(body) = read_request(&mut socket, &mut buffer).await? else {
            return Ok(());
        };
        match answer(&state, &body).await {
            Answer::Status(status, bytes) => {
                let reason = if status == 429 {
                    "Too Many Requests"
                } else {
                    "OK"
                };
                let head = format!(
                    "HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
                    bytes.len()
                );
                socket.write_all(head.as_bytes()).await?;
                socket.write_all(&bytes).await?;
            }
            Answer::Drop => {
                let _ = socket.shutdown().await;
                return Ok(());
            }
        }
    }
}

/// Reads one HTTP request's body; `None` when the client closed the connection.
async fn read_request(
    socket: &mut TcpStream,
    buffer: &mut Vec<u8>,
) -> std::io::Result<Option<Vec<u8>>> {
    loop {
        if let Some(end) = find(buffer, b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buffer[..end]).to_lowercase();
            let length: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            let total = end + 4 + length;
            while buffer.len() < total {
                let mut chunk = [0u8; 16 * 1024];
                let n = socket.read(&mut chunk).await?;
                if n == 0 {
                    return Ok(None);
                }
                buffer.extend_from_slice(&chunk[..n]);
            }
            let body = buffer[end + 4..total].to_vec();
            buffer.drain(..total);
            return Ok(Some(body));
        }
        let mut chunk = [0u8; 16 * 1024];
        let n = socket.read(&mut chunk).await?;
        if n == 0 {
            return Ok(None);
        }
        buffer.extend_from_slice(&chunk[..n]);
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

async fn answer(state: &State, body: &[u8]) -> Answer {
    let stats = &state.stats;
    stats.requests.fetch_add(1, Ordering::Relaxed);
    let Ok(request) = serde_json::from_slice::<Value>(body) else {
        return Answer::Status(200, forward(state.upstream(), body).await);
    };
    let method = request["method"].as_str().unwrap_or_default().to_string();
    let id = request["id"].clone();
    if method == "eth_sendRawTransaction" {
        let n = stats.sends.fetch_add(1, Ordering::Relaxed) + 1;
        let reply = forward(state.upstream(), body).await;
        if state.hostility.drop_send == Some(n) {
            stats.dropped_sends.fetch_add(1, Ordering::Relaxed);
            return Answer::Drop;
        }
        return Answer::Status(200, reply);
    }
    if state.roll() < state.hostility.rate_limit_percent {
        stats.rate_limited.fetch_add(1, Ordering::Relaxed);
        return Answer::Status(429, br#"{"error":"Too Many Requests"}"#.to_vec());
    }
    if method == "eth_getLogs" {
        stats.get_logs.fetch_add(1, Ordering::Relaxed);
        let filter = &request["params"][0];
        if filter.get("blockHash").is_none() {
            let is_number = |v: &Value| v.as_str().is_some_and(|s| s.starts_with("0x"));
            let latest = if is_number(&filter["fromBlock"]) && is_number(&filter["toBlock"]) {
                0
            } else {
                block_number(state.upstream()).await
            };
            let from = block_arg(&filter["fromBlock"], latest);
            let to = block_arg(&filter["toBlock"], latest);
            if to >= from && to - from + 1 > state.hostility.max_log_blocks {
                stats.refused_ranges.fetch_add(1, Ordering::Relaxed);
                return Answer::Status(
                    200,
                    error(
                        id,
                        -32600,
                        &format!(
                            "query exceeds max block range {}",
                            state.hostility.max_log_blocks
                        ),
                    ),
                );
            }
        }
        let reply = forward(state.upstream(), body).await;
        let count = serde_json::from_slice::<Value>(&reply)
            .ok()
            .and_then(|v| v["result"].as_array().map(Vec::len))
            .unwrap_or(0);
        if count > state.hostility.max_log_results {
            stats.refused_results.fetch_add(1, Ordering::Relaxed);
            return Answer::Status(
                200,
                error(
                    id,
                    -32005,
                    &format!(
                        "query returned more than {} results",
                        state.hostility.max_log_results
                    ),
                ),
            );
        }
        return Answer::Status(200, reply);
    }
    Answer::Status(200, forward(state.upstream(), body).await)
}

fn error(id: Value, code: i64, message: &str) -> Vec<u8> {
    serde_json::to_vec(
        &json!({"jsonrpc": "2.0", "id": id, "error": {"code": code, "message": message}}),
    )
    .expect("json")
}

fn block_arg(value: &Value, latest: u64) -> u64 {
    match value.as_str() {
        None | Some("latest" | "pending" | "safe" | "finalized") => latest,
        Some("earliest") => 0,
        Some(hex) => u64::from_str_radix(hex.trim_start_matches("0x"), 16).unwrap_or(latest),
    }
}

async fn block_number(upstream: SocketAddr) -> u64 {
    let reply = forward(
        upstream,
        br#"{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber","params":[]}"#,
    )
    .await;
    serde_json::from_slice::<Value>(&reply)
        .ok()
        .and_then(|v| v["result"].as_str().map(str::to_string))
        .and_then(|hex| u64::from_str_radix(hex.trim_start_matches("0x"), 16).ok())
        .unwrap_or(0)
}

/// POSTs `body` to anvil on a fresh connection and returns the response body.
async fn forward(upstream: SocketAddr, body: &[u8]) -> Vec<u8> {
    let mut stream = TcpStream::connect(upstream).await.expect("anvil is up");
    let head = format!(
        "POST / HTTP/1.1\r\nhost: {upstream}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n",
        body.len()
    );
    stream
        .write_all(head.as_bytes())
        .await
        .expect("write to anvil");
    stream.write_all(body).await.expect("write to anvil");
    let mut response = Vec::new();
    stream
        .read_to_end(&mut response)
        .await
        .expect("read from anvil");
    let Some(end) = find(&response, b"\r\n\r\n") else {
        return response;
    };
    let head = String::from_utf8_lossy(&response[..end]).to_lowercase();
    let body = response[end + 4..].to_vec();
    if head.contains("transfer-encoding: chunked") {
        dechunk(&body)
    } else {
        body
    }
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(line_end) = find(data, b"\r\n") {
        let size = usize::from_str_radix(String::from_utf8_lossy(&data[..line_end]).trim(), 16)
            .unwrap_or(0);
        if size == 0 {
            break;
        }
        let start = line_end + 2;
        out.extend_from_slice(&data[start..start + size]);
        data = &data[start + size + 2..];
    }
    out
}
