//! A throwaway certificate authority and a server certificate it issued,
//! written to files for `vcsim -tlscert/-tlskey` and for `ca_file`.
use std::path::PathBuf;

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair, KeyUsagePurpose,
};
use sha2::{Digest, Sha256};
use tempfile::TempDir;

use super::vcsim::Vcsim;

pub struct TestCa {
    dir: TempDir,
    /// The CA's certificate, PEM.
    pub ca_pem: String,
    /// The server certificate, DER (what thumbprints are taken of).
    pub server_der: Vec<u8>,
}

impl TestCa {
    /// A CA, and a server certificate from it for `names` (IP addresses or
    /// DNS names).
    pub fn new(names: &[&str]) -> TestCa {
        let dir = tempfile::Builder::new().prefix("vi-ca-").tempdir().expect("temp dir");
        let ca_key = KeyPair::generate().expect("CA key");
        let mut ca = CertificateParams::new(Vec::<String>::new()).expect("CA params");
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca.distinguished_name.push(DnType::CommonName, "terraform-provider-vi test CA");
        ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign, KeyUsagePurpose::DigitalSignature];
        let ca_cert = ca.self_signed(&ca_key).expect("CA certificate");
        let issuer = Issuer::new(ca, ca_key);

        let key = KeyPair::generate().expect("server key");
        let mut params =
            CertificateParams::new(names.iter().map(|n| (*n).to_owned()).collect::<Vec<_>>()).expect("server params");
        params.distinguished_name.push(DnType::CommonName, names.first().copied().unwrap_or("server"));
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let cert = params.signed_by(&key, &issuer).expect("server certificate");

        std::fs::write(dir.path().join("ca.pem"), ca_cert.pem()).expect("write ca.pem");
        std::fs::write(dir.path().join("server.pem"), cert.pem()).expect("write server.pem");
        std::fs::write(dir.path().join("server.key"), key.serialize_pem()).expect("write server.key");
        TestCa { dir, ca_pem: ca_cert.pem(), server_der: cert.der().to_vec() }
    }

    /// Path of the CA certificate file.
    pub fn ca_file(&self) -> PathBuf {
        self.dir.path().join("ca.pem")
    }

    /// A vcsim serving this CA's server certificate.
    pub fn vcsim(&self, extra: &[&str]) -> Vcsim {
        let cert = self.dir.path().join("server.pem").to_string_lossy().into_owned();
        let key = self.dir.path().join("server.key").to_string_lossy().into_owned();
        let mut args = vec!["-tlscert", cert.as_str(), "-tlskey", key.as_str()];
        args.extend_from_slice(extra);
        Vcsim::start(&args)
    }

    /// The server certificate's SHA-256 thumbprint, `AA:BB:…`.
    pub fn sha256_thumbprint(&self) -> String {
        colon_hex(&Sha256::digest(&self.server_der))
    }
}

pub fn colon_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect::<Vec<_>>().join(":")
}
