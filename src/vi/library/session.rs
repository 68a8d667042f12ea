//! The vSphere Automation (vAPI) REST session used for content libraries:
//! login with basic auth, the `vmware-api-session-id` header on every call,
//! one re-login when the server answers 401, and vAPI errors decoded into
//! [`ViError::Api`].
//!
//! The legacy `/rest/...` endpoints are used, not `/api/...`: vcsim
//! (v0.46.3) serves the session and every content-library and OVF call only
//! under `/rest`, and vCenter 7.0+ still serves both. Answers there wrap
//! their payload in `{"value": …}`.

use std::fmt;
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::Value;
use tracing::debug;
use url::Url;

use crate::vi::core::error::{ViError, bounded_text, server_text};
use crate::vi::object::transfer::{self, ByteRange, Progress, PutRequest, UploadResult};

/// The header (and cookie) carrying the vAPI session.
pub(crate) const SESSION_HEADER: &str = "vmware-api-session-id";
/// The session service.
const SESSION_PATH: &[&str] = &["rest", "com", "vmware", "cis", "session"];
/// Largest JSON answer accepted.
const MAX_ANSWER: usize = 16 * 1024 * 1024;

/// A logged-in vAPI REST session.
pub(crate) struct RestSession {
    http: reqwest::Client,
    /// `https://host:port/` of the server.
    base: Url,
    user: String,
    password: String,
    timeout: Duration,
    state: Mutex<State>,
    /// Serialises re-logins so concurrent 401s cause one login.
    login_lock: tokio::sync::Mutex<()>,
}

#[derive(Default)]
struct State {
    id: Option<String>,
    generation: u64,
    logged_out: bool,
}

impl fmt::Debug for RestSession {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RestSession")
            .field("base", &self.base.as_str())
            .field("user", &self.user)
            .finish_non_exhaustive()
    }
}

impl RestSession {
    /// A session on the host of `any_url` (only scheme, host and port are
    /// kept); not logged in yet.
    pub(crate) fn new(
        http: reqwest::Client,
        any_url: &Url,
        user: &str,
        password: &str,
        timeout: Duration,
    ) -> Result<RestSession, ViError> {
        let mut base = any_url.clone();
        base.set_query(None);
        base.set_fragment(None);
        let _ = base.set_username("");
        let _ = base.set_password(None);
        base.path_segments_mut().map_err(|_| ViError::Config(format!("cannot use {any_url} as a base URL")))?.clear();
        Ok(RestSession {
            http,
            base,
            user: user.to_string(),
            password: password.to_string(),
            timeout,
            state: Mutex::new(State::default()),
            login_lock: tokio::sync::Mutex::new(()),
        })
    }

    /// `base` + `/`-joined `segments` (each percent-encoded), plus an
    /// optional `~action` and query parameters.
    pub(crate) fn url<S: AsRef<str>>(&self, segments: &[S], action: Option<&str>, params: &[(&str, &str)]) -> Url {
        let mut url = self.base.clone();
        if let Ok(mut path) = url.path_segments_mut() {
            path.clear().extend(segments.iter().map(AsRef::as_ref));
        }
        if let Some(action) = action {
            // Set verbatim: form encoding would turn `~` into `%7E`.
            url.set_query(Some(&format!("~action={action}")));
        }
        if !params.is_empty() {
            let mut q = url.query_pairs_mut();
            for (k, v) in params {
                q.append_pair(k, v);
            }
        }
        url
    }

    /// POST to the session service with basic auth.
    pub(crate) async fn login(&self) -> Result<(), ViError> {
        let url = self.url(SESSION_PATH, None, &[]);
        let req = self.http.post(url).basic_auth(&self.user, Some(&self.password));
        let (status, body) = self.send(req, "vAPI login", self.timeout).await?;
        if status == 401 {
            return Err(ViError::Api {
                status,
                kind: "UNAUTHENTICATED".into(),
                message: format!("vAPI login of user {:?} refused", self.user),
            });
        }
        let value = decode_answer(status, &body)?;
        let id = value
            .as_str()
            .filter(|s| !s.is_empty())
            .ok_or_else(|| ViError::Decode("the vAPI session service returned no session id".into()))?;
        let mut s = self.state();
        s.id = Some(id.to_string());
        s.generation += 1;
        s.logged_out = false;
        debug!(generation = s.generation, "vAPI session started");
        Ok(())
    }

