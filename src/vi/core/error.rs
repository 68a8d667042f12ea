//! Typed errors of the VI client. Every failure the provider can meet when
//! talking to vCenter / ESXi maps onto one variant, so callers can match on
//! the kind of failure instead of parsing messages.

use super::fault::FaultKind;

/// An error from the VI SOAP client.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ViError {
    /// A SOAP fault returned by the server. `kind` is the vim25 fault type
    /// without its `Fault` suffix (`InvalidLogin`, `NotAuthenticated`,
    /// `ManagedObjectNotFound`, `InvalidArgument`, …); `message` is the
    /// faultstring (or a summary of the fault detail when that is empty).
    #[error("vSphere fault {kind}: {message}")]
    Fault { kind: FaultKind, message: String },

    /// The server could not be reached: refused, unreachable, DNS failure,
    /// connection reset.
    #[error("cannot connect to {url}: {detail}")]
    Connect { url: String, detail: String },

    /// TLS verification of the server's certificate failed.
    #[error(
        "the TLS certificate of {url} is not trusted ({detail}); install a trusted \
         certificate on the server, trust its CA with `ca_file`, pin its thumbprint with \
         `thumbprint`, or set `insecure = true` on the provider to skip verification"
    )]
    Certificate { url: String, detail: String },

    /// The server's certificate is not the one pinned by thumbprint.
    #[error(
        "the TLS certificate of {url} does not match the pinned thumbprint: expected {algorithm} \
         {expected}, the server presented {presented}"
    )]
    ThumbprintMismatch { url: String, algorithm: &'static str, expected: String, presented: String },

    /// The server answered with an HTTP status that carries no SOAP fault.
    #[error("HTTP {status} from the server: {detail}")]
    Http { status: u16, detail: String },

    /// A call that starts a task had not even returned the task by the
    /// deadline; the task it starts may still run in vSphere.
    #[error("the {method} call had not returned by the deadline; the task it starts may still run in vSphere")]
    CallTimeout { method: String },

    /// A request did not complete within the configured timeout.
    #[error("{what} timed out after {after_secs}s")]
    Timeout { what: String, after_secs: u64 },

    /// The server's answer could not be understood (malformed XML, missing
    /// element, wrong type).
    #[error("cannot decode the server's answer: {0}")]
    Decode(String),

    /// The client could not be set up locally (bad URL, TLS backend).
    #[error("invalid client configuration: {0}")]
    Config(String),

    /// A vSphere task did not finish before the caller's deadline. The task
    /// itself goes on: vSphere has no way to stop most tasks from outside.
    #[error(
        "vSphere task {task} ({what}) did not finish in time; it is still running in vSphere \
         (look for task {task} in the vSphere client)"
    )]
    TaskTimeout {
        /// The task's managed object id, e.g. `task-123`.
        task: String,
        /// What the task does, e.g. `VirtualMachine.reconfigure on vm-42`.
        what: String,
    },

    /// Something named by the caller does not exist on the server (a
    /// datacenter or datastore in a transfer URL).
    #[error("{what} not found")]
    NotFound { what: String },

    /// A local file could not be read (upload source).
    #[error("cannot read {path}: {detail}")]
    LocalFile { path: String, detail: String },

    /// An error from the vSphere Automation (vAPI REST) endpoints used for
    /// content libraries. `kind` is the vAPI standard error type in the
    /// `/api` spelling (`ALREADY_EXISTS`, `NOT_FOUND`, `UNAUTHENTICATED`,
    /// `INVALID_ARGUMENT`, `ERROR`, …); `status` is the HTTP status.
    #[error("vSphere API error {kind} (HTTP {status}): {message}")]
    Api { status: u16, kind: String, message: String },
}

impl ViError {
    /// The vim25 fault type of a [`ViError::Fault`].
    pub fn fault_kind(&self) -> Option<&FaultKind> {
        match self {
            ViError::Fault { kind, .. } => Some(kind),
            _ => None,
        }
    }

    /// True when this is a fault of the given kind.
    pub fn is_fault(&self, kind: FaultKind) -> bool {
        self.fault_kind() == Some(&kind)
    }

