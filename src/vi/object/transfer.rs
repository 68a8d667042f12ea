//! Streamed HTTP PUT of a local file, or of a byte range of one (an OVA
//! member), for datastore `/folder` uploads and content library upload
//! endpoints: fixed-size chunks read as the connection takes them, so memory
//! stays flat whatever the file size; sha256 computed on the way, on a
//! reader thread beside the connection's; progress reported a few times
//! per second; an idle timeout instead of a total one.

use std::io;
use std::path::Path;
use std::pin::Pin;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use bytes::Bytes;
use sha2::{Digest, Sha256};
use tokio::io::AsyncSeekExt;
use tokio::sync::mpsc;
use tokio_stream::Stream;
use tracing::info;
use url::Url;

use crate::vi::core::error::ViError;

/// Bytes per body chunk. The connection pulls a chunk only when it can
/// write, and the reader stays at most [`READ_AHEAD`] chunks ahead, so a few
/// MiB are all an upload ever holds. (1 MiB measured faster against vcsim
/// than 128 KiB or 4 MiB.)
const CHUNK: usize = 1024 * 1024;
/// Chunks read (and hashed) ahead of the connection.
const READ_AHEAD: usize = 4;
/// How often progress is reported to the caller (and stalls are checked).
const TICK: Duration = Duration::from_millis(500);
/// How often progress is logged at INFO.
const LOG_EVERY: Duration = Duration::from_secs(5);
/// The request timeout given to reqwest for a transfer. The client's own
/// timeout (`api_timeout`, meant for SOAP calls) bounds the whole request,
/// body included, and would cut a multi-gigabyte upload short; reqwest
/// cannot switch it off per request, only override it, so it is overridden
/// with something no transfer reaches, and stalls are caught by the idle
/// timeout in [`put_file`] instead.
pub(crate) const NO_TOTAL_TIMEOUT: Duration = Duration::from_secs(7 * 24 * 3600);
/// Bytes of an answer body kept for error messages.
const ANSWER_KEEP: usize = 2048;

/// How far an upload has come.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    pub bytes_sent: u64,
    pub total: u64,
    pub elapsed: Duration,
}

impl Progress {
    /// Percent done (100 for an empty file).
    pub fn percent(&self) -> f64 {
        if self.total == 0 { 100.0 } else { self.bytes_sent as f64 * 100.0 / self.total as f64 }
    }

    /// Average rate so far, in MB/s (10^6 bytes).
    pub fn mb_per_sec(&self) -> f64 {
        let secs = self.elapsed.as_secs_f64();
        if secs <= 0.0 { 0.0 } else { self.bytes_sent as f64 / 1e6 / secs }
    }
}

/// What an upload sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadResult {
    /// Bytes sent (the file's size when the upload started).
    pub size: u64,
    /// Lower-case hex sha256 of the bytes sent.
    pub sha256: String,
}

/// `length` bytes of a file starting at `offset`: one member of an OVA
/// (tar) archive, sent without unpacking it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ByteRange {
    pub offset: u64,
    pub length: u64,
}

/// One streamed PUT.
pub(crate) struct PutRequest<'a> {
    pub http: &'a reqwest::Client,
    pub url: Url,
    /// Authentication headers (cookie or session id); never logged.
    pub headers: Vec<(&'static str, String)>,
    pub source: &'a Path,
    /// Only these bytes of `source` (`None`: the whole file).
    pub range: Option<ByteRange>,
    /// Longest time without the connection taking any bytes (or, once all
    /// are sent, without an answer).
    pub idle_timeout: Duration,
    /// What is uploaded, for logs and errors: `[LocalDS_0] iso/a.iso`.
    pub what: &'a str,
}

/// The server's answer to a completed PUT.
#[derive(Debug)]
pub(crate) struct PutAnswer {
    pub status: u16,
    /// The start of the answer body, for error messages.
    pub body: String,
    pub result: UploadResult,
}

/// State shared between the body stream (polled on the connection's task)
/// and the caller's loop.
#[derive(Default)]
struct Shared {
    sent: AtomicU64,
    /// Milliseconds since the start when the connection last took a chunk.
    last_pull_ms: AtomicU64,
    sha256: OnceLock<String>,
    read_error: OnceLock<String>,
}

