//! Connection URIs: every form a user may give as the provider's `url`.
//!
//! Accepted forms:
//!
//! - `https://[user[:password]@]host[:port][/sdk]` and the same with `http://`
//!   (what vcsim prints, what govc's `GOVC_URL` and LinuxKit's `VCURL` hold);
//! - a bare `[user[:password]@]host[:port][/sdk]`, taken as https;
//! - libvirt's ESX-driver forms: `vpx://[user@]host[:port]/[folder/…/]datacenter[/…][?params]`
//!   for a vCenter and `esx://[user@]host[:port][/][?params]` for a standalone ESXi,
//!   with the parameters `transport`, `no_verify`, `auto_answer` and `proxy`.
//!
//! `gsx://` (VMware Server) is recognised and refused. Parsing is pure and
//! never panics; error messages never repeat a password.

use std::fmt;
use std::net::Ipv6Addr;

use url::Url;

use super::vpx_path::InventoryWalk;

/// The accepted forms, for error messages.
const FORMS: &str = "expected https://[user[:password]@]host[:port][/sdk], \
http://…, host[:port], \
vpx://[user@]host[:port]/[folder/…/]datacenter[/[folder/…/][cluster/]host][?params] \
or esx://[user@]host[:port][?params]";

const VPX_PATH_FORM: &str = "vpx://host/[folder/…/]datacenter[/[folder/…/][cluster/]host][?params]";

/// Which kind of endpoint the URI addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UriKind {
    /// `https://…`, `http://…` or a bare host: the SDK endpoint, vCenter or ESXi.
    Sdk,
    /// `vpx://…`: a vCenter, optionally with a datacenter and compute resource.
    Vcenter,
    /// `esx://…`: a standalone ESXi host.
    Esx,
}

/// HTTP or HTTPS.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Transport {
    Https,
    Http,
}

impl Transport {
    /// The URL scheme: `https` or `http`.
    pub fn scheme(self) -> &'static str {
        match self {
            Transport::Https => "https",
            Transport::Http => "http",
        }
    }

    /// 443 for HTTPS, 80 for HTTP.
    pub fn default_port(self) -> u16 {
        match self {
            Transport::Https => 443,
            Transport::Http => 80,
        }
    }
}

/// The protocol spoken to a proxy given with `proxy=`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ProxyKind {
    Http,
    Socks4,
    Socks4a,
    /// Also what `socks://` means.
    Socks5,
}

impl ProxyKind {
    /// The canonical scheme name (`socks://` comes out as `socks5`).
    pub fn scheme(self) -> &'static str {
        match self {
            ProxyKind::Http => "http",
            ProxyKind::Socks4 => "socks4",
            ProxyKind::Socks4a => "socks4a",
            ProxyKind::Socks5 => "socks5",
        }
    }

    fn from_type_name(name: &str) -> Option<Self> {
        match name.to_ascii_lowercase().as_str() {
            "http" => Some(ProxyKind::Http),
            "socks" | "socks5" => Some(ProxyKind::Socks5),
            "socks4" => Some(ProxyKind::Socks4),
            "socks4a" => Some(ProxyKind::Socks4a),
            _ => None,
        }
    }
}

/// A proxy from the `proxy=[type://]host[:port]` parameter.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ProxySpec {
    pub kind: ProxyKind,
    /// A domain name, an IPv4 address, or an IPv6 address without brackets.
    pub host: String,
    /// The given port, else [`ProxySpec::DEFAULT_PORT`].
    pub port: u16,
}

impl ProxySpec {
    /// The port used when `proxy=` names none, whatever the proxy type.
    pub const DEFAULT_PORT: u16 = 1080;
}

impl fmt::Display for ProxySpec {
    /// `socks5://host:1080`, with IPv6 hosts bracketed.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://{}:{}", self.kind.scheme(), bracket_host(&self.host), self.port)
    }
}

/// A parsed connection URI. Built by [`parse_connection_uri`].
#[derive(Clone, PartialEq, Eq)]
pub struct ConnectionUri {
    pub kind: UriKind,
    pub transport: Transport,
    /// Normalised host: lower-case ASCII domain (IDNA), IPv4 address, or IPv6
    /// address without brackets.
    pub host: String,
    /// The port as written; `None` means the transport's default.
    pub port: Option<u16>,
    /// Percent-decoded user name from the userinfo; `None` if absent or empty.
    pub user: Option<String>,
    /// Percent-decoded password from the userinfo; `None` if absent or empty.
    pub password: Option<String>,
    /// For `vpx://`: every element of the path, in order, as vSphere entity
    /// names (percent-decoded, then with `%`, `/` and `\` escaped the way the
    /// API escapes them in names: `%25`, `%2f`, `%5c`). Empty otherwise.
    pub inventory_path: Vec<String>,
    /// Folders and datacenter as an inventory path (`folder1/dc1`), when the
    /// path alone determines it; see [`ConnectionUri::inventory_walk`].
    pub datacenter_path: Option<String>,
    /// The datacenter's name, when the path alone determines it.
    pub datacenter: Option<String>,
    /// The part after the datacenter (`[folder/…/][cluster/]host`), when the
    /// path alone determines it.
    pub compute_path: Option<String>,
    /// `no_verify=0|1`, if given.
    pub no_verify: Option<bool>,
    /// `auto_answer=0|1`, if given.
    pub auto_answer: Option<bool>,
    /// `proxy=…`, if given.
    pub proxy: Option<ProxySpec>,
}

impl fmt::Debug for ConnectionUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConnectionUri")
            .field("kind", &self.kind)
            .field("transport", &self.transport)
            .field("host", &self.host)
            .field("port", &self.port)
            .field("user", &self.user)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("inventory_path", &self.inventory_path)
            .field("datacenter_path", &self.datacenter_path)
            .field("datacenter", &self.datacenter)
            .field("compute_path", &self.compute_path)
            .field("no_verify", &self.no_verify)
            .field("auto_answer", &self.auto_answer)
            .field("proxy", &self.proxy)
            .finish()
    }
}

impl ConnectionUri {
    /// The port to connect to: the given one or the transport's default.
    pub fn effective_port(&self) -> u16 {
        self.port.unwrap_or(self.transport.default_port())
    }

