//! The `vi` provider: its configuration, how it connects, and the list of
//! resources and data sources it serves.
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use serde::Deserialize;

use crate::connection::{SessionCache, cache_warning, certificate_trust};
use crate::data_sources;
use crate::plugin::{AnyDataSource, AnyResource, AttrPath, Attribute, Block, Diags, Schema, Type, Value};
use crate::rules::connection_uri::parse_connection_uri;
use crate::rules::provider_config::{ConfigInput, ResolvedConfig, parse_duration, resolve};
use crate::rules::vpx_path::{InventoryKind, InventoryWalk, VpxTarget, WalkStep};
use crate::shared::Meta;
use crate::vi::{self, FaultKind, ViError};

#[derive(Deserialize)]
pub struct Config {
    pub url: Value<String>,
    pub user: Value<String>,
    pub password: Value<String>,
    pub insecure: Value<bool>,
    pub datacenter: Value<String>,
    pub api_timeout: Value<String>,
    pub auto_answer: Value<bool>,
    pub proxy: Value<String>,
    pub ca_file: Value<String>,
    pub thumbprint: Value<String>,
    pub persist_session: Value<bool>,
    pub session_path: Value<String>,
}

pub struct ViProvider;

pub fn schema() -> Schema {
    Schema::new(
        Block::new("Connects to a vCenter Server or a standalone ESXi host over the VI SOAP API.")
            .attr(Attribute::optional(
                "url",
                Type::String,
                "Where vSphere is: `https://host[:port][/sdk]` (user info allowed, as vcsim prints it), a bare \
                 `host[:port]`, or a libvirt-style `vpx://[user@]host[:port]/[folder/…/]datacenter[/cluster[/host]][?no_verify=1&auto_answer=1]` \
                 or `esx://[user@]host[:port][?no_verify=1&transport=http]`. Falls back to `VI_URL`, `GOVC_URL`, then `VCURL`.",
            ))
            .attr(Attribute::optional(
                "user",
                Type::String,
                "User name. Falls back to the user in `url`, then `VI_USER`, then `GOVC_USERNAME`.",
            ))
            .attr(
                Attribute::optional(
                    "password",
                    Type::String,
                    "Password. Falls back to the password in `url`, then `VI_PASSWORD`, then `GOVC_PASSWORD`. Never logged.",
                )
                .sensitive(),
            )
            .attr(Attribute::optional(
                "insecure",
                Type::Bool,
                "Skip TLS certificate verification (for self-signed certificates such as vcsim's). Falls back to \
                 `no_verify` in `url`, then `VI_INSECURE`, then `GOVC_INSECURE`. Default `false`.",
            ))
            .attr(Attribute::optional(
                "datacenter",
                Type::String,
                "Default datacenter (name or inventory path) for lookups that do not name one. Falls back to the \
                 datacenter in a `vpx://` URL, then `VI_DATACENTER`, `GOVC_DATACENTER`, then `VCDATACENTER`. When \
                 unset and vSphere has exactly one datacenter, that one is used.",
            ))
            .attr(Attribute::optional(
                "api_timeout",
                Type::String,
                "Bound on each vSphere API call, as a duration such as `90s`, `5m` or `1h30m`. Default `5m`.",
            ))
            .attr(Attribute::optional(
                "auto_answer",
                Type::Bool,
                "Answer blocking virtual machine questions with their default choice instead of failing. Falls back \
                 to `auto_answer` in `url`. Default `false`.",
            ))
            .attr(Attribute::optional(
                "proxy",
                Type::String,
                "Proxy for every connection to vSphere (SOAP, datastore uploads, content library), as \
                 `[type://]host[:port]` with type `http` (CONNECT), `socks` (= `socks5`), `socks4`, `socks4a` or \
                 `socks5`; port 1080 when not given. Falls back to `proxy=` in a libvirt-style `url`, then `VI_PROXY`.",
            ))
            .attr(Attribute::optional(
                "ca_file",
                Type::String,
                "CA certificates (PEM) to trust instead of the system's, for a vCenter with a certificate from its \
                 own CA: a file path, or the PEM text itself. The host name is still verified. Applies to SOAP, \
                 datastore transfers and the content library. Falls back to `VI_CA_FILE`, then govc's \
                 `GOVC_TLS_CA_CERTS` (`:`-separated paths).",
            ))
            .attr(Attribute::optional(
                "thumbprint",
                Type::String,
                "Pins the server's certificate by its thumbprint: SHA-256 (`AA:BB:…`, 32 bytes, as `openssl x509 \
                 -noout -fingerprint -sha256` prints) or SHA-1 (20 bytes, as vCenter shows it). When set, only the \
                 thumbprint is checked, not the chain or host name (as govc does), and it is checked even with \
                 `insecure`. Falls back to `VI_TLS_THUMBPRINT`, then the server's line in govc's \
                 `GOVC_TLS_KNOWN_HOSTS` files.",
            ))
            .attr(Attribute::optional(
                "persist_session",
                Type::Bool,
                "Keep the vSphere sessions (SOAP and content library) in files so that the provider processes \
                 of a run (and later runs) share one login instead of logging in each. The files are readable by \
                 you only and hold session ids, never the password; a session is checked before use. The \
                 provider then does not log out when it ends. Falls back to `VI_PERSIST_SESSION`. Default \
                 `false`.",
            ))
            .attr(Attribute::optional(
                "session_path",
                Type::String,
                "Folder of the session files of `persist_session`. Falls back to `VI_SESSION_PATH`. Default \
                 `~/.cache/terraform-provider-vi/sessions`.",
            )),
    )
}

