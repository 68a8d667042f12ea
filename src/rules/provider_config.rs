//! The provider's connection settings: attributes, the URL, the environment.
//!
//! For every setting the first of these that gives a value wins:
//!
//! 1. the provider attribute;
//! 2. what the chosen URL carries: its userinfo (user, password), `no_verify`
//!    (insecure), `auto_answer`, its `vpx://` datacenter path;
//! 3. `VI_USER`, `VI_PASSWORD`, `VI_INSECURE`, `VI_DATACENTER`;
//! 4. govc's `GOVC_USERNAME`, `GOVC_PASSWORD`, `GOVC_INSECURE`, `GOVC_DATACENTER`;
//! 5. LinuxKit's `VCDATACENTER`.
//!
//! The default datastore name (for `vi_datastore` without a `name`) has no
//! attribute: it is `VI_DATASTORE`, else `GOVC_DATASTORE`, else LinuxKit's
//! `VCDATASTORE`.
//!
//! The URL itself is the `url` attribute, else `VI_URL`, else `GOVC_URL`,
//! else `VCURL`; a URL taken from the environment is "the chosen URL" all
//! the same, so credentials written into `VCURL` are used unless the
//! attributes give others. Empty strings count as unset.

use std::fmt;
use std::time::Duration;

use url::Url;

use super::connection_uri::{ConnectionUri, ProxySpec, UriKind, parse_connection_uri, parse_proxy};
use super::tls_trust::{CaSource, Thumbprint, ca_source, parse_thumbprint};

/// The default for `api_timeout`.
pub const DEFAULT_API_TIMEOUT: Duration = Duration::from_secs(5 * 60);

/// The provider's attributes as configured (`None`: not set).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct ConfigInput {
    pub url: Option<String>,
    pub user: Option<String>,
    pub password: Option<String>,
    pub insecure: Option<bool>,
    pub datacenter: Option<String>,
    pub api_timeout: Option<String>,
    pub auto_answer: Option<bool>,
    pub proxy: Option<String>,
    pub ca_file: Option<String>,
    pub thumbprint: Option<String>,
    pub persist_session: Option<bool>,
    pub session_path: Option<String>,
}

impl fmt::Debug for ConfigInput {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ConfigInput")
            .field("url", &self.url.as_ref().map(|_| "<redacted: may hold a password>"))
            .field("user", &self.user)
            .field("password", &self.password.as_ref().map(|_| "<redacted>"))
            .field("insecure", &self.insecure)
            .field("datacenter", &self.datacenter)
            .field("api_timeout", &self.api_timeout)
            .field("auto_answer", &self.auto_answer)
            .field("ca_file", &self.ca_file)
            .field("thumbprint", &self.thumbprint)
            .field("persist_session", &self.persist_session)
            .field("session_path", &self.session_path)
            .finish()
    }
}

/// The settings to connect with.
#[derive(Clone, PartialEq, Eq)]
pub struct ResolvedConfig {
    /// `https://host[:port]/sdk` (or `http://`), without userinfo.
    pub sdk_url: Url,
    /// Which form the URL had (`vpx://`, `esx://` or https/http/bare).
    pub kind: UriKind,
    pub user: String,
    pub password: String,
    pub insecure: bool,
    /// The datacenter's name.
    pub datacenter: Option<String>,
    /// Folders and datacenter as an inventory path (`folder1/dc1`), when
    /// known: from a `vpx://` path, or a `datacenter` value written as a path.
    pub datacenter_path: Option<String>,
    /// From a `vpx://` path: the part after the datacenter.
    pub compute_path: Option<String>,
    /// The default datastore's name, from the environment.
    pub datastore: Option<String>,
    /// Non-empty when the `vpx://` path must still be split against the
    /// inventory (see [`super::vpx_path::InventoryWalk`]); the datacenter and
    /// compute resource then come from that walk.
    pub inventory_path: Vec<String>,
    pub api_timeout: Duration,
    pub auto_answer: bool,
    pub proxy: Option<ProxySpec>,
    /// Where the URL came from: `"url"`, `"VI_URL"`, `"GOVC_URL"` or `"VCURL"`.
    pub url_source: &'static str,
    /// CA certificates to trust instead of the system's (`ca_file`,
    /// `VI_CA_FILE`, `GOVC_TLS_CA_CERTS`), and where that came from.
    pub ca: Option<(CaSource, &'static str)>,
    /// The server certificate's thumbprint, when pinned (`thumbprint`,
    /// `VI_TLS_THUMBPRINT`).
    pub thumbprint: Option<Thumbprint>,
    /// govc known_hosts files to look the server's thumbprint up in
    /// (`GOVC_TLS_KNOWN_HOSTS`), when no thumbprint is given.
    pub known_hosts: Vec<String>,
    /// Keep the session in a file for the next provider process
    /// (`persist_session`, `VI_PERSIST_SESSION`).
    pub persist_session: bool,
    /// The folder of session files (`session_path`, `VI_SESSION_PATH`, else
    /// `~/.cache/terraform-provider-vi/sessions`); set when persisting.
    pub session_path: Option<String>,
    /// Settings that work but deserve a word (`http://` sends the password
    /// in clear).
    pub warnings: Vec<ConfigError>,
}

impl fmt::Debug for ResolvedConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResolvedConfig")
            .field("sdk_url", &self.sdk_url.as_str())
            .field("kind", &self.kind)
            .field("user", &self.user)
            .field("password", &"<redacted>")
            .field("insecure", &self.insecure)
            .field("datacenter", &self.datacenter)
            .field("datacenter_path", &self.datacenter_path)
            .field("compute_path", &self.compute_path)
            .field("datastore", &self.datastore)
            .field("inventory_path", &self.inventory_path)
            .field("api_timeout", &self.api_timeout)
            .field("auto_answer", &self.auto_answer)
            .field("proxy", &self.proxy)
            .field("url_source", &self.url_source)
            .field("ca", &self.ca)
            .field("thumbprint", &self.thumbprint)
            .field("known_hosts", &self.known_hosts)
            .field("persist_session", &self.persist_session)
            .field("session_path", &self.session_path)
            .field("warnings", &self.warnings)
            .finish()
    }
}

/// A problem with one provider attribute (or the environment standing in
/// for it). Messages never contain a password.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct ConfigError {
    /// The provider attribute concerned: `"url"`, `"user"`, `"password"`,
    /// `"insecure"`, `"datacenter"` or `"api_timeout"`.
    pub attribute: &'static str,
    pub message: String,
}

impl ConfigError {
    pub fn new(attribute: &'static str, message: impl Into<String>) -> Self {
        ConfigError { attribute, message: message.into() }
    }
}

