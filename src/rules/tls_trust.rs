//! What the provider trusts besides the system's CAs: certificate
//! thumbprints (`thumbprint`, govc's known_hosts files) and CA bundles
//! (`ca_file`, a path or the PEM text itself). Pure: files are read by the
//! caller and handed in as text.
use std::fmt;

/// The digest a thumbprint is made with: vCenter shows SHA-1, govc and
/// newer tools SHA-256.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DigestAlgorithm {
    Sha1,
    Sha256,
}

impl DigestAlgorithm {
    pub fn name(self) -> &'static str {
        match self {
            DigestAlgorithm::Sha1 => "SHA-1",
            DigestAlgorithm::Sha256 => "SHA-256",
        }
    }
}

/// A certificate thumbprint: the digest of the server's leaf certificate
/// (its DER bytes).
#[derive(Clone, PartialEq, Eq)]
pub struct Thumbprint {
    pub algorithm: DigestAlgorithm,
    pub digest: Vec<u8>,
}

impl fmt::Display for Thumbprint {
    /// `AA:BB:…`, as vCenter and govc print it.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&colon_hex(&self.digest))
    }
}

impl fmt::Debug for Thumbprint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.algorithm.name(), self)
    }
}

/// `AA:BB:CC` for the bytes given.
pub fn colon_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02X}")).collect::<Vec<_>>().join(":")
}

/// Why a thumbprint was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ThumbprintError {
    #[error("empty thumbprint")]
    Empty,
    #[error("`{0}` is not a hexadecimal digit; a thumbprint is hex bytes such as `AB:CD:…`")]
    NotHex(char),
    #[error("odd number of hex digits")]
    OddLength,
    #[error(
        "{0} bytes is neither a SHA-256 (32 bytes) nor a SHA-1 (20 bytes) thumbprint; \
         `openssl x509 -noout -fingerprint -sha256` prints the SHA-256 one"
    )]
    Length(usize),
}

/// Parses `AB:CD:…` (colons, spaces or nothing between bytes; any case;
/// an optional `sha256:`/`sha1:` label is checked against the length).
pub fn parse_thumbprint(text: &str) -> Result<Thumbprint, ThumbprintError> {
    let mut rest = text.trim();
    let lower = rest.to_ascii_lowercase();
    let mut labelled = None;
    for (label, algo) in [
        ("sha256:", DigestAlgorithm::Sha256),
        ("sha-256:", DigestAlgorithm::Sha256),
        ("sha1:", DigestAlgorithm::Sha1),
        ("sha-1:", DigestAlgorithm::Sha1),
    ] {
        if lower.starts_with(label) {
            rest = rest.get(label.len()..).unwrap_or_default();
            labelled = Some(algo);
            break;
        }
    }
    let digits: Vec<char> = rest.chars().filter(|c| !matches!(c, ':' | ' ' | '-')).collect();
    if digits.is_empty() {
        return Err(ThumbprintError::Empty);
    }
    if let Some(bad) = digits.iter().find(|c| !c.is_ascii_hexdigit()) {
        return Err(ThumbprintError::NotHex(*bad));
    }
    if !digits.len().is_multiple_of(2) {
        return Err(ThumbprintError::OddLength);
    }
    let digest: Vec<u8> = digits
        .chunks(2)
        .map(|pair| pair.iter().fold(0u8, |acc, c| acc.wrapping_mul(16).wrapping_add(hex_value(*c))))
        .collect();
    let algorithm = match digest.len() {
        32 => DigestAlgorithm::Sha256,
        20 => DigestAlgorithm::Sha1,
        n => return Err(ThumbprintError::Length(n)),
    };
    if labelled.is_some_and(|l| l != algorithm) {
        return Err(ThumbprintError::Length(digest.len()));
    }
    Ok(Thumbprint { algorithm, digest })
}

fn hex_value(c: char) -> u8 {
    c.to_digit(16).and_then(|d| u8::try_from(d).ok()).unwrap_or(0)
}

/// A bad line in a known_hosts file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {problem}")]
pub struct KnownHostsError {
    pub line: usize,
    pub problem: String,
}

/// The thumbprint a govc known_hosts file (`host[:port] thumbprint` per
/// line, `#` comments) gives the server at `host`:`port`. A line naming the
/// bare host matches port 443 only, as govc's does. Lines for other hosts
/// are not checked; a malformed line for this host is an error.
pub fn known_host_thumbprint(text: &str, host: &str, port: u16) -> Result<Option<Thumbprint>, KnownHostsError> {
    let with_port = format!("{host}:{port}");
    // IPv6 hosts are written in brackets with a port, bare without.
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut fields = line.split_whitespace();
        let (Some(name), Some(print)) = (fields.next(), fields.next()) else {
            continue;
        };
        let matches = name.eq_ignore_ascii_case(&with_port) || (port == 443 && name.eq_ignore_ascii_case(bare));
        if matches {
            return parse_thumbprint(print)
                .map(Some)
                .map_err(|e| KnownHostsError { line: n + 1, problem: format!("thumbprint for {name}: {e}") });
        }
    }
    Ok(None)
}