/// PUTs `req.source` (or its `range`), streamed, with Content-Length set.
/// Returns the server's answer whatever its status; transport failures,
/// stalls and local read errors (a range past the end of the file
/// included) are errors.
pub(crate) async fn put_file<F: Fn(Progress) + Send>(
    req: PutRequest<'_>,
    progress: &mut F,
) -> Result<PutAnswer, ViError> {
    let local_err = |e: io::Error| ViError::LocalFile { path: req.source.display().to_string(), detail: e.to_string() };
    // A FIFO would block the open itself: look before opening.
    let owned = req.source.to_path_buf();
    tokio::task::spawn_blocking(move || crate::local_file::check_regular(&owned))
        .await
        .map_err(|e| local_err(io::Error::other(e.to_string())))?
        .map_err(local_err)?;
    let mut file = tokio::fs::File::open(req.source).await.map_err(local_err)?;
    let meta = file.metadata().await.map_err(local_err)?;
    if !meta.is_file() {
        return Err(local_err(io::Error::other("not a regular file")));
    }
    let total = match req.range {
        None => meta.len(),
        Some(r) => {
            r.offset.checked_add(r.length).filter(|end| *end <= meta.len()).ok_or_else(|| {
                local_err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    format!("bytes {}+{} lie past the end of the file ({} bytes)", r.offset, r.length, meta.len()),
                ))
            })?;
            file.seek(io::SeekFrom::Start(r.offset)).await.map_err(local_err)?;
            r.length
        }
    };
    let shared = Arc::new(Shared::default());
    let started = Instant::now();
    let body = FileChunks::new(file.into_std().await, total, Arc::clone(&shared), started);

    let mut builder = req
        .http
        .put(req.url.clone())
        .timeout(NO_TOTAL_TIMEOUT)
        .header(reqwest::header::CONTENT_LENGTH, total)
        .header(reqwest::header::CONTENT_TYPE, "application/octet-stream")
        .body(reqwest::Body::wrap_stream(body));
    for (name, value) in &req.headers {
        builder = builder.header(*name, value);
    }
    info!(what = req.what, bytes = total, "upload started");

    let reporter = Reporter { what: req.what, total, started, shared: &shared, idle: req.idle_timeout };
    let send = builder.send();
    tokio::pin!(send);
    let mut ticker = tokio::time::interval(TICK);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut last_log = started;
    let sent = loop {
        tokio::select! {
            res = &mut send => break res,
            _ = ticker.tick() => {
                reporter.tick(progress, &mut last_log)?;
            }
        }
    };
    let resp = sent.map_err(|e| reporter.send_error(&e, req.source))?;
    let status = resp.status().as_u16();
    let body = tokio::time::timeout(req.idle_timeout, answer_start(resp))
        .await
        .map_err(|_| reporter.stalled("reading the answer"))?;
    let p = reporter.progress();
    progress(p);
    let result = UploadResult { size: p.bytes_sent, sha256: shared.sha256.get().cloned().unwrap_or_default() };
    if (200..300).contains(&status) && p.bytes_sent != total {
        return Err(ViError::Decode(format!(
            "the server accepted {} after {} of {total} bytes",
            req.what, p.bytes_sent
        )));
    }
    if (200..300).contains(&status) {
        info!(
            what = req.what,
            bytes = total,
            secs = format!("{:.1}", p.elapsed.as_secs_f64()),
            mb_per_sec = format!("{:.1}", p.mb_per_sec()),
            "upload finished"
        );
    }
    Ok(PutAnswer { status, body, result })
}

/// Progress reporting and stall detection for one upload.
struct Reporter<'a> {
    what: &'a str,
    total: u64,
    started: Instant,
    shared: &'a Shared,
    idle: Duration,
}

