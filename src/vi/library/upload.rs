//! Uploading files into a library item through an update session: create
//! the session, add each file as `PUSH` and PUT its bytes (streamed) to the
//! endpoint the server hands out, validate, complete, and wait for the
//! session to be `DONE`. Any failure cancels the session, so a half-done
//! upload never becomes the item's content.

use std::path::Path;
use std::time::{Duration, Instant};

use reqwest::Method;
use serde::Deserialize;
use serde_json::json;
use tracing::{debug, warn};
use url::Url;

use crate::vi::core::error::ViError;
use crate::vi::library::catalog::{LibraryClient, decode, id_of, with_id};
use crate::vi::object::transfer::{ByteRange, Progress, UploadResult};

/// `/rest/com/vmware/content/library/item/update-session`.
const UPDATE_SESSION: &[&str] = &["rest", "com", "vmware", "content", "library", "item", "update-session"];
/// `/rest/com/vmware/content/library/item/updatesession/file`.
const UPDATE_SESSION_FILE: &[&str] = &["rest", "com", "vmware", "content", "library", "item", "updatesession", "file"];
/// How long a completed session may take to reach `DONE` (the server may
/// still be checking or moving the files).
const DONE_WAIT: Duration = Duration::from_secs(600);
const FIRST_POLL: Duration = Duration::from_millis(100);
const MAX_POLL: Duration = Duration::from_secs(2);

/// A local file, or a byte range of one, to put into an item under `name`
/// (`photon.ovf`, `disk-0.vmdk`).
#[derive(Debug, Clone, Copy)]
pub struct ItemFileSource<'a> {
    pub name: &'a str,
    pub path: &'a Path,
    /// Only these bytes of `path` (an OVA member); `None`: the whole file.
    pub range: Option<ByteRange>,
}

impl<'a> ItemFileSource<'a> {
    /// All of the file at `path`.
    pub fn whole(name: &'a str, path: &'a Path) -> Self {
        ItemFileSource { name, path, range: None }
    }

    /// `length` bytes of `path` from `offset`.
    pub fn part(name: &'a str, path: &'a Path, offset: u64, length: u64) -> Self {
        ItemFileSource { name, path, range: Some(ByteRange { offset, length }) }
    }

    /// Bytes that will be sent: the range's length, else the file's size.
    async fn size(&self) -> Result<u64, ViError> {
        if let Some(r) = self.range {
            return Ok(r.length);
        }
        let meta = tokio::fs::metadata(self.path)
            .await
            .map_err(|e| ViError::LocalFile { path: self.path.display().to_string(), detail: e.to_string() })?;
        Ok(meta.len())
    }
}

/// `library.item.updatesession.File.Info`, the fields used here.
#[derive(Debug, Deserialize)]
struct UpdateFileInfo {
    #[serde(default)]
    upload_endpoint: Option<TransferEndpoint>,
}

#[derive(Debug, Deserialize)]
struct TransferEndpoint {
    uri: String,
}

/// `UpdateSessionModel`, the fields used here.
#[derive(Debug, Deserialize)]
struct UpdateSessionModel {
    #[serde(default)]
    state: Option<String>,
    #[serde(default)]
    error_message: Option<LocalizableMessage>,
}

#[derive(Debug, Deserialize)]
struct LocalizableMessage {
    #[serde(default)]
    default_message: Option<String>,
}

/// `library.item.updatesession.File.ValidationResult`.
#[derive(Debug, Default, Deserialize)]
struct ValidationResult {
    #[serde(default)]
    has_errors: bool,
    #[serde(default)]
    missing_files: Vec<String>,
    #[serde(default)]
    invalid_files: Vec<InvalidFile>,
}

#[derive(Debug, Deserialize)]
struct InvalidFile {
    name: String,
    #[serde(default)]
    error_message: Option<LocalizableMessage>,
}

