//! Reading a (small) file of a library item through a download session:
//! create the session, ask the server to prepare the file, wait until it
//! is, GET it from the endpoint the server hands out, and end the session.
//! Used for OVF descriptors, so the whole file is held in memory, bounded.

use std::time::{Duration, Instant};

use reqwest::Method;
use serde::Deserialize;
use serde_json::json;
use tracing::{debug, warn};
use url::Url;

use crate::vi::core::error::ViError;
use crate::vi::library::catalog::{LibraryClient, decode, id_of, with_id};

/// `/rest/com/vmware/content/library/item/download-session`.
const DOWNLOAD_SESSION: &[&str] = &["rest", "com", "vmware", "content", "library", "item", "download-session"];
/// `/rest/com/vmware/content/library/item/downloadsession/file`.
const DOWNLOAD_SESSION_FILE: &[&str] =
    &["rest", "com", "vmware", "content", "library", "item", "downloadsession", "file"];
/// How long the server may take to prepare a file (it may have to fetch it
/// from the library's backing first).
const PREPARE_WAIT: Duration = Duration::from_secs(300);
const FIRST_POLL: Duration = Duration::from_millis(100);
const MAX_POLL: Duration = Duration::from_secs(2);

/// `library.item.downloadsession.File.Info`, the fields used here.
#[derive(Debug, Default, Deserialize)]
struct DownloadFileInfo {
    /// `UNPREPARED`, `PREPARE_REQUESTED`, `PREPARING`, `PREPARED`, `ERROR`.
    #[serde(default)]
    status: Option<String>,
    #[serde(default)]
    download_endpoint: Option<Endpoint>,
    #[serde(default)]
    error_message: Option<Message>,
}

#[derive(Debug, Deserialize)]
struct Endpoint {
    uri: String,
}

#[derive(Debug, Deserialize)]
struct Message {
    #[serde(default)]
    default_message: Option<String>,
}

impl LibraryClient {
    /// The bytes of file `name` of item `item_id`, at most `limit` of them
    /// (a larger file is an error, not a truncated read).
    pub async fn download_item_file(&self, item_id: &str, name: &str, limit: usize) -> Result<Vec<u8>, ViError> {
        let body = json!({ "create_spec": { "library_item_id": item_id } });
        let v = self.rest.call(Method::POST, self.rest.url(DOWNLOAD_SESSION, None, &[]), Some(&body), None).await?;
        let session = id_of(v, "download session create")?;
        debug!(item = item_id, file = name, "download session created");
        let result = self.download_in_session(&session, name, limit).await;
        // The session would expire on its own; ending it frees the server
        // sooner. A failure here does not spoil a successful download.
        let url = self.rest.url(&with_id(DOWNLOAD_SESSION, &session), None, &[]);
        if let Err(e) = self.rest.call(Method::DELETE, url, None, None).await {
            warn!(error = %e, "ending the download session failed");
        }
        result
    }

