//! Fetching by URI and the corpus sync, against a small HTTP/1.1 server in the test process that can
//! rate-limit, fail, delay and lie.

use alloy::primitives::{keccak256, Address, B256, U256};
use datanet_attribution::{AccountReward, AttributionReport, EpochParams, Totals, REPORT_FORMAT};
use datanet_client::{
    publication::{
        parse_base, parse_gateway, report_tree, CacheState, CorpusCache, CorpusItem, FetchConfig,
        Fetcher, PublicationError, SyncOptions,
    },
    retry::RetryPolicy,
    Progress, Silent,
};
use std::{
    collections::HashMap,
    io::{BufRead, BufReader, Write},
    net::{SocketAddr, TcpListener, TcpStream},
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, Mutex,
    },
    time::{Duration, Instant},
};

/* A SMALL HTTP SERVER */

#[derive(Clone)]
struct Route {
    body: Vec<u8>,
    /// Answers with this status for the first `failures` requests.
    fail_status: u16,
    failures: usize,
    /// Always answers this status (e.g. 404).
    status: u16,
    delay: Duration,
}

impl Route {
    fn ok(body: Vec<u8>) -> Self {
        Self {
            body,
            fail_status: 0,
            failures: 0,
            status: 200,
            delay: Duration::ZERO,
        }
    }
}

#[derive(Default)]
struct State {
    routes: HashMap<String, Route>,
    hits: HashMap<String, usize>,
}

/// A thread-per-connection HTTP/1.1 server with keep-alive, for GET only.
#[derive(Clone)]
struct Server {
    addr: SocketAddr,
    state: Arc<Mutex<State>>,
}

impl Server {
    fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr");
        let state = Arc::new(Mutex::new(State::default()));
        let shared = state.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let state = shared.clone();
                std::thread::spawn(move || serve(stream, state));
            }
        });
        Self { addr, state }
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    fn route(&self, path: &str, route: Route) {
        self.state
            .lock()
            .unwrap()
            .routes
            .insert(path.to_string(), route);
    }

    fn hits(&self, path: &str) -> usize {
        self.state
            .lock()
            .unwrap()
            .hits
            .get(path)
            .copied()
            .unwrap_or(0)
    }

    fn total_hits(&self) -> usize {
        self.state.lock().unwrap().hits.values().sum()
    }
}