    /// The SDK endpoint, `https://host[:port]/sdk` (or `http://…`), without
    /// userinfo, IPv6 hosts bracketed, the port left out when it is the
    /// transport's default.
    ///
    /// # Panics
    ///
    /// Only if `host` was overwritten with something that is not a host;
    /// [`parse_connection_uri`] produces only valid ones.
    pub fn sdk_url(&self) -> Url {
        let port = match self.port {
            Some(p) if p != self.transport.default_port() => format!(":{p}"),
            _ => String::new(),
        };
        let text = format!("{}://{}{}/sdk", self.transport.scheme(), bracket_host(&self.host), port);
        Url::parse(&text).expect("host was validated by parse_connection_uri")
    }

    /// For a `vpx://` path the URI alone cannot split (two elements or more:
    /// `a/b` may be datacenter `a` and host `b`, or folder `a` and datacenter
    /// `b`), the walk that splits it against the inventory, as libvirt does:
    /// leading folders, the first datacenter, then folders, a cluster or
    /// standalone host, and a host in that cluster. `None` when there is
    /// nothing to resolve.
    pub fn inventory_walk(&self) -> Option<InventoryWalk> {
        if self.kind == UriKind::Vcenter && self.inventory_path.len() >= 2 {
            InventoryWalk::new(self.inventory_path.clone()).ok()
        } else {
            None
        }
    }
}

/// Why a connection URI was refused. Messages never contain a password.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UriError {
    #[error("the URL is empty; {FORMS}")]
    Empty,
    #[error("unsupported URL scheme `{scheme}://`; {FORMS}")]
    UnsupportedScheme { scheme: String },
    #[error(
        "the text before `://` is not a URL scheme; {FORMS} \
         (percent-encode special characters in user names and passwords)"
    )]
    InvalidScheme,
    #[error(
        "`gsx://` (VMware Server / GSX) is not supported; \
         use esx://host for an ESXi host or vpx://host for a vCenter"
    )]
    GsxNotSupported,
    #[error("`{scheme}:` must be followed by `//`, as in {scheme}://host")]
    MissingSlashes { scheme: String },
    #[error("the URL names no host; {FORMS}")]
    MissingHost,
    #[error("invalid host `{host}`: {reason}")]
    InvalidHost { host: String, reason: String },
    #[error("an IPv6 address must be written in brackets, as in https://[::1]:8989/sdk or [::1]:8989")]
    Ipv6NeedsBrackets,
    #[error("invalid port: a port is a number from 1 to 65535")]
    InvalidPort,
    #[error(
        "invalid percent-encoding in the {part}: `%` must be followed by two \
         hexadecimal digits, and the decoded text must be UTF-8"
    )]
    BadPercentEncoding { part: String },
    #[error(
        "found `@` after the host: percent-encode `/`, `?`, `#` and `@` in user \
         names and passwords (%2F, %3F, %23, %40), and `@` in inventory names (%40)"
    )]
    AtAfterHost,
    #[error("a URL fragment (`#…`) is not allowed; {FORMS}")]
    Fragment,
    #[error("unexpected path `{path}`: {expected}")]
    InvalidPath { path: String, expected: &'static str },
    #[error("empty element in the vpx:// path `{path}`; expected {VPX_PATH_FORM}")]
    EmptyPathSegment { path: String },
    #[error(
        "query parameters are only understood in vpx:// and esx:// URIs; \
         an https:// or http:// URL is https://[user[:password]@]host[:port][/sdk]"
    )]
    QueryNotAllowed,
    #[error(
        "unknown parameter `{name}`; the parameters are transport=http|https, \
         no_verify=0|1, auto_answer=0|1 and proxy=[type://]host[:port]"
    )]
    UnknownParameter { name: String },
    #[error("parameter `{name}` is not supported by this provider: {reason}")]
    UnsupportedParameter { name: &'static str, reason: &'static str },
    #[error("parameter `{name}` is given more than once")]
    DuplicateParameter { name: &'static str },
    #[error("parameter `{name}` has no value; write {name}={expected}")]
    MissingValue { name: &'static str, expected: &'static str },
    #[error("invalid value `{value}` for parameter `{name}`: expected {expected}")]
    InvalidParameterValue { name: &'static str, value: String, expected: &'static str },
    #[error(
        "invalid parameter `proxy`: {reason}; expected \
         proxy=[http|socks|socks4|socks4a|socks5://]host[:port] (default port 1080)"
    )]
    InvalidProxy { reason: String },
}

/// Parses a connection URI in any of the accepted forms (see the module
/// documentation). Leading and trailing whitespace is ignored.
pub fn parse_connection_uri(input: &str) -> Result<ConnectionUri, UriError> {
    let input = input.trim();
    if input.is_empty() {
        return Err(UriError::Empty);
    }

    let (kind, transport, rest) = split_scheme(input)?;

    // The authority ends at the first `/`, `?` or `#`.
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, tail) = rest.split_at(end);
    if tail.contains('@') {
        // Almost always an unencoded `/`, `?` or `#` in a password: refuse
        // before anything could echo a piece of it.
        return Err(UriError::AtAfterHost);
    }
    if tail.contains('#') {
        return Err(UriError::Fragment);
    }
    let (path, query) = match tail.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (tail, None),
    };

    let (userinfo, hostport) = match authority.rsplit_once('@') {
        Some((u, h)) => (Some(u), h),
        None => (None, authority),
    };
    let (user, password) = parse_userinfo(userinfo)?;
    let (host, port) = parse_host_port(hostport).map_err(|e| match e {
        HostPortError::Missing => UriError::MissingHost,
        HostPortError::Invalid { host, reason } => UriError::InvalidHost { host, reason },
        HostPortError::NeedsBrackets => UriError::Ipv6NeedsBrackets,
        HostPortError::BadPort => UriError::InvalidPort,
    })?;

    let mut uri = ConnectionUri {
        kind,
        transport,
        host,
        port,
        user,
        password,
        inventory_path: Vec::new(),
        datacenter_path: None,
        datacenter: None,
        compute_path: None,
        no_verify: None,
        auto_answer: None,
        proxy: None,
    };

    match kind {
        UriKind::Sdk => {
            if !matches!(path, "" | "/" | "/sdk") {
                return Err(UriError::InvalidPath {
                    path: path.to_owned(),
                    expected: "an https:// or http:// URL may only have the path /sdk \
                               (https://host[:port]/sdk)",
                });
            }
            if query.is_some() {
                return Err(UriError::QueryNotAllowed);
            }
        }
        UriKind::Esx => {
            if !matches!(path, "" | "/") {
                return Err(UriError::InvalidPath {
                    path: path.to_owned(),
                    expected: "an esx:// URI has no path (esx://[user@]host[:port][?params])",
                });
            }
        }
        UriKind::Vcenter => {
            let segments = parse_vpx_path(path)?;
            if let [only] = segments.as_slice() {
                // Folders must be followed by a datacenter, so a lone
                // element can only be the datacenter.
                uri.datacenter_path = Some(only.clone());
                uri.datacenter = Some(only.clone());
            }
            uri.inventory_path = segments;
        }
    }

    if let Some(query) = query {
        apply_query(query, &mut uri)?;
    }
    Ok(uri)
}