impl LibraryClient {
    /// Uploads `files` into item `item_id` in one update session and waits
    /// until the server has taken them. Each file (or byte range) is
    /// streamed (memory stays flat) with its sha256 computed on the way;
    /// `progress` gets the file name and its progress a few times per
    /// second. On any failure the session is cancelled and the item keeps
    /// its previous content.
    pub async fn upload_item_files(
        &self,
        item_id: &str,
        files: &[ItemFileSource<'_>],
        progress: impl Fn(&str, Progress) + Send,
    ) -> Result<Vec<UploadResult>, ViError> {
        let body = json!({ "create_spec": { "library_item_id": item_id } });
        let v = self.rest.call(Method::POST, self.rest.url(UPDATE_SESSION, None, &[]), Some(&body), None).await?;
        let session = id_of(v, "update session create")?;
        debug!(item = item_id, "update session created");
        match self.upload_in_session(&session, files, progress).await {
            Ok(results) => Ok(results),
            Err(e) => {
                if let Err(cancel) = self.session_action(&session, "cancel").await {
                    warn!(error = %cancel, "cancelling the update session failed");
                }
                Err(e)
            }
        }
    }

    async fn upload_in_session(
        &self,
        session: &str,
        files: &[ItemFileSource<'_>],
        mut progress: impl Fn(&str, Progress) + Send,
    ) -> Result<Vec<UploadResult>, ViError> {
        let mut results = Vec::with_capacity(files.len());
        for file in files {
            let endpoint = self.add_push_file(session, file).await?;
            // Through `&mut`, so the closure is Send without asking the
            // caller's callback to be Sync.
            let shared = &mut progress;
            let mut per_file = move |p: Progress| (*shared)(file.name, p);
            let what = format!("library file {}", file.name);
            results.push(self.rest.put_file(&endpoint, file.path, file.range, &what, &mut per_file).await?);
        }
        self.validate(session).await?;
        self.session_action(session, "complete").await?;
        self.wait_done(session).await?;
        Ok(results)
    }

    /// Adds `file` as PUSH; returns the URL to PUT its bytes to.
    async fn add_push_file(&self, session: &str, file: &ItemFileSource<'_>) -> Result<Url, ViError> {
        let size = file.size().await?;
        let body = json!({ "file_spec": { "name": file.name, "source_type": "PUSH", "size": size } });
        let url = self.rest.url(&with_id(UPDATE_SESSION_FILE, session), Some("add"), &[]);
        let info: UpdateFileInfo = decode(self.rest.call(Method::POST, url, Some(&body), None).await?, "add file")?;
        let uri = info
            .upload_endpoint
            .map(|e| e.uri)
            .ok_or_else(|| ViError::Decode(format!("the server gave no upload endpoint for {}", file.name)))?;
        let url = Url::parse(&uri).map_err(|e| ViError::Decode(format!("bad upload endpoint {uri:?}: {e}")))?;
        if !matches!(url.scheme(), "https" | "http") {
            return Err(ViError::Decode(format!("upload endpoint {uri:?} is not HTTP(S)")));
        }
        Ok(url)
    }

    /// Asks the server whether the session's files are complete and valid
    /// (an OVF whose disks were not all uploaded fails here, clearly).
    async fn validate(&self, session: &str) -> Result<(), ViError> {
        let url = self.rest.url(&with_id(UPDATE_SESSION_FILE, session), Some("validate"), &[]);
        let v = self.rest.call(Method::POST, url, None, None).await?;
        let result: ValidationResult = if v.is_null() { ValidationResult::default() } else { decode(v, "validate")? };
        if !result.has_errors && result.missing_files.is_empty() && result.invalid_files.is_empty() {
            return Ok(());
        }
        let mut problems: Vec<String> = result.missing_files.iter().map(|f| format!("{f} is missing")).collect();
        problems.extend(result.invalid_files.iter().map(|f| {
            let why = f.error_message.as_ref().and_then(|m| m.default_message.as_deref()).unwrap_or("invalid");
            format!("{}: {why}", f.name)
        }));
        Err(ViError::Api {
            status: 200,
            kind: "INVALID_ARGUMENT".into(),
            message: crate::vi::core::error::server_text(&problems.join("; ")),
        })
    }

    /// POST `~action=<action>` on the session (complete, cancel).
    async fn session_action(&self, session: &str, action: &str) -> Result<(), ViError> {
        let url = self.rest.url(&with_id(UPDATE_SESSION, session), Some(action), &[]);
        self.rest.call(Method::POST, url, None, None).await.map(|_| ())
    }

    /// Polls the session until it leaves `ACTIVE`: `DONE` is success,
    /// `ERROR` / `CANCELED` are errors.
    async fn wait_done(&self, session: &str) -> Result<(), ViError> {
        let deadline = Instant::now() + DONE_WAIT;
        let mut pause = FIRST_POLL;
        loop {
            let url = self.rest.url(&with_id(UPDATE_SESSION, session), None, &[]);
            let model: UpdateSessionModel =
                decode(self.rest.call(Method::GET, url, None, None).await?, "update session")?;
            if let Some(done) = session_outcome(&model) {
                return done;
            }
            if Instant::now() >= deadline {
                return Err(ViError::Timeout {
                    what: "content library update session to finish".into(),
                    after_secs: DONE_WAIT.as_secs(),
                });
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(MAX_POLL);
        }
    }
}

/// `None` while the session is still active.
fn session_outcome(model: &UpdateSessionModel) -> Option<Result<(), ViError>> {
    let state = model.state.as_deref().unwrap_or("ACTIVE");
    let why = || {
        model.error_message.as_ref().and_then(|m| m.default_message.clone()).filter(|m| !m.is_empty()).map_or_else(
            || format!("the update session ended in state {state}"),
            |m| crate::vi::core::error::server_text(&m),
        )
    };
    match state {
        "ACTIVE" => None,
        "DONE" => Some(Ok(())),
        "CANCELED" => Some(Err(ViError::Api { status: 200, kind: "CANCELED".into(), message: why() })),
        _ => Some(Err(ViError::Api { status: 200, kind: "ERROR".into(), message: why() })),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vi::core::test_server::{Reply, TestServer};
    use crate::vi::library::session::RestSession;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Arc, OnceLock};

    /// A fake vAPI server: one update session `us1`; PUTs answer
    /// `put_status`; validation reports `missing`; the session reads ACTIVE
    /// twice, then DONE.
    async fn fake(put_status: u16, missing: &'static str) -> (TestServer, LibraryClient) {
        let addr: Arc<OnceLock<String>> = Arc::default();
        let polls = Arc::new(AtomicUsize::new(0));
        let a = Arc::clone(&addr);
        let server = TestServer::start(move |req| {
            let t = req.target.as_str();
            match (req.method.as_str(), t) {
                ("POST", "/rest/com/vmware/cis/session") => Reply::json(200, r#"{"value":"sid"}"#),
                ("POST", "/rest/com/vmware/content/library/item/update-session") => {
                    Reply::json(200, r#"{"value":"us1"}"#)
                }
                ("POST", _) if t.ends_with("file/id:us1?~action=add") => {
                    let name = if req.body.contains("b.vmdk") { "b.vmdk" } else { "a.ovf" };
                    let uri = format!("http://{}/cls/data/us1/{name}", a.get().unwrap());
                    Reply::json(200, &format!(r#"{{"value":{{"name":"{name}","upload_endpoint":{{"uri":"{uri}"}}}}}}"#))
                }
                ("PUT", _) => Reply::json(put_status, if put_status == 200 { "" } else { "disk full" }),
                ("POST", _) if t.ends_with("?~action=validate") => Reply::json(
                    200,
                    &format!(r#"{{"value":{{"has_errors":{},"missing_files":[{missing}]}}}}"#, !missing.is_empty()),
                ),
                ("POST", _) => Reply::status(200), // complete, cancel
                ("GET", "/rest/com/vmware/content/library/item/update-session/id:us1") => {
                    let state = if polls.fetch_add(1, Ordering::SeqCst) < 2 { "ACTIVE" } else { "DONE" };
                    Reply::json(200, &format!(r#"{{"value":{{"id":"us1","state":"{state}"}}}}"#))
                }
                _ => Reply::status(404),
            }
        })
        .await;
        let base = server.url("/");
        addr.set(format!("{}:{}", base.host_str().unwrap(), base.port().unwrap())).unwrap();
        let rest = RestSession::new(reqwest::Client::new(), &base, "u", "p", Duration::from_secs(10)).unwrap();
        rest.login().await.unwrap();
        (server, LibraryClient { rest: Arc::new(rest) })
    }

    fn files(dir: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
        let (a, b) = (dir.join("a.ovf"), dir.join("b.vmdk"));
        std::fs::write(&a, "<Envelope/>").unwrap();
        std::fs::write(&b, vec![7u8; 300_000]).unwrap();
        (a, b)
    }

    fn actions(server: &TestServer) -> Vec<String> {
        server
            .requests()
            .iter()
            .filter_map(|r| match r.method.as_str() {
                "PUT" => Some(format!("PUT {}", r.target.rsplit('/').next().unwrap_or_default())),
                _ => r.target.split_once("~action=").map(|(_, a)| a.to_string()),
            })
            .collect()
    }

    #[tokio::test]
    async fn uploads_completes_and_waits_for_done() {
        let (server, lib) = fake(200, "").await;
        let dir = tempfile::tempdir().unwrap();
        let (a, b) = files(dir.path());
        let seen = std::sync::Mutex::new(Vec::new());
        let sources = [ItemFileSource::whole("a.ovf", &a), ItemFileSource::whole("b.vmdk", &b)];
        let results =
            lib.upload_item_files("item-1", &sources, |name, p| seen.lock().unwrap().push((name.to_string(), p))).await;
        let results = results.unwrap();
        assert_eq!(results.iter().map(|r| r.size).collect::<Vec<_>>(), [11, 300_000]);
        assert_eq!(actions(&server), ["add", "PUT a.ovf", "add", "PUT b.vmdk", "validate", "complete"]);
        let polls = server.requests().iter().filter(|r| r.method == "GET").count();
        assert_eq!(polls, 3, "ACTIVE, ACTIVE, DONE");
        let put = server.requests().into_iter().find(|r| r.method == "PUT").unwrap();
        assert_eq!(put.header("vmware-api-session-id"), Some("sid"));
        let names: Vec<String> = seen.lock().unwrap().iter().map(|(n, _)| n.clone()).collect();
        assert!(names.contains(&"a.ovf".to_string()) && names.contains(&"b.vmdk".to_string()), "{names:?}");
    }

    #[tokio::test]
    async fn uploads_byte_ranges_of_one_archive() {
        // Both "files" are ranges of one archive, as an OVA's members are.
        let (server, lib) = fake(200, "").await;
        let dir = tempfile::tempdir().unwrap();
        let archive = dir.path().join("x.ova");
        let bytes: Vec<u8> = (0..5000u32).map(|i| (i % 253) as u8).collect();
        std::fs::write(&archive, &bytes).unwrap();
        let sources =
            [ItemFileSource::part("a.ovf", &archive, 512, 100), ItemFileSource::part("b.vmdk", &archive, 1024, 3000)];
        let results = lib.upload_item_files("item-1", &sources, |_, _| {}).await.unwrap();
        assert_eq!(results.iter().map(|r| r.size).collect::<Vec<_>>(), [100, 3000]);
        let reqs = server.requests();
        let adds: Vec<serde_json::Value> = reqs
            .iter()
            .filter(|r| r.target.ends_with("~action=add"))
            .map(|r| serde_json::from_str(&r.body).unwrap())
            .collect();
        let sizes: Vec<u64> = adds.iter().map(|a| a["file_spec"]["size"].as_u64().unwrap()).collect();
        assert_eq!(sizes, [100, 3000], "the server is told each range's length");
        let puts: Vec<&str> = reqs.iter().filter(|r| r.method == "PUT").map(|r| r.body_sha256.as_str()).collect();
        let digest = |r: std::ops::Range<usize>| {
            use sha2::Digest;
            sha2::Sha256::digest(&bytes[r]).iter().map(|b| format!("{b:02x}")).collect::<String>()
        };
        assert_eq!(puts, [digest(512..612), digest(1024..4024)]);
        assert_eq!(results.iter().map(|r| r.sha256.as_str()).collect::<Vec<_>>(), puts);
    }

    #[tokio::test]
    async fn a_failed_put_cancels_the_session() {
        let (server, lib) = fake(500, "").await;
        let dir = tempfile::tempdir().unwrap();
        let (a, _) = files(dir.path());
        let err = lib.upload_item_files("item-1", &[ItemFileSource::whole("a.ovf", &a)], |_, _| {}).await;
        let err = err.unwrap_err();
        assert!(matches!(&err, ViError::Api { status: 500, message, .. } if message == "disk full"), "{err:?}");
        assert_eq!(actions(&server), ["add", "PUT a.ovf", "cancel"]);
    }

    #[tokio::test]
    async fn missing_files_fail_validation_and_cancel() {
        let (server, lib) = fake(200, r#""b.vmdk""#).await;
        let dir = tempfile::tempdir().unwrap();
        let (a, _) = files(dir.path());
        let err = lib.upload_item_files("item-1", &[ItemFileSource::whole("a.ovf", &a)], |_, _| {}).await;
        let err = err.unwrap_err();
        assert_eq!(err.api_kind(), Some("INVALID_ARGUMENT"));
        assert!(err.to_string().contains("b.vmdk is missing"), "{err}");
        assert_eq!(actions(&server), ["add", "PUT a.ovf", "validate", "cancel"]);

        // A local file that cannot be read: also cancelled.
        let missing = dir.path().join("gone.vmdk");
        let gone = [ItemFileSource::whole("gone.vmdk", &missing)];
        let err = lib.upload_item_files("item-1", &gone, |_, _| {}).await;
        assert!(matches!(err, Err(ViError::LocalFile { .. })), "{err:?}");
        assert_eq!(actions(&server).last().map(String::as_str), Some("cancel"));
    }

    fn model(v: serde_json::Value) -> UpdateSessionModel {
        decode(v, "session").unwrap()
    }

    #[test]
    fn session_states() {
        assert!(session_outcome(&model(json!({"state": "ACTIVE"}))).is_none());
        assert!(session_outcome(&model(json!({}))).is_none());
        assert!(matches!(session_outcome(&model(json!({"state": "DONE"}))), Some(Ok(()))));
        let failed = model(json!({"state": "ERROR", "error_message": {"default_message": "checksum mismatch"}}));
        let Some(Err(e)) = session_outcome(&failed) else { panic!() };
        assert_eq!(e.api_kind(), Some("ERROR"));
        assert!(e.to_string().contains("checksum mismatch"), "{e}");
        let Some(Err(e)) = session_outcome(&model(json!({"state": "CANCELED"}))) else { panic!() };
        assert_eq!(e.api_kind(), Some("CANCELED"));
        assert!(e.to_string().contains("state CANCELED"), "{e}");
    }

    #[test]
    fn decodes_add_and_validate_answers() {
        let info: UpdateFileInfo = decode(
            json!({"name": "a.ovf", "source_type": "PUSH", "status": "WAITING_FOR_TRANSFER",
                   "upload_endpoint": {"uri": "https://vc/cls/data/1/a.ovf"}}),
            "add",
        )
        .unwrap();
        assert_eq!(info.upload_endpoint.map(|e| e.uri).as_deref(), Some("https://vc/cls/data/1/a.ovf"));
        let v: ValidationResult = decode(
            json!({"has_errors": true, "missing_files": ["disk.vmdk"],
                   "invalid_files": [{"name": "a.ovf", "error_message": {"default_message": "bad xml"}}]}),
            "validate",
        )
        .unwrap();
        assert!(v.has_errors);
        assert_eq!(v.missing_files, ["disk.vmdk"]);
        assert_eq!(v.invalid_files.first().map(|f| f.name.as_str()), Some("a.ovf"));
    }
}