impl Reporter<'_> {
    fn progress(&self) -> Progress {
        Progress {
            bytes_sent: self.shared.sent.load(Ordering::Relaxed),
            total: self.total,
            elapsed: self.started.elapsed(),
        }
    }

    /// One tick: report, log now and then, fail when the upload stalled.
    fn tick<F: Fn(Progress)>(&self, progress: &mut F, last_log: &mut Instant) -> Result<(), ViError> {
        let p = self.progress();
        progress(p);
        if last_log.elapsed() >= LOG_EVERY {
            *last_log = Instant::now();
            info!(
                what = self.what,
                percent = format!("{:.0}", p.percent()),
                mb_sent = format!("{:.1}", p.bytes_sent as f64 / 1e6),
                mb_per_sec = format!("{:.1}", p.mb_per_sec()),
                "upload progress"
            );
        }
        let last_pull = Duration::from_millis(self.shared.last_pull_ms.load(Ordering::Relaxed));
        if p.elapsed.saturating_sub(last_pull) > self.idle {
            let phase = if p.bytes_sent < self.total { "sending" } else { "waiting for the answer" };
            return Err(self.stalled(phase));
        }
        Ok(())
    }

    fn stalled(&self, phase: &str) -> ViError {
        let p = self.progress();
        ViError::Timeout {
            what: format!(
                "upload of {} (no progress while {phase}, {} of {} bytes sent)",
                self.what, p.bytes_sent, self.total
            ),
            after_secs: self.idle.as_secs().max(1),
        }
    }

    /// A failed send: a local read error when the file was the cause,
    /// otherwise the transport error.
    fn send_error(&self, e: &reqwest::Error, source: &Path) -> ViError {
        if let Some(detail) = self.shared.read_error.get() {
            return ViError::LocalFile { path: source.display().to_string(), detail: detail.clone() };
        }
        let url = e.url().map(redacted).unwrap_or_default();
        ViError::from_transport(e, &url, &format!("upload of {}", self.what), self.idle.as_secs())
    }
}

/// The URL without query (which may carry names but never secrets, yet is
/// long) for messages.
fn redacted(u: &Url) -> String {
    let mut u = u.clone();
    u.set_query(None);
    let _ = u.set_username("");
    let _ = u.set_password(None);
    u.to_string()
}

/// The first [`ANSWER_KEEP`] bytes of the answer, as text; the rest is
/// drained so the connection can be reused.
async fn answer_start(mut resp: reqwest::Response) -> String {
    let mut kept = Vec::new();
    while let Ok(Some(chunk)) = resp.chunk().await {
        let room = ANSWER_KEEP.saturating_sub(kept.len());
        kept.extend_from_slice(chunk.get(..room.min(chunk.len())).unwrap_or_default());
    }
    String::from_utf8_lossy(&kept).trim().to_string()
}

/// The file as a stream of [`CHUNK`]-sized pieces. A blocking thread reads
/// and hashes ahead of the connection, at most [`READ_AHEAD`] chunks, so
/// hashing runs beside TLS instead of between its writes. Reads exactly the
/// size the file had when opened: a file that shrinks meanwhile fails the
/// upload; bytes appended meanwhile are not sent.
struct FileChunks {
    chunks: mpsc::Receiver<io::Result<Bytes>>,
    shared: Arc<Shared>,
    started: Instant,
}

impl FileChunks {
    fn new(file: std::fs::File, total: u64, shared: Arc<Shared>, started: Instant) -> Self {
        let (tx, chunks) = mpsc::channel(READ_AHEAD);
        if total == 0 {
            // Set now: the answer to an empty PUT may come before a reader
            // thread would have run.
            let _ = shared.sha256.set(hex(&Sha256::digest([])));
        } else {
            let reader_shared = Arc::clone(&shared);
            // The reader ends when the file is read or when the body is
            // dropped (a failed or stalled request): its next send fails.
            tokio::task::spawn_blocking(move || read_ahead(file, total, &reader_shared, &tx, &Pool::new()));
        }
        FileChunks { chunks, shared, started }
    }
}

/// Chunk buffers the connection is done with, back to the reader: reading
/// into a used buffer skips the allocation, zeroing and page faults of a
/// fresh MiB (about 40,000 page faults per GiB uploaded otherwise).
struct Pool {
    back: std::sync::mpsc::SyncSender<Vec<u8>>,
    spare: std::sync::mpsc::Receiver<Vec<u8>>,
}