fn serve(stream: TcpStream, state: Arc<Mutex<State>>) {
    let _ = stream.set_nodelay(true);
    let mut reader = BufReader::new(match stream.try_clone() {
        Ok(s) => s,
        Err(_) => return,
    });
    let mut writer = stream;
    loop {
        let mut request_line = String::new();
        match reader.read_line(&mut request_line) {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        loop {
            let mut header = String::new();
            match reader.read_line(&mut header) {
                Ok(0) | Err(_) => return,
                Ok(_) if header == "\r\n" || header == "\n" => break,
                Ok(_) => {}
            }
        }
        let path = request_line
            .split_whitespace()
            .nth(1)
            .unwrap_or("/")
            .to_string();
        let (status, body, delay) = {
            let mut state = state.lock().unwrap();
            let hit = {
                let h = state.hits.entry(path.clone()).or_insert(0);
                *h += 1;
                *h
            };
            match state.routes.get(&path) {
                None => (404, b"not found".to_vec(), Duration::ZERO),
                Some(r) if hit <= r.failures => (r.fail_status, Vec::new(), r.delay),
                Some(r) if r.status != 200 => (r.status, Vec::new(), r.delay),
                Some(r) => (200, r.body.clone(), r.delay),
            }
        };
        std::thread::sleep(delay);
        let reason = match status {
            200 => "OK",
            404 => "Not Found",
            429 => "Too Many Requests",
            _ => "Error",
        };
        let retry_after = if status == 429 {
            "Retry-After: 0\r\n"
        } else {
            ""
        };
        let head = format!(
            "HTTP/1.1 {status} {reason}\r\nContent-Length: {}\r\n{retry_after}Connection: keep-alive\r\n\r\n",
            body.len()
        );
        if writer.write_all(head.as_bytes()).is_err() || writer.write_all(&body).is_err() {
            return;
        }
        let _ = writer.flush();
    }
}

/* HELPERS */

fn fast_retries() -> FetchConfig {
    FetchConfig {
        retry: RetryPolicy {
            max_retries: 4,
            initial_backoff: Duration::from_millis(10),
            max_backoff: Duration::from_millis(50),
            request_timeout: Duration::from_secs(10),
        },
        ..FetchConfig::default()
    }
}

fn content(i: usize, len: usize) -> Vec<u8> {
    let mut bytes = format!("file {i}: ").into_bytes();
    let mut x = i as u64 + 1;
    while bytes.len() < len {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        bytes.push(b'a' + (x >> 59) as u8);
    }
    bytes.truncate(len);
    bytes
}

fn item(i: usize, bytes: &[u8], uri: String) -> CorpusItem {
    CorpusItem {
        contribution_id: B256::from(U256::from(i + 1)),
        content_hash: keccak256(bytes),
        uri,
    }
}

/// Serves `n` files of `len` bytes at /data/<i>.txt; returns their items.
fn publish(server: &Server, n: usize, len: usize) -> Vec<CorpusItem> {
    (0..n)
        .map(|i| {
            let bytes = content(i, len);
            let path = format!("/data/{i}.txt");
            server.route(&path, Route::ok(bytes.clone()));
            item(i, &bytes, server.url(&path))
        })
        .collect()
}

/// Counts progress calls.
#[derive(Default)]
struct Counting {
    total: AtomicU64,
    last: AtomicU64,
}

impl Progress for Counting {
    fn start(&self, _stage: &str, total: u64) {
        self.total.store(total, Ordering::Relaxed);
    }
    fn set(&self, done: u64) {
        self.last.store(done, Ordering::Relaxed);
    }
}

/// Signals once `after` units are done.
struct StopAfter {
    after: u64,
    notify: tokio::sync::Notify,
}

impl Progress for StopAfter {
    fn set(&self, done: u64) {
        if done == self.after {
            self.notify.notify_one();
        }
    }
}

/* FETCH */

#[tokio::test]
async fn fetch_checked_retries_rate_limits_and_server_errors() {
    let server = Server::start();
    let body = b"published data".to_vec();
    for (path, status) in [("/429", 429), ("/503", 503), ("/500", 500)] {
        server.route(
            path,
            Route {
                fail_status: status,
                failures: 2,
                ..Route::ok(body.clone())
            },
        );
    }
    let fetcher = Fetcher::new(fast_retries()).unwrap();
    for path in ["/429", "/503", "/500"] {
        let bytes = fetcher
            .fetch_checked(&server.url(path), keccak256(&body))
            .await
            .unwrap_or_else(|e| panic!("{path}: {e}"));
        assert_eq!(bytes, body);
        assert_eq!(server.hits(path), 3, "{path}: two failures, then the file");
    }
}

#[tokio::test]
async fn fetch_checked_gives_up_after_its_retries_and_never_retries_a_404() {
    let server = Server::start();
    server.route(
        "/always429",
        Route {
            status: 429,
            ..Route::ok(Vec::new())
        },
    );
    let fetcher = Fetcher::new(fast_retries()).unwrap();
    match fetcher.fetch(&server.url("/always429")).await {
        Err(PublicationError::Status {
            status: 429,
            attempts: 5,
            ..
        }) => {}
        other => panic!("{other:?}"),
    }
    assert_eq!(server.hits("/always429"), 5);
    match fetcher.fetch(&server.url("/missing")).await {
        Err(PublicationError::Status {
            status: 404,
            attempts: 1,
            uri,
        }) => assert!(uri.ends_with("/missing")),
        other => panic!("{other:?}"),
    }
    assert_eq!(server.hits("/missing"), 1);
}

#[tokio::test]
async fn wrong_bytes_are_a_hash_mismatch_naming_both_hashes() {
    let server = Server::start();
    server.route("/lie", Route::ok(b"not what was registered".to_vec()));
    let fetcher = Fetcher::new(fast_retries()).unwrap();
    let expected = keccak256(b"what was registered");
    match fetcher.fetch_checked(&server.url("/lie"), expected).await {
        Err(PublicationError::HashMismatch {
            uri,
            expected: e,
            actual,
        }) => {
            assert!(uri.ends_with("/lie"));
            assert_eq!(e, expected);
            assert_eq!(actual, keccak256(b"not what was registered"));
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn refused_connections_are_retried_then_reported() {
    // A port nobody listens on.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let fetcher = Fetcher::new(fast_retries()).unwrap();
    let started = Instant::now();
    match fetcher.fetch(&format!("http://127.0.0.1:{port}/a")).await {
        Err(PublicationError::Transport { attempts: 5, .. }) => {}
        other => panic!("{other:?}"),
    }
    assert!(started.elapsed() >= Duration::from_millis(40), "backed off");
}

#[tokio::test]
async fn a_file_larger_than_the_cap_is_refused() {
    let server = Server::start();
    server.route("/big", Route::ok(vec![b'x'; 10_000]));
    let fetcher = Fetcher::new(FetchConfig {
        max_bytes: 4_096,
        ..fast_retries()
    })
    .unwrap();
    assert!(matches!(
        fetcher.fetch(&server.url("/big")).await,
        Err(PublicationError::TooLarge { limit: 4_096, .. })
    ));
}

#[tokio::test]
async fn file_and_ipfs_uris_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a b.txt");
    std::fs::write(&path, b"local file").unwrap();
    let uri = url::Url::from_file_path(&path).unwrap().to_string();
    assert!(uri.starts_with("file:///") && uri.contains("a%20b.txt"));

    let server = Server::start();
    server.route("/ipfs/bafyTESTcid/dir/x.txt", Route::ok(b"pinned".to_vec()));
    let fetcher = Fetcher::new(FetchConfig {
        gateway: Some(parse_gateway(&server.url("/ipfs")).unwrap()),
        ..fast_retries()
    })
    .unwrap();
    assert_eq!(
        fetcher
            .fetch_checked(&uri, keccak256(b"local file"))
            .await
            .unwrap(),
        b"local file"
    );
    assert_eq!(
        fetcher
            .fetch_checked("ipfs://bafyTESTcid/dir/x.txt", keccak256(b"pinned"))
            .await
            .unwrap(),
        b"pinned"
    );
    // A local path is not a published URI.
    assert!(matches!(
        fetcher.fetch(path.to_str().unwrap()).await,
        Err(PublicationError::RelativeWithoutBase { .. })
    ));
}

/* CORPUS SYNC */

#[tokio::test]
async fn sync_fetches_everything_reachable_and_reports_each_failure() {
    let server = Server::start();
    let mut items = publish(&server, 30, 512);
    // Rate-limited twice, then served.
    for i in [3, 7, 11] {
        let path = format!("/data/{i}.txt");
        server.route(
            &path,
            Route {
                fail_status: 429,
                failures: 2,
                ..Route::ok(content(i, 512))
            },
        );
    }
    // Wrong bytes at its URI.
    server.route("/data/5.txt", Route::ok(b"tampered".to_vec()));
    // Not published.
    items[9].uri = server.url("/data/nowhere.txt");
    // A relative URI resolved against the base, and an ipfs:// one through the gateway.
    items[12].uri = "12.txt".into();
    server.route("/ipfs/bafyCID/13.txt", Route::ok(content(13, 512)));
    items[13].uri = "ipfs://bafyCID/13.txt".into();
    // The same content in a second datanet: fetched once.
    let mut twin = items[0].clone();
    twin.contribution_id = B256::repeat_byte(0xee);
    items.push(twin);

    let cache_dir = tempfile::tempdir().unwrap();
    let cache = CorpusCache::open(cache_dir.path()).unwrap();
    let fetcher = Fetcher::new(FetchConfig {
        gateway: Some(parse_gateway(&server.url("/ipfs/")).unwrap()),
        ..fast_retries()
    })
    .unwrap();
    let options = SyncOptions {
        concurrency: 8,
        base: Some(parse_base(&server.url("/data")).unwrap()),
    };
    let progress = Counting::default();
    let summary = cache
        .sync(&fetcher, &items, &options, &progress)
        .await
        .unwrap();
    assert_eq!(summary.files, 30);
    assert_eq!(summary.fetched, 28, "{summary:#?}");
    assert_eq!(summary.cached, 0);
    assert_eq!(progress.total.load(Ordering::Relaxed), 30);
    assert_eq!(progress.last.load(Ordering::Relaxed), 30);
    assert_eq!(summary.failed.len(), 2);
    let by_hash: HashMap<B256, &PublicationError> = summary
        .failed
        .iter()
        .map(|f| (f.content_hash, &f.error))
        .collect();
    assert!(matches!(
        by_hash[&items[5].content_hash],
        PublicationError::HashMismatch { .. }
    ));
    assert!(matches!(
        by_hash[&items[9].content_hash],
        PublicationError::Status { status: 404, .. }
    ));
    for i in [3, 7, 11] {
        assert_eq!(server.hits(&format!("/data/{i}.txt")), 3);
    }
    assert_eq!(server.hits("/data/0.txt"), 1, "one fetch per content hash");
    for (i, it) in items.iter().enumerate().take(30) {
        let expected = (i != 5 && i != 9).then(|| content(i, 512));
        assert_eq!(cache.get(it.content_hash), expected, "file {i}");
    }
    // The JSON summary names each failure with its reason.
    let json = serde_json::to_value(&summary).unwrap();
    assert!(
        json["failed"][0]["error"]
            .as_str()
            .unwrap()
            .contains("HTTP 404")
            || json["failed"][1]["error"]
                .as_str()
                .unwrap()
                .contains("HTTP 404")
    );

    // A second run fetches nothing.
    let before = server.total_hits();
    let again = cache
        .sync(&fetcher, &items, &options, &Silent)
        .await
        .unwrap();
    assert_eq!((again.fetched, again.cached), (0, 28));
    assert_eq!(
        server.total_hits() - before,
        2,
        "only the two failures are retried"
    );
}

#[tokio::test]
async fn a_killed_sync_resumes_with_only_what_is_missing() {
    let server = Server::start();
    let items = publish(&server, 40, 1_024);
    for i in 0..40 {
        server.route(
            &format!("/data/{i}.txt"),
            Route {
                delay: Duration::from_millis(25),
                ..Route::ok(content(i, 1_024))
            },
        );
    }
    let cache_dir = tempfile::tempdir().unwrap();
    let cache = CorpusCache::open(cache_dir.path()).unwrap();
    let fetcher = Fetcher::new(fast_retries()).unwrap();
    let options = SyncOptions {
        concurrency: 4,
        base: None,
    };
    // Dropped once 10 files are done: the rest never finish.
    let stop = StopAfter {
        after: 10,
        notify: tokio::sync::Notify::new(),
    };
    tokio::select! {
        _ = cache.sync(&fetcher, &items, &options, &stop) => panic!("the sync was not interrupted"),
        _ = stop.notify.notified() => {}
    }
    // Let aborted requests settle, then count what the first run left.
    tokio::time::sleep(Duration::from_millis(100)).await;
    let present: Vec<usize> = (0..40)
        .filter(|&i| cache.state(items[i].content_hash).unwrap() == CacheState::Valid)
        .collect();
    assert!(
        !present.is_empty() && present.len() < 40,
        "{} files after the kill",
        present.len()
    );
    // A file the kill left half written, and a file damaged on disk.
    let damaged = present[0];
    std::fs::write(cache.path_of(items[damaged].content_hash), b"garbage").unwrap();
    let missing = (0..40).find(|i| !present.contains(i)).unwrap();
    let partial = cache_dir
        .path()
        .join(format!(".{}.1-1.part", items[missing].content_hash));
    std::fs::write(&partial, &content(missing, 1_024)[..100]).unwrap();

    let hits_before: Vec<usize> = (0..40)
        .map(|i| server.hits(&format!("/data/{i}.txt")))
        .collect();
    let summary = cache
        .sync(&fetcher, &items, &options, &Silent)
        .await
        .unwrap();
    assert!(summary.failed.is_empty(), "{summary:#?}");
    assert_eq!(summary.cached, present.len() - 1);
    assert_eq!(summary.fetched, 40 - present.len() + 1);
    assert_eq!(summary.repaired, 1);
    assert!(!partial.exists(), "temporary files are cleared");
    for i in 0..40 {
        let refetched = server.hits(&format!("/data/{i}.txt")) - hits_before[i];
        let expected = usize::from(!present.contains(&i) || i == damaged);
        assert_eq!(refetched, expected, "file {i}");
        assert_eq!(cache.get(items[i].content_hash), Some(content(i, 1_024)));
    }
    // Only content-addressed files remain.
    for entry in std::fs::read_dir(cache_dir.path()).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        assert!(name.starts_with("0x") && name.len() == 66, "{name}");
    }
}

/* REPORTS */

fn report_with(accounts: Vec<(Address, u64)>) -> AttributionReport {
    let accounts: Vec<AccountReward> = accounts
        .into_iter()
        .map(|(account, amount)| AccountReward {
            account,
            epoch_amount: U256::ZERO,
            cumulative_amount: U256::from(amount),
        })
        .collect();
    let mut report = AttributionReport {
        format: REPORT_FORMAT.to_string(),
        parameters: EpochParams {
            epoch: 2,
            chain_id: 31_337,
            pool: Address::ZERO,
            from_block: 1,
            to_block: 9,
            min_span: 8,
        },
        models: Vec::new(),
        inferences: Vec::new(),
        unpublished: Vec::new(),
        mismatched: Vec::new(),
        skipped_sources: Vec::new(),
        accounts: Vec::new(),
        totals: Totals {
            contributor_share: U256::ZERO,
            allocated: U256::ZERO,
            unallocated: U256::ZERO,
            cumulative_allocated: U256::ZERO,
        },
        rewards_root: None,
    };
    report.accounts = accounts;
    report.rewards_root = report_tree(&report).ok().map(|t| t.root());
    report
}

#[tokio::test]
async fn a_wallet_alone_rebuilds_the_tree_from_the_published_report() {
    let alice = Address::repeat_byte(0xa1);
    let bob = Address::repeat_byte(0xb0);
    let report = report_with(vec![(bob, 70), (alice, 30)]);
    let bytes = report.to_canonical_json();
    let server = Server::start();
    server.route("/epochs/2/report.json", Route::ok(bytes.clone()));
    let uri = server.url("/epochs/2/report.json");
    let root = report.rewards_root.unwrap();
    let fetcher = Fetcher::new(fast_retries()).unwrap();

    let (fetched, tree) = fetcher
        .fetch_report_tree(&uri, keccak256(&bytes), root)
        .await
        .unwrap();
    assert_eq!(fetched, report);
    assert_eq!(tree.root(), root);
    assert_eq!(tree.amount_of(alice), Some(U256::from(30)));
    let proof = tree.get_proof_for(alice).unwrap();
    assert!(datanet_attribution::RewardTree::verify(
        root,
        alice,
        U256::from(30),
        &proof
    ));

    // A report whose hash is not the chain's, or whose accounts rebuild another root, is refused.
    assert!(matches!(
        fetcher
            .fetch_report_tree(&uri, keccak256(b"other"), root)
            .await,
        Err(PublicationError::HashMismatch { .. })
    ));
    assert!(matches!(
        fetcher
            .fetch_report_tree(&uri, keccak256(&bytes), B256::repeat_byte(1))
            .await,
        Err(PublicationError::RootMismatch { .. })
    ));
}

/* THROUGHPUT */

/// `cargo test -p datanet-client --release --test publication -- --ignored --nocapture sync_throughput`
#[tokio::test(flavor = "multi_thread")]
#[ignore = "a measurement, not a check"]
async fn sync_throughput() {
    let server = Server::start();
    let fetcher = Fetcher::new(fast_retries()).unwrap();
    for (n, len) in [(2_000usize, 4_096usize), (50, 1 << 20)] {
        let items: Vec<CorpusItem> = (0..n)
            .map(|i| {
                let bytes = content(i, len);
                let path = format!("/bench{len}/{i}");
                server.route(&path, Route::ok(bytes.clone()));
                item(i, &bytes, server.url(&path))
            })
            .collect();
        let dir = tempfile::tempdir().unwrap();
        let cache = CorpusCache::open(dir.path()).unwrap();
        let started = Instant::now();
        let summary = cache
            .sync(&fetcher, &items, &SyncOptions::default(), &Silent)
            .await
            .unwrap();
        let secs = started.elapsed().as_secs_f64();
        assert_eq!(summary.fetched, n);
        let mb = summary.bytes_fetched as f64 / 1e6;
        println!(
            "{n} files of {len} B: {secs:.2} s, {:.0} files/s, {:.1} MB/s",
            n as f64 / secs,
            mb / secs
        );
        let started = Instant::now();
        let again = cache
            .sync(&fetcher, &items, &SyncOptions::default(), &Silent)
            .await
            .unwrap();
        let secs = started.elapsed().as_secs_f64();
        assert_eq!(again.cached, n);
        println!(
            "  re-run (all cached, every file hashed again): {secs:.2} s, {:.0} files/s",
            n as f64 / secs
        );
    }
}