/// Where a CA bundle comes from: `ca_file` holds either PEM text itself or
/// a path (govc's `GOVC_TLS_CA_CERTS` allows several, `:`-separated).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CaSource {
    Pem(String),
    Files(Vec<String>),
}

/// Reads a `ca_file` value: PEM text when it holds a PEM header, else
/// paths; `list` splits on `:` (govc's variable).
pub fn ca_source(text: &str, list: bool) -> CaSource {
    if text.contains("-----BEGIN") {
        return CaSource::Pem(text.to_owned());
    }
    let paths = if list {
        text.split(':').map(str::trim).filter(|p| !p.is_empty()).map(str::to_owned).collect()
    } else {
        vec![text.trim().to_owned()]
    };
    CaSource::Files(paths)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHA256: &str =
        "9B:7E:1A:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD";
    const SHA1: &str = "9b:7e:1a:11:22:33:44:55:66:77:88:99:aa:bb:cc:dd:ee:ff:00:11";

    #[test]
    fn thumbprints_in_either_digest_and_spelling() {
        let t = parse_thumbprint(SHA256).unwrap();
        assert_eq!(t.algorithm, DigestAlgorithm::Sha256);
        assert_eq!(t.to_string(), SHA256);
        let t = parse_thumbprint(SHA1).unwrap();
        assert_eq!(t.algorithm, DigestAlgorithm::Sha1);
        assert_eq!(t.to_string(), SHA1.to_ascii_uppercase());
        let plain = SHA256.replace(':', "").to_ascii_lowercase();
        assert_eq!(parse_thumbprint(&plain).unwrap(), parse_thumbprint(SHA256).unwrap());
        assert_eq!(parse_thumbprint(&format!("SHA256:{SHA256}")).unwrap().algorithm, DigestAlgorithm::Sha256);
        assert_eq!(parse_thumbprint(&format!(" sha1:{SHA1} ")).unwrap().algorithm, DigestAlgorithm::Sha1);
    }

    #[test]
    fn bad_thumbprints_say_why() {
        assert_eq!(parse_thumbprint("  "), Err(ThumbprintError::Empty));
        assert_eq!(parse_thumbprint("AB:CD:XZ"), Err(ThumbprintError::NotHex('X')));
        assert_eq!(parse_thumbprint("ABC"), Err(ThumbprintError::OddLength));
        assert_eq!(parse_thumbprint("AB:CD"), Err(ThumbprintError::Length(2)));
        // A label that does not fit the length.
        assert_eq!(parse_thumbprint(&format!("sha1:{SHA256}")), Err(ThumbprintError::Length(32)));
        assert!(parse_thumbprint("AB:CD").unwrap_err().to_string().contains("SHA-256"));
        assert!(parse_thumbprint("é").is_err());
    }

    #[test]
    fn known_hosts_lines_by_host_and_port() {
        let text = format!("# govc about.cert -thumbprint\n\nvc.example {SHA1}\n127.0.0.1:8989 {SHA256}\nother:443\n");
        let vc = known_host_thumbprint(&text, "vc.example", 443).unwrap().unwrap();
        assert_eq!(vc.algorithm, DigestAlgorithm::Sha1);
        assert_eq!(known_host_thumbprint(&text, "VC.example", 443).unwrap(), Some(vc));
        // A bare host name means port 443 only.
        assert_eq!(known_host_thumbprint(&text, "vc.example", 8443).unwrap(), None);
        let sim = known_host_thumbprint(&text, "127.0.0.1", 8989).unwrap().unwrap();
        assert_eq!(sim.algorithm, DigestAlgorithm::Sha256);
        assert_eq!(known_host_thumbprint(&text, "127.0.0.1", 443).unwrap(), None);
        assert_eq!(known_host_thumbprint("", "a", 443).unwrap(), None);
    }

    #[test]
    fn a_bad_line_for_this_host_is_an_error_with_its_number() {
        let text = "good.example AB:CD\nvc.example nothex\n";
        let e = known_host_thumbprint(text, "vc.example", 443).unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.to_string().contains("vc.example"), "{e}");
        // Other hosts' lines are not this provider's business.
        assert_eq!(known_host_thumbprint("other.example nothex\n", "vc.example", 443).unwrap(), None);
    }

    #[test]
    fn ca_file_is_pem_text_or_paths() {
        let pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
        assert_eq!(ca_source(pem, false), CaSource::Pem(pem.to_owned()));
        assert_eq!(ca_source(" /etc/ca.pem ", false), CaSource::Files(vec!["/etc/ca.pem".into()]));
        assert_eq!(ca_source("/a.pem:/b.pem:", true), CaSource::Files(vec!["/a.pem".into(), "/b.pem".into()]));
        // A path with a colon, given as the attribute, stays whole.
        assert_eq!(ca_source("C:/ca.pem", false), CaSource::Files(vec!["C:/ca.pem".into()]));
    }
}