impl Pool {
    fn new() -> Pool {
        // Room for every buffer that can be out at once: those queued, the
        // one being filled and those the connection is writing.
        let (back, spare) = std::sync::mpsc::sync_channel(READ_AHEAD + 4);
        Pool { back, spare }
    }

    /// A buffer of `len` bytes, reused when one has come back.
    fn take(&self, len: usize) -> Vec<u8> {
        let mut buf = self.spare.try_recv().unwrap_or_default();
        buf.resize(len, 0);
        buf
    }

    /// `buf` as body bytes that return to the pool when dropped.
    fn lend(&self, buf: Vec<u8>) -> Bytes {
        Bytes::from_owner(Lent { buf, back: self.back.clone() })
    }
}

struct Lent {
    buf: Vec<u8>,
    back: std::sync::mpsc::SyncSender<Vec<u8>>,
}

impl AsRef<[u8]> for Lent {
    fn as_ref(&self) -> &[u8] {
        &self.buf
    }
}

impl Drop for Lent {
    fn drop(&mut self) {
        // A full pool or a finished reader: the buffer is simply freed.
        let _ = self.back.try_send(std::mem::take(&mut self.buf));
    }
}

/// Reads `total` bytes of `file` into chunks for `tx`, hashing them, and
/// publishes the digest (or the read error) in `shared`. The digest is set
/// once the last byte is read: with a Content-Length the connection stops
/// polling the body after the last byte, so its end may never be seen.
fn read_ahead(mut file: std::fs::File, total: u64, shared: &Shared, tx: &mpsc::Sender<io::Result<Bytes>>, pool: &Pool) {
    use std::io::Read;
    let mut hasher = Sha256::new();
    let mut remaining = total;
    while remaining > 0 {
        let want = usize::try_from(remaining).map_or(CHUNK, |r| r.min(CHUNK));
        let mut chunk = pool.take(want);
        if let Err(e) = file.read_exact(&mut chunk) {
            let e = if e.kind() == io::ErrorKind::UnexpectedEof {
                io::Error::new(io::ErrorKind::UnexpectedEof, "the file shrank during the upload")
            } else {
                e
            };
            let _ = shared.read_error.set(e.to_string());
            let _ = tx.blocking_send(Err(e));
            return;
        }
        hasher.update(&chunk);
        remaining -= want as u64;
        if remaining == 0 {
            let _ = shared.sha256.set(hex(&std::mem::take(&mut hasher).finalize()));
        }
        if tx.blocking_send(Ok(pool.lend(chunk))).is_err() {
            return;
        }
    }
}

impl Stream for FileChunks {
    type Item = io::Result<Bytes>;

    fn poll_next(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = self.get_mut();
        let item = std::task::ready!(this.chunks.poll_recv(cx));
        if let Some(Ok(chunk)) = &item {
            this.shared.sent.fetch_add(chunk.len() as u64, Ordering::Relaxed);
            let now_ms = u64::try_from(this.started.elapsed().as_millis()).unwrap_or(u64::MAX);
            this.shared.last_pull_ms.store(now_ms, Ordering::Relaxed);
        }
        Poll::Ready(item)
    }
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes.iter().fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vi::core::test_server::{Reply, TestServer};
    use std::io::Write;
    use std::sync::Mutex;

    fn temp_file(len: usize) -> (tempfile::NamedTempFile, String) {
        let mut f = tempfile::NamedTempFile::new().unwrap();
        let data: Vec<u8> = (0..len).map(|i| (i % 251) as u8).collect();
        f.write_all(&data).unwrap();
        f.flush().unwrap();
        (f, hex(&Sha256::digest(&data)))
    }

    fn request<'a>(http: &'a reqwest::Client, url: Url, source: &'a Path, idle: Duration) -> PutRequest<'a> {
        PutRequest {
            http,
            url,
            headers: vec![("Cookie", "vmware_soap_session=secret".into())],
            source,
            range: None,
            idle_timeout: idle,
            what: "[ds] f.bin",
        }
    }

