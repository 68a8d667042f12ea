//! What the provider's `configure` does around the vi client besides
//! connecting: reads the CA bundle and govc known_hosts files the settings
//! name into the trust the client applies, and keeps the opt-in session
//! cache (SOAP and content library sessions).
use std::sync::Mutex;

use crate::plugin::{AttrPath, Diags};
use crate::rules::provider_config::ResolvedConfig;
use crate::rules::tls_trust::{CaSource, DigestAlgorithm, Thumbprint, known_host_thumbprint};
use crate::vi::{self, CertificatePin, CertificateTrust, PinAlgorithm, SessionFile, SessionFileError};

/// The certificates to trust: the pinned thumbprint (from `thumbprint` or
/// a known_hosts file), the CA bundle, `insecure`.
pub fn certificate_trust(r: &ResolvedConfig) -> Result<CertificateTrust, Diags> {
    let pin = match &r.thumbprint {
        Some(t) => Some(t.clone()),
        None => known_hosts_pin(r)?,
    };
    let ca_pem = match &r.ca {
        None => None,
        Some((source, from)) => Some(ca_bundle(source, from)?),
    };
    Ok(CertificateTrust { insecure: r.insecure, ca_pem, pin: pin.map(|t| to_pin(&t)) })
}

fn to_pin(t: &Thumbprint) -> CertificatePin {
    let algorithm = match t.algorithm {
        DigestAlgorithm::Sha1 => PinAlgorithm::Sha1,
        DigestAlgorithm::Sha256 => PinAlgorithm::Sha256,
    };
    CertificatePin { algorithm, digest: t.digest.clone() }
}

/// The server's line in the first of `GOVC_TLS_KNOWN_HOSTS`'s files that
/// has one.
fn known_hosts_pin(r: &ResolvedConfig) -> Result<Option<Thumbprint>, Diags> {
    let host = r.sdk_url.host_str().unwrap_or_default();
    let port = r.sdk_url.port_or_known_default().unwrap_or(443);
    let diag = |detail: String| Diags::error_at(AttrPath::attr("thumbprint"), "Unusable known_hosts file", detail);
    for path in &r.known_hosts {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            // govc skips a listed file that does not exist.
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(diag(format!("cannot read {path} (from GOVC_TLS_KNOWN_HOSTS): {e}"))),
        };
        match known_host_thumbprint(&text, host, port) {
            Ok(Some(t)) => return Ok(Some(t)),
            Ok(None) => {}
            Err(e) => return Err(diag(format!("{path} (from GOVC_TLS_KNOWN_HOSTS), {e}"))),
        }
    }
    Ok(None)
}

/// The PEM text of the CA bundle, checked to hold certificates.
fn ca_bundle(source: &CaSource, from: &str) -> Result<Vec<u8>, Diags> {
    let from = if from == "ca_file" { "`ca_file`".to_owned() } else { format!("environment variable {from}") };
    let diag = |detail: String| Diags::error_at(AttrPath::attr("ca_file"), "Unusable CA bundle", detail);
    let (pem, what) = match source {
        CaSource::Pem(text) => (text.clone().into_bytes(), format!("the PEM text in {from}")),
        CaSource::Files(paths) => {
            let mut pem = Vec::new();
            for path in paths {
                let bytes = std::fs::read(path)
                    .map_err(|e| diag(format!("cannot read the CA file {path} (from {from}): {e}")))?;
                pem.extend_from_slice(&bytes);
                pem.push(b'\n');
            }
            (pem, format!("{} (from {from})", paths.join(", ")))
        }
    };
    vi::core::certificate_trust::pem_certificates(&pem).map_err(|e| diag(format!("{what}: {e}")))?;
    Ok(pem)
}

/// The opt-in session cache of one provider process: the SOAP and the
/// content library (vAPI) session files.
pub struct SessionCache {
    soap: Kept,
    vapi: Kept,
}

/// One session file, and the value it holds as far as this process knows.
struct Kept {
    file: SessionFile,
    saved: Mutex<Option<String>>,
}

impl Kept {
    fn open(file: SessionFile, warnings: &mut Diags) -> Kept {
        let saved = file.load().unwrap_or_else(|e| {
            warnings.push(cache_warning(&e));
            None
        });
        Kept { file, saved: Mutex::new(saved) }
    }

    fn saved(&self) -> Option<String> {
        self.saved.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }

    /// Writes `current` unless the file already holds it.
    fn keep(&self, current: Option<String>) -> Result<(), SessionFileError> {
        let Some(current) = current else { return Ok(()) };
        let mut saved = self.saved.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        if saved.as_deref() == Some(current.as_str()) {
            return Ok(());
        }
        self.file.save(&current)?;
        tracing::debug!(file = %self.file.path().display(), "session saved for the next provider process");
        *saved = Some(current);
        Ok(())
    }
}

impl SessionCache {
    /// The cache for the resolved server and user, when `persist_session`
    /// is on; a file that cannot be used gives a warning and no session.
    pub fn open(r: &ResolvedConfig, warnings: &mut Diags) -> Option<SessionCache> {
        let dir = std::path::Path::new(r.session_path.as_deref().filter(|_| r.persist_session)?);
        Some(SessionCache {
            soap: Kept::open(SessionFile::new(dir, &r.sdk_url, &r.user), warnings),
            vapi: Kept::open(SessionFile::vapi(dir, &r.sdk_url, &r.user), warnings),
        })
    }

    /// The SOAP cookie to try before logging in.
    pub fn cookie(&self) -> Option<String> {
        self.soap.saved()
    }

    /// Saves the client's SOAP session unless the file already holds it.
    pub fn keep(&self, client: &vi::Client) -> Result<(), SessionFileError> {
        self.soap.keep(client.session_cookie())
    }

    /// The content library session id to try before logging in.
    pub fn library_session(&self) -> Option<String> {
        self.vapi.saved()
    }

    /// Saves the content library session unless the file already holds it.
    pub fn keep_library(&self, library: &vi::LibraryClient) -> Result<(), SessionFileError> {
        self.vapi.keep(library.session_id())
    }
}

/// A session cache problem: worth saying, never worth failing the run.
pub fn cache_warning(e: &SessionFileError) -> Diags {
    Diags::warning_at(AttrPath::attr("persist_session"), "Session cache not used", e.to_string())
}
