//! Publication: reading what other parties published, by URI, and a local cache of a corpus.
//!
//! Parties meet only on the chain and at public URIs (see DESIGN.md, "Publication"): a contribution
//! names its file by URI, an epoch names its report by `reportURI`. This module
//! - resolves URIs: `https://`, `http://`, `file://` (an absolute local path), `ipfs://CID/path`
//!   (through a gateway the user configures), and references relative to a publication base
//!   ([`resolve`]); anything else — a local path above all — is refused with the URI named;
//! - fetches them with a timeout, retries with backoff on 429, 5xx, timeouts and failed
//!   connections, a size cap, and a keccak256 check ([`Fetcher::fetch_checked`]);
//! - keeps a content-addressed cache of a corpus, filled by a parallel, resumable sync
//!   ([`CorpusCache::sync`]); a file is written under a temporary name and renamed, and every file
//!   found is hashed again, so neither a killed sync nor a damaged disk is ever read as data;
//! - fetches an epoch report and rebuilds its reward tree ([`Fetcher::fetch_report_tree`]), so a
//!   contributor with nothing but a wallet can check the root and claim.
//!
//! The cache folder holds only files named `0x<keccak256>` (temporary files are hidden), so it can
//! be handed to anything that reads a corpus folder.

use crate::{retry::RetryPolicy, Progress};
use alloy::primitives::{keccak256, B256};
use datanet_attribution::{AttributionError, AttributionReport, RewardTree, RewardTreeError};
use futures::StreamExt;
use serde::Serialize;
use std::{
    collections::{BTreeMap, HashMap},
    future::Future,
    io,
    path::{Component, Path, PathBuf},
    pin::Pin,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc,
    },
    task::{Context, Poll},
    time::Duration,
};
use url::Url;

/// Files fetched at once by a sync.
pub const DEFAULT_CONCURRENCY: usize = 16;
/// Largest file a fetch accepts (256 MiB).
pub const DEFAULT_MAX_BYTES: u64 = 256 << 20;