/// Every resource type the provider serves.
pub fn resources() -> Vec<Arc<dyn AnyResource<Meta>>> {
    crate::resources::all()
}

fn input(c: &Config) -> ConfigInput {
    ConfigInput {
        url: c.url.get().cloned(),
        user: c.user.get().cloned(),
        password: c.password.get().cloned(),
        insecure: c.insecure.get().copied(),
        datacenter: c.datacenter.get().cloned(),
        api_timeout: c.api_timeout.get().cloned(),
        auto_answer: c.auto_answer.get().copied(),
        proxy: c.proxy.get().cloned(),
        ca_file: c.ca_file.get().cloned(),
        thumbprint: c.thumbprint.get().cloned(),
        persist_session: c.persist_session.get().copied(),
        session_path: c.session_path.get().cloned(),
    }
}

#[async_trait]
impl crate::plugin::Provider for ViProvider {
    type Meta = Meta;
    type Config = Config;

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, c: &Config) -> Diags {
        let mut d = Diags::none();
        if let Some(u) = c.url.get()
            && let Err(e) = parse_connection_uri(u)
        {
            d.push(Diags::error_at(AttrPath::attr("url"), "Invalid vSphere URL", e.to_string()));
        }
        if let Some(p) = c.proxy.get()
            && let Err(e) = crate::rules::connection_uri::parse_proxy(p)
        {
            d.push(Diags::error_at(AttrPath::attr("proxy"), "Invalid proxy", e.to_string()));
        }
        if let Some(t) = c.thumbprint.get()
            && let Err(e) = crate::rules::tls_trust::parse_thumbprint(t)
        {
            d.push(Diags::error_at(AttrPath::attr("thumbprint"), "Invalid thumbprint", e.to_string()));
        }
        if let Some(t) = c.api_timeout.get()
            && let Err(e) = parse_duration(t)
        {
            d.push(Diags::error_at(AttrPath::attr("api_timeout"), "Invalid api_timeout", e.to_string()));
        }
        d
    }

    async fn configure(&self, c: Config, _terraform_version: &str) -> Result<(Meta, Diags), Diags> {
        let unknown: Vec<&str> = [
            ("url", c.url.is_unknown()),
            ("user", c.user.is_unknown()),
            ("password", c.password.is_unknown()),
            ("insecure", c.insecure.is_unknown()),
            ("datacenter", c.datacenter.is_unknown()),
            ("api_timeout", c.api_timeout.is_unknown()),
            ("auto_answer", c.auto_answer.is_unknown()),
            ("proxy", c.proxy.is_unknown()),
            ("ca_file", c.ca_file.is_unknown()),
            ("thumbprint", c.thumbprint.is_unknown()),
            ("persist_session", c.persist_session.is_unknown()),
            ("session_path", c.session_path.is_unknown()),
        ]
        .into_iter()
        .filter_map(|(n, u)| u.then_some(n))
        .collect();
        if let Some(first) = unknown.first() {
            return Err(Diags::error_at(
                AttrPath::attr(*first),
                "Provider configuration not known yet",
                format!(
                    "{} depend on values known only after apply; the vi provider needs its connection settings at plan time.",
                    unknown.join(", ")
                ),
            ));
        }
        let env = |k: &str| std::env::var(k).ok();
        let resolved = resolve(&input(&c), &env).map_err(|errs| {
            let mut d = Diags::none();
            for e in errs {
                d.push(Diags::error_at(AttrPath::attr(e.attribute), "Invalid provider configuration", e.to_string()));
            }
            d
        })?;
        let cfg = vi::ClientConfig {
            url: resolved.sdk_url.clone(),
            user: resolved.user.clone(),
            password: resolved.password.clone(),
            insecure: resolved.insecure,
            timeout: resolved.api_timeout,
        };
        tracing::info!(url = %resolved.sdk_url, user = %resolved.user, insecure = resolved.insecure, "connecting to vSphere");
        let proxy = resolved.proxy.as_ref().map(ToString::to_string);
        if let Some(p) = &proxy {
            tracing::info!(proxy = %p, "connecting through a proxy");
        }
        let mut warnings = Diags::none();
        for w in &resolved.warnings {
            warnings.push(Diags::warning_at(AttrPath::attr(w.attribute), warning_summary(w.attribute), w.to_string()));
        }
        let trust = certificate_trust(&resolved)?;
        let session_cache = SessionCache::open(&resolved, &mut warnings);
        let options = vi::ConnectOptions {
            proxy,
            trust: Some(trust),
            session: session_cache.as_ref().and_then(SessionCache::cookie),
        };
        let client = vi::Client::connect_with(cfg, options).await.map_err(|e| connect_diag(&e, &resolved))?;
        if let Some(cache) = &session_cache
            && let Err(e) = cache.keep(&client)
        {
            warnings.push(cache_warning(&e));
        }
        let (datacenter, compute_path) = if resolved.inventory_path.is_empty() {
            (resolved.datacenter_path.or(resolved.datacenter), resolved.compute_path)
        } else {
            match walk_vpx_path(&client, resolved.inventory_path).await {
                Ok(t) => (Some(t.datacenter_path), t.compute_path),
                Err(d) => {
                    // No Meta will hold the session; end it here.
                    if session_cache.is_none() {
                        let _ = tokio::time::timeout(Duration::from_secs(2), client.logout()).await;
                    }
                    return Err(d);
                }
            }
        };
        // Reads that arrive within a few milliseconds of each other share a
        // call; waiting longer would only delay a lone read.
        let batcher = vi::Batcher::new(client.clone(), Duration::from_millis(20));
        Ok((
            Meta {
                client,
                batcher,
                datacenter,
                compute_path,
                datastore: resolved.datastore,
                auto_answer: resolved.auto_answer,
                api_timeout: resolved.api_timeout,
                library: tokio::sync::OnceCell::new(),
                session_cache,
                lookups: Default::default(),
            },
            warnings,
        ))
    }

    fn resources(&self) -> Vec<Arc<dyn AnyResource<Meta>>> {
        resources()
    }

    fn data_sources(&self) -> Vec<Arc<dyn AnyDataSource<Meta>>> {
        data_sources::all()
    }

    fn functions(&self) -> Vec<Arc<dyn crate::plugin::Function>> {
        crate::functions::all()
    }

    /// Logs out of the content library and SOAP sessions, both at once
    /// (or, with the session cache, saves them for the next process).
    async fn close(&self, meta: &Meta) {
        let library = async {
            let Some(lib) = meta.library.get() else { return };
            if let Some(cache) = &meta.session_cache {
                if let Err(e) = cache.keep_library(lib) {
                    tracing::warn!(error = %e, "could not save the content library session");
                }
                return;
            }
            if let Err(e) = lib.logout().await {
                tracing::debug!(error = %e, "content library logout failed");
            }
        };
        let soap = async {
            if let Some(cache) = &meta.session_cache {
                // Kept for the next process; a re-login may have replaced it.
                if let Err(e) = cache.keep(&meta.client) {
                    tracing::warn!(error = %e, "could not save the session");
                }
                return;
            }
            match meta.client.logout().await {
                Ok(()) => tracing::debug!("logged out of vSphere"),
                Err(e) => tracing::debug!(error = %e, "logout failed"),
            }
        };
        tokio::join!(library, soap);
    }
}