    async fn download_in_session(&self, session: &str, name: &str, limit: usize) -> Result<Vec<u8>, ViError> {
        let file_spec = json!({ "file_name": name });
        let prepare = json!({ "file_name": name, "endpoint_type": "HTTPS" });
        let url = self.rest.url(&with_id(DOWNLOAD_SESSION_FILE, session), Some("prepare"), &[]);
        let mut info: DownloadFileInfo =
            decode(self.rest.call(Method::POST, url, Some(&prepare), None).await?, "prepare file")?;
        let deadline = Instant::now() + PREPARE_WAIT;
        let mut pause = FIRST_POLL;
        let endpoint = loop {
            if let Some(endpoint) = prepared_endpoint(&info, name)? {
                break endpoint;
            }
            if Instant::now() >= deadline {
                return Err(ViError::Timeout {
                    what: format!("content library to prepare {name} for download"),
                    after_secs: PREPARE_WAIT.as_secs(),
                });
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(MAX_POLL);
            let url = self.rest.url(&with_id(DOWNLOAD_SESSION_FILE, session), Some("get"), &[]);
            info = decode(self.rest.call(Method::POST, url, Some(&file_spec), None).await?, "download file")?;
        };
        self.rest.get_file(&endpoint, limit, &format!("download of library file {name}")).await
    }
}

/// The endpoint once the file is `PREPARED`, `None` while it is being
/// prepared, an error when preparing failed.
fn prepared_endpoint(info: &DownloadFileInfo, name: &str) -> Result<Option<Url>, ViError> {
    match info.status.as_deref().unwrap_or("UNPREPARED") {
        "PREPARED" => {
            let uri = info
                .download_endpoint
                .as_ref()
                .map(|e| e.uri.as_str())
                .ok_or_else(|| ViError::Decode(format!("the server gave no download endpoint for {name}")))?;
            let url = Url::parse(uri).map_err(|e| ViError::Decode(format!("bad download endpoint {uri:?}: {e}")))?;
            if !matches!(url.scheme(), "https" | "http") {
                return Err(ViError::Decode(format!("download endpoint {uri:?} is not HTTP(S)")));
            }
            Ok(Some(url))
        }
        "ERROR" => {
            let why = info
                .error_message
                .as_ref()
                .and_then(|m| m.default_message.clone())
                .filter(|m| !m.is_empty())
                .map_or_else(|| "the server gave no reason".into(), |m| crate::vi::core::error::server_text(&m));
            Err(ViError::Api { status: 200, kind: "ERROR".into(), message: format!("preparing {name} failed: {why}") })
        }
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vi::core::test_server::{Reply, TestServer};
    use crate::vi::library::session::RestSession;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::{Arc, OnceLock};

    /// A fake server: download session `ds1`; the file is PREPARING on the
    /// first look and PREPARED on the next; its bytes are `content`.
    async fn fake(content: &'static str) -> (TestServer, LibraryClient) {
        let addr: Arc<OnceLock<String>> = Arc::default();
        let looks = Arc::new(AtomicUsize::new(0));
        let a = Arc::clone(&addr);
        let server = TestServer::start(move |req| {
            let t = req.target.as_str();
            match (req.method.as_str(), t) {
                ("POST", "/rest/com/vmware/cis/session") => Reply::json(200, r#"{"value":"sid"}"#),
                ("POST", "/rest/com/vmware/content/library/item/download-session") => {
                    Reply::json(200, r#"{"value":"ds1"}"#)
                }
                ("POST", _) if t.contains("downloadsession/file/id:ds1?~action=") => {
                    let status = if looks.fetch_add(1, Ordering::SeqCst) < 1 { "PREPARING" } else { "PREPARED" };
                    let uri = format!("http://{}/cls/data/ds1/a.ovf", a.get().unwrap());
                    Reply::json(
                        200,
                        &format!(r#"{{"value":{{"name":"a.ovf","status":"{status}","download_endpoint":{{"uri":"{uri}"}}}}}}"#),
                    )
                }
                ("GET", "/cls/data/ds1/a.ovf") => Reply::json(200, content),
                ("DELETE", "/rest/com/vmware/content/library/item/download-session/id:ds1") => Reply::status(200),
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

    #[tokio::test]
    async fn prepares_waits_downloads_and_ends_the_session() {
        let (server, lib) = fake("<Envelope/>").await;
        let bytes = lib.download_item_file("item-1", "a.ovf", 1024).await.unwrap();
        assert_eq!(bytes, b"<Envelope/>");
        let reqs = server.requests();
        let steps: Vec<String> = reqs
            .iter()
            .skip(1)
            .map(|r| match r.target.split_once("~action=") {
                Some((_, action)) => format!("{} {action}", r.method),
                None => format!("{} {}", r.method, r.target.rsplit('/').next().unwrap_or_default()),
            })
            .collect();
        assert_eq!(
            steps,
            ["POST download-session", "POST prepare", "POST get", "GET a.ovf", "DELETE id:ds1"],
            "{reqs:?}"
        );
        let get = reqs.iter().find(|r| r.method == "GET").unwrap();
        assert_eq!(get.header("vmware-api-session-id"), Some("sid"));
        let prepare = reqs.iter().find(|r| r.target.ends_with("prepare")).unwrap();
        assert_eq!(serde_json::from_str::<serde_json::Value>(&prepare.body).unwrap()["file_name"], "a.ovf");
    }

    #[tokio::test]
    async fn a_file_over_the_limit_is_an_error_and_the_session_still_ends() {
        let (server, lib) = fake("0123456789").await;
        let err = lib.download_item_file("item-1", "a.ovf", 9).await.unwrap_err();
        assert!(err.to_string().contains("larger than 9 bytes"), "{err}");
        assert_eq!(server.requests().last().map(|r| r.method.clone()).as_deref(), Some("DELETE"));
    }

    fn info(v: serde_json::Value) -> DownloadFileInfo {
        decode(v, "info").unwrap()
    }

    #[test]
    fn file_states() {
        assert!(prepared_endpoint(&info(json!({"status": "PREPARING"})), "a").unwrap().is_none());
        assert!(prepared_endpoint(&info(json!({})), "a").unwrap().is_none());
        let ok = info(json!({"status": "PREPARED", "download_endpoint": {"uri": "https://vc/cls/data/1/a.ovf"}}));
        assert_eq!(prepared_endpoint(&ok, "a").unwrap().unwrap().path(), "/cls/data/1/a.ovf");
        let no_uri = info(json!({"status": "PREPARED"}));
        assert!(prepared_endpoint(&no_uri, "a").is_err());
        let bad = info(json!({"status": "PREPARED", "download_endpoint": {"uri": "file:///etc/passwd"}}));
        assert!(prepared_endpoint(&bad, "a").unwrap_err().to_string().contains("not HTTP"));
        let failed = info(json!({"status": "ERROR", "error_message": {"default_message": "disk gone"}}));
        let err = prepared_endpoint(&failed, "a.ovf").unwrap_err();
        assert!(err.to_string().contains("preparing a.ovf failed: disk gone"), "{err}");
    }
}