/// Why a published file could not be located, fetched or trusted.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PublicationError {
    /// A relative reference (a local path, typically) with no publication base to resolve it.
    #[error("{uri:?} is not a published URI: a relative reference needs a publication base (published URIs start with https://, http://, file:// or ipfs://)")]
    RelativeWithoutBase { uri: String },
    /// A scheme this client does not read.
    #[error("{uri:?}: unsupported URI scheme {scheme:?} (expected https, http, file or ipfs)")]
    UnsupportedScheme { uri: String, scheme: String },
    /// Not a URI at all.
    #[error("{uri:?} is not a valid URI: {reason}")]
    InvalidUri { uri: String, reason: String },
    /// A relative reference that leaves its publication base (`..`, `/…`, `//host/…`).
    #[error("{uri:?} resolves to {resolved}, outside its publication base {base}")]
    EscapesBase {
        uri: String,
        base: String,
        resolved: String,
    },
    /// A `file://` URI that does not name an absolute local path.
    #[error("{uri}: a file URI names an absolute local path (file:///path/to/file)")]
    NotLocalFile { uri: String },
    /// An `ipfs://` URI with no gateway configured.
    #[error(
        "{uri}: reading ipfs:// URIs needs a gateway (e.g. --gateway http://127.0.0.1:8080/ipfs/)"
    )]
    NoGateway { uri: String },
    /// The gateway or base URL given by the user is unusable.
    #[error("{url:?}: {reason}")]
    InvalidConfig { url: String, reason: String },
    /// An `https://` URI in a build without TLS.
    #[error("{uri}: this build has no TLS; build datanet-client with the `rustls` feature to read https:// URIs")]
    TlsUnavailable { uri: String },
    /// The server answered with an error status (after retries, for 429 and 5xx).
    #[error("{uri}: HTTP {status} (after {attempts} attempt(s))")]
    Status {
        uri: String,
        status: u16,
        attempts: u32,
    },
    /// The request failed in transit (after retries, for timeouts and failed connections).
    #[error("{uri}: request failed (after {attempts} attempt(s))")]
    Transport {
        uri: String,
        attempts: u32,
        #[source]
        source: reqwest::Error,
    },
    /// Not tried: the same host already failed in transit (after retries) earlier in this run.
    #[error("{uri}: not tried, its host {host} did not answer earlier in this run ({reason})")]
    HostDown {
        uri: String,
        host: String,
        reason: String,
    },
    /// The IPFS gateway itself refused or failed the connection (after retries): the reader's own
    /// setup, not the publisher's answer.
    #[error("{uri}: the IPFS gateway cannot be reached (after {attempts} attempt(s)); start it or pass another --gateway")]
    GatewayUnreachable {
        uri: String,
        attempts: u32,
        #[source]
        source: reqwest::Error,
    },
    /// The file is larger than the configured cap.
    #[error("{uri}: larger than the {limit}-byte limit")]
    TooLarge { uri: String, limit: u64 },
    /// A `file://` URI could not be read.
    #[error("{uri}: cannot read the file")]
    Read {
        uri: String,
        #[source]
        source: io::Error,
    },
    /// The bytes do not hash to what the chain says.
    #[error("{uri}: keccak256 of the fetched bytes is {actual}, the chain says {expected}")]
    HashMismatch {
        uri: String,
        expected: B256,
        actual: B256,
    },
    /// The cache folder or one of its files could not be written or read.
    #[error("corpus cache {path}")]
    Cache {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
    /// The HTTP client could not be built.
    #[error("cannot build the HTTP client")]
    HttpClient(#[source] reqwest::Error),
    /// A fetch task stopped abnormally (a panic).
    #[error("{uri}: the fetch task stopped: {reason}")]
    Task { uri: String, reason: String },
    /// The report's bytes (whose hash matched) do not parse as an epoch report.
    #[error("report {uri}")]
    InvalidReport {
        uri: String,
        #[source]
        source: Box<AttributionError>,
    },
    /// The report's accounts do not form a reward tree.
    #[error("report {uri}: its accounts do not form a reward tree")]
    ReportTree {
        uri: String,
        #[source]
        source: Box<RewardTreeError>,
    },
    /// The tree rebuilt from the report's accounts has another root than expected.
    #[error("report {uri}: its accounts rebuild root {rebuilt}, expected {expected}")]
    RootMismatch {
        uri: String,
        expected: B256,
        rebuilt: B256,
    },
}

impl PublicationError {
    /// Whether this is the publisher's own answer, the same for every reader at any time — so a
    /// reader may act on it (count the file as not published) and another honest reader will
    /// come to the same conclusion. That is: the URI on chain is unusable (not a URI, a scheme no
    /// client reads, a relative reference, a `file://` URI naming no local file), the server
    /// answered 4xx other than 408 and 429 (404 above all), the local file does not exist, the
    /// file is larger than [`DEFAULT_MAX_BYTES`] (when the fetcher uses that limit), or the bytes
    /// hash to something else than the chain says.
    ///
    /// Everything else depends on the reader and the moment — refused connections and timeouts
    /// after retries, 5xx, 408 and 429 after retries, no IPFS gateway or no TLS configured, a
    /// local disk error — and must not be mistaken for "not published": the caller reports it
    /// and tries again later.
    pub fn is_definitive(&self) -> bool {
        match self {
            Self::RelativeWithoutBase { .. }
            | Self::UnsupportedScheme { .. }
            | Self::InvalidUri { .. }
            | Self::EscapesBase { .. }
            | Self::NotLocalFile { .. }
            | Self::TooLarge { .. }
            | Self::HashMismatch { .. }
            | Self::InvalidReport { .. }
            | Self::ReportTree { .. }
            | Self::RootMismatch { .. } => true,
            Self::Status { status, .. } => {
                (400..500).contains(status) && *status != 408 && *status != 429
            }
            Self::Read { source, .. } => source.kind() == io::ErrorKind::NotFound,
            Self::NoGateway { .. }
            | Self::GatewayUnreachable { .. }
            | Self::InvalidConfig { .. }
            | Self::TlsUnavailable { .. }
            | Self::Transport { .. }
            | Self::HostDown { .. }
            | Self::Cache { .. }
            | Self::HttpClient(_)
            | Self::Task { .. } => false,
        }
    }

    /// Whether the source's host did not answer usably *now* — a refused, reset or failed
    /// connection or a timeout, or HTTP 5xx, 408 or 429, all after the fetcher's retries. These
    /// are the failures an attestor leaves a source out for (and lists it in the report) rather
    /// than stop the epoch: anyone can make a host of theirs answer so. Never definitive (see
    /// [`Self::is_definitive`]); the reader's own problems (no IPFS gateway or TLS configured, a
    /// gateway that refuses connections, a local disk error) are not unreachable hosts either:
    /// they stay errors the reader fixes. (A gateway that answers 5xx or times out on a CID is
    /// the publisher's problem: nobody serves it.)
    pub fn is_unreachable(&self) -> bool {
        match self {
            Self::Transport { .. } | Self::HostDown { .. } => true,
            Self::Status { status, .. } => *status >= 500 || *status == 408 || *status == 429,
            _ => false,
        }
    }

    /// A short reason without any URL (a gateway URL may carry credentials): `HTTP 503 after 7
    /// attempt(s)`, `connection refused after 2 attempt(s)`, `timed out after 3 attempt(s)`.
    /// What an attestor writes in a report for a source it left out.
    pub fn summary(&self) -> String {
        match self {
            Self::Status {
                status, attempts, ..
            } => format!("HTTP {status} after {attempts} attempt(s)"),
            Self::Transport {
                attempts, source, ..
            } => format!("{} after {attempts} attempt(s)", transport_summary(source)),
            Self::HostDown { reason, .. } => format!("host did not answer earlier ({reason})"),
            Self::Read { source, .. } => format!("cannot read the file: {}", source.kind()),
            Self::TooLarge { limit, .. } => format!("larger than the {limit}-byte limit"),
            Self::HashMismatch { actual, .. } => format!("the bytes hash to {actual}"),
            other => other.to_string(),
        }
    }

    fn cache(path: &Path, source: io::Error) -> Self {
        Self::Cache {
            path: path.to_path_buf(),
            source,
        }
    }
}

/// What went wrong in transit, in a few words, from the innermost I/O error when there is one.
fn transport_summary(error: &reqwest::Error) -> &'static str {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = cause {
        if let Some(io) = e.downcast_ref::<io::Error>() {
            match io.kind() {
                io::ErrorKind::ConnectionRefused => return "connection refused",
                io::ErrorKind::ConnectionReset | io::ErrorKind::ConnectionAborted => {
                    return "connection reset"
                }
                io::ErrorKind::TimedOut => return "timed out",
                _ => {}
            }
        }
        cause = e.source();
    }
    if error.is_timeout() {
        "timed out"
    } else if error.is_connect() {
        "connection failed"
    } else if error.is_body() || error.is_decode() {
        "the answer was cut off"
    } else {
        "request failed"
    }
}

/* URIS */