    /// Takes over session `id` if the server still knows it (the session
    /// service's `get` answers); false otherwise.
    pub(crate) async fn resume(&self, id: String) -> bool {
        let url = self.url(SESSION_PATH, Some("get"), &[]);
        let req = self.http.post(url).header(SESSION_HEADER, &id);
        match self.send(req, "vAPI session check", self.timeout).await {
            Ok((200..=299, _)) => {
                let mut s = self.state();
                s.id = Some(id);
                s.generation += 1;
                s.logged_out = false;
                debug!("resumed a saved vAPI session");
                true
            }
            _ => {
                debug!("the saved vAPI session is no longer valid; logging in");
                false
            }
        }
    }

    /// The current session id, if logged in.
    pub(crate) fn session_id(&self) -> Option<String> {
        let s = self.state();
        s.id.clone().filter(|_| !s.logged_out)
    }

    /// Ends the session (harmless when already ended); later calls fail.
    pub(crate) async fn logout(&self) -> Result<(), ViError> {
        let id = {
            let mut s = self.state();
            s.logged_out = true;
            s.id.take()
        };
        let Some(id) = id else { return Ok(()) };
        let req = self.http.delete(self.url(SESSION_PATH, None, &[])).header(SESSION_HEADER, id);
        let (status, body) = self.send(req, "vAPI logout", self.timeout).await?;
        match status {
            401 => Ok(()),
            _ => decode_answer(status, &body).map(|_| ()),
        }
    }

    /// One JSON call; returns the payload (`value` of the answer, or
    /// `Value::Null` for an empty answer). A 401 causes one re-login and
    /// one retry. `timeout` overrides the client's for calls that run long
    /// on the server (OVF deploy).
    pub(crate) async fn call(
        &self,
        method: Method,
        url: Url,
        body: Option<&Value>,
        timeout: Option<Duration>,
    ) -> Result<Value, ViError> {
        let timeout = timeout.unwrap_or(self.timeout);
        let what = format!("{method} {}", url.path());
        let mut renewed = false;
        loop {
            let (id, generation) = self.current()?;
            let mut req = self
                .http
                .request(method.clone(), url.clone())
                .header(SESSION_HEADER, id)
                .header(reqwest::header::ACCEPT, "application/json")
                .timeout(timeout);
            if let Some(b) = body {
                req = req.header(reqwest::header::CONTENT_TYPE, "application/json").body(b.to_string());
            }
            let started = Instant::now();
            let (status, answer) = self.send(req, &what, timeout).await?;
            debug!(call = %what, status, elapsed_ms = started.elapsed().as_millis() as u64, "vAPI call");
            if status == 401 && !renewed {
                self.relogin(generation).await?;
                renewed = true;
                continue;
            }
            return decode_answer(status, &answer).map_err(|e| in_call(e, &what));
        }
    }

