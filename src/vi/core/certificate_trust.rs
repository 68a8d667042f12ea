//! Which server certificates the client accepts: the system's CAs, a CA
//! bundle of the user's instead, a pinned leaf thumbprint, or (insecure)
//! anything. Applied to the one HTTP client that SOAP, datastore transfers
//! and the content library share.
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, OtherError, SignatureScheme};
use sha2::Digest as _;

use crate::vi::core::error::ViError;

/// What the client trusts.
#[derive(Clone, Default)]
pub struct CertificateTrust {
    /// Accept any certificate (unless `pin` is set, which is still checked).
    pub insecure: bool,
    /// PEM CA certificates trusted instead of the system's; the host name
    /// is still verified.
    pub ca_pem: Option<Vec<u8>>,
    /// The server's leaf certificate digest. When set, it alone decides:
    /// chain and host name are not checked (govc does the same).
    pub pin: Option<CertificatePin>,
}

/// The digest of a leaf certificate's DER bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CertificatePin {
    pub algorithm: PinAlgorithm,
    pub digest: Vec<u8>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PinAlgorithm {
    Sha1,
    Sha256,
}

impl PinAlgorithm {
    fn name(self) -> &'static str {
        match self {
            PinAlgorithm::Sha1 => "SHA-1",
            PinAlgorithm::Sha256 => "SHA-256",
        }
    }

    /// The digest of `der` with this algorithm.
    pub fn digest(self, der: &[u8]) -> Vec<u8> {
        match self {
            PinAlgorithm::Sha256 => sha2::Sha256::digest(der).to_vec(),
            // vCenter shows SHA-1 thumbprints; only compared, never signed.
            PinAlgorithm::Sha1 => {
                aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA1_FOR_LEGACY_USE_ONLY, der).as_ref().to_vec()
            }
        }
    }
}

/// The server presented a certificate other than the pinned one.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the server's certificate has {algorithm} thumbprint {presented}, not the expected {expected}")]
pub struct PinMismatch {
    pub algorithm: &'static str,
    pub expected: String,
    pub presented: String,
}

/// `AA:BB:…`
fn colon_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect::<Vec<_>>().join(":")
}

/// The certificates in a PEM bundle; an error when it holds none or a
/// certificate block is malformed.
pub fn pem_certificates(pem: &[u8]) -> Result<Vec<CertificateDer<'static>>, String> {
    let mut certs = Vec::new();
    for c in CertificateDer::pem_slice_iter(pem) {
        certs.push(c.map_err(|e| format!("malformed PEM: {e}"))?);
    }
    if certs.is_empty() {
        return Err("no PEM certificate (-----BEGIN CERTIFICATE-----) in it".into());
    }
    Ok(certs)
}

impl CertificateTrust {
    /// Sets `builder` up to trust what `self` says.
    pub(crate) fn apply(&self, builder: reqwest::ClientBuilder) -> Result<reqwest::ClientBuilder, ViError> {
        if let Some(pin) = &self.pin {
            return Ok(builder.tls_backend_preconfigured(pinned_config(pin)?));
        }
        if self.insecure {
            return Ok(builder.tls_danger_accept_invalid_certs(true).tls_danger_accept_invalid_hostnames(true));
        }
        match &self.ca_pem {
            None => Ok(builder),
            Some(pem) => {
                let certs = pem_certificates(pem).map_err(|e| ViError::Config(format!("CA bundle: {e}")))?;
                let certs = certs
                    .iter()
                    .map(|c| reqwest::Certificate::from_der(c.as_ref()))
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|e| ViError::Config(format!("CA bundle: {e}")))?;
                Ok(builder.tls_certs_only(certs))
            }
        }
    }
}

/// A rustls config whose only check of the server certificate is the pin
/// (the handshake signature is still verified, so the server must hold the
/// pinned certificate's key).
fn pinned_config(pin: &CertificatePin) -> Result<rustls::ClientConfig, ViError> {
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    let verifier = PinVerifier { pin: pin.clone(), provider: Arc::clone(&provider) };
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| ViError::Config(format!("TLS setup: {e}")))?
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    Ok(config)
}

#[derive(Debug)]
struct PinVerifier {
    pin: CertificatePin,
    provider: Arc<CryptoProvider>,
}

impl ServerCertVerifier for PinVerifier {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let presented = self.pin.algorithm.digest(end_entity.as_ref());
        if presented == self.pin.digest {
            return Ok(ServerCertVerified::assertion());
        }
        let mismatch = PinMismatch {
            algorithm: self.pin.algorithm.name(),
            expected: colon_hex(&self.pin.digest),
            presented: colon_hex(&presented),
        };
        Err(rustls::Error::InvalidCertificate(CertificateError::Other(OtherError(Arc::new(mismatch)))))
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.provider.signature_verification_algorithms)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.provider.signature_verification_algorithms)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.provider.signature_verification_algorithms.supported_schemes()
    }
}

/// The pin mismatch behind a failed request, if that is why it failed.
pub(crate) fn pin_mismatch(err: &(dyn std::error::Error + 'static)) -> Option<PinMismatch> {
    let found = |e: &(dyn std::error::Error + 'static)| match e.downcast_ref::<rustls::Error>() {
        Some(rustls::Error::InvalidCertificate(CertificateError::Other(OtherError(inner)))) => {
            inner.downcast_ref::<PinMismatch>().cloned()
        }
        _ => None,
    };
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(err);
    while let Some(e) = cur {
        if let Some(m) = found(e) {
            return Some(m);
        }
        // io::Error's source() skips the error it wraps (itself often
        // another io::Error): step into it instead.
        cur = match e.downcast_ref::<std::io::Error>().and_then(|io| io.get_ref()) {
            Some(inner) => Some(inner as &(dyn std::error::Error + 'static)),
            None => e.source(),
        };
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_match_known_values() {
        // Digests of "abc" (FIPS 180 examples).
        assert_eq!(
            colon_hex(&PinAlgorithm::Sha1.digest(b"abc")),
            "A9:99:3E:36:47:06:81:6A:BA:3E:25:71:78:50:C2:6C:9C:D0:D8:9D"
        );
        assert!(colon_hex(&PinAlgorithm::Sha256.digest(b"abc")).starts_with("BA:78:16:BF"));
    }

    #[test]
    fn a_mismatch_is_found_behind_wrappers() {
        let m = PinMismatch { algorithm: "SHA-256", expected: "AA".into(), presented: "BB".into() };
        let tls = rustls::Error::InvalidCertificate(CertificateError::Other(OtherError(Arc::new(m.clone()))));
        let io = std::io::Error::other(std::io::Error::other(tls));
        assert_eq!(pin_mismatch(&io), Some(m));
        assert_eq!(pin_mismatch(&std::io::Error::other("x")), None);
    }

    #[test]
    fn pem_bundles_are_checked() {
        assert!(pem_certificates(b"").unwrap_err().contains("no PEM certificate"));
        assert!(pem_certificates(b"not pem at all").is_err());
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = rcgen::CertificateParams::new(vec!["a.example".into()]).unwrap().self_signed(&key).unwrap();
        let two = format!("{}{}", cert.pem(), cert.pem());
        assert_eq!(pem_certificates(two.as_bytes()).unwrap().len(), 2);
    }
}