/// Resolves `uri` to an absolute URI this client can read. An absolute URI must be `https`, `http`,
/// `file` (absolute path) or `ipfs`; a relative reference is resolved against `base` (a contribution's
/// URI names its file relative to what its contributor published) and must stay under it.
pub fn resolve(uri: &str, base: Option<&Url>) -> Result<Url, PublicationError> {
    if uri.trim().is_empty() {
        return Err(PublicationError::InvalidUri {
            uri: uri.to_string(),
            reason: "empty".into(),
        });
    }
    let url = match Url::parse(uri) {
        Ok(url) => url,
        Err(url::ParseError::RelativeUrlWithoutBase) => {
            let Some(base) = base else {
                return Err(PublicationError::RelativeWithoutBase {
                    uri: uri.to_string(),
                });
            };
            let url = base.join(uri).map_err(|e| PublicationError::InvalidUri {
                uri: uri.to_string(),
                reason: e.to_string(),
            })?;
            if !is_under(&url, base) {
                return Err(PublicationError::EscapesBase {
                    uri: uri.to_string(),
                    base: base.to_string(),
                    resolved: url.to_string(),
                });
            }
            url
        }
        Err(e) => {
            return Err(PublicationError::InvalidUri {
                uri: uri.to_string(),
                reason: e.to_string(),
            })
        }
    };
    check_readable(uri, &url)?;
    Ok(url)
}

/// Parses a publication base (the prefix a party published its files under). It is a folder: a
/// missing trailing `/` is added, so `https://host/data` and `https://host/data/` both resolve
/// `a.txt` to `https://host/data/a.txt`.
pub fn parse_base(text: &str) -> Result<Url, PublicationError> {
    let mut url = resolve(text, None).map_err(|e| PublicationError::InvalidConfig {
        url: text.to_string(),
        reason: format!("not a publication base: {e}"),
    })?;
    if url.query().is_some() || url.fragment().is_some() {
        return Err(PublicationError::InvalidConfig {
            url: text.to_string(),
            reason: "a publication base has no query or fragment".into(),
        });
    }
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

/// Parses an IPFS gateway base URL (`http(s)://host[:port]/ipfs/`): `ipfs://CID/path` is read at
/// `<gateway>CID/path`.
pub fn parse_gateway(text: &str) -> Result<Url, PublicationError> {
    let invalid = |reason: &str| PublicationError::InvalidConfig {
        url: text.to_string(),
        reason: reason.to_string(),
    };
    let mut url = Url::parse(text).map_err(|e| invalid(&format!("not a gateway URL: {e}")))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(invalid(
            "a gateway is an http:// or https:// URL, e.g. http://127.0.0.1:8080/ipfs/",
        ));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(invalid("a gateway URL has no query or fragment"));
    }
    if !url.path().ends_with('/') {
        let path = format!("{}/", url.path());
        url.set_path(&path);
    }
    Ok(url)
}

fn check_readable(uri: &str, url: &Url) -> Result<(), PublicationError> {
    match url.scheme() {
        "http" | "https" if url.host_str().is_some_and(|h| !h.is_empty()) => Ok(()),
        "http" | "https" => Err(PublicationError::InvalidUri {
            uri: uri.to_string(),
            reason: "no host".into(),
        }),
        "file" => match url.host_str() {
            None | Some("") | Some("localhost") => {
                let path = url
                    .to_file_path()
                    .map_err(|()| PublicationError::NotLocalFile {
                        uri: uri.to_string(),
                    })?;
                if !path.is_absolute() || path.components().any(|c| c == Component::ParentDir) {
                    return Err(PublicationError::NotLocalFile {
                        uri: uri.to_string(),
                    });
                }
                Ok(())
            }
            Some(_) => Err(PublicationError::NotLocalFile {
                uri: uri.to_string(),
            }),
        },
        "ipfs" if url.host_str().is_some_and(|h| !h.is_empty()) => Ok(()),
        "ipfs" => Err(PublicationError::InvalidUri {
            uri: uri.to_string(),
            reason: "no CID (expected ipfs://CID/path)".into(),
        }),
        scheme => Err(PublicationError::UnsupportedScheme {
            uri: uri.to_string(),
            scheme: scheme.to_string(),
        }),
    }
}

/// Whether `url` lies under the folder `base` (same origin, path below the base's path).
fn is_under(url: &Url, base: &Url) -> bool {
    let folder = if base.path().ends_with('/') {
        base.path().to_string()
    } else {
        match base.path().rfind('/') {
            Some(i) => base.path()[..=i].to_string(),
            None => "/".to_string(),
        }
    };
    url.scheme() == base.scheme()
        && url.host_str() == base.host_str()
        && url.port_or_known_default() == base.port_or_known_default()
        && url.path().starts_with(&folder)
}

/// Where the bytes of a resolved URI are read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// An HTTP(S) URL (an `ipfs://` URI becomes its gateway URL).
    Http(Url),
    /// A local file.
    File(PathBuf),
}

/* FETCHING */

/// How a [`Fetcher`] fetches.
#[derive(Clone, Debug)]
pub struct FetchConfig {
    /// IPFS gateway base URL (see [`parse_gateway`]); `None` refuses `ipfs://` URIs.
    pub gateway: Option<Url>,
    /// Retries (429, 5xx, timeouts, failed connections) and the bound on one attempt, body included.
    pub retry: RetryPolicy,
    /// Bound on establishing a connection.
    pub connect_timeout: Duration,
    /// Largest file accepted, in bytes.
    pub max_bytes: u64,
}

impl Default for FetchConfig {
    fn default() -> Self {
        Self {
            gateway: None,
            retry: RetryPolicy {
                max_retries: 3,
                initial_backoff: Duration::from_millis(200),
                max_backoff: Duration::from_secs(10),
                request_timeout: Duration::from_secs(60),
            },
            connect_timeout: Duration::from_secs(10),
            max_bytes: DEFAULT_MAX_BYTES,
        }
    }
}