/// Why a duration string was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DurationError {
    #[error("empty duration")]
    Empty,
    #[error("expected whole numbers with units ms, s, m or h, like 90s, 5m or 1h30m")]
    Malformed,
    #[error("unknown unit `{0}`; the units are ms, s, m and h")]
    UnknownUnit(String),
    #[error("too long")]
    Overflow,
    #[error("must be greater than zero")]
    Zero,
}

/// Parses `90s`, `5m`, `1h30m`, `1500ms`: whole numbers, each followed by a
/// unit (`ms`, `s`, `m`, `h`); the total must be greater than zero.
pub fn parse_duration(input: &str) -> Result<Duration, DurationError> {
    let text = input.trim();
    if text.is_empty() {
        return Err(DurationError::Empty);
    }
    let mut total_ms: u64 = 0;
    let mut rest = text;
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !c.is_ascii_digit()).unwrap_or(rest.len());
        if digits == 0 {
            return Err(DurationError::Malformed);
        }
        let (number, after) = rest.split_at(digits);
        let unit_len = after.find(|c: char| c.is_ascii_digit()).unwrap_or(after.len());
        let (unit, after) = after.split_at(unit_len);
        let per_unit: u64 = match unit {
            "ms" => 1,
            "s" => 1_000,
            "m" => 60_000,
            "h" => 3_600_000,
            "" => return Err(DurationError::Malformed),
            other => return Err(DurationError::UnknownUnit(other.to_owned())),
        };
        let n: u64 = number.parse().map_err(|_| DurationError::Overflow)?;
        total_ms = n.checked_mul(per_unit).and_then(|ms| total_ms.checked_add(ms)).ok_or(DurationError::Overflow)?;
        rest = after;
    }
    if total_ms == 0 {
        return Err(DurationError::Zero);
    }
    Ok(Duration::from_millis(total_ms))
}

/// `1/0`, `true/false`, `yes/no`, any case.
pub fn parse_bool(value: &str) -> Option<bool> {
    match value.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" => Some(true),
        "0" | "false" | "no" => Some(false),
        _ => None,
    }
}

const URL_VARS: [&str; 3] = ["VI_URL", "GOVC_URL", "VCURL"];
const USER_VARS: [&str; 2] = ["VI_USER", "GOVC_USERNAME"];
const PASSWORD_VARS: [&str; 2] = ["VI_PASSWORD", "GOVC_PASSWORD"];
const INSECURE_VARS: [&str; 2] = ["VI_INSECURE", "GOVC_INSECURE"];
const DATACENTER_VARS: [&str; 3] = ["VI_DATACENTER", "GOVC_DATACENTER", "VCDATACENTER"];
const DATASTORE_VARS: [&str; 3] = ["VI_DATASTORE", "GOVC_DATASTORE", "VCDATASTORE"];

/// Resolves the connection settings from the attributes, the URL and the
/// environment (`env` looks a variable up; tests pass a map). Returns every
/// problem found, each tied to an attribute.
pub fn resolve(input: &ConfigInput, env: &dyn Fn(&str) -> Option<String>) -> Result<ResolvedConfig, Vec<ConfigError>> {
    let var = |name: &str| env(name).filter(|v| !v.is_empty());
    let attr = |v: &Option<String>| v.clone().filter(|v| !v.is_empty());
    let mut errors = Vec::new();

    // The URL.
    let chosen = attr(&input.url).map(|u| ("url", u)).or_else(|| URL_VARS.iter().find_map(|n| var(n).map(|v| (*n, v))));
    let mut url_unusable = false;
    let uri = match chosen {
        None => {
            errors.push(ConfigError::new("url", "no vSphere URL: set `url`, or VI_URL, GOVC_URL or VCURL"));
            None
        }
        Some((source, text)) => match parse_connection_uri(&text) {
            Ok(uri) => Some((source, uri)),
            Err(e) => {
                url_unusable = true;
                errors.push(ConfigError::new("url", format!("invalid {}: {e}", describe(source))));
                None
            }
        },
    };
    let from_url = |what: &str| match &uri {
        Some((source, _)) => format!("the URL (from {}) carries no {what}", describe(source)),
        None => "no URL".to_owned(),
    };

    // Credentials.
    let uri_ref = uri.as_ref().map(|(_, u)| u);
    let user = attr(&input.user)
        .or_else(|| uri_ref.and_then(|u| u.user.clone()))
        .or_else(|| USER_VARS.iter().find_map(|n| var(n)));
    if user.is_none() && !url_unusable {
        errors.push(ConfigError::new(
            "user",
            format!(
                "no user name: `user` is not set, {}, and VI_USER and GOVC_USERNAME are unset",
                from_url("user name"),
            ),
        ));
    }
    let password = attr(&input.password)
        .or_else(|| uri_ref.and_then(|u| u.password.clone()))
        .or_else(|| PASSWORD_VARS.iter().find_map(|n| var(n)));
    if password.is_none() && !url_unusable {
        errors.push(ConfigError::new(
            "password",
            format!(
                "no password: `password` is not set, {}, and VI_PASSWORD and GOVC_PASSWORD are unset",
                from_url("password"),
            ),
        ));
    }

    // insecure
    let insecure = match input.insecure.or(uri_ref.and_then(|u| u.no_verify)) {
        Some(b) => b,
        None => env_bool(&var, &INSECURE_VARS, "insecure").unwrap_or_else(|e| {
            errors.push(e);
            false
        }),
    };

    // api_timeout
    let api_timeout = match attr(&input.api_timeout) {
        None => DEFAULT_API_TIMEOUT,
        Some(text) => parse_duration(&text).unwrap_or_else(|e| {
            errors.push(ConfigError::new("api_timeout", format!("invalid `api_timeout` {text:?}: {e}")));
            DEFAULT_API_TIMEOUT
        }),
    };

    let auto_answer = input.auto_answer.or(uri_ref.and_then(|u| u.auto_answer)).unwrap_or(false);

    // proxy: the attribute, then the URL's `proxy=`, then VI_PROXY.
    let proxy = match attr(&input.proxy).map(|p| ("proxy", p)).or_else(|| var("VI_PROXY").map(|p| ("VI_PROXY", p))) {
        Some((source, text)) if source == "proxy" || uri_ref.and_then(|u| u.proxy.as_ref()).is_none() => {
            match parse_proxy(&text) {
                Ok(p) => Some(p),
                Err(e) => {
                    errors.push(ConfigError::new("proxy", format!("invalid {}: {e}", describe(source))));
                    None
                }
            }
        }
        _ => uri_ref.and_then(|u| u.proxy.clone()),
    };

    // Datacenter.
    let place = match uri_ref {
        Some(u) if !u.inventory_path.is_empty() => match url_place(u, attr(&input.datacenter).as_deref()) {
            Ok(place) => place,
            Err(message) => {
                errors.push(ConfigError::new("datacenter", message));
                Place::default()
            }
        },
        _ => {
            let value = attr(&input.datacenter).or_else(|| DATACENTER_VARS.iter().find_map(|n| var(n)));
            match value.as_deref().map(named_datacenter) {
                None => Place::default(),
                Some(Ok(place)) => place,
                Some(Err(message)) => {
                    errors.push(ConfigError::new("datacenter", message));
                    Place::default()
                }
            }
        }
    };

    // TLS trust: a pinned thumbprint, else known_hosts, and CA bundles.
    let thumbprint = match attr(&input.thumbprint)
        .map(|t| ("thumbprint", t))
        .or_else(|| var("VI_TLS_THUMBPRINT").map(|t| ("VI_TLS_THUMBPRINT", t)))
    {
        None => None,
        Some((source, text)) => match parse_thumbprint(&text) {
            Ok(t) => Some(t),
            Err(e) => {
                errors.push(ConfigError::new("thumbprint", format!("invalid {}: {e}", describe(source))));
                None
            }
        },
    };
    let known_hosts = match (&thumbprint, var("GOVC_TLS_KNOWN_HOSTS")) {
        (None, Some(list)) => list.split(':').map(str::trim).filter(|p| !p.is_empty()).map(str::to_owned).collect(),
        _ => Vec::new(),
    };
    let ca = attr(&input.ca_file)
        .map(|t| (ca_source(&t, false), "ca_file"))
        .or_else(|| var("VI_CA_FILE").map(|t| (ca_source(&t, false), "VI_CA_FILE")))
        .or_else(|| var("GOVC_TLS_CA_CERTS").map(|t| (ca_source(&t, true), "GOVC_TLS_CA_CERTS")));

    // Session cache.
    let persist_session = match input.persist_session {
        Some(b) => b,
        None => env_bool(&var, &["VI_PERSIST_SESSION"], "persist_session").unwrap_or_else(|e| {
            errors.push(e);
            false
        }),
    };
    let session_path = if persist_session {
        let dir = attr(&input.session_path).or_else(|| var("VI_SESSION_PATH")).or_else(|| {
            var("HOME").map(|h| format!("{}/.cache/terraform-provider-vi/sessions", h.trim_end_matches('/')))
        });
        if dir.is_none() {
            errors.push(ConfigError::new(
                "session_path",
                "`persist_session` is on but there is nowhere to keep sessions: set `session_path` or VI_SESSION_PATH (HOME is unset)",
            ));
        }
        dir
    } else {
        None
    };

    match (uri, user, password) {
        (Some((url_source, uri)), Some(user), Some(password)) if errors.is_empty() => Ok(ResolvedConfig {
            warnings: warnings(&uri, url_source, insecure, ca.is_some(), thumbprint.is_some()),
            sdk_url: uri.sdk_url(),
            kind: uri.kind,
            user,
            password,
            insecure,
            datacenter: place.datacenter,
            datacenter_path: place.datacenter_path,
            compute_path: place.compute_path,
            datastore: DATASTORE_VARS.iter().find_map(|n| var(n)),
            inventory_path: place.inventory_path,
            api_timeout,
            auto_answer,
            proxy,
            url_source,
            ca,
            thumbprint,
            known_hosts,
            persist_session,
            session_path,
        }),
        _ => Err(errors),
    }
}

