//! go-plugin's AutoMTLS: Terraform passes its own client certificate in
//! `PLUGIN_CLIENT_CERT`; we answer with a fresh self-signed server
//! certificate in the handshake line and accept only that client.
use std::sync::Arc;

use base64::Engine as _;
use rustls::client::danger::HandshakeSignatureValid;
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, UnixTime};
use rustls::server::danger::{ClientCertVerified, ClientCertVerifier};
use rustls::{DigitallySignedStruct, DistinguishedName, SignatureScheme};
use thiserror::Error;

#[derive(Debug, Error)]
pub enum TlsError {
    #[error("PLUGIN_CLIENT_CERT does not hold a PEM certificate: {0}")]
    ClientCert(String),
    #[error("could not generate the server certificate: {0}")]
    Generate(String),
    #[error("TLS configuration: {0}")]
    Config(String),
}

/// The server side of AutoMTLS.
pub struct AutoMtls {
    pub config: Arc<rustls::ServerConfig>,
    /// The server certificate as go-plugin wants it in the handshake line:
    /// DER, base64 without padding.
    pub handshake_cert: String,
}

impl AutoMtls {
    pub fn new(client_cert_pem: &str) -> Result<Self, TlsError> {
        let client = CertificateDer::from_pem_slice(client_cert_pem.as_bytes())
            .map_err(|e| TlsError::ClientCert(e.to_string()))?
            .into_owned();

        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256)
            .map_err(|e| TlsError::Generate(e.to_string()))?;
        let mut params = rcgen::CertificateParams::new(vec!["localhost".to_owned()])
            .map_err(|e| TlsError::Generate(e.to_string()))?;
        params.distinguished_name.push(rcgen::DnType::CommonName, "localhost");
        params.distinguished_name.push(rcgen::DnType::OrganizationName, "terraform-provider-vi");
        // go-plugin's client puts this certificate in its root pool, so it is
        // its own CA, as go-plugin's own server certificates are.
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        params.key_usages = vec![
            rcgen::KeyUsagePurpose::DigitalSignature,
            rcgen::KeyUsagePurpose::KeyEncipherment,
            rcgen::KeyUsagePurpose::KeyCertSign,
        ];
        params.extended_key_usages =
            vec![rcgen::ExtendedKeyUsagePurpose::ServerAuth, rcgen::ExtendedKeyUsagePurpose::ClientAuth];
        let cert = params.self_signed(&key).map_err(|e| TlsError::Generate(e.to_string()))?;
        let cert_der = cert.der().clone();
        let handshake_cert = base64::engine::general_purpose::STANDARD_NO_PAD.encode(cert_der.as_ref());

        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let verifier = PinnedClient { expected: client, algs: provider.signature_verification_algorithms };
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_protocol_versions(rustls::DEFAULT_VERSIONS)
            .map_err(|e| TlsError::Config(e.to_string()))?
            .with_client_cert_verifier(Arc::new(verifier))
            .with_single_cert(vec![cert_der], PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())))
            .map_err(|e| TlsError::Config(e.to_string()))?;
        config.alpn_protocols = vec![b"h2".to_vec()];
        Ok(AutoMtls { config: Arc::new(config), handshake_cert })
    }
}

/// Accepts exactly the certificate Terraform announced. It is self-signed
/// and marked as a CA, which path-building verifiers reject as a leaf, so
/// the check is a byte comparison plus real signature verification.
#[derive(Debug)]
struct PinnedClient {
    expected: CertificateDer<'static>,
    algs: WebPkiSupportedAlgorithms,
}

impl ClientCertVerifier for PinnedClient {
    fn root_hint_subjects(&self) -> &[DistinguishedName] {
        &[]
    }

    fn verify_client_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _now: UnixTime,
    ) -> Result<ClientCertVerified, rustls::Error> {
        if end_entity.as_ref() == self.expected.as_ref() {
            Ok(ClientCertVerified::assertion())
        } else {
            Err(rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer))
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.algs)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.algs)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.algs.supported_schemes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client_pem() -> String {
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P384_SHA384).unwrap();
        rcgen::CertificateParams::new(vec!["localhost".to_owned()]).unwrap().self_signed(&key).unwrap().pem()
    }

    #[test]
    fn builds_a_server_config_and_a_padless_cert() {
        let m = AutoMtls::new(&client_pem()).unwrap();
        assert!(!m.handshake_cert.ends_with('='));
        let der = base64::engine::general_purpose::STANDARD_NO_PAD.decode(&m.handshake_cert).unwrap();
        assert!(der.len() > 100);
    }

    #[test]
    fn rejects_garbage_client_cert() {
        assert!(matches!(AutoMtls::new("not a pem"), Err(TlsError::ClientCert(_))));
    }

    #[test]
    fn only_the_announced_client_is_accepted() {
        let pem = client_pem();
        let expected = CertificateDer::from_pem_slice(pem.as_bytes()).unwrap().into_owned();
        let v = PinnedClient {
            expected: expected.clone(),
            algs: rustls::crypto::aws_lc_rs::default_provider().signature_verification_algorithms,
        };
        assert!(v.verify_client_cert(&expected, &[], UnixTime::now()).is_ok());
        let other = CertificateDer::from_pem_slice(client_pem().as_bytes()).unwrap();
        assert!(v.verify_client_cert(&other, &[], UnixTime::now()).is_err());
        assert!(v.supported_verify_schemes().contains(&SignatureScheme::ECDSA_NISTP521_SHA512));
    }
}