/// URIs of one host that must fail in transit (after retries) before a [`Fetcher`] stops trying
/// the host's other URIs for the rest of its life.
pub const HOST_DOWN_AFTER: u32 = 2;

/// Fetches published files. Cheap to clone (one shared connection pool).
#[derive(Clone, Debug)]
pub struct Fetcher {
    http: reqwest::Client,
    config: Arc<FetchConfig>,
    /// Per host (`host:port`): how many of its URIs failed in transit (refused or failed
    /// connection, timeout) after every retry, and the last reason. From [`HOST_DOWN_AFTER`] on,
    /// its other URIs fail at once, so a payer naming many black-hole URIs on one host costs two
    /// timeouts, not one per URI; one slow path on a shared host does not cut the host off. The
    /// IPFS gateway is never counted (one unpinned CID must not take every `ipfs://` source down
    /// with it), nor is a host that answered with a status.
    down: Arc<std::sync::Mutex<HashMap<String, (u32, String)>>>,
}

/// One failed HTTP attempt: retry it (after the server's hint, if any) or give up.
enum Attempt {
    Retry(PublicationError, Option<Duration>),
    Fail(PublicationError),
}

impl Fetcher {
    /// A fetcher with its own connection pool.
    pub fn new(config: FetchConfig) -> Result<Self, PublicationError> {
        let http = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .user_agent(concat!("datanet-client/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(PublicationError::HttpClient)?;
        Ok(Self {
            http,
            config: Arc::new(config),
            down: Arc::default(),
        })
    }

    /// The configuration.
    pub fn config(&self) -> &FetchConfig {
        &self.config
    }

    /// Where an absolute URI (see [`resolve`]) is read.
    pub fn locate(&self, uri: &str) -> Result<Source, PublicationError> {
        let url = resolve(uri, None)?;
        self.source_of(uri, &url)
    }

    fn source_of(&self, uri: &str, url: &Url) -> Result<Source, PublicationError> {
        match url.scheme() {
            "file" => {
                url.to_file_path()
                    .map(Source::File)
                    .map_err(|()| PublicationError::NotLocalFile {
                        uri: uri.to_string(),
                    })
            }
            "ipfs" => {
                let gateway =
                    self.config
                        .gateway
                        .as_ref()
                        .ok_or_else(|| PublicationError::NoGateway {
                            uri: uri.to_string(),
                        })?;
                let cid = url.host_str().unwrap_or_default();
                let mut target = gateway.join(&format!("{cid}{}", url.path())).map_err(|e| {
                    PublicationError::InvalidUri {
                        uri: uri.to_string(),
                        reason: e.to_string(),
                    }
                })?;
                target.set_query(url.query());
                Ok(Source::Http(target))
            }
            _ => Ok(Source::Http(url.clone())),
        }
    }

    /// The bytes at an absolute URI (no hash check: prefer [`Self::fetch_checked`]).
    pub async fn fetch(&self, uri: &str) -> Result<Vec<u8>, PublicationError> {
        let via_gateway = uri.trim_start().to_ascii_lowercase().starts_with("ipfs:");
        match self.locate(uri)? {
            Source::File(path) => self.read_file(uri, path).await,
            Source::Http(url) if !via_gateway => {
                let host = format!(
                    "{}:{}",
                    url.host_str().unwrap_or_default(),
                    url.port_or_known_default().unwrap_or_default()
                );
                let known_down = self.down.lock().ok().and_then(|d| {
                    d.get(&host)
                        .filter(|(failures, _)| *failures >= HOST_DOWN_AFTER)
                        .map(|(_, reason)| reason.clone())
                });
                if let Some(reason) = known_down {
                    return Err(PublicationError::HostDown {
                        uri: uri.to_string(),
                        host,
                        reason,
                    });
                }
                let result = self.get(uri, url).await;
                if let Err(e @ PublicationError::Transport { .. }) = &result {
                    if let Ok(mut down) = self.down.lock() {
                        let entry = down.entry(host).or_default();
                        entry.0 += 1;
                        entry.1 = e.summary();
                    }
                }
                result
            }
            Source::Http(url) => self.get(uri, url).await.map_err(|e| match e {
                PublicationError::Transport {
                    uri,
                    attempts,
                    source,
                } if via_gateway && source.is_connect() && !source.is_timeout() => {
                    PublicationError::GatewayUnreachable {
                        uri,
                        attempts,
                        source,
                    }
                }
                e => e,
            }),
        }
    }

    /// The bytes at an absolute URI, refused with [`PublicationError::HashMismatch`] unless their
    /// keccak256 is `expected`.
    pub async fn fetch_checked(
        &self,
        uri: &str,
        expected: B256,
    ) -> Result<Vec<u8>, PublicationError> {
        let bytes = self.fetch(uri).await?;
        let actual = keccak256(&bytes);
        if actual != expected {
            return Err(PublicationError::HashMismatch {
                uri: uri.to_string(),
                expected,
                actual,
            });
        }
        Ok(bytes)
    }

    /// An epoch report at its `reportURI`, checked against the on-chain `reportHash`. Parse it with
    /// [`AttributionReport::from_json`], or use [`Self::fetch_report_tree`].
    pub async fn fetch_report(
        &self,
        uri: &str,
        expected_report_hash: B256,
    ) -> Result<Vec<u8>, PublicationError> {
        self.fetch_checked(uri, expected_report_hash).await
    }

    /// An epoch report and its reward tree: the report fetched at `uri` and checked against the
    /// on-chain `reportHash`, the tree rebuilt from its accounts and checked against the on-chain
    /// `rewards_root`. With these a contributor proves its amount and claims.
    pub async fn fetch_report_tree(
        &self,
        uri: &str,
        report_hash: B256,
        rewards_root: B256,
    ) -> Result<(AttributionReport, RewardTree), PublicationError> {
        let bytes = self.fetch_report(uri, report_hash).await?;
        let report = AttributionReport::from_json(&bytes).map_err(|source| {
            PublicationError::InvalidReport {
                uri: uri.to_string(),
                source: Box::new(source),
            }
        })?;
        let tree = report_tree(&report).map_err(|source| PublicationError::ReportTree {
            uri: uri.to_string(),
            source: Box::new(source),
        })?;
        if tree.root() != rewards_root {
            return Err(PublicationError::RootMismatch {
                uri: uri.to_string(),
                expected: rewards_root,
                rebuilt: tree.root(),
            });
        }
        Ok((report, tree))
    }

    async fn read_file(&self, uri: &str, path: PathBuf) -> Result<Vec<u8>, PublicationError> {
        let limit = self.config.max_bytes;
        let owned = uri.to_string();
        let task = tokio::task::spawn_blocking(move || {
            let read = |e| PublicationError::Read {
                uri: owned.clone(),
                source: e,
            };
            let len = std::fs::metadata(&path).map_err(read)?.len();
            if len > limit {
                return Err(PublicationError::TooLarge {
                    uri: owned.clone(),
                    limit,
                });
            }
            std::fs::read(&path).map_err(read)
        });
        task.await.map_err(|e| PublicationError::Task {
            uri: uri.to_string(),
            reason: e.to_string(),
        })?
    }

    async fn get(&self, uri: &str, url: Url) -> Result<Vec<u8>, PublicationError> {
        if url.scheme() == "https" && !cfg!(feature = "rustls") {
            return Err(PublicationError::TlsUnavailable {
                uri: uri.to_string(),
            });
        }
        let policy = self.config.retry;
        let mut attempts = 0u32;
        loop {
            attempts += 1;
            match self.get_once(uri, &url, attempts).await {
                Ok(bytes) => return Ok(bytes),
                Err(Attempt::Retry(error, hint)) if attempts <= policy.max_retries => {
                    let wait = hint
                        .map(|h| h.min(policy.max_backoff))
                        .unwrap_or_else(|| policy.backoff(attempts));
                    tracing::debug!(%uri, attempts, wait_ms = wait.as_millis() as u64, %error, "retrying fetch");
                    tokio::time::sleep(wait).await;
                }
                Err(Attempt::Retry(error, _) | Attempt::Fail(error)) => return Err(error),
            }
        }
    }

    async fn get_once(&self, uri: &str, url: &Url, attempts: u32) -> Result<Vec<u8>, Attempt> {
        let transport = |source: reqwest::Error| {
            let transient = source.is_timeout()
                || source.is_connect()
                || source.is_body()
                || source.is_request()
                || crate::retry::is_connection_error(&source);
            let error = PublicationError::Transport {
                uri: uri.to_string(),
                attempts,
                source,
            };
            if transient {
                Attempt::Retry(error, None)
            } else {
                Attempt::Fail(error)
            }
        };
        let mut response = self
            .http
            .get(url.clone())
            .timeout(self.config.retry.request_timeout)
            .send()
            .await
            .map_err(transport)?;
        let status = response.status().as_u16();
        if !response.status().is_success() {
            let error = PublicationError::Status {
                uri: uri.to_string(),
                status,
                attempts,
            };
            return Err(if status == 429 || status == 408 || status >= 500 {
                let hint = response
                    .headers()
                    .get(reqwest::header::RETRY_AFTER)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim().parse::<u64>().ok())
                    .map(Duration::from_secs);
                Attempt::Retry(error, hint)
            } else {
                Attempt::Fail(error)
            });
        }
        let limit = self.config.max_bytes;
        let too_large = || {
            Attempt::Fail(PublicationError::TooLarge {
                uri: uri.to_string(),
                limit,
            })
        };
        if response.content_length().is_some_and(|len| len > limit) {
            return Err(too_large());
        }
        let capacity = response.content_length().unwrap_or(0).min(limit);
        let mut bytes = Vec::with_capacity(usize::try_from(capacity).unwrap_or(0));
        while let Some(chunk) = response.chunk().await.map_err(transport)? {
            if bytes.len() as u64 + chunk.len() as u64 > limit {
                return Err(too_large());
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok(bytes)
    }
}

/// The reward tree of an epoch report: one leaf `(account, cumulativeAmount)` per listed account,
/// ordered by account as the engine builds it. Its root must equal the report's `rewardsRoot` and
/// the chain's.
pub fn report_tree(report: &AttributionReport) -> Result<RewardTree, RewardTreeError> {
    let mut cumulative = BTreeMap::new();
    for a in &report.accounts {
        if cumulative.insert(a.account, a.cumulative_amount).is_some() {
            return Err(RewardTreeError::DuplicateAccount(a.account));
        }
    }
    RewardTree::from_cumulative(&cumulative)
}

/* CORPUS CACHE */

/// One accepted contribution to fetch: its id, the hash the chain holds and the URI it names.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CorpusItem {
    pub contribution_id: B256,
    pub content_hash: B256,
    pub uri: String,
}

/// How a sync runs.
#[derive(Clone, Debug)]
pub struct SyncOptions {
    /// Files fetched at once.
    pub concurrency: usize,
    /// Publication base that relative URIs are resolved against (see [`parse_base`]).
    pub base: Option<Url>,
}

impl Default for SyncOptions {
    fn default() -> Self {
        Self {
            concurrency: DEFAULT_CONCURRENCY,
            base: None,
        }
    }
}

/// What a sync did, per distinct content hash.
#[derive(Debug, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncSummary {
    /// Distinct files (content hashes) asked for.
    pub files: usize,
    /// Fetched by this run.
    pub fetched: usize,
    /// Already in the cache and valid.
    pub cached: usize,
    /// Of `fetched`, files that were in the cache but damaged (wrong hash) and were replaced.
    pub repaired: usize,
    /// Bytes fetched by this run.
    pub bytes_fetched: u64,
    /// Files that could not be fetched, with the reason (the rest of the sync went on).
    pub failed: Vec<SyncFailure>,
}

/// A file a sync could not fetch.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SyncFailure {
    pub content_hash: B256,
    /// Contributions with this content.
    pub contribution_ids: Vec<B256>,
    /// The URIs tried, in order.
    pub uris: Vec<String>,
    /// Why the last URI failed.
    #[serde(serialize_with = "error_chain")]
    pub error: PublicationError,
}