    /// A streamed PUT of `source` (or its `range`) to a content-library
    /// upload endpoint, with the session header; renews the session once on
    /// 401.
    pub(crate) async fn put_file<F: Fn(Progress) + Send>(
        &self,
        url: &Url,
        source: &std::path::Path,
        range: Option<ByteRange>,
        what: &str,
        progress: &mut F,
    ) -> Result<UploadResult, ViError> {
        let mut renewed = false;
        loop {
            let (id, generation) = self.current()?;
            let req = PutRequest {
                http: &self.http,
                url: url.clone(),
                headers: vec![(SESSION_HEADER, id)],
                source,
                range,
                idle_timeout: self.timeout,
                what,
            };
            let answer = transfer::put_file(req, progress).await?;
            match answer.status {
                200..=299 => return Ok(answer.result),
                401 if !renewed => {
                    self.relogin(generation).await?;
                    renewed = true;
                }
                status => {
                    return Err(api_error(status, answer.body.as_bytes()));
                }
            }
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn current(&self) -> Result<(String, u64), ViError> {
        let s = self.state();
        match (&s.id, s.logged_out) {
            (Some(id), false) => Ok((id.clone(), s.generation)),
            _ => Err(ViError::Api {
                status: 401,
                kind: "UNAUTHENTICATED".into(),
                message: "the content library client has logged out".into(),
            }),
        }
    }

    /// Logs in again unless someone already did since `seen_generation`.
    async fn relogin(&self, seen_generation: u64) -> Result<(), ViError> {
        let _guard = self.login_lock.lock().await;
        {
            let s = self.state();
            if s.logged_out {
                return Err(ViError::Api {
                    status: 401,
                    kind: "UNAUTHENTICATED".into(),
                    message: "the content library client has logged out".into(),
                });
            }
            if s.generation != seen_generation {
                return Ok(());
            }
        }
        debug!("vAPI session is no longer valid; logging in again");
        self.login().await
    }

    /// A GET of a download endpoint with the session header, read into
    /// memory: at most `limit` bytes, else an error. Renews the session
    /// once on 401.
    pub(crate) async fn get_file(&self, url: &Url, limit: usize, what: &str) -> Result<Vec<u8>, ViError> {
        let mut renewed = false;
        loop {
            let (id, generation) = self.current()?;
            let req = self.http.get(url.clone()).header(SESSION_HEADER, id).timeout(self.timeout);
            let (status, body) = self.send_limited(req, what, self.timeout, limit).await?;
            match status {
                200..=299 => return Ok(body),
                401 if !renewed => {
                    self.relogin(generation).await?;
                    renewed = true;
                }
                _ => return Err(in_call(api_error(status, &body), what)),
            }
        }
    }

    /// Sends and reads the answer (bounded).
    async fn send(
        &self,
        req: reqwest::RequestBuilder,
        what: &str,
        timeout: Duration,
    ) -> Result<(u16, Vec<u8>), ViError> {
        self.send_limited(req, what, timeout, MAX_ANSWER).await
    }

    async fn send_limited(
        &self,
        req: reqwest::RequestBuilder,
        what: &str,
        timeout: Duration,
        limit: usize,
    ) -> Result<(u16, Vec<u8>), ViError> {
        let secs = timeout.as_secs().max(1);
        let err = |e: reqwest::Error| ViError::from_transport(&e, self.base.as_str(), what, secs);
        let mut resp = req.send().await.map_err(err)?;
        let status = resp.status().as_u16();
        let mut body = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(err)? {
            if body.len().saturating_add(chunk.len()) > limit {
                return Err(ViError::Decode(format!("answer to {what} is larger than {limit} bytes")));
            }
            body.extend_from_slice(&chunk);
        }
        Ok((status, body))
    }
}

/// Names the call in an API error's message (`GET /rest/…/id:x: 404 page
/// not found`), since the server's own messages are often bare.
fn in_call(e: ViError, what: &str) -> ViError {
    match e {
        ViError::Api { status, kind, message } => ViError::Api { status, kind, message: format!("{what}: {message}") },
        other => other,
    }
}

/// The payload of a 2xx answer (`value` when wrapped), or the error.
fn decode_answer(status: u16, body: &[u8]) -> Result<Value, ViError> {
    if !(200..300).contains(&status) {
        return Err(api_error(status, body));
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Value::Null);
    }
    let v: Value = serde_json::from_slice(body).map_err(|e| ViError::Decode(format!("invalid JSON answer: {e}")))?;
    Ok(match v {
        Value::Object(mut m) if m.len() == 1 && m.contains_key("value") => m.remove("value").unwrap_or(Value::Null),
        other => other,
    })
}

/// A vAPI error answer as [`ViError::Api`]. Understands the `/rest` shape
/// (`{"type": "com.vmware.vapi.std.errors.already_exists", "value":
/// {"messages": [...]}}`), the `/api` shape (`{"error_type":
/// "ALREADY_EXISTS", "messages": [...]}`), and plain text.
pub(crate) fn api_error(status: u16, body: &[u8]) -> ViError {
    let json: Option<Value> = serde_json::from_slice(body).ok();
    let (kind, messages) = match &json {
        Some(v) if v.get("type").is_some() => {
            let kind = v.get("type").and_then(Value::as_str).map(error_kind_from_type);
            (kind, v.get("value").map(messages_of).unwrap_or_default())
        }
        Some(v) if v.get("error_type").is_some() => {
            (v.get("error_type").and_then(Value::as_str).map(str::to_string), messages_of(v))
        }
        _ => (None, Vec::new()),
    };
    let kind =
        kind.filter(|k| !k.is_empty()).map_or_else(|| kind_for_status(status).to_string(), |k| bounded_text(&k, 200));
    let message = if !messages.is_empty() {
        server_text(&messages.join("; "))
    } else if json.is_none() && !body.is_empty() {
        bounded_text(String::from_utf8_lossy(body).trim(), 300)
    } else {
        format!("HTTP {status} without details")
    };
    ViError::Api { status, kind, message }
}

/// `com.vmware.vapi.std.errors.already_exists` → `ALREADY_EXISTS`.
fn error_kind_from_type(t: &str) -> String {
    t.rsplit('.').next().unwrap_or(t).to_ascii_uppercase()
}

fn kind_for_status(status: u16) -> &'static str {
    match status {
        400 => "INVALID_ARGUMENT",
        401 => "UNAUTHENTICATED",
        403 => "UNAUTHORIZED",
        404 => "NOT_FOUND",
        503 => "SERVICE_UNAVAILABLE",
        _ => "ERROR",
    }
}