/// Splits off `scheme://`; a bare host is https.
fn split_scheme(input: &str) -> Result<(UriKind, Transport, &str), UriError> {
    let Some((scheme, rest)) = input.split_once("://") else {
        if let Some((before, after)) = input.split_once(':') {
            let lower = before.to_ascii_lowercase();
            if matches!(lower.as_str(), "https" | "http" | "vpx" | "esx" | "gsx")
                && !after.starts_with(|c: char| c.is_ascii_digit())
            {
                return Err(UriError::MissingSlashes { scheme: lower });
            }
        }
        return Ok((UriKind::Sdk, Transport::Https, input));
    };
    let valid = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    if !valid {
        return Err(UriError::InvalidScheme);
    }
    match scheme.to_ascii_lowercase().as_str() {
        "https" => Ok((UriKind::Sdk, Transport::Https, rest)),
        "http" => Ok((UriKind::Sdk, Transport::Http, rest)),
        "vpx" => Ok((UriKind::Vcenter, Transport::Https, rest)),
        "esx" => Ok((UriKind::Esx, Transport::Https, rest)),
        "gsx" => Err(UriError::GsxNotSupported),
        _ => Err(UriError::UnsupportedScheme { scheme: scheme.to_owned() }),
    }
}

type Credentials = (Option<String>, Option<String>);

fn parse_userinfo(userinfo: Option<&str>) -> Result<Credentials, UriError> {
    let Some(userinfo) = userinfo else {
        return Ok((None, None));
    };
    let (user, password) = match userinfo.split_once(':') {
        Some((u, p)) => (u, Some(p)),
        None => (userinfo, None),
    };
    let user = percent_decode(user).ok_or_else(|| UriError::BadPercentEncoding { part: "user name".to_owned() })?;
    let password = match password {
        Some(p) => Some(percent_decode(p).ok_or_else(|| UriError::BadPercentEncoding { part: "password".to_owned() })?),
        None => None,
    };
    Ok((Some(user).filter(|u| !u.is_empty()), password.filter(|p| !p.is_empty())))
}

enum HostPortError {
    Missing,
    Invalid { host: String, reason: String },
    NeedsBrackets,
    BadPort,
}

/// `host`, `host:port`, `[v6]` or `[v6]:port`.
fn parse_host_port(text: &str) -> Result<(String, Option<u16>), HostPortError> {
    if text.is_empty() {
        return Err(HostPortError::Missing);
    }
    if let Some(inner) = text.strip_prefix('[') {
        let Some((addr, after)) = inner.split_once(']') else {
            return Err(HostPortError::Invalid {
                host: text.to_owned(),
                reason: "missing `]` after the IPv6 address".to_owned(),
            });
        };
        let addr: Ipv6Addr = addr
            .parse()
            .map_err(|_| HostPortError::Invalid { host: text.to_owned(), reason: "not an IPv6 address".to_owned() })?;
        let port = if after.is_empty() {
            None
        } else if let Some(p) = after.strip_prefix(':') {
            Some(parse_port(p).ok_or(HostPortError::BadPort)?)
        } else {
            return Err(HostPortError::Invalid {
                host: text.to_owned(),
                reason: "only `:port` may follow `]`".to_owned(),
            });
        };
        return Ok((addr.to_string(), port));
    }
    let (host, port) = match text.matches(':').count() {
        0 => (text, None),
        1 => {
            let (h, p) = text.split_once(':').unwrap_or((text, ""));
            (h, Some(parse_port(p).ok_or(HostPortError::BadPort)?))
        }
        _ => return Err(HostPortError::NeedsBrackets),
    };
    Ok((normalize_host(host)?, port))
}

fn normalize_host(host: &str) -> Result<String, HostPortError> {
    if host.is_empty() {
        return Err(HostPortError::Missing);
    }
    match url::Host::parse(host) {
        Ok(url::Host::Domain(d)) => Ok(d),
        Ok(url::Host::Ipv4(a)) => Ok(a.to_string()),
        Ok(url::Host::Ipv6(a)) => Ok(a.to_string()),
        Err(e) => Err(HostPortError::Invalid { host: host.to_owned(), reason: e.to_string() }),
    }
}

/// Digits only, 1–65535 (leading zeros allowed).
fn parse_port(text: &str) -> Option<u16> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let significant = text.trim_start_matches('0');
    if significant.len() > 5 {
        return None;
    }
    match significant.parse::<u32>() {
        Ok(n) if (1..=65535).contains(&n) => u16::try_from(n).ok(),
        _ => None,
    }
}

/// Decodes `%XX` escapes; `None` on a malformed escape or non-UTF-8 result.
/// `+` is left alone (this is not form encoding).
fn percent_decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hi = bytes.get(i + 1).and_then(|b| (*b as char).to_digit(16))?;
            let lo = bytes.get(i + 2).and_then(|b| (*b as char).to_digit(16))?;
            out.push(u8::try_from(hi * 16 + lo).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Escapes a name the way vSphere escapes entity names in inventory paths.
fn escape_inventory_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        match c {
            '%' => out.push_str("%25"),
            '/' => out.push_str("%2f"),
            '\\' => out.push_str("%5c"),
            _ => out.push(c),
        }
    }
    out
}

fn parse_vpx_path(path: &str) -> Result<Vec<String>, UriError> {
    let inner = path.strip_prefix('/').unwrap_or(path);
    let inner = inner.strip_suffix('/').unwrap_or(inner);
    if inner.is_empty() {
        return Ok(Vec::new());
    }
    inner
        .split('/')
        .map(|segment| {
            if segment.is_empty() {
                return Err(UriError::EmptyPathSegment { path: path.to_owned() });
            }
            let name = percent_decode(segment)
                .ok_or_else(|| UriError::BadPercentEncoding { part: "vpx:// path".to_owned() })?;
            Ok(escape_inventory_name(&name))
        })
        .collect()
}