fn error_chain<S: serde::Serializer>(error: &PublicationError, s: S) -> Result<S::Ok, S::Error> {
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(e) = source {
        text.push_str(": ");
        text.push_str(&e.to_string());
        source = e.source();
    }
    s.serialize_str(&text)
}

/// What the cache holds for a content hash.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CacheState {
    Missing,
    /// Present and hashing to its name.
    Valid,
    /// Present but damaged (wrong hash).
    Corrupt,
}

/// A folder of files named `0x<keccak256 of the bytes>`.
#[derive(Clone, Debug)]
pub struct CorpusCache {
    dir: PathBuf,
}

/// Distinguishes temporary names of concurrent writers in one process.
static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

impl CorpusCache {
    /// Opens (and creates) the cache folder.
    pub fn open(dir: impl Into<PathBuf>) -> Result<Self, PublicationError> {
        let dir = dir.into();
        std::fs::create_dir_all(&dir).map_err(|e| PublicationError::cache(&dir, e))?;
        Ok(Self { dir })
    }

    /// The folder.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Where the file of `content_hash` lives.
    pub fn path_of(&self, content_hash: B256) -> PathBuf {
        self.dir.join(content_hash.to_string())
    }

    /// The bytes of `content_hash`, if the cache holds them intact.
    pub fn get(&self, content_hash: B256) -> Option<Vec<u8>> {
        let bytes = std::fs::read(self.path_of(content_hash)).ok()?;
        (keccak256(&bytes) == content_hash).then_some(bytes)
    }