/// What works but should be said: a password in clear over `http://`, and
/// trust settings that `insecure` makes moot.
fn warnings(
    uri: &ConnectionUri,
    url_source: &str,
    insecure: bool,
    has_ca: bool,
    has_thumbprint: bool,
) -> Vec<ConfigError> {
    let mut w = Vec::new();
    if uri.sdk_url().scheme() == "http" {
        w.push(ConfigError::new(
            "url",
            format!(
                "{} uses plain HTTP: the password and the session cookie travel in clear text, readable by                  anyone on the network path. Use https:// (or transport=https).",
                describe(url_source)
            ),
        ));
    }
    if insecure && has_ca && !has_thumbprint {
        w.push(ConfigError::new(
            "insecure",
            "`insecure` turns certificate verification off, so the CA bundle (`ca_file`) is not used;              drop `insecure` to verify against it",
        ));
    }
    w
}

fn describe(source: &str) -> String {
    match source {
        "url" | "proxy" | "thumbprint" | "ca_file" => format!("`{source}`"),
        _ => format!("environment variable {source}"),
    }
}

/// The first of `names` that is set, as a boolean.
fn env_bool(
    var: &dyn Fn(&str) -> Option<String>,
    names: &[&'static str],
    attribute: &'static str,
) -> Result<bool, ConfigError> {
    for name in names {
        if let Some(value) = var(name) {
            return parse_bool(&value).ok_or_else(|| {
                ConfigError::new(
                    attribute,
                    format!(
                        "environment variable {name} is {value:?}, not a boolean: \
                         use 1 or 0, true or false, yes or no"
                    ),
                )
            });
        }
    }
    Ok(false)
}

#[derive(Default)]
struct Place {
    datacenter: Option<String>,
    datacenter_path: Option<String>,
    compute_path: Option<String>,
    inventory_path: Vec<String>,
}

/// A `datacenter` attribute or variable: a name, or an inventory path.
fn named_datacenter(value: &str) -> Result<Place, String> {
    let segments = path_elements(value);
    match segments.as_slice() {
        [] => Err(format!("datacenter {value:?} names no datacenter")),
        [name] => Ok(Place { datacenter: Some((*name).to_owned()), ..Place::default() }),
        [.., name] => Ok(Place {
            datacenter: Some((*name).to_owned()),
            datacenter_path: Some(segments.join("/")),
            ..Place::default()
        }),
    }
}

fn path_elements(value: &str) -> Vec<&str> {
    value.split('/').filter(|s| !s.is_empty()).collect()
}

/// The datacenter from a `vpx://` path, reconciled with the `datacenter`
/// attribute if one is set. The attribute can settle where the datacenter
/// sits in the path; it must not contradict the path.
fn url_place(uri: &ConnectionUri, explicit: Option<&str>) -> Result<Place, String> {
    let segments = &uri.inventory_path;
    let split = |i: usize| Place {
        datacenter: Some(segments[i].clone()),
        datacenter_path: Some(segments[..=i].join("/")),
        compute_path: (i + 1 < segments.len()).then(|| segments[i + 1..].join("/")),
        inventory_path: Vec::new(),
    };
    let Some(explicit) = explicit else {
        return Ok(match (&uri.datacenter, &uri.datacenter_path) {
            (Some(dc), Some(path)) => Place {
                datacenter: Some(dc.clone()),
                datacenter_path: Some(path.clone()),
                compute_path: uri.compute_path.clone(),
                inventory_path: Vec::new(),
            },
            // Only the inventory can tell folders from datacenters.
            _ => Place { inventory_path: segments.clone(), ..Place::default() },
        });
    };
    let wanted = path_elements(explicit);
    let Some(name) = wanted.last() else {
        return Err(format!("datacenter {explicit:?} names no datacenter"));
    };
    let candidates: Vec<usize> = (0..segments.len())
        .filter(|&i| {
            segments[i] == *name
                && (wanted.len() == 1
                    || (i + 1 == wanted.len() && segments[..=i].iter().zip(&wanted).all(|(a, b)| a == b)))
        })
        .collect();
    match candidates.as_slice() {
        [i] => Ok(split(*i)),
        [] => Err(format!(
            "`datacenter` is {explicit:?}, but the vpx:// URL's path {:?} does not contain it; \
             leave `datacenter` unset or make it match the URL",
            segments.join("/"),
        )),
        // The name occurs more than once: let the inventory decide.
        _ => Ok(Place { datacenter: Some((*name).to_owned()), inventory_path: segments.clone(), ..Place::default() }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    const PW: &str = "Sup3r-Secret-Pw";

    fn run(input: &ConfigInput, vars: &[(&str, &str)]) -> Result<ResolvedConfig, Vec<ConfigError>> {
        let map: HashMap<String, String> = vars.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        resolve(input, &|name| map.get(name).cloned())
    }

    fn ok(input: &ConfigInput, vars: &[(&str, &str)]) -> ResolvedConfig {
        match run(input, vars) {
            Ok(c) => c,
            Err(e) => panic!("expected success, got {e:?}"),
        }
    }

    fn errs(input: &ConfigInput, vars: &[(&str, &str)]) -> Vec<ConfigError> {
        match run(input, vars) {
            Ok(c) => panic!("expected errors, got {c:?}"),
            Err(e) => e,
        }
    }

    fn s(v: &str) -> Option<String> {
        Some(v.to_owned())
    }

    /// (attribute, url, environment, expected)
    type InsecureCase = (Option<bool>, &'static str, &'static [(&'static str, &'static str)], bool);

    fn input_url(url: &str) -> ConfigInput {
        ConfigInput { url: s(url), ..ConfigInput::default() }
    }

    #[test]
    fn explicit_attributes_alone() {
        let c = ok(
            &ConfigInput {
                url: s("https://vc.example.com/sdk"),
                user: s("admin"),
                password: s(PW),
                insecure: Some(true),
                datacenter: s("dc1"),
                api_timeout: s("90s"),
                auto_answer: Some(true),
                ..ConfigInput::default()
            },
            &[],
        );
        assert_eq!(c.sdk_url.as_str(), "https://vc.example.com/sdk");
        assert_eq!(c.kind, UriKind::Sdk);
        assert_eq!(c.user, "admin");
        assert_eq!(c.password, PW);
        assert!(c.insecure);
        assert_eq!(c.datacenter, s("dc1"));
        assert_eq!(c.datacenter_path, None);
        assert_eq!(c.compute_path, None);
        assert!(c.inventory_path.is_empty());
        assert_eq!(c.api_timeout, Duration::from_secs(90));
        assert!(c.auto_answer);
        assert_eq!(c.proxy, None);
        assert_eq!(c.url_source, "url");
    }

    #[test]
    fn vcsim_url_alone() {
        let c = ok(&input_url("https://user:pass@127.0.0.1:33293/sdk"), &[]);
        assert_eq!(c.sdk_url.as_str(), "https://127.0.0.1:33293/sdk");
        assert_eq!(c.user, "user");
        assert_eq!(c.password, "pass");
        assert!(!c.insecure);
        assert!(!c.auto_answer);
        assert_eq!(c.api_timeout, DEFAULT_API_TIMEOUT);
        assert_eq!(c.datacenter, None);
    }

    #[test]
    fn each_env_family_alone() {
        let c = ok(
            &ConfigInput::default(),
            &[
                ("VI_URL", "vc1"),
                ("VI_USER", "vi-user"),
                ("VI_PASSWORD", PW),
                ("VI_INSECURE", "true"),
                ("VI_DATACENTER", "vi-dc"),
            ],
        );
        assert_eq!(c.url_source, "VI_URL");
        assert_eq!(c.sdk_url.as_str(), "https://vc1/sdk");
        assert_eq!((c.user.as_str(), c.password.as_str()), ("vi-user", PW));
        assert!(c.insecure);
        assert_eq!(c.datacenter, s("vi-dc"));

        let c = ok(
            &ConfigInput::default(),
            &[
                ("GOVC_URL", "https://vc2/sdk"),
                ("GOVC_USERNAME", "govc-user"),
                ("GOVC_PASSWORD", PW),
                ("GOVC_INSECURE", "1"),
                ("GOVC_DATACENTER", "govc-dc"),
            ],
        );
        assert_eq!(c.url_source, "GOVC_URL");
        assert_eq!(c.sdk_url.as_str(), "https://vc2/sdk");
        assert_eq!(c.user, "govc-user");
        assert!(c.insecure);
        assert_eq!(c.datacenter, s("govc-dc"));

        // govc's short form: user:password@host
        let c = ok(&ConfigInput::default(), &[("GOVC_URL", "u:p@vc2")]);
        assert_eq!((c.user.as_str(), c.password.as_str()), ("u", "p"));

        let c = ok(&ConfigInput::default(), &[("VCURL", "https://vc-user:vc-pass@vc3/sdk"), ("VCDATACENTER", "vc-dc")]);
        assert_eq!(c.url_source, "VCURL");
        assert_eq!(c.sdk_url.as_str(), "https://vc3/sdk");
        assert_eq!((c.user.as_str(), c.password.as_str()), ("vc-user", "vc-pass"));
        assert!(!c.insecure);
        assert_eq!(c.datacenter, s("vc-dc"));
    }

    #[test]
    fn url_precedence() {
        let all = [
            ("VI_URL", "vi-host"),
            ("GOVC_URL", "govc-host"),
            ("VCURL", "vc-host"),
            ("VI_USER", "u"),
            ("VI_PASSWORD", "p"),
        ];
        let cases: &[(Option<&str>, &[&str], &str, &str)] = &[
            (Some("attr-host"), &[], "url", "https://attr-host/sdk"),
            (None, &[], "VI_URL", "https://vi-host/sdk"),
            (None, &["VI_URL"], "GOVC_URL", "https://govc-host/sdk"),
            (None, &["VI_URL", "GOVC_URL"], "VCURL", "https://vc-host/sdk"),
            // empty strings count as unset
            (Some(""), &[], "VI_URL", "https://vi-host/sdk"),
        ];
        for (url, removed, source, sdk) in cases {
            let vars: Vec<(&str, &str)> = all.iter().copied().filter(|(k, _)| !removed.contains(k)).collect();
            let input = ConfigInput { url: url.map(str::to_owned), ..ConfigInput::default() };
            let c = ok(&input, &vars);
            assert_eq!(c.url_source, *source);
            assert_eq!(c.sdk_url.as_str(), *sdk);
        }
        let c =
            ok(&ConfigInput::default(), &[("VI_URL", ""), ("GOVC_URL", "g"), ("VI_USER", "u"), ("VI_PASSWORD", "p")]);
        assert_eq!(c.url_source, "GOVC_URL");
    }

    #[test]
    fn user_and_password_precedence() {
        let env_all: &[(&str, &str)] =
            &[("VI_USER", "vi-u"), ("VI_PASSWORD", "vi-p"), ("GOVC_USERNAME", "govc-u"), ("GOVC_PASSWORD", "govc-p")];
        // explicit beats the URL's userinfo
        let c = ok(
            &ConfigInput {
                url: s("https://url-u:url-p@vc/sdk"),
                user: s("attr-u"),
                password: s("attr-p"),
                ..ConfigInput::default()
            },
            env_all,
        );
        assert_eq!((c.user.as_str(), c.password.as_str()), ("attr-u", "attr-p"));
        // the URL's userinfo beats VI_*
        let c = ok(&input_url("https://url-u:url-p@vc/sdk"), env_all);
        assert_eq!((c.user.as_str(), c.password.as_str()), ("url-u", "url-p"));
        // VI_* beats GOVC_*
        let c = ok(&input_url("https://vc/sdk"), env_all);
        assert_eq!((c.user.as_str(), c.password.as_str()), ("vi-u", "vi-p"));
        // GOVC_* when VI_* is unset or empty
        let c = ok(
            &input_url("https://vc/sdk"),
            &[("VI_USER", ""), ("GOVC_USERNAME", "govc-u"), ("GOVC_PASSWORD", "govc-p")],
        );
        assert_eq!((c.user.as_str(), c.password.as_str()), ("govc-u", "govc-p"));
        // each setting on its own: user from the URL, password from GOVC
        let c = ok(&input_url("https://url-u@vc/sdk"), &[("GOVC_PASSWORD", "govc-p")]);
        assert_eq!((c.user.as_str(), c.password.as_str()), ("url-u", "govc-p"));
        // empty attribute counts as unset
        let c = ok(
            &ConfigInput {
                url: s("https://url-u:url-p@vc/sdk"),
                user: s(""),
                password: s(""),
                ..ConfigInput::default()
            },
            &[],
        );
        assert_eq!((c.user.as_str(), c.password.as_str()), ("url-u", "url-p"));
        // userinfo of an env URL is that URL's userinfo: VCURL's user is used
        // when nothing more specific gives one ...
        let c = ok(&ConfigInput::default(), &[("VCURL", "https://vc-u:vc-p@vc/sdk")]);
        assert_eq!((c.user.as_str(), c.password.as_str()), ("vc-u", "vc-p"));
        // ... and the attributes still beat it
        let c =
            ok(&ConfigInput { user: s("attr-u"), ..ConfigInput::default() }, &[("VCURL", "https://vc-u:vc-p@vc/sdk")]);
        assert_eq!((c.user.as_str(), c.password.as_str()), ("attr-u", "vc-p"));
        // a lower-ranked URL's userinfo is not used when a higher URL wins
        let c = ok(
            &ConfigInput::default(),
            &[
                ("VI_URL", "https://vi-host/sdk"),
                ("VCURL", "https://vc-u:vc-p@vc/sdk"),
                ("GOVC_USERNAME", "govc-u"),
                ("GOVC_PASSWORD", "govc-p"),
            ],
        );
        assert_eq!(c.url_source, "VI_URL");
        assert_eq!((c.user.as_str(), c.password.as_str()), ("govc-u", "govc-p"));
    }

    #[test]
    fn insecure_precedence() {
        let cases: &[InsecureCase] = &[
            (None, "https://vc/sdk", &[], false),
            (None, "esx://h/?no_verify=1", &[], true),
            (None, "esx://h/?no_verify=0", &[("VI_INSECURE", "1")], false),
            (Some(false), "esx://h/?no_verify=1", &[], false),
            (Some(true), "esx://h/?no_verify=0", &[], true),
            (None, "https://vc/sdk", &[("VI_INSECURE", "yes")], true),
            (None, "https://vc/sdk", &[("VI_INSECURE", "false"), ("GOVC_INSECURE", "true")], false),
            (None, "https://vc/sdk", &[("VI_INSECURE", ""), ("GOVC_INSECURE", "TRUE")], true),
            (None, "https://vc/sdk", &[("GOVC_INSECURE", "No")], false),
            // an attribute makes the environment irrelevant, even malformed
            (Some(true), "https://vc/sdk", &[("VI_INSECURE", "maybe")], true),
        ];
        for (attr, url, vars, want) in cases {
            let mut vars = vars.to_vec();
            vars.extend([("VI_USER", "u"), ("VI_PASSWORD", "p")]);
            let c = ok(&ConfigInput { url: s(url), insecure: *attr, ..ConfigInput::default() }, &vars);
            assert_eq!(c.insecure, *want, "{attr:?} {url} {vars:?}");
        }
    }

    #[test]
    fn bool_words() {
        for (text, want) in [
            ("1", Some(true)),
            ("true", Some(true)),
            ("TRUE", Some(true)),
            ("Yes", Some(true)),
            ("0", Some(false)),
            ("false", Some(false)),
            ("no", Some(false)),
            ("NO", Some(false)),
            (" 1 ", Some(true)),
            ("2", None),
            ("t", None),
            ("on", None),
            ("", None),
        ] {
            assert_eq!(parse_bool(text), want, "{text:?}");
        }
    }

    #[test]
    fn bad_bool_env() {
        for name in ["VI_INSECURE", "GOVC_INSECURE"] {
            let e = errs(&input_url("https://u:p@vc/sdk"), &[(name, "sometimes")]);
            assert_eq!(e.len(), 1);
            assert_eq!(e[0].attribute, "insecure");
            assert!(e[0].message.contains(name), "{}", e[0].message);
            assert!(e[0].message.contains("sometimes"), "{}", e[0].message);
        }
    }

    #[test]
    fn auto_answer_precedence() {
        let cases: &[(Option<bool>, &str, bool)] = &[
            (None, "https://u:p@vc/sdk", false),
            (None, "esx://u:p@h?auto_answer=1", true),
            (Some(false), "esx://u:p@h?auto_answer=1", false),
            (Some(true), "esx://u:p@h?auto_answer=0", true),
        ];
        for (attr, url, want) in cases {
            let c = ok(&ConfigInput { url: s(url), auto_answer: *attr, ..ConfigInput::default() }, &[]);
            assert_eq!(c.auto_answer, *want, "{attr:?} {url}");
        }
    }

    #[test]
    fn proxy_attribute_beats_url_beats_vi_proxy() {
        let mut i = input_url("esx://u:p@h/?proxy=socks://px");
        assert_eq!(ok(&i, &[("VI_PROXY", "http://envpx:3128")]).proxy.map(|p| p.to_string()), s("socks5://px:1080"));
        i.proxy = Some("http://attr:8080".into());
        assert_eq!(ok(&i, &[("VI_PROXY", "http://envpx:3128")]).proxy.map(|p| p.to_string()), s("http://attr:8080"));
        let plain = input_url("https://u:p@h/sdk");
        assert_eq!(ok(&plain, &[("VI_PROXY", "envpx")]).proxy.map(|p| p.to_string()), s("http://envpx:1080"));
        let mut bad = input_url("https://u:p@h/sdk");
        bad.proxy = Some("ftp://x".into());
        let errs = resolve(&bad, &|_| None).unwrap_err();
        assert_eq!(errs.iter().map(|e| e.attribute).collect::<Vec<_>>(), vec!["proxy"]);
    }

    #[test]
    fn proxy_and_kind_from_url() {
        let c = ok(&input_url("esx://u:p@h/?transport=http&proxy=socks://px"), &[]);
        assert_eq!(c.kind, UriKind::Esx);
        assert_eq!(c.sdk_url.as_str(), "http://h/sdk");
        assert_eq!(c.proxy.map(|p| p.to_string()), s("socks5://px:1080"));
    }

    #[test]
    fn datastore_from_the_environment() {
        let url = [("VI_URL", "u:p@vc")];
        let all = [("VI_DATASTORE", "vi-ds"), ("GOVC_DATASTORE", "govc-ds"), ("VCDATASTORE", "vc-ds")];
        // (variables set besides the URL, default datastore)
        type Case<'a> = (&'a [(&'a str, &'a str)], Option<&'a str>);
        let cases: &[Case] = &[
            (&[], None),
            (&all, Some("vi-ds")),
            (&all[1..], Some("govc-ds")),
            (&all[2..], Some("vc-ds")),
            // empty counts as unset
            (&[("VI_DATASTORE", ""), ("VCDATASTORE", "vc-ds")], Some("vc-ds")),
            (&[("VCDATASTORE", "")], None),
        ];
        for (vars, want) in cases {
            let env: Vec<_> = url.iter().chain(vars.iter()).copied().collect();
            assert_eq!(ok(&ConfigInput::default(), &env).datastore.as_deref(), *want, "{vars:?}");
        }
    }

    #[test]
    fn datacenter_precedence() {
        let creds = [("VI_USER", "u"), ("VI_PASSWORD", "p")];
        // (attribute, url, env, datacenter, datacenter_path, compute_path, inventory_path)
        type Case<'a> = (
            Option<&'a str>,
            &'a str,
            &'a [(&'a str, &'a str)],
            Option<&'a str>,
            Option<&'a str>,
            Option<&'a str>,
            &'a [&'a str],
        );
        let all_env: &[(&str, &str)] =
            &[("VI_DATACENTER", "vi-dc"), ("GOVC_DATACENTER", "govc-dc"), ("VCDATACENTER", "vc-dc")];
        let cases: &[Case] = &[
            (None, "vc", &[], None, None, None, &[]),
            (None, "vc", all_env, Some("vi-dc"), None, None, &[]),
            (None, "vc", &all_env[1..], Some("govc-dc"), None, None, &[]),
            (None, "vc", &all_env[2..], Some("vc-dc"), None, None, &[]),
            (Some("attr-dc"), "vc", all_env, Some("attr-dc"), None, None, &[]),
            (Some(""), "vc", all_env, Some("vi-dc"), None, None, &[]),
            // a datacenter written as a path
            (Some("f1/dc1"), "vc", &[], Some("dc1"), Some("f1/dc1"), None, &[]),
            (None, "vc", &[("GOVC_DATACENTER", "/f1/dc1")], Some("dc1"), Some("f1/dc1"), None, &[]),
            // the vpx:// datacenter beats the environment
            (None, "vpx://vc/url-dc", all_env, Some("url-dc"), Some("url-dc"), None, &[]),
            (None, "vpx://vc/", all_env, Some("vi-dc"), None, None, &[]),
            // a longer vpx:// path is left to the inventory walk; the
            // environment does not override it
            (
                None,
                "vpx://vc/folder1/dc1/cluster1/esx1",
                all_env,
                None,
                None,
                None,
                &["folder1", "dc1", "cluster1", "esx1"],
            ),
            // the attribute settles where the datacenter is in the path
            (
                Some("dc1"),
                "vpx://vc/folder1/dc1/cluster1/esx1",
                all_env,
                Some("dc1"),
                Some("folder1/dc1"),
                Some("cluster1/esx1"),
                &[],
            ),
            (
                Some("folder1/dc1"),
                "vpx://vc/folder1/dc1/folder2/esx1",
                &[],
                Some("dc1"),
                Some("folder1/dc1"),
                Some("folder2/esx1"),
                &[],
            ),
            (Some("dc1"), "vpx://vc/dc1/srv1", &[], Some("dc1"), Some("dc1"), Some("srv1"), &[]),
            (Some("dc1"), "vpx://vc/dc1", &[], Some("dc1"), Some("dc1"), None, &[]),
            // the name occurs twice: still the inventory's call
            (Some("x"), "vpx://vc/x/x/h", &[], Some("x"), None, None, &["x", "x", "h"]),
        ];
        for (attr, url, env, dc, dc_path, compute, inventory) in cases {
            let mut vars = env.to_vec();
            vars.extend(creds);
            let c =
                ok(&ConfigInput { url: s(url), datacenter: attr.map(str::to_owned), ..ConfigInput::default() }, &vars);
            let label = format!("{attr:?} {url} {env:?}");
            assert_eq!(c.datacenter.as_deref(), *dc, "{label}");
            assert_eq!(c.datacenter_path.as_deref(), *dc_path, "{label}");
            assert_eq!(c.compute_path.as_deref(), *compute, "{label}");
            assert_eq!(c.inventory_path, inventory.to_vec(), "{label}");
        }
    }

    #[test]
    fn datacenter_conflicts() {
        for (attr, url) in [
            ("dc2", "vpx://u:p@vc/dc1"),
            ("dc2", "vpx://u:p@vc/f/dc1/h"),
            ("other/dc1", "vpx://u:p@vc/f/dc1/h"),
            ("f/dc1/extra", "vpx://u:p@vc/f/dc1/h"),
            ("/", "vpx://u:p@vc/f/dc1/h"),
            ("/", "https://u:p@vc/sdk"),
        ] {
            let e = errs(&ConfigInput { url: s(url), datacenter: s(attr), ..ConfigInput::default() }, &[]);
            assert_eq!(e.len(), 1, "{attr} {url}: {e:?}");
            assert_eq!(e[0].attribute, "datacenter");
        }
    }

    #[test]
    fn api_timeout() {
        for (text, want) in [
            ("90s", Duration::from_secs(90)),
            ("5m", Duration::from_secs(300)),
            ("1h30m", Duration::from_secs(5400)),
            ("1500ms", Duration::from_millis(1500)),
            ("1h1m1s1ms", Duration::from_millis(3_661_001)),
            ("0m10s", Duration::from_secs(10)),
            (" 2h ", Duration::from_secs(7200)),
        ] {
            assert_eq!(parse_duration(text), Ok(want), "{text}");
            let c = ok(&ConfigInput { url: s("u:p@vc"), api_timeout: s(text), ..ConfigInput::default() }, &[]);
            assert_eq!(c.api_timeout, want);
        }
        for (text, want) in [
            ("", DurationError::Empty),
            ("90", DurationError::Malformed),
            ("s", DurationError::Malformed),
            ("-5m", DurationError::Malformed),
            ("1.5h", DurationError::UnknownUnit(".".into())),
            ("5 m", DurationError::UnknownUnit(" m".into())),
            ("5d", DurationError::UnknownUnit("d".into())),
            ("5min", DurationError::UnknownUnit("min".into())),
            ("0s", DurationError::Zero),
            ("0h0m", DurationError::Zero),
            ("99999999999999999999h", DurationError::Overflow),
            ("9999999999999999h", DurationError::Overflow),
        ] {
            assert_eq!(parse_duration(text), Err(want), "{text}");
        }
        let e = errs(&ConfigInput { url: s("u:p@vc"), api_timeout: s("soon"), ..ConfigInput::default() }, &[]);
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].attribute, "api_timeout");
        assert!(e[0].message.contains("soon"));
        // unset or empty: the default
        let c = ok(&ConfigInput { url: s("u:p@vc"), api_timeout: s(""), ..ConfigInput::default() }, &[]);
        assert_eq!(c.api_timeout, DEFAULT_API_TIMEOUT);
    }

    #[test]
    fn missing_everything() {
        let e = errs(&ConfigInput::default(), &[]);
        let attrs: Vec<_> = e.iter().map(|e| e.attribute).collect();
        assert_eq!(attrs, ["url", "user", "password"]);
        assert!(e[0].message.contains("`url`"));
        for var in ["VI_URL", "GOVC_URL", "VCURL"] {
            assert!(e[0].message.contains(var), "{}", e[0].message);
        }
        for var in ["`user`", "VI_USER", "GOVC_USERNAME"] {
            assert!(e[1].message.contains(var), "{}", e[1].message);
        }
        for var in ["`password`", "VI_PASSWORD", "GOVC_PASSWORD"] {
            assert!(e[2].message.contains(var), "{}", e[2].message);
        }
    }

    #[test]
    fn missing_credentials() {
        let e = errs(&ConfigInput::default(), &[("VCURL", "https://vc/sdk")]);
        let attrs: Vec<_> = e.iter().map(|e| e.attribute).collect();
        assert_eq!(attrs, ["user", "password"]);
        assert!(e[0].message.contains("VCURL"), "{}", e[0].message);

        let e = errs(&input_url("https://someone@vc/sdk"), &[]);
        assert_eq!(e.len(), 1);
        assert_eq!(e[0].attribute, "password");
    }

    #[test]
    fn bad_urls_name_their_source() {
        for (input, vars, needle) in [
            (input_url("ftp://vc"), vec![], "`url`"),
            (ConfigInput::default(), vec![("VI_URL", "https://vc/x")], "VI_URL"),
            (ConfigInput::default(), vec![("GOVC_URL", "gsx://vc")], "GOVC_URL"),
            (ConfigInput::default(), vec![("VCURL", "vc:99999")], "VCURL"),
        ] {
            let e = errs(&input, &vars);
            // an unusable URL does not add user/password noise
            assert_eq!(e.len(), 1, "{e:?}");
            assert_eq!(e[0].attribute, "url");
            assert!(e[0].message.contains(needle), "{}", e[0].message);
        }
    }

    #[test]
    fn all_errors_at_once() {
        let e = errs(
            &ConfigInput {
                url: s("vpx://vc/dc1"),
                datacenter: s("dc2"),
                api_timeout: s("0s"),
                ..ConfigInput::default()
            },
            &[("VI_INSECURE", "perhaps")],
        );
        let mut attrs: Vec<_> = e.iter().map(|e| e.attribute).collect();
        attrs.sort_unstable();
        assert_eq!(attrs, ["api_timeout", "datacenter", "insecure", "password", "user"]);
    }

    #[test]
    fn password_never_shown() {
        let bad_vcurl = format!("https://u:{PW}%zz@vc/sdk");
        let bad_govc_url = format!("u:{PW}@bad host");
        let scenarios: Vec<(ConfigInput, Vec<(&str, &str)>)> = vec![
            (ConfigInput { url: s(&format!("https://u:{PW}/x@vc/sdk")), ..ConfigInput::default() }, vec![]),
            (ConfigInput { url: s(&format!("u:{PW}")), ..ConfigInput::default() }, vec![]),
            (ConfigInput::default(), vec![("VCURL", bad_vcurl.as_str())]),
            (
                ConfigInput {
                    url: s(&format!("vpx://u:{PW}@vc/dc1")),
                    password: s(PW),
                    datacenter: s("dc2"),
                    api_timeout: s("x"),
                    ..ConfigInput::default()
                },
                vec![("VI_INSECURE", "x"), ("VI_PASSWORD", PW), ("GOVC_PASSWORD", PW)],
            ),
            (
                ConfigInput { url: s(&format!("https://u:{PW}@vc:0/sdk")), password: s(PW), ..ConfigInput::default() },
                vec![],
            ),
            (ConfigInput::default(), vec![("VI_PASSWORD", PW)]),
            (ConfigInput { password: s(PW), ..ConfigInput::default() }, vec![("GOVC_URL", bad_govc_url.as_str())]),
        ];
        for (input, vars) in &scenarios {
            assert!(!format!("{input:?}").contains(PW));
            match run(input, vars) {
                Err(errors) => {
                    assert!(!errors.is_empty());
                    for e in errors {
                        let text = format!("{e} {e:?}");
                        assert!(!text.contains(PW), "leaked: {text}");
                    }
                }
                Ok(c) => panic!("scenario should fail: {c:?}"),
            }
        }
        let c = ok(&input_url(&format!("https://u:{PW}@vc/sdk")), &[]);
        assert_eq!(c.password, PW);
        let debug = format!("{c:?}");
        assert!(!debug.contains(PW), "{debug}");
        assert!(debug.contains("<redacted>"));
        assert!(!c.sdk_url.as_str().contains(PW));
    }

    const SHA256_PIN: &str =
        "9B:7E:1A:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD";

    fn creds(url: &str) -> ConfigInput {
        ConfigInput { url: s(url), user: s("u"), password: s(PW), ..ConfigInput::default() }
    }

    #[test]
    fn thumbprint_from_attribute_then_environment() {
        let c = ok(&ConfigInput { thumbprint: s(SHA256_PIN), ..creds("https://vc/sdk") }, &[]);
        assert_eq!(c.thumbprint.map(|t| t.to_string()).as_deref(), Some(SHA256_PIN));
        let sha1 = "AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD";
        let c = ok(&creds("https://vc/sdk"), &[("VI_TLS_THUMBPRINT", sha1)]);
        assert_eq!(c.thumbprint.map(|t| t.algorithm), Some(super::super::tls_trust::DigestAlgorithm::Sha1));
        // A pin makes known_hosts moot.
        let c = ok(&creds("https://vc/sdk"), &[("VI_TLS_THUMBPRINT", sha1), ("GOVC_TLS_KNOWN_HOSTS", "/k")]);
        assert!(c.known_hosts.is_empty());
        let c = ok(&creds("https://vc/sdk"), &[("GOVC_TLS_KNOWN_HOSTS", "/a:/b")]);
        assert_eq!(c.known_hosts, vec!["/a".to_owned(), "/b".to_owned()]);
    }

    #[test]
    fn bad_thumbprints_are_errors_on_thumbprint() {
        let e = errs(&ConfigInput { thumbprint: s("AB:CD"), ..creds("https://vc/sdk") }, &[]);
        assert_eq!(e.len(), 1, "{e:?}");
        assert_eq!(e[0].attribute, "thumbprint");
        assert!(e[0].message.contains("`thumbprint`"), "{}", e[0]);
        let e = errs(&creds("https://vc/sdk"), &[("VI_TLS_THUMBPRINT", "zz")]);
        assert_eq!(e[0].attribute, "thumbprint");
        assert!(e[0].message.contains("VI_TLS_THUMBPRINT"), "{}", e[0]);
    }

    #[test]
    fn ca_bundle_from_attribute_then_vi_then_govc() {
        use super::super::tls_trust::CaSource;
        let c = ok(&ConfigInput { ca_file: s("/etc/vc-ca.pem"), ..creds("https://vc/sdk") }, &[("VI_CA_FILE", "/x")]);
        assert_eq!(c.ca, Some((CaSource::Files(vec!["/etc/vc-ca.pem".into()]), "ca_file")));
        let c = ok(&creds("https://vc/sdk"), &[("VI_CA_FILE", "/x"), ("GOVC_TLS_CA_CERTS", "/y")]);
        assert_eq!(c.ca, Some((CaSource::Files(vec!["/x".into()]), "VI_CA_FILE")));
        let c = ok(&creds("https://vc/sdk"), &[("GOVC_TLS_CA_CERTS", "/y:/z")]);
        assert_eq!(c.ca, Some((CaSource::Files(vec!["/y".into(), "/z".into()]), "GOVC_TLS_CA_CERTS")));
        let pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----";
        let c = ok(&ConfigInput { ca_file: s(pem), ..creds("https://vc/sdk") }, &[]);
        assert_eq!(c.ca, Some((CaSource::Pem(pem.into()), "ca_file")));
        assert!(c.warnings.is_empty(), "{:?}", c.warnings);
        // With insecure, the bundle is not used: say so.
        let c = ok(&ConfigInput { ca_file: s(pem), insecure: Some(true), ..creds("https://vc/sdk") }, &[]);
        assert_eq!(c.warnings.len(), 1);
        assert_eq!(c.warnings[0].attribute, "insecure");
    }

    #[test]
    fn plain_http_warns_on_url() {
        for url in ["http://vc/sdk", "esx://vc?transport=http", "vpx://vc/dc?transport=http"] {
            let c = ok(&creds(url), &[]);
            assert_eq!(c.warnings.len(), 1, "{url}: {:?}", c.warnings);
            assert_eq!(c.warnings[0].attribute, "url");
            assert!(c.warnings[0].message.contains("clear text"), "{}", c.warnings[0]);
        }
        for url in ["https://vc/sdk", "vc", "esx://vc"] {
            assert!(ok(&creds(url), &[]).warnings.is_empty(), "{url}");
        }
        let c = ok(&ConfigInput::default(), &[("VI_URL", "http://u:p@vc/sdk")]);
        assert!(c.warnings[0].message.contains("VI_URL"), "{}", c.warnings[0]);
        assert!(!c.warnings[0].message.contains("u:p"), "{}", c.warnings[0]);
    }

    #[test]
    fn session_cache_settings() {
        let c = ok(&creds("https://vc/sdk"), &[("HOME", "/home/me")]);
        assert!(!c.persist_session);
        assert_eq!(c.session_path, None);
        let c = ok(&ConfigInput { persist_session: Some(true), ..creds("https://vc/sdk") }, &[("HOME", "/home/me/")]);
        assert_eq!(c.session_path.as_deref(), Some("/home/me/.cache/terraform-provider-vi/sessions"));
        let c = ok(&creds("https://vc/sdk"), &[("VI_PERSIST_SESSION", "1"), ("VI_SESSION_PATH", "/s")]);
        assert!(c.persist_session);
        assert_eq!(c.session_path.as_deref(), Some("/s"));
        let c = ok(
            &ConfigInput { persist_session: Some(true), session_path: s("/mine"), ..creds("https://vc/sdk") },
            &[("VI_SESSION_PATH", "/s")],
        );
        assert_eq!(c.session_path.as_deref(), Some("/mine"));
        let e = errs(&ConfigInput { persist_session: Some(true), ..creds("https://vc/sdk") }, &[]);
        assert_eq!(e[0].attribute, "session_path");
        let e = errs(&creds("https://vc/sdk"), &[("VI_PERSIST_SESSION", "maybe")]);
        assert_eq!(e[0].attribute, "persist_session");
    }
}