/// The `default_message`s of a vAPI error's `messages`.
fn messages_of(v: &Value) -> Vec<String> {
    v.get("messages")
        .and_then(Value::as_array)
        .map(|list| {
            list.iter()
                .filter_map(|m| m.get("default_message").and_then(Value::as_str))
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vi::core::test_server::{Reply, TestServer};
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn decodes_both_error_shapes_and_plain_text() {
        let rest = br#"{"type":"com.vmware.vapi.std.errors.already_exists","value":{"messages":[{"id":"x","default_message":"Library named a exists."}]}}"#;
        let e = api_error(400, rest);
        assert_eq!(e.api_kind(), Some("ALREADY_EXISTS"));
        assert!(e.to_string().contains("Library named a exists."), "{e}");

        let api = br#"{"error_type":"NOT_FOUND", "messages":[]}"#;
        let e = api_error(404, api);
        assert_eq!(e.api_kind(), Some("NOT_FOUND"));
        assert!(e.to_string().contains("HTTP 404 without details"), "{e}");

        let e = api_error(404, b"404 page not found\n");
        assert_eq!(e.api_kind(), Some("NOT_FOUND"));
        let ViError::Api { message, .. } = &e else { panic!() };
        assert_eq!(message, "404 page not found");

        assert_eq!(api_error(500, b"").api_kind(), Some("ERROR"));
        assert_eq!(api_error(400, b"{}").api_kind(), Some("INVALID_ARGUMENT"));
        assert_eq!(api_error(403, b"[1]").api_kind(), Some("UNAUTHORIZED"));

        // A huge message with escape codes: bounded and cleaned.
        let huge = serde_json::json!({"error_type": "ERROR", "messages": [{"default_message": format!("\u{1b}[2J{}", "m".repeat(1 << 20))}]});
        let ViError::Api { message, .. } = api_error(500, huge.to_string().as_bytes()) else { panic!() };
        assert!(message.len() <= crate::vi::core::error::SERVER_TEXT_MAX + 40, "{}", message.len());
        assert!(message.starts_with("[2Jmmm") && message.ends_with("bytes more)"), "{}", &message[..10]);
        let ViError::Api { message, .. } = api_error(502, "\u{1b}]0;x\u{7}bad gateway".as_bytes()) else { panic!() };
        assert_eq!(message, "]0;xbad gateway");
    }

    #[test]
    fn unwraps_value() {
        assert_eq!(decode_answer(200, br#"{"value":"id-1"}"#).unwrap(), Value::from("id-1"));
        assert_eq!(decode_answer(200, b"").unwrap(), Value::Null);
        assert_eq!(decode_answer(200, br#"{"a":1}"#).unwrap(), serde_json::json!({"a": 1}));
        assert!(matches!(decode_answer(200, b"nope"), Err(ViError::Decode(_))));
        assert!(matches!(decode_answer(404, b""), Err(ViError::Api { status: 404, .. })));
    }

    fn session(server: &TestServer) -> RestSession {
        RestSession::new(reqwest::Client::new(), &server.url("/sdk?x"), "admin", "s3cret", Duration::from_secs(10))
            .unwrap()
    }

    #[tokio::test]
    async fn builds_urls() {
        let server = TestServer::start(|_| Reply::status(200)).await;
        let s = session(&server);
        let u = s.url(&["rest", "com", "vmware", "content", "library", "id:a b"], Some("find"), &[]);
        assert_eq!(u.path(), "/rest/com/vmware/content/library/id:a%20b");
        assert_eq!(u.query(), Some("~action=find"));
        let u = s.url(&["rest", "x"], None, &[("library_id", "1&2")]);
        assert_eq!(u.query(), Some("library_id=1%262"));
        assert!(!format!("{s:?}").contains("s3cret"));
    }

    #[tokio::test]
    async fn resumes_a_session_the_server_still_knows() {
        let server = TestServer::start(|req| match (req.method.as_str(), req.header(SESSION_HEADER)) {
            ("POST", Some("live")) if req.target.ends_with("~action=get") => Reply::json(200, r#"{"value":{}}"#),
            ("POST", _) if req.target.ends_with("~action=get") => Reply::status(401),
            ("GET", Some("live")) => Reply::json(200, r#"{"value":"ok"}"#),
            _ => Reply::status(401),
        })
        .await;
        let s = session(&server);
        assert!(!s.resume("gone".into()).await);
        assert_eq!(s.session_id(), None);
        assert!(s.resume("live".into()).await);
        assert_eq!(s.session_id().as_deref(), Some("live"));
        let v = s.call(Method::GET, server.url("/rest/x"), None, None).await.unwrap();
        assert_eq!(v, Value::from("ok"));
        // Only the checks and the call: no login with the password.
        assert!(server.requests().iter().all(|r| r.header("authorization").is_none()));
    }

    #[tokio::test]
    async fn logs_in_again_once_on_401() {
        // Session "s1" is refused once (as after an idle expiry); the
        // client logs in (getting "s2") and retries.
        let logins = Arc::new(AtomicUsize::new(0));
        let l = Arc::clone(&logins);
        let server = TestServer::start(move |req| {
            if req.target == "/rest/com/vmware/cis/session" && req.method == "POST" {
                let n = l.fetch_add(1, Ordering::SeqCst) + 1;
                return Reply::json(200, &format!(r#"{{"value":"s{n}"}}"#));
            }
            match req.header(SESSION_HEADER) {
                Some("s2") => Reply::json(200, r#"{"value":["lib-1"]}"#),
                _ => Reply::status(401),
            }
        })
        .await;
        let s = session(&server);
        s.login().await.unwrap();
        let url = s.url(&["rest", "com", "vmware", "content", "library"], None, &[]);
        let v = s.call(Method::GET, url.clone(), None, None).await.unwrap();
        assert_eq!(v, serde_json::json!(["lib-1"]));
        assert_eq!(logins.load(Ordering::SeqCst), 2);
        let reqs = server.requests();
        let login = reqs.first().unwrap();
        assert_eq!(login.header("authorization"), Some("Basic YWRtaW46czNjcmV0"));
        let (logins_seen, calls): (Vec<_>, Vec<_>) = reqs.iter().partition(|r| r.target.ends_with("/cis/session"));
        assert!(logins_seen.iter().all(|r| r.header("authorization").is_some()));
        assert!(calls.iter().all(|r| r.header("authorization").is_none()), "credentials only go to login");

        // Still refused after the re-login: the error, no loop.
        let s3 = session(&server);
        s3.login().await.unwrap(); // gets "s3", which is always refused
        let err = s3.call(Method::GET, url.clone(), None, None).await.unwrap_err();
        assert_eq!(err.api_kind(), Some("UNAUTHENTICATED"), "{err}");
        assert!(err.to_string().contains("GET /rest/com/vmware/content/library: HTTP 401"), "{err}");
        assert_eq!(logins.load(Ordering::SeqCst), 4);

        // After logout, calls fail without a login.
        s.logout().await.unwrap();
        let err = s.call(Method::GET, url, None, None).await.unwrap_err();
        assert_eq!(err.api_kind(), Some("UNAUTHENTICATED"));
        assert_eq!(logins.load(Ordering::SeqCst), 4);
    }

    #[tokio::test]
    async fn posts_json_with_the_session_header() {
        let server = TestServer::start(|req| match req.method.as_str() {
            "POST" if req.target.ends_with("/session") => Reply::json(200, r#"{"value":"sid"}"#),
            _ => Reply::json(200, r#"{"value":"new-id"}"#),
        })
        .await;
        let s = session(&server);
        s.login().await.unwrap();
        let body = serde_json::json!({"create_spec": {"name": "a"}});
        let url = s.url(&["rest", "x"], None, &[]);
        assert_eq!(s.call(Method::POST, url, Some(&body), None).await.unwrap(), Value::from("new-id"));
        let reqs = server.requests();
        let call = reqs.get(1).unwrap();
        assert_eq!(call.header(SESSION_HEADER), Some("sid"));
        assert_eq!(call.header("content-type"), Some("application/json"));
        assert_eq!(call.header("accept"), Some("application/json"));
        assert_eq!(serde_json::from_str::<Value>(&call.body).unwrap(), body);
    }

    #[tokio::test]
    async fn wrong_password_is_unauthenticated() {
        let server = TestServer::start(|_| Reply::status(401)).await;
        let err = session(&server).login().await.unwrap_err();
        assert_eq!(err.api_kind(), Some("UNAUTHENTICATED"));
        assert!(!err.to_string().contains("s3cret"), "{err}");
    }
}