    /// Whether the cache holds `content_hash` intact, damaged or not at all.
    pub fn state(&self, content_hash: B256) -> Result<CacheState, PublicationError> {
        let path = self.path_of(content_hash);
        match std::fs::read(&path) {
            Ok(bytes) if keccak256(&bytes) == content_hash => Ok(CacheState::Valid),
            Ok(_) => Ok(CacheState::Corrupt),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(CacheState::Missing),
            Err(e) => Err(PublicationError::cache(&path, e)),
        }
    }

    /// Stores `bytes` under their hash (written to a temporary name, then renamed); returns the hash.
    pub fn insert(&self, bytes: &[u8]) -> Result<B256, PublicationError> {
        let hash = keccak256(bytes);
        self.write(hash, bytes)?;
        Ok(hash)
    }

    /// Writes bytes known to hash to `content_hash`.
    fn write(&self, content_hash: B256, bytes: &[u8]) -> Result<(), PublicationError> {
        let path = self.path_of(content_hash);
        let tmp = self.dir.join(format!(
            ".{content_hash}.{}-{}.part",
            std::process::id(),
            TEMP_COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::write(&tmp, bytes).map_err(|e| PublicationError::cache(&tmp, e))?;
        std::fs::rename(&tmp, &path).map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            PublicationError::cache(&path, e)
        })
    }

    /// Removes temporary files a killed sync left behind; returns how many. (Run while no other sync
    /// writes to this folder: a concurrent writer would lose its file, never corrupt one.)
    pub fn remove_partial(&self) -> Result<usize, PublicationError> {
        let mut removed = 0;
        let entries =
            std::fs::read_dir(&self.dir).map_err(|e| PublicationError::cache(&self.dir, e))?;
        for entry in entries {
            let entry = entry.map_err(|e| PublicationError::cache(&self.dir, e))?;
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.starts_with('.') && name.ends_with(".part") {
                std::fs::remove_file(entry.path())
                    .map_err(|e| PublicationError::cache(&entry.path(), e))?;
                removed += 1;
            }
        }
        Ok(removed)
    }