fn apply_query(query: &str, uri: &mut ConnectionUri) -> Result<(), UriError> {
    let mut seen: Vec<&'static str> = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (raw_name, raw_value) = match pair.split_once('=') {
            Some((n, v)) => (n, Some(v)),
            None => (pair, None),
        };
        let name = percent_decode(raw_name)
            .ok_or_else(|| UriError::BadPercentEncoding { part: "name of a query parameter".to_owned() })?;
        let (key, expected): (&'static str, &'static str) = match name.to_ascii_lowercase().as_str() {
            "transport" => ("transport", "http or https"),
            "no_verify" => ("no_verify", "0 or 1"),
            "auto_answer" => ("auto_answer", "0 or 1"),
            "proxy" => ("proxy", "[type://]host[:port]"),
            "vcenter" => {
                return Err(UriError::UnsupportedParameter {
                    name: "vcenter",
                    reason: "it serves libvirt's migrations; connect with vpx://vcenter-host instead",
                });
            }
            _ => return Err(UriError::UnknownParameter { name }),
        };
        if seen.contains(&key) {
            return Err(UriError::DuplicateParameter { name: key });
        }
        seen.push(key);
        let raw_value = raw_value.ok_or(UriError::MissingValue { name: key, expected })?;
        let value = percent_decode(raw_value)
            .ok_or_else(|| UriError::BadPercentEncoding { part: format!("value of parameter `{key}`") })?;
        let invalid = |value: &str| UriError::InvalidParameterValue { name: key, value: value.to_owned(), expected };
        match key {
            "transport" => {
                uri.transport = if value.eq_ignore_ascii_case("https") {
                    Transport::Https
                } else if value.eq_ignore_ascii_case("http") {
                    Transport::Http
                } else {
                    return Err(invalid(&value));
                };
            }
            "no_verify" | "auto_answer" => {
                let flag = match value.as_str() {
                    "0" => false,
                    "1" => true,
                    _ => return Err(invalid(&value)),
                };
                if key == "no_verify" {
                    uri.no_verify = Some(flag);
                } else {
                    uri.auto_answer = Some(flag);
                }
            }
            _ => uri.proxy = Some(parse_proxy(&value)?),
        }
    }
    Ok(())
}

/// Parses libvirt's proxy form `[type://]host[:port]` (types `http`,
/// `socks` = `socks5`, `socks4`, `socks4a`, `socks5`; port 1080 by default).
pub fn parse_proxy(value: &str) -> Result<ProxySpec, UriError> {
    let invalid = |reason: &str| UriError::InvalidProxy { reason: reason.to_owned() };
    if value.is_empty() {
        return Err(invalid("the value is empty"));
    }
    if value.contains('@') {
        return Err(invalid("credentials in the proxy address are not supported"));
    }
    let (kind, rest) = match value.split_once("://") {
        Some((type_name, rest)) => {
            let Some(kind) = ProxyKind::from_type_name(type_name) else {
                return Err(UriError::InvalidProxy { reason: format!("unknown proxy type `{type_name}`") });
            };
            (kind, rest)
        }
        None => (ProxyKind::Http, value),
    };
    let rest = rest.strip_suffix('/').unwrap_or(rest);
    if rest.contains(['/', '?', '#']) {
        return Err(invalid("a proxy is host[:port], without a path"));
    }
    let (host, port) = parse_host_port(rest).map_err(|e| match e {
        HostPortError::Missing => invalid("no proxy host"),
        HostPortError::Invalid { host, reason } => {
            UriError::InvalidProxy { reason: format!("invalid host `{host}`: {reason}") }
        }
        HostPortError::NeedsBrackets => invalid("an IPv6 address must be in brackets, as in [::1]"),
        HostPortError::BadPort => invalid("the port must be a number from 1 to 65535"),
    })?;
    Ok(ProxySpec { kind, host, port: port.unwrap_or(ProxySpec::DEFAULT_PORT) })
}