/// Splits a `vpx://folder/…/dc/…` path by asking vSphere what each prefix
/// is, as libvirt does: the URI alone cannot tell folders from datacenters.
async fn walk_vpx_path(client: &vi::Client, segments: Vec<String>) -> Result<VpxTarget, Diags> {
    let url_diag = |e: &dyn std::fmt::Display| {
        Diags::error_at(AttrPath::attr("url"), "The vpx:// path does not match the inventory", e.to_string())
    };
    let mut walk = InventoryWalk::new(segments).map_err(|e| url_diag(&e))?;
    // Each answer moves one path element further; the bound only guards
    // against a walk that fails to advance.
    for _ in 0..256 {
        let found = client.find_by_inventory_path(&walk.lookup_path()).await.map_err(|e| url_diag(&e))?;
        match walk.answer(found.map(|m| InventoryKind::from_type_name(&m.kind))).map_err(|e| url_diag(&e))? {
            WalkStep::Lookup(next) => walk = next,
            WalkStep::Done(target) => return Ok(target),
        }
    }
    Err(url_diag(&"the path is too long"))
}

fn warning_summary(attribute: &str) -> &'static str {
    match attribute {
        "url" => "Password sent in clear text",
        _ => "Provider setting not used",
    }
}

/// One clear diagnostic per way connecting can fail.
fn connect_diag(e: &ViError, resolved: &ResolvedConfig) -> Diags {
    let url = resolved.sdk_url.as_str();
    match e {
        ViError::Certificate { .. } if resolved.ca.is_some() => Diags::error_at(
            AttrPath::attr("ca_file"),
            "vSphere's TLS certificate is not trusted by the CA bundle",
            format!(
                "{e}\n\nThe certificate of {url} was checked against the CA certificates of `ca_file` (or \
                 VI_CA_FILE / GOVC_TLS_CA_CERTS) only: give the CA that issued it, and connect by a host name \
                 the certificate names."
            ),
        ),
        ViError::Certificate { .. } => Diags::error_at(
            AttrPath::attr("insecure"),
            "vSphere's TLS certificate is not trusted",
            format!(
                "{e}\n\nIf {url} uses a certificate of its own CA, give that CA in `ca_file` or pin the \
                 certificate with `thumbprint`; for a self-signed lab server (vcsim), `insecure = true` skips \
                 verification."
            ),
        ),
        ViError::ThumbprintMismatch { expected, presented, algorithm, .. } => Diags::error_at(
            AttrPath::attr("thumbprint"),
            "vSphere's TLS certificate does not match the pinned thumbprint",
            format!(
                "{url} presented a certificate with {algorithm} thumbprint {presented}, but {expected} is \
                 expected (`thumbprint`, VI_TLS_THUMBPRINT or GOVC_TLS_KNOWN_HOSTS). If the certificate was \
                 replaced on purpose, update the thumbprint; otherwise something is impersonating the server."
            ),
        ),
        // Pointed at `user`, not `password`: Terraform quotes the source
        // line a diagnostic points at, which would print the password.
        ViError::Fault { kind: FaultKind::InvalidLogin, .. } => Diags::error_at(
            AttrPath::attr("user"),
            "vSphere rejected the login",
            format!(
                "{url} refused the user name or password: {e}. Check `user` and `password` (or their environment variables)."
            ),
        ),
        ViError::Connect { .. } => Diags::error_at(
            AttrPath::attr("url"),
            "Cannot reach vSphere",
            format!("{e}. Check `url` and that {url} is up."),
        ),
        _ => Diags::error("Cannot connect to vSphere", e.to_string()),
    }
}