    /// Fetches every file of `items` the cache does not hold intact, `options.concurrency` at a time,
    /// each checked against its content hash; files present are hashed again (a damaged one is
    /// fetched again). A file named by several contributions is fetched once, trying their URIs in
    /// order. A URI that fails is reported in the summary and does not stop the others. Safe to kill
    /// at any point and run again: only what is missing or damaged is fetched.
    ///
    /// Fails only when the cache folder itself cannot be read.
    pub async fn sync(
        &self,
        fetcher: &Fetcher,
        items: &[CorpusItem],
        options: &SyncOptions,
        progress: &dyn Progress,
    ) -> Result<SyncSummary, PublicationError> {
        self.remove_partial()?;
        // Group by content hash, in first-seen order.
        let mut groups: Vec<Group> = Vec::new();
        let mut index: HashMap<B256, usize> = HashMap::new();
        for item in items {
            let i = *index.entry(item.content_hash).or_insert_with(|| {
                groups.push(Group {
                    content_hash: item.content_hash,
                    contribution_ids: Vec::new(),
                    uris: Vec::new(),
                });
                groups.len() - 1
            });
            let group = &mut groups[i];
            group.contribution_ids.push(item.contribution_id);
            if !group.uris.contains(&item.uri) {
                group.uris.push(item.uri.clone());
            }
        }
        let mut summary = SyncSummary {
            files: groups.len(),
            ..SyncSummary::default()
        };
        progress.start("fetching corpus", groups.len() as u64);
        let base = Arc::new(options.base.clone());
        let mut outcomes = futures::stream::iter(groups.into_iter().map(|group| {
            let (cache, fetcher, base) = (self.clone(), fetcher.clone(), base.clone());
            AbortOnDrop(tokio::spawn(async move {
                let outcome = sync_one(&cache, &fetcher, &group, base.as_ref().as_ref()).await;
                (group, outcome)
            }))
        }))
        .buffer_unordered(options.concurrency.max(1));
        let mut done = 0u64;
        while let Some(joined) = outcomes.next().await {
            match joined {
                Ok((_, Ok(Fetched::Cached))) => summary.cached += 1,
                Ok((_, Ok(Fetched::New { bytes, repaired }))) => {
                    summary.fetched += 1;
                    summary.repaired += usize::from(repaired);
                    summary.bytes_fetched += bytes;
                }
                Ok((group, Err(error))) => summary.failed.push(SyncFailure {
                    content_hash: group.content_hash,
                    contribution_ids: group.contribution_ids,
                    uris: group.uris,
                    error,
                }),
                // A panicked task: its group is unknown here; count it so the totals still add up.
                Err(e) => summary.failed.push(SyncFailure {
                    content_hash: B256::ZERO,
                    contribution_ids: Vec::new(),
                    uris: Vec::new(),
                    error: PublicationError::Task {
                        uri: String::new(),
                        reason: e.to_string(),
                    },
                }),
            }
            done += 1;
            progress.set(done);
        }
        progress.finish();
        summary.failed.sort_by_key(|f| f.content_hash);
        Ok(summary)
    }
}

struct Group {
    content_hash: B256,
    contribution_ids: Vec<B256>,
    uris: Vec<String>,
}

enum Fetched {
    Cached,
    New { bytes: u64, repaired: bool },
}

async fn sync_one(
    cache: &CorpusCache,
    fetcher: &Fetcher,
    group: &Group,
    base: Option<&Url>,
) -> Result<Fetched, PublicationError> {
    let hash = group.content_hash;
    let state = {
        let cache = cache.clone();
        blocking(move || cache.state(hash)).await??
    };
    if state == CacheState::Valid {
        return Ok(Fetched::Cached);
    }
    let mut last = None;
    for uri in &group.uris {
        let result = match resolve(uri, base) {
            Ok(url) => fetcher.fetch_checked(url.as_str(), hash).await,
            Err(e) => Err(e),
        };
        match result {
            Ok(bytes) => {
                let len = bytes.len() as u64;
                let cache = cache.clone();
                blocking(move || cache.write(hash, &bytes)).await??;
                return Ok(Fetched::New {
                    bytes: len,
                    repaired: state == CacheState::Corrupt,
                });
            }
            // The file is definitively unavailable only if every URI naming it says so: keep the
            // first failure that may pass, else the last.
            Err(e) => {
                if last
                    .as_ref()
                    .is_none_or(|l: &PublicationError| l.is_definitive())
                {
                    last = Some(e);
                }
            }
        }
    }
    Err(last.unwrap_or_else(|| PublicationError::InvalidUri {
        uri: String::new(),
        reason: "no URI".into(),
    }))
}

async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, PublicationError> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| PublicationError::Task {
            uri: String::new(),
            reason: e.to_string(),
        })
}

/// A spawned task that is aborted when its handle is dropped, so that dropping a sync stops its
/// fetches.
struct AbortOnDrop<T>(tokio::task::JoinHandle<T>);

impl<T> Future for AbortOnDrop<T> {
    type Output = Result<T, tokio::task::JoinError>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        Pin::new(&mut self.0).poll(cx)
    }
}

