//! A publication host: a tiny static HTTP/1.1 file server in the test process, where the tests'
//! contributors, payers and attestors "publish" their files (contributions, outputs, reports) and
//! from where other parties read them by URI. Files can be replaced, removed (404), made to fail
//! with any status or to never answer (a black hole); every request is counted.
//!
//! One thread accepts, one thread per connection answers GET requests (keep-alive is not offered:
//! every answer closes its connection).

use std::{
    collections::{HashMap, HashSet},
    io::{BufRead, BufReader, Write},
    net::{SocketAddr, TcpListener, TcpStream},
    path::Path,
    sync::{
        atomic::{AtomicBool, Ordering},
        Arc, Mutex,
    },
    time::Duration,
};

#[derive(Default)]
struct Files {
    /// Path (with its leading `/`) → body.
    bodies: HashMap<String, Vec<u8>>,
    /// Path → status answered instead of the body.
    failing: HashMap<String, u16>,
    /// Paths whose requests are read and never answered.
    hanging: HashSet<String>,
    hits: HashMap<String, usize>,
}

/// The running host; stops when dropped.
pub struct PublicationHost {
    addr: SocketAddr,
    files: Arc<Mutex<Files>>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl PublicationHost {
    /// Starts a host on a free local port, serving nothing yet.
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind a local port");
        listener.set_nonblocking(true).expect("nonblocking");
        let addr = listener.local_addr().expect("local addr");
        let files = Arc::new(Mutex::new(Files::default()));
        let stop = Arc::new(AtomicBool::new(false));
        let (shared, stop_flag) = (files.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            while !stop_flag.load(Ordering::Relaxed) {
                match listener.accept() {
                    Ok((stream, _)) => {
                        let files = shared.clone();
                        std::thread::spawn(move || {
                            let _ = serve(stream, &files);
                        });
                    }
                    Err(_) => std::thread::sleep(Duration::from_millis(5)),
                }
            }
        });
        Self {
            addr,
            files,
            stop,
            thread: Some(thread),
        }
    }

    /// `http://127.0.0.1:PORT/` + `path` (without its leading `/`).
    pub fn url(&self, path: &str) -> String {
        format!("http://{}/{}", self.addr, path.trim_start_matches('/'))
    }

    /// Serves `bytes` at `path` (replacing what was there; clears a failure).
    pub fn publish(&self, path: &str, bytes: impl Into<Vec<u8>>) {
        let path = normalize(path);
        let mut files = self.files.lock().unwrap();
        files.failing.remove(&path);
        files.hanging.remove(&path);
        files.bodies.insert(path, bytes.into());
    }

    /// Serves every file under `dir` at `prefix/<relative path>`.
    pub fn publish_dir(&self, prefix: &str, dir: &Path) {
        for entry in std::fs::read_dir(dir).expect("read dir") {
            let entry = entry.expect("dir entry");
            let name = entry.file_name().to_string_lossy().into_owned();
            let path = format!("{}/{name}", prefix.trim_end_matches('/'));
            if entry.path().is_dir() {
                self.publish_dir(&path, &entry.path());
            } else {
                self.publish(&path, std::fs::read(entry.path()).expect("read file"));
            }
        }
    }

    /// Stops serving `path` (404 from now on).
    pub fn remove(&self, path: &str) {
        let path = normalize(path);
        let mut files = self.files.lock().unwrap();
        files.bodies.remove(&path);
        files.failing.remove(&path);
        files.hanging.remove(&path);
    }

    /// Answers `status` for `path` from now on (until published again).
    pub fn fail(&self, path: &str, status: u16) {
        self.files
            .lock()
            .unwrap()
            .failing
            .insert(normalize(path), status);
    }

    /// Never answers requests for `path` from now on (until published again): the connection is
    /// accepted, the request read, and nothing sent for a minute.
    pub fn hang(&self, path: &str) {
        self.files.lock().unwrap().hanging.insert(normalize(path));
    }

    /// Requests for `path` so far.
    pub fn hits(&self, path: &str) -> usize {
        self.files
            .lock()
            .unwrap()
            .hits
            .get(&normalize(path))
            .copied()
            .unwrap_or(0)
    }
}

impl Drop for PublicationHost {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A URL on a local port nothing listens on: connections are refused.
pub fn unreachable_url(path: &str) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind a local port");
    let addr = listener.local_addr().expect("local addr");
    drop(listener);
    format!("http://{addr}/{}", path.trim_start_matches('/'))
}

fn normalize(path: &str) -> String {
    format!("/{}", path.trim_start_matches('/'))
}

/// Answers one request and closes the connection.
fn serve(stream: TcpStream, files: &Mutex<Files>) -> std::io::Result<()> {
    stream.set_nonblocking(false)?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header == "\r\n" || header == "\n" {
            break;
        }
    }
    let mut parts = request_line.split_whitespace();
    let method = parts.next().unwrap_or_default();
    let path = parts
        .next()
        .unwrap_or("/")
        .split('?')
        .next()
        .unwrap_or("/")
        .to_string();
    let (status, body) = {
        let mut files = files.lock().unwrap();
        *files.hits.entry(path.clone()).or_default() += 1;
        if files.hanging.contains(&path) {
            drop(files);
            std::thread::sleep(Duration::from_secs(60));
            return Ok(());
        }
        if method != "GET" {
            (405, b"method not allowed\n".to_vec())
        } else if let Some(status) = files.failing.get(&path) {
            (*status, format!("status {status}\n").into_bytes())
        } else if let Some(body) = files.bodies.get(&path) {
            (200, body.clone())
        } else {
            (404, b"not found\n".to_vec())
        }
    };
    let reason = match status {
        200 => "OK",
        404 => "Not Found",
        405 => "Method Not Allowed",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    };
    let mut stream = stream;
    stream.write_all(
        format!(
            "HTTP/1.1 {status} {reason}\r\ncontent-length: {}\r\ncontent-type: application/octet-stream\r\nconnection: close\r\n\r\n",
            body.len()
        )
        .as_bytes(),
    )?;
    stream.write_all(&body)?;
    stream.flush()
}