    #[tokio::test]
    async fn sends_only_the_range() {
        let server = TestServer::start(|_req| Reply::status(200)).await;
        let (file, _) = temp_file(2 * CHUNK + 100);
        let data = std::fs::read(file.path()).unwrap();
        let http = reqwest::Client::new();
        let (offset, length) = (CHUNK as u64 - 7, CHUNK as u64 + 50);
        let part = &data[offset as usize..(offset + length) as usize];
        let mut req = request(&http, server.url("/part"), file.path(), Duration::from_secs(10));
        req.range = Some(ByteRange { offset, length });
        let ans = put_file(req, &mut |_| {}).await.unwrap();
        assert_eq!(ans.result, UploadResult { size: length, sha256: hex(&Sha256::digest(part)) });
        let reqs = server.requests();
        let [put] = reqs.as_slice() else { panic!("{reqs:?}") };
        assert_eq!(put.header("content-length"), Some(length.to_string().as_str()));
        assert_eq!(put.body_sha256, ans.result.sha256);

        // An empty range at the very end is fine; one past the end is not.
        let mut req = request(&http, server.url("/empty"), file.path(), Duration::from_secs(10));
        req.range = Some(ByteRange { offset: data.len() as u64, length: 0 });
        assert_eq!(put_file(req, &mut |_| {}).await.unwrap().result.size, 0);
        for (offset, length) in [(data.len() as u64, 1), (10, data.len() as u64), (u64::MAX, 2)] {
            let mut req = request(&http, server.url("/bad"), file.path(), Duration::from_secs(10));
            req.range = Some(ByteRange { offset, length });
            let err = put_file(req, &mut |_| {}).await.unwrap_err();
            assert!(matches!(&err, ViError::LocalFile { detail, .. } if detail.contains("past the end")), "{err:?}");
        }
        assert_eq!(server.requests().len(), 2, "nothing is sent for a bad range");
    }

    #[tokio::test]
    async fn streams_with_content_length_and_hash() {
        let server = TestServer::start(|_req| Reply::status(201)).await;
        // More chunks than the pool holds: later ones reuse sent buffers.
        let len = 2 * (READ_AHEAD + 4) * CHUNK + 17;
        let (file, sha) = temp_file(len);
        let http = reqwest::Client::new();
        let seen = Mutex::new(Vec::new());
        let mut progress = |p: Progress| seen.lock().unwrap().push(p);
        let url = server.url("/folder/f.bin");
        let ans = put_file(request(&http, url, file.path(), Duration::from_secs(10)), &mut progress).await.unwrap();
        assert_eq!(ans.status, 201);
        assert_eq!(ans.result.size, len as u64);
        assert_eq!(ans.result.sha256, sha);

        let reqs = server.requests();
        let [req] = reqs.as_slice() else { panic!("{reqs:?}") };
        assert_eq!(req.method, "PUT");
        assert_eq!(req.header("content-length"), Some(len.to_string().as_str()));
        assert_eq!(req.header("transfer-encoding"), None, "not chunked");
        assert_eq!(req.header("cookie"), Some("vmware_soap_session=secret"));
        assert_eq!(req.body_len, len);
        assert_eq!(req.body_sha256, sha);
        let last = *seen.lock().unwrap().last().unwrap();
        assert_eq!((last.bytes_sent, last.total), (ans.result.size, ans.result.size));
        assert!((last.percent() - 100.0).abs() < f64::EPSILON);
    }

    #[test]
    fn pool_reuses_a_sent_buffer_at_the_length_asked() {
        let pool = Pool::new();
        let mut buf = pool.take(CHUNK);
        assert_eq!(buf.len(), CHUNK);
        buf.fill(9);
        let at = buf.as_ptr();
        let body = pool.lend(buf);
        assert_eq!(body.len(), CHUNK);
        assert!(body.iter().all(|b| *b == 9));
        // Still lent: a new buffer.
        let other = pool.take(CHUNK);
        assert_ne!(other.as_ptr(), at);
        drop(body);
        let again = pool.take(17);
        assert_eq!((again.as_ptr(), again.len()), (at, 17));
        // Nothing left to reuse: a fresh, zeroed one.
        assert!(pool.take(CHUNK).iter().all(|b| *b == 0));
    }