    /// True when a failed call may still have been carried out by the
    /// server: its answer was lost, late or garbled, rather than refused.
    /// Only a fault the server sent, or a failure before anything left,
    /// proves nothing was made.
    pub fn outcome_unknown(&self) -> bool {
        match self {
            ViError::Connect { .. }
            | ViError::Timeout { .. }
            | ViError::CallTimeout { .. }
            | ViError::TaskTimeout { .. }
            | ViError::Decode(_) => true,
            ViError::Http { status, .. } | ViError::Api { status, .. } => *status >= 500,
            _ => false,
        }
    }

    /// The vAPI error type of a [`ViError::Api`], e.g. `"ALREADY_EXISTS"`.
    pub fn api_kind(&self) -> Option<&str> {
        match self {
            ViError::Api { kind, .. } => Some(kind),
            _ => None,
        }
    }

    /// Maps a transport error from reqwest onto a variant (anything that is
    /// neither certificate, timeout nor decoding is a connection problem:
    /// refused, DNS, reset mid-answer). `url` must not
    /// carry credentials; `what` names the call for timeout messages.
    pub(crate) fn from_transport(err: &reqwest::Error, url: &str, what: &str, timeout_secs: u64) -> ViError {
        // reqwest's own message ("error sending request for url (…)") only
        // repeats the URL; the cause chain below it says what went wrong.
        let detail = match std::error::Error::source(err) {
            Some(cause) => error_chain(cause),
            None => err.to_string(),
        };
        if let Some(m) = crate::vi::core::certificate_trust::pin_mismatch(err) {
            return ViError::ThumbprintMismatch {
                url: url.to_string(),
                algorithm: m.algorithm,
                expected: m.expected,
                presented: m.presented,
            };
        }
        if let Some(cert) = certificate_problem(err) {
            return ViError::Certificate { url: url.to_string(), detail: cert };
        }
        if err.is_timeout() {
            return ViError::Timeout { what: what.to_string(), after_secs: timeout_secs };
        }
        if err.is_decode() {
            return ViError::Decode(detail);
        }
        ViError::Connect { url: url.to_string(), detail }
    }
}

/// The most of a server's text (fault message, task error, HTTP body) that
/// goes into an error: a fault can carry megabytes, and it ends up in
/// Terraform's output.
pub(crate) const SERVER_TEXT_MAX: usize = 4096;

/// Server text made fit for a terminal: control characters other than
/// newline and tab dropped (an ESC would let the server drive the user's
/// terminal), then cut on a char boundary to [`SERVER_TEXT_MAX`] bytes with
/// a note of how much was left out.
pub(crate) fn server_text(s: &str) -> String {
    bounded_text(s, SERVER_TEXT_MAX)
}

/// [`server_text`] with the limit given.
pub(crate) fn bounded_text(s: &str, max: usize) -> String {
    let mut out = String::with_capacity(s.len().min(max));
    let mut dropped = 0usize;
    for c in s.chars() {
        if c.is_control() && c != '\n' && c != '\t' {
            continue;
        }
        if dropped > 0 || out.len() + c.len_utf8() > max {
            dropped += c.len_utf8();
        } else {
            out.push(c);
        }
    }
    if dropped > 0 {
        out.push_str(&format!("… ({dropped} bytes more)"));
    }
    out
}

/// All messages of an error's `source()` chain joined with ": ", because
/// reqwest's top-level message ("error sending request") hides the cause.
fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = cur {
        let msg = e.to_string();
        // Wrappers often repeat their cause's text; keep each message once.
        if !parts.iter().any(|p| p.contains(&msg)) {
            parts.push(msg);
        }
        cur = e.source();
    }
    parts.join(": ")
}