/// `[v6]` for IPv6 addresses, the host unchanged otherwise.
fn bracket_host(host: &str) -> String {
    if host.contains(':') { format!("[{host}]") } else { host.to_owned() }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(input: &str) -> ConnectionUri {
        match parse_connection_uri(input) {
            Ok(u) => u,
            Err(e) => panic!("{input:?} should parse, got: {e}"),
        }
    }

    fn err(input: &str) -> UriError {
        match parse_connection_uri(input) {
            Ok(u) => panic!("{input:?} should fail, got {u:?}"),
            Err(e) => e,
        }
    }

    fn s(v: &str) -> Option<String> {
        Some(v.to_owned())
    }

    /// (input, transport, host, port, user, password, sdk_url)
    type SdkCase =
        (&'static str, Transport, &'static str, Option<u16>, Option<&'static str>, Option<&'static str>, &'static str);
    /// (input, inventory_path, datacenter_path, datacenter, compute_path)
    type VpxCase =
        (&'static str, &'static [&'static str], Option<&'static str>, Option<&'static str>, Option<&'static str>);
    type ErrorCase = (&'static str, fn(&UriError) -> bool);

    #[test]
    fn sdk_forms() {
        let table: &[SdkCase] = &[
            (
                "https://user:pass@127.0.0.1:33293/sdk",
                Transport::Https,
                "127.0.0.1",
                Some(33293),
                Some("user"),
                Some("pass"),
                "https://127.0.0.1:33293/sdk",
            ),
            (
                "https://vc.example.com/sdk",
                Transport::Https,
                "vc.example.com",
                None,
                None,
                None,
                "https://vc.example.com/sdk",
            ),
            (
                "https://vc.example.com",
                Transport::Https,
                "vc.example.com",
                None,
                None,
                None,
                "https://vc.example.com/sdk",
            ),
            (
                "https://vc.example.com/",
                Transport::Https,
                "vc.example.com",
                None,
                None,
                None,
                "https://vc.example.com/sdk",
            ),
            (
                "https://vc.example.com:443/sdk",
                Transport::Https,
                "vc.example.com",
                Some(443),
                None,
                None,
                "https://vc.example.com/sdk",
            ),
            ("http://root@esx1:8080", Transport::Http, "esx1", Some(8080), Some("root"), None, "http://esx1:8080/sdk"),
            ("http://esx1:80/sdk", Transport::Http, "esx1", Some(80), None, None, "http://esx1/sdk"),
            (
                "HTTPS://VC.Example.COM/sdk",
                Transport::Https,
                "vc.example.com",
                None,
                None,
                None,
                "https://vc.example.com/sdk",
            ),
            (
                "https://administrator%40vsphere.local:p%40ss%3Aw%2Fd@vc/sdk",
                Transport::Https,
                "vc",
                None,
                Some("administrator@vsphere.local"),
                Some("p@ss:w/d"),
                "https://vc/sdk",
            ),
            (
                // unencoded `@` in the password: the last `@` ends the userinfo
                "https://u:p@ss@vc/sdk",
                Transport::Https,
                "vc",
                None,
                Some("u"),
                Some("p@ss"),
                "https://vc/sdk",
            ),
            ("https://u+1:a+b@vc", Transport::Https, "vc", None, Some("u+1"), Some("a+b"), "https://vc/sdk"),
            ("https://user:@vc", Transport::Https, "vc", None, Some("user"), None, "https://vc/sdk"),
            ("https://@vc", Transport::Https, "vc", None, None, None, "https://vc/sdk"),
            ("https://[::1]:8989/sdk", Transport::Https, "::1", Some(8989), None, None, "https://[::1]:8989/sdk"),
            ("https://[2001:DB8::1]", Transport::Https, "2001:db8::1", None, None, None, "https://[2001:db8::1]/sdk"),
            (
                "https://bücher.example/sdk",
                Transport::Https,
                "xn--bcher-kva.example",
                None,
                None,
                None,
                "https://xn--bcher-kva.example/sdk",
            ),
            ("  https://vc/sdk\n", Transport::Https, "vc", None, None, None, "https://vc/sdk"),
            // bare forms
            ("vc.example.com", Transport::Https, "vc.example.com", None, None, None, "https://vc.example.com/sdk"),
            (
                "vc.example.com:8443",
                Transport::Https,
                "vc.example.com",
                Some(8443),
                None,
                None,
                "https://vc.example.com:8443/sdk",
            ),
            ("10.0.0.5", Transport::Https, "10.0.0.5", None, None, None, "https://10.0.0.5/sdk"),
            ("[::1]:8989", Transport::Https, "::1", Some(8989), None, None, "https://[::1]:8989/sdk"),
            ("[fe80::1]", Transport::Https, "fe80::1", None, None, None, "https://[fe80::1]/sdk"),
            (
                "user:pass@127.0.0.1:8989/sdk",
                Transport::Https,
                "127.0.0.1",
                Some(8989),
                Some("user"),
                Some("pass"),
                "https://127.0.0.1:8989/sdk",
            ),
            ("localhost:0443", Transport::Https, "localhost", Some(443), None, None, "https://localhost/sdk"),
        ];
        for (input, transport, host, port, user, password, sdk) in table {
            let u = ok(input);
            assert_eq!(u.kind, UriKind::Sdk, "{input}");
            assert_eq!(u.transport, *transport, "{input}");
            assert_eq!(u.host, *host, "{input}");
            assert_eq!(u.port, *port, "{input}");
            assert_eq!(u.user.as_deref(), *user, "{input}");
            assert_eq!(u.password.as_deref(), *password, "{input}");
            assert_eq!(u.sdk_url().as_str(), *sdk, "{input}");
            assert!(u.inventory_path.is_empty());
            assert_eq!(u.datacenter, None);
            assert_eq!(u.no_verify, None);
            assert_eq!(u.auto_answer, None);
            assert_eq!(u.proxy, None);
        }
    }

    #[test]
    fn sdk_url_has_no_userinfo() {
        let u = ok("https://user:secret@vc:9443/sdk");
        let url = u.sdk_url();
        assert_eq!(url.username(), "");
        assert_eq!(url.password(), None);
        assert!(!url.as_str().contains("secret"));
        assert_eq!(u.effective_port(), 9443);
        assert_eq!(ok("http://vc").effective_port(), 80);
        assert_eq!(ok("vc").effective_port(), 443);
    }

    #[test]
    fn esx_forms() {
        let u = ok("esx://example-esx.com");
        assert_eq!(u.kind, UriKind::Esx);
        assert_eq!(u.transport, Transport::Https);
        assert_eq!(u.sdk_url().as_str(), "https://example-esx.com/sdk");

        let u = ok("esx://example-esx.com/?transport=http");
        assert_eq!(u.transport, Transport::Http);
        assert_eq!(u.port, None);
        assert_eq!(u.sdk_url().as_str(), "http://example-esx.com/sdk");

        let u = ok("esx://root@example-esx.com:8080?transport=http");
        assert_eq!(u.user, s("root"));
        assert_eq!(u.sdk_url().as_str(), "http://example-esx.com:8080/sdk");

        let u = ok("esx://example-esx.com:80?transport=https");
        assert_eq!(u.sdk_url().as_str(), "https://example-esx.com:80/sdk");

        let u = ok("esx://example-esx.com/?no_verify=1");
        assert_eq!(u.no_verify, Some(true));

        let u = ok("ESX://[::1]:9443/?transport=HTTPS&auto_answer=0");
        assert_eq!(u.host, "::1");
        assert_eq!(u.auto_answer, Some(false));
        assert_eq!(u.sdk_url().as_str(), "https://[::1]:9443/sdk");

        assert!(u.inventory_path.is_empty());
        assert!(u.inventory_walk().is_none());
    }

    #[test]
    fn vpx_paths() {
        let table: &[VpxCase] = &[
            ("vpx://vc", &[], None, None, None),
            ("vpx://vc/", &[], None, None, None),
            ("vpx://vc/dc1", &["dc1"], Some("dc1"), Some("dc1"), None),
            ("vpx://vc/dc1/", &["dc1"], Some("dc1"), Some("dc1"), None),
            // Two elements or more: the URI alone cannot tell folders from
            // datacenters; the inventory walk decides.
            ("vpx://example-vcenter.com/dc1/srv1", &["dc1", "srv1"], None, None, None),
            (
                "vpx://example-vcenter.com/dc1/cluster1/example-esx.com",
                &["dc1", "cluster1", "example-esx.com"],
                None,
                None,
                None,
            ),
            (
                "vpx://example-vcenter.com/folder1/dc1/folder2/example-esx.com",
                &["folder1", "dc1", "folder2", "example-esx.com"],
                None,
                None,
                None,
            ),
            (
                "vpx://vc/f1/f2/dc1/f3/cluster1/esx1?no_verify=1",
                &["f1", "f2", "dc1", "f3", "cluster1", "esx1"],
                None,
                None,
                None,
            ),
            // names are percent-decoded, then escaped as vSphere escapes names
            ("vpx://vc/My%20DC", &["My DC"], Some("My DC"), Some("My DC"), None),
            ("vpx://vc/a%2Fb", &["a%2fb"], Some("a%2fb"), Some("a%2fb"), None),
            ("vpx://vc/50%25%5Cx", &["50%25%5cx"], Some("50%25%5cx"), Some("50%25%5cx"), None),
            (
                "vpx://vc/Rechenzentrum-München",
                &["Rechenzentrum-München"],
                Some("Rechenzentrum-München"),
                Some("Rechenzentrum-München"),
                None,
            ),
        ];
        for (input, path, dc_path, dc, compute) in table {
            let u = ok(input);
            assert_eq!(u.kind, UriKind::Vcenter, "{input}");
            assert_eq!(u.inventory_path, path.to_vec(), "{input}");
            assert_eq!(u.datacenter_path.as_deref(), *dc_path, "{input}");
            assert_eq!(u.datacenter.as_deref(), *dc, "{input}");
            assert_eq!(u.compute_path.as_deref(), *compute, "{input}");
            assert_eq!(u.inventory_walk().is_some(), path.len() >= 2, "{input}");
        }
    }

    #[test]
    fn vpx_full_form() {
        let u = ok("vpx://administrator%40vsphere.local@vc.example.com:8443/folder1/dc1/cluster1/esx1\
             ?transport=https&no_verify=1&auto_answer=1&proxy=socks://example-proxy.com:23456");
        assert_eq!(u.kind, UriKind::Vcenter);
        assert_eq!(u.user, s("administrator@vsphere.local"));
        assert_eq!(u.password, None);
        assert_eq!(u.host, "vc.example.com");
        assert_eq!(u.port, Some(8443));
        assert_eq!(u.no_verify, Some(true));
        assert_eq!(u.auto_answer, Some(true));
        assert_eq!(u.proxy, Some(ProxySpec { kind: ProxyKind::Socks5, host: "example-proxy.com".into(), port: 23456 }));
        assert_eq!(u.sdk_url().as_str(), "https://vc.example.com:8443/sdk");
        assert_eq!(u.inventory_path, ["folder1", "dc1", "cluster1", "esx1"]);
    }

    #[test]
    fn parameters() {
        // (query, transport, no_verify, auto_answer)
        let table: &[(&str, Transport, Option<bool>, Option<bool>)] = &[
            ("", Transport::Https, None, None),
            ("?", Transport::Https, None, None),
            ("?transport=http", Transport::Http, None, None),
            ("?transport=https", Transport::Https, None, None),
            ("?transport=HTTP", Transport::Http, None, None),
            ("?no_verify=0", Transport::Https, Some(false), None),
            ("?no_verify=1", Transport::Https, Some(true), None),
            ("?auto_answer=0", Transport::Https, None, Some(false)),
            ("?auto_answer=1", Transport::Https, None, Some(true)),
            ("?NO_VERIFY=1&Auto_Answer=1", Transport::Https, Some(true), Some(true)),
            ("?no_verify=1&&auto_answer=0&", Transport::Https, Some(true), Some(false)),
            ("?%6Eo_verify=%31", Transport::Https, Some(true), None),
            ("?transport=http&no_verify=1&auto_answer=1", Transport::Http, Some(true), Some(true)),
        ];
        for base in ["esx://h", "esx://h/", "vpx://h/dc1"] {
            for (query, transport, no_verify, auto_answer) in table {
                let input = format!("{base}{query}");
                let u = ok(&input);
                assert_eq!(u.transport, *transport, "{input}");
                assert_eq!(u.no_verify, *no_verify, "{input}");
                assert_eq!(u.auto_answer, *auto_answer, "{input}");
            }
        }
    }

    #[test]
    fn proxy_forms() {
        let table: &[(&str, ProxyKind, &str, u16, &str)] = &[
            ("socks://h", ProxyKind::Socks5, "h", 1080, "socks5://h:1080"),
            ("http://h:3128", ProxyKind::Http, "h", 3128, "http://h:3128"),
            ("h", ProxyKind::Http, "h", 1080, "http://h:1080"),
            ("h:8080", ProxyKind::Http, "h", 8080, "http://h:8080"),
            ("socks4://h", ProxyKind::Socks4, "h", 1080, "socks4://h:1080"),
            ("socks4a://h:1", ProxyKind::Socks4a, "h", 1, "socks4a://h:1"),
            ("socks5://h", ProxyKind::Socks5, "h", 1080, "socks5://h:1080"),
            ("SOCKS5://Proxy.Example", ProxyKind::Socks5, "proxy.example", 1080, "socks5://proxy.example:1080"),
            ("http://h/", ProxyKind::Http, "h", 1080, "http://h:1080"),
            ("[::1]:3128", ProxyKind::Http, "::1", 3128, "http://[::1]:3128"),
            ("socks://10.1.2.3", ProxyKind::Socks5, "10.1.2.3", 1080, "socks5://10.1.2.3:1080"),
            ("socks%3A%2F%2Fh%3A99", ProxyKind::Socks5, "h", 99, "socks5://h:99"),
        ];
        for (value, kind, host, port, display) in table {
            let input = format!("esx://esx1/?proxy={value}");
            let u = ok(&input);
            let proxy = u.proxy.expect("proxy");
            assert_eq!(proxy.kind, *kind, "{value}");
            assert_eq!(proxy.host, *host, "{value}");
            assert_eq!(proxy.port, *port, "{value}");
            assert_eq!(proxy.to_string(), *display, "{value}");
        }
    }

    #[test]
    fn errors() {
        use UriError as E;
        let table: &[ErrorCase] = &[
            ("", |e| *e == E::Empty),
            ("   ", |e| *e == E::Empty),
            ("gsx://example-gsx.com", |e| *e == E::GsxNotSupported),
            ("ftp://h", |e| matches!(e, E::UnsupportedScheme { scheme } if scheme == "ftp")),
            ("esx+ssh://h/", |e| matches!(e, E::UnsupportedScheme { scheme } if scheme == "esx+ssh")),
            ("://h", |e| *e == E::InvalidScheme),
            ("1x://h", |e| *e == E::InvalidScheme),
            ("https:/vc/sdk", |e| matches!(e, E::MissingSlashes { scheme } if scheme == "https")),
            ("vpx:vc", |e| matches!(e, E::MissingSlashes { .. })),
            ("https://", |e| *e == E::MissingHost),
            ("vpx://", |e| *e == E::MissingHost),
            ("esx://user@/", |e| *e == E::MissingHost),
            ("https://:443/sdk", |e| *e == E::MissingHost),
            ("/sdk", |e| *e == E::MissingHost),
            ("https://exa mple/sdk", |e| matches!(e, E::InvalidHost { .. })),
            ("https://999.1.1.1/sdk", |e| matches!(e, E::InvalidHost { .. })),
            ("https://[::1/sdk", |e| matches!(e, E::InvalidHost { .. })),
            ("https://[zz::1]/sdk", |e| matches!(e, E::InvalidHost { .. })),
            ("https://[::1]x/sdk", |e| matches!(e, E::InvalidHost { .. })),
            ("https://[fe80::1%25eth0]/sdk", |e| matches!(e, E::InvalidHost { .. })),
            ("::1", |e| *e == E::Ipv6NeedsBrackets),
            ("https://::1/sdk", |e| *e == E::Ipv6NeedsBrackets),
            ("https://vc:0/sdk", |e| *e == E::InvalidPort),
            ("https://vc:65536/sdk", |e| *e == E::InvalidPort),
            ("https://vc:99999999999999999999999/sdk", |e| *e == E::InvalidPort),
            ("https://vc:/sdk", |e| *e == E::InvalidPort),
            ("https://vc:-1/sdk", |e| *e == E::InvalidPort),
            ("https://vc:ab/sdk", |e| *e == E::InvalidPort),
            ("https://[::1]:/sdk", |e| *e == E::InvalidPort),
            ("https://u%zz:p@vc", |e| matches!(e, E::BadPercentEncoding { part } if part == "user name")),
            ("https://u:p%zz@vc", |e| matches!(e, E::BadPercentEncoding { part } if part == "password")),
            ("https://u:p%ff@vc", |e| matches!(e, E::BadPercentEncoding { part } if part == "password")),
            ("https://u:p%2@vc", |e| matches!(e, E::BadPercentEncoding { .. })),
            ("vpx://vc/dc%zz", |e| matches!(e, E::BadPercentEncoding { .. })),
            ("esx://h/?proxy=%zz", |e| matches!(e, E::BadPercentEncoding { .. })),
            ("esx://h/?%zz=1", |e| matches!(e, E::BadPercentEncoding { .. })),
            ("https://u:pa/ss@vc/sdk", |e| *e == E::AtAfterHost),
            ("https://u:pa?ss@vc/sdk", |e| *e == E::AtAfterHost),
            ("https://u:pa#ss@vc/sdk", |e| *e == E::AtAfterHost),
            ("https://vc/sdk#frag", |e| *e == E::Fragment),
            ("esx://h/#", |e| *e == E::Fragment),
            ("https://vc/other", |e| matches!(e, E::InvalidPath { path, .. } if path == "/other")),
            ("https://vc/sdk/", |e| matches!(e, E::InvalidPath { .. })),
            ("https://vc//sdk", |e| matches!(e, E::InvalidPath { .. })),
            ("vc/x", |e| matches!(e, E::InvalidPath { .. })),
            ("esx://h/dc1", |e| matches!(e, E::InvalidPath { .. })),
            ("vpx://vc/dc1//host", |e| matches!(e, E::EmptyPathSegment { .. })),
            ("vpx://vc//dc1", |e| matches!(e, E::EmptyPathSegment { .. })),
            ("https://vc/sdk?no_verify=1", |e| *e == E::QueryNotAllowed),
            ("vc?x", |e| *e == E::QueryNotAllowed),
            ("esx://h/?foo=1", |e| matches!(e, E::UnknownParameter { name } if name == "foo")),
            ("esx://h/?no-verify=1", |e| matches!(e, E::UnknownParameter { .. })),
            ("esx://h/?vcenter=*", |e| matches!(e, E::UnsupportedParameter { name: "vcenter", .. })),
            ("esx://h/?no_verify=1&no_verify=0", |e| *e == E::DuplicateParameter { name: "no_verify" }),
            ("esx://h/?transport", |e| matches!(e, E::MissingValue { name: "transport", .. })),
            (
                "esx://h/?transport=ftp",
                |e| matches!(e, E::InvalidParameterValue { name: "transport", value, .. } if value == "ftp"),
            ),
            ("esx://h/?transport=", |e| matches!(e, E::InvalidParameterValue { name: "transport", .. })),
            ("esx://h/?no_verify=true", |e| matches!(e, E::InvalidParameterValue { name: "no_verify", .. })),
            ("esx://h/?no_verify=2", |e| matches!(e, E::InvalidParameterValue { name: "no_verify", .. })),
            ("esx://h/?auto_answer=yes", |e| matches!(e, E::InvalidParameterValue { name: "auto_answer", .. })),
            ("esx://h/?proxy=", |e| matches!(e, E::InvalidProxy { .. })),
            ("esx://h/?proxy=ftp://h", |e| matches!(e, E::InvalidProxy { reason } if reason.contains("`ftp`"))),
            ("esx://h/?proxy=h:0", |e| matches!(e, E::InvalidProxy { .. })),
            ("esx://h/?proxy=h:1x", |e| matches!(e, E::InvalidProxy { .. })),
            ("esx://h/?proxy=socks://", |e| matches!(e, E::InvalidProxy { .. })),
            ("esx://h/?proxy=http://h/path", |e| matches!(e, E::InvalidProxy { .. })),
            ("esx://h/?proxy=::1", |e| matches!(e, E::InvalidProxy { .. })),
            ("esx://h/?proxy=bad%20host", |e| matches!(e, E::InvalidProxy { .. })),
            ("esx://h/?proxy=u%3Ap%40h", |e| matches!(e, E::InvalidProxy { .. })),
        ];
        for (input, check) in table {
            let e = err(input);
            assert!(check(&e), "{input:?}: unexpected error {e:?}");
            assert!(!e.to_string().is_empty());
        }
    }

    #[test]
    fn error_messages_are_helpful() {
        let msg = err("ftp://h").to_string();
        assert!(msg.contains("vpx://") && msg.contains("esx://") && msg.contains("https://"), "{msg}");
        let msg = err("gsx://h").to_string();
        assert!(msg.contains("not supported"), "{msg}");
        let msg = err("esx://h/?bogus=1").to_string();
        assert!(msg.contains("`bogus`") && msg.contains("no_verify"), "{msg}");
        let msg = err("esx://h/?no_verify=yes").to_string();
        assert!(msg.contains("no_verify") && msg.contains("yes") && msg.contains("0 or 1"), "{msg}");
        let msg = err("https://vc/api").to_string();
        assert!(msg.contains("/api") && msg.contains("/sdk"), "{msg}");
    }

    #[test]
    fn errors_never_show_the_password() {
        let pw = "Pw-s3cr3t";
        let inputs = [
            format!("https://u:{pw}/x@vc/sdk"),
            format!("https://u:{pw}?@vc/sdk"),
            format!("https://u:{pw}#@vc/sdk"),
            format!("u:{pw}"),
            format!("u:{pw}/sdk"),
            format!("https://u:{pw}"),
            format!("https://u:{pw}%zz@vc/sdk"),
            format!("https://u:{pw}@vc/bad"),
            format!("https://u:{pw}@vc/sdk?x=1"),
            format!("https://u:{pw}@vc:0/sdk"),
            format!("https://u:{pw}@/sdk"),
            format!("https://u:{pw}@bad host/sdk"),
            format!("esx://u:{pw}@h/?bogus=1"),
            format!("vpx://u:{pw}@vc/dc//x"),
            format!("u:{pw}://vc"),
            format!("https://u:{pw}@[::1/sdk"),
            format!("https://u:{pw}@::1/sdk"),
            format!("esx://u:{pw}@h/?proxy=u:{pw}@p"),
            format!("esx://u:{pw}@h/?proxy=u%3A{pw}%40p"),
        ];
        for input in &inputs {
            if let Err(e) = parse_connection_uri(input) {
                let text = format!("{e} {e:?}");
                assert!(!text.contains(pw), "{input:?} leaked: {text}");
            }
        }
        let u = ok(&format!("https://u:{pw}@vc/sdk"));
        assert!(!format!("{u:?}").contains(pw));
        assert!(format!("{u:?}").contains("<redacted>"));
    }

    #[test]
    fn never_panics() {
        let odd = [
            "",
            " ",
            "\0",
            "\u{feff}",
            "://",
            ":",
            "::",
            ":::",
            "@",
            "@@",
            "[",
            "]",
            "[]",
            "[:]",
            "[::]",
            "[::]:",
            "?",
            "#",
            "/",
            "//",
            "///",
            "%",
            "%%",
            "%zz",
            "%0",
            "%00",
            "%C3",
            "vpx://",
            "vpx:///",
            "vpx://@",
            "vpx://:",
            "vpx://[",
            "vpx://h/%",
            "esx://h?",
            "esx://h?&&&",
            "esx://h?=",
            "esx://h?=1",
            "esx://h?proxy",
            "esx://h?proxy=[",
            "esx://h?proxy=[::1",
            "esx://h?proxy=://",
            "esx://h?proxy=socks://[::1]:",
            "https://h:65535",
            "https://h:65536",
            "https://h:4294967296",
            "https://h:18446744073709551616",
            "https://h:000000000000000000001",
            "https://üñí©ødé",
            "https://例え.テスト/sdk",
            "vpx://例え/データセンター/ホスト",
            "https://xn--/sdk",
            "https://-/sdk",
            "https://a..b/sdk",
            "https://./sdk",
            "https://[::ffff:1.2.3.4]/sdk",
            "https://0x7f.1/sdk",
            "https://1.2.3.4.5/sdk",
            "h\u{202e}x",
            "https://h\u{0}/sdk",
            "https://h\t/sdk",
            "🦀",
            "🦀:🦀@🦀:🦀/🦀?🦀#🦀",
            "vpx://h/a/b/c/d/e/f/g/h/i/j/k",
            "esx://h/?transport=http&transport=http",
            "HTTP://H",
            "Vpx://H/Dc",
            "gSx://h",
            "esx+tls://h",
            "a://b",
            "a:b",
            "a:b:c",
            "u:p@",
            "u:p@:1",
            "https://u:p@[::1]:1/sdk",
            "https://%40@h",
            "https://h%2F/sdk",
            "https://h%zz/sdk",
            "esx://h/?no_verify=%FF",
        ];
        for input in odd {
            check_no_panic(input);
        }
        // long inputs
        check_no_panic(&"a".repeat(100_000));
        check_no_panic(&format!("https://{}/sdk", "a.".repeat(5_000)));
        check_no_panic(&format!("vpx://h/{}", "x/".repeat(5_000)));
        check_no_panic(&format!("https://h:{}/sdk", "9".repeat(1_000)));

        // a small deterministic fuzz over an alphabet of troublesome pieces
        let pieces = [
            "https://",
            "vpx://",
            "esx://",
            "gsx://",
            "http://",
            "://",
            "u",
            ":",
            "@",
            "p",
            "[",
            "]",
            "::1",
            "h",
            ".",
            "/",
            "sdk",
            "?",
            "&",
            "=",
            "#",
            "%",
            "%2",
            "%zz",
            "%41",
            "transport",
            "http",
            "no_verify",
            "1",
            "proxy",
            "socks://",
            "65536",
            "0",
            "ü",
            " ",
            "dc1",
            "\\",
        ];
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        for _ in 0..20_000 {
            let mut input = String::new();
            state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            let len = (state >> 60) as usize + 1;
            for _ in 0..len {
                state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                input.push_str(pieces[(state >> 33) as usize % pieces.len()]);
            }
            check_no_panic(&input);
        }
    }

    fn check_no_panic(input: &str) {
        if let Ok(u) = parse_connection_uri(input) {
            // every accepted URI yields a valid SDK URL that parses back
            let url = u.sdk_url();
            let again = ok(url.as_str());
            assert_eq!(again.host, u.host, "{input:?}");
            assert_eq!(again.transport, u.transport, "{input:?}");
            assert_eq!(again.effective_port(), u.effective_port(), "{input:?}");
            let _ = u.inventory_walk();
        }
    }
}