impl<T> Drop for AbortOnDrop<T> {
    fn drop(&mut self) {
        self.0.abort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn base(s: &str) -> Url {
        parse_base(s).expect("base")
    }

    #[test]
    fn absolute_uris_of_the_four_schemes_resolve() {
        for uri in [
            "https://example.org/a.txt",
            "http://127.0.0.1:8080/x/y",
            "file:///srv/data/a.txt",
            "ipfs://bafybeigdyrzt/dir/a.txt",
        ] {
            assert_eq!(resolve(uri, None).expect(uri).as_str(), uri);
        }
        assert_eq!(
            resolve("file://localhost/srv/a.txt", None)
                .unwrap()
                .as_str(),
            "file:///srv/a.txt"
        );
    }

    #[test]
    fn local_paths_and_other_schemes_are_refused_naming_the_uri() {
        for uri in ["notes/alice0.txt", "/home/alice/a.txt", "./a.txt"] {
            let e = resolve(uri, None).unwrap_err();
            assert!(
                matches!(e, PublicationError::RelativeWithoutBase { .. }),
                "{uri}: {e}"
            );
            assert!(e.to_string().contains(uri));
        }
        for (uri, scheme) in [
            ("ftp://h/a", "ftp"),
            ("s3://b/k", "s3"),
            ("C:\\data\\a.txt", "c"),
        ] {
            match resolve(uri, None) {
                Err(PublicationError::UnsupportedScheme { scheme: s, .. }) => assert_eq!(s, scheme),
                other => panic!("{uri}: {other:?}"),
            }
        }
        assert!(matches!(
            resolve("file://otherhost/a", None),
            Err(PublicationError::NotLocalFile { .. })
        ));
        assert!(matches!(
            resolve("", None),
            Err(PublicationError::InvalidUri { .. })
        ));
        assert!(matches!(
            resolve("ipfs:///a", None),
            Err(PublicationError::InvalidUri { .. })
        ));
    }

    #[test]
    fn relative_references_resolve_under_their_base_only() {
        let b = base("https://alice.example/data");
        assert_eq!(
            resolve("a.txt", Some(&b)).unwrap().as_str(),
            "https://alice.example/data/a.txt"
        );
        assert_eq!(
            resolve("sub/b%20c.txt", Some(&b)).unwrap().as_str(),
            "https://alice.example/data/sub/b%20c.txt"
        );
        for escaping in [
            "../secret",
            "/etc/passwd",
            "//evil.example/x",
            "sub/../../x",
        ] {
            assert!(
                matches!(
                    resolve(escaping, Some(&b)),
                    Err(PublicationError::EscapesBase { .. })
                ),
                "{escaping}"
            );
        }
        let f = base("file:///srv/pub/alice/");
        assert_eq!(
            resolve("a.txt", Some(&f)).unwrap().to_file_path().unwrap(),
            PathBuf::from("/srv/pub/alice/a.txt")
        );
        assert!(resolve("../bob/a.txt", Some(&f)).is_err());
        let i = base("ipfs://QmCaseSensitiveCID/");
        assert_eq!(
            resolve("a.txt", Some(&i)).unwrap().as_str(),
            "ipfs://QmCaseSensitiveCID/a.txt"
        );
        // An absolute URI ignores the base.
        assert_eq!(
            resolve("http://other.example/z", Some(&b))
                .unwrap()
                .as_str(),
            "http://other.example/z"
        );
    }

    #[test]
    fn only_the_publishers_own_answers_are_definitive() {
        let status = |status| PublicationError::Status {
            uri: "http://h/x".into(),
            status,
            attempts: 1,
        };
        for code in [400, 401, 403, 404, 410, 451] {
            assert!(status(code).is_definitive(), "{code}");
        }
        for code in [408, 429, 500, 502, 503, 504] {
            assert!(!status(code).is_definitive(), "{code}");
        }
        let read = |kind| PublicationError::Read {
            uri: "file:///x".into(),
            source: io::Error::from(kind),
        };
        assert!(read(io::ErrorKind::NotFound).is_definitive());
        assert!(!read(io::ErrorKind::PermissionDenied).is_definitive());
        assert!(resolve("outputs.jsonl", None).unwrap_err().is_definitive());
        assert!(resolve("ftp://h/x", None).unwrap_err().is_definitive());
        let offline = Fetcher::new(FetchConfig::default()).unwrap();
        assert!(!offline.locate("ipfs://Qm/x").unwrap_err().is_definitive());
        assert!(PublicationError::HashMismatch {
            uri: String::new(),
            expected: B256::ZERO,
            actual: B256::ZERO
        }
        .is_definitive());
        // What an attestor leaves out: the host's failures that may pass, not the reader's own.
        for code in [408, 429, 500, 503] {
            assert!(status(code).is_unreachable(), "{code}");
            assert_eq!(
                status(code).summary(),
                format!("HTTP {code} after 1 attempt(s)")
            );
        }
        for code in [400, 404, 410] {
            assert!(!status(code).is_unreachable(), "{code}");
        }
        assert!(!offline.locate("ipfs://Qm/x").unwrap_err().is_unreachable());
        assert!(!read(io::ErrorKind::PermissionDenied).is_unreachable());
    }

    #[tokio::test]
    async fn a_gateway_that_refuses_connections_is_the_readers_problem_not_a_skip() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        drop(listener);
        let mut config = FetchConfig {
            gateway: Some(parse_gateway(&format!("http://127.0.0.1:{port}/ipfs/")).unwrap()),
            ..FetchConfig::default()
        };
        config.retry.max_retries = 0;
        let fetcher = Fetcher::new(config).unwrap();
        let e = fetcher.fetch("ipfs://QmNobody/a.txt").await.unwrap_err();
        assert!(
            matches!(e, PublicationError::GatewayUnreachable { .. }),
            "{e:?}"
        );
        assert!(!e.is_unreachable() && !e.is_definitive(), "{e}");
        assert!(e.to_string().contains("--gateway"), "{e}");
        // The same refusal from a publisher's own host is what an attestor leaves out.
        let e = fetcher
            .fetch(&format!("http://127.0.0.1:{port}/a.txt"))
            .await
            .unwrap_err();
        assert!(e.is_unreachable(), "{e:?}");
        assert_eq!(e.summary(), "connection refused after 1 attempt(s)");
    }

    #[test]
    fn ipfs_reads_through_the_gateway_keeping_the_cid_case() {
        let config = FetchConfig {
            gateway: Some(parse_gateway("http://127.0.0.1:8080/ipfs").unwrap()),
            ..FetchConfig::default()
        };
        let fetcher = Fetcher::new(config).unwrap();
        assert_eq!(
            fetcher.locate("ipfs://QmAbCdEf/dir/a.txt").unwrap(),
            Source::Http(Url::parse("http://127.0.0.1:8080/ipfs/QmAbCdEf/dir/a.txt").unwrap())
        );
        let none = Fetcher::new(FetchConfig::default()).unwrap();
        assert!(matches!(
            none.locate("ipfs://QmAbCdEf/a"),
            Err(PublicationError::NoGateway { .. })
        ));
        assert!(parse_gateway("ipfs://x/").is_err());
        assert!(parse_gateway("/ipfs/").is_err());
    }
}