    #[test]
    fn reader_reports_a_file_that_shrank_and_stops_when_the_body_is_gone() {
        let (file, _) = temp_file(CHUNK + 10);
        // Told the file is longer than it is: the reader sends what it has,
        // then the error, and publishes no digest.
        let shared = Shared::default();
        let (tx, mut rx) = mpsc::channel(READ_AHEAD);
        read_ahead(std::fs::File::open(file.path()).unwrap(), 2 * CHUNK as u64, &shared, &tx, &Pool::new());
        assert_eq!(rx.try_recv().unwrap().unwrap().len(), CHUNK);
        let err = rx.try_recv().unwrap().unwrap_err();
        assert!(err.to_string().contains("shrank"), "{err}");
        assert!(shared.read_error.get().is_some_and(|e| e.contains("shrank")));
        assert!(shared.sha256.get().is_none());

        // A dropped body (failed request) ends the reader instead of
        // blocking it.
        let shared = Shared::default();
        let (tx, rx) = mpsc::channel(1);
        drop(rx);
        read_ahead(std::fs::File::open(file.path()).unwrap(), CHUNK as u64 + 10, &shared, &tx, &Pool::new());
        assert!(shared.read_error.get().is_none());
    }

    #[tokio::test]
    async fn empty_file_and_error_answers() {
        let server = TestServer::start(|_req| Reply { status: 404, body: "no such datastore".into() }).await;
        let (file, sha) = temp_file(0);
        let http = reqwest::Client::new();
        let ans = put_file(request(&http, server.url("/x"), file.path(), Duration::from_secs(10)), &mut |_| {})
            .await
            .unwrap();
        assert_eq!(ans.status, 404);
        assert_eq!(ans.body, "no such datastore");
        assert_eq!(ans.result, UploadResult { size: 0, sha256: sha });
    }

    #[tokio::test]
    async fn stalled_upload_hits_the_idle_timeout() {
        // A server that accepts the connection and never reads: the socket
        // buffers fill, the stream stops being pulled, the watchdog fires.
        let server = TestServer::start_silent().await;
        let (file, _) = temp_file(64 * 1024 * 1024);
        let http = reqwest::Client::new();
        let t0 = Instant::now();
        let err = put_file(request(&http, server.url("/x"), file.path(), Duration::from_secs(1)), &mut |_| {})
            .await
            .unwrap_err();
        let ViError::Timeout { what, after_secs } = &err else { panic!("{err:?}") };
        assert_eq!(*after_secs, 1);
        assert!(what.contains("[ds] f.bin") && what.contains("no progress"), "{what}");
        assert!(t0.elapsed() < Duration::from_secs(20));
    }

    #[tokio::test]
    async fn missing_source_is_a_local_file_error() {
        let http = reqwest::Client::new();
        let url = Url::parse("http://127.0.0.1:9/x").unwrap();
        let missing = Path::new("/nonexistent/dir/file.iso");
        let err =
            put_file(request(&http, url.clone(), missing, Duration::from_secs(1)), &mut |_| {}).await.unwrap_err();
        assert!(matches!(&err, ViError::LocalFile { path, .. } if path == "/nonexistent/dir/file.iso"), "{err:?}");
        let dir = tempfile::tempdir().unwrap();
        let err = put_file(request(&http, url, dir.path(), Duration::from_secs(1)), &mut |_| {}).await.unwrap_err();
        assert!(err.to_string().contains("not a regular file"), "{err}");
    }

    #[test]
    fn progress_math() {
        let p = Progress { bytes_sent: 50_000_000, total: 200_000_000, elapsed: Duration::from_secs(2) };
        assert!((p.percent() - 25.0).abs() < 1e-9);
        assert!((p.mb_per_sec() - 25.0).abs() < 1e-9);
        let empty = Progress { bytes_sent: 0, total: 0, elapsed: Duration::ZERO };
        assert!((empty.percent() - 100.0).abs() < 1e-9);
        assert!(empty.mb_per_sec().abs() < 1e-9);
        assert_eq!(hex(&[0, 15, 255]), "000fff");
    }
}
