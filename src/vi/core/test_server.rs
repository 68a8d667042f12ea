//! A tiny plain-HTTP/1.1 server for unit tests of the HTTP side channels
//! (uploads, vAPI REST): records each request and answers from a closure.

use std::sync::{Arc, Mutex};

use sha2::{Digest, Sha256};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use url::Url;

/// Body bytes kept as text per request (bodies are hashed in full).
const KEEP: usize = 64 * 1024;

#[derive(Debug, Clone)]
pub(crate) struct Recorded {
    pub method: String,
    /// Path and query, as sent.
    pub target: String,
    /// Header names lower-cased.
    pub headers: Vec<(String, String)>,
    pub body_len: usize,
    pub body_sha256: String,
    /// The first [`KEEP`] bytes of the body.
    pub body: String,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Reply {
    pub status: u16,
    pub body: String,
}

impl Reply {
    pub fn status(status: u16) -> Reply {
        Reply { status, body: String::new() }
    }

    pub fn json(status: u16, body: &str) -> Reply {
        Reply { status, body: body.to_string() }
    }
}

type Handler = dyn Fn(&Recorded) -> Reply + Send + Sync;

pub(crate) struct TestServer {
    addr: std::net::SocketAddr,
    seen: Arc<Mutex<Vec<Recorded>>>,
    task: tokio::task::JoinHandle<()>,
}

impl TestServer {
    pub async fn start(handler: impl Fn(&Recorded) -> Reply + Send + Sync + 'static) -> TestServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let handler: Arc<Handler> = Arc::new(handler);
        let log = Arc::clone(&seen);
        let task = tokio::spawn(async move {
            while let Ok((sock, _)) = listener.accept().await {
                tokio::spawn(serve(sock, Arc::clone(&handler), Arc::clone(&log)));
            }
        });
        TestServer { addr, seen, task }
    }

    /// Accepts connections and never reads from them.
    pub async fn start_silent() -> TestServer {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let task = tokio::spawn(async move {
            let mut held = Vec::new();
            while let Ok((sock, _)) = listener.accept().await {
                held.push(sock);
            }
        });
        TestServer { addr, seen: Arc::default(), task }
    }

    pub fn url(&self, path_and_query: &str) -> Url {
        Url::parse(&format!("http://{}{path_and_query}", self.addr)).unwrap()
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.seen.lock().unwrap().clone()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve(sock: TcpStream, handler: Arc<Handler>, log: Arc<Mutex<Vec<Recorded>>>) {
    let mut reader = BufReader::new(sock);
    while let Some(req) = read_request(&mut reader).await {
        let reply = handler(&req);
        log.lock().unwrap().push(req);
        let head = format!(
            "HTTP/1.1 {} X\r\nContent-Length: {}\r\nContent-Type: application/json\r\n\r\n",
            reply.status,
            reply.body.len()
        );
        let sock = reader.get_mut();
        if sock.write_all(head.as_bytes()).await.is_err() || sock.write_all(reply.body.as_bytes()).await.is_err() {
            return;
        }
    }
}

async fn read_request(reader: &mut BufReader<TcpStream>) -> Option<Recorded> {
    let mut line = String::new();
    reader.read_line(&mut line).await.ok().filter(|n| *n > 0)?;
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_string();
    let target = parts.next()?.to_string();
    let mut headers = Vec::new();
    loop {
        let mut h = String::new();
        reader.read_line(&mut h).await.ok().filter(|n| *n > 0)?;
        let h = h.trim_end();
        if h.is_empty() {
            break;
        }
        let (k, v) = h.split_once(':')?;
        headers.push((k.trim().to_ascii_lowercase(), v.trim().to_string()));
    }
    let len: usize = headers.iter().find(|(k, _)| k == "content-length").and_then(|(_, v)| v.parse().ok()).unwrap_or(0);
    let mut hasher = Sha256::new();
    let mut kept = Vec::new();
    let mut left = len;
    let mut buf = vec![0u8; 64 * 1024];
    while left > 0 {
        let n = reader.read(&mut buf[..left.min(64 * 1024)]).await.ok().filter(|n| *n > 0)?;
        hasher.update(&buf[..n]);
        let room = KEEP.saturating_sub(kept.len()).min(n);
        kept.extend_from_slice(&buf[..room]);
        left -= n;
    }
    let body_sha256 = hasher.finalize().iter().map(|b| format!("{b:02x}")).collect();
    Some(Recorded {
        method,
        target,
        headers,
        body_len: len,
        body_sha256,
        body: String::from_utf8_lossy(&kept).into_owned(),
    })
}