/// Walks the source chain looking for a rustls certificate error (typed
/// first, then by text, since hyper/tokio-rustls may wrap it in io::Error).
/// Returns the most specific message found.
fn certificate_problem(err: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(err);
    let mut found: Option<String> = None;
    while let Some(e) = cur {
        if let Some(tls) = e.downcast_ref::<rustls::Error>() {
            match tls {
                rustls::Error::InvalidCertificate(_)
                | rustls::Error::NoCertificatesPresented
                | rustls::Error::InvalidCertRevocationList(_) => return Some(tls.to_string()),
                _ => {}
            }
        }
        let text = e.to_string();
        let lower = text.to_ascii_lowercase();
        if lower.contains("certificate") || lower.contains("unknownissuer") {
            found = Some(text);
        }
        cur = e.source();
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_lost_or_late_answers_leave_the_outcome_unknown() {
        assert!((ViError::Connect { url: "u".into(), detail: "reset".into() }).outcome_unknown());
        assert!((ViError::Timeout { what: "x".into(), after_secs: 1 }).outcome_unknown());
        assert!((ViError::CallTimeout { method: "CreateVM_Task".into() }).outcome_unknown());
        assert!((ViError::Http { status: 503, detail: String::new() }).outcome_unknown());
        assert!(!(ViError::Http { status: 404, detail: String::new() }).outcome_unknown());
        assert!(!(ViError::Fault { kind: "DuplicateName".into(), message: String::new() }).outcome_unknown());
        assert!((ViError::Decode("garbled answer".into())).outcome_unknown());
        assert!((ViError::TaskTimeout { task: "task-1".into(), what: "create".into() }).outcome_unknown());
        assert!((ViError::Api { status: 502, kind: "ERROR".into(), message: String::new() }).outcome_unknown());
        assert!(
            !(ViError::Api { status: 400, kind: "INVALID_ARGUMENT".into(), message: String::new() }).outcome_unknown()
        );
        assert!(!(ViError::Config("bad url".into())).outcome_unknown());
    }

    #[test]
    fn server_text_is_bounded_and_has_no_escape_codes() {
        // A 10 MB fault becomes 4 KiB plus a note of what was cut.
        let big = "x".repeat(10 * 1024 * 1024);
        let t = server_text(&big);
        assert!(t.len() < SERVER_TEXT_MAX + 40, "{}", t.len());
        assert!(t.ends_with(&format!("… ({} bytes more)", 10 * 1024 * 1024 - SERVER_TEXT_MAX)), "{}", &t[4000..]);
        // Escape codes and other controls go; newlines and tabs stay.
        assert_eq!(server_text("a\u{1b}[31mred\u{1b}[0m\r\n\tb\u{7}\u{0}\u{9b}c"), "a[31mred[0m\n\tbc");
        // Cut on a char boundary: 'é' is two bytes and does not fit in 3.
        assert_eq!(bounded_text("abé", 3), "ab… (2 bytes more)");
        assert_eq!(bounded_text("abé", 4), "abé");
        assert_eq!(server_text(""), "");
    }

    #[test]
    fn fault_kind_only_for_faults() {
        let f = ViError::Fault { kind: "InvalidLogin".into(), message: "Login failure".into() };
        assert_eq!(f.fault_kind(), Some(&FaultKind::InvalidLogin));
        assert!(f.is_fault(FaultKind::InvalidLogin));
        assert_eq!(ViError::Decode("x".into()).fault_kind(), None);
    }

    #[test]
    fn certificate_message_mentions_insecure() {
        let e = ViError::Certificate {
            url: "https://vc/sdk".into(),
            detail: "invalid peer certificate: UnknownIssuer".into(),
        };
        let s = e.to_string();
        assert!(s.contains("not trusted"), "{s}");
        assert!(s.contains("insecure = true"), "{s}");
    }

    #[test]
    fn certificate_found_in_chain() {
        #[derive(Debug)]
        struct Outer(std::io::Error);
        impl std::fmt::Display for Outer {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("client error (Connect)")
            }
        }
        impl std::error::Error for Outer {
            fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
                Some(&self.0)
            }
        }
        let inner = std::io::Error::other(rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer));
        let e = Outer(inner);
        let found = certificate_problem(&e);
        assert!(found.is_some_and(|m| m.contains("certificate")));
        let plain = Outer(std::io::Error::other("connection refused"));
        assert!(certificate_problem(&plain).is_none());
        assert!(error_chain(&plain).contains("connection refused"));
    }
}
