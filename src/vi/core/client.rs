//! The VI SOAP client: one HTTPS session to vCenter / ESXi, shared by all
//! callers (cheap to clone), with transparent re-login when the session
//! expires and batched property retrieval.

use crate::vi::core::fault::FaultKind;
use crate::vi::core::mo_type::MoType;
use std::collections::{BTreeSet, HashMap};
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use tracing::{debug, warn};
use url::Url;

use crate::vi::core::certificate_trust::CertificateTrust;
use crate::vi::core::error::ViError;
use crate::vi::core::retry;
use crate::vi::core::soap;
use crate::vi::core::types::{ManagedObjectReference, ObjectContent, ServiceContent, UserSession};
use crate::vi::core::xml::{self, XmlNode, escape};

/// The session cookie vCenter and ESXi set at Login.
pub const SESSION_COOKIE: &str = "vmware_soap_session";

/// Pages of ContinueRetrievePropertiesEx accepted before giving up, so a
/// server that keeps returning tokens cannot loop us forever.
const MAX_PAGES: usize = 100_000;

/// How to reach and log in to the server.
#[derive(Clone)]
pub struct ClientConfig {
    /// The SDK endpoint, already normalised: `https://host:port/sdk`.
    pub url: Url,
    pub user: String,
    pub password: String,
    /// Skip TLS certificate verification (self-signed lab servers).
    pub insecure: bool,
    /// Upper bound for every HTTP request, connect included.
    pub timeout: Duration,
}

impl fmt::Debug for ClientConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientConfig")
            .field("url", &redacted_url(&self.url))
            .field("user", &self.user)
            .field("password", &"<redacted>")
            .field("insecure", &self.insecure)
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// How to connect, beyond [`ClientConfig`].
#[derive(Clone, Default)]
pub struct ConnectOptions {
    /// Every request (SOAP, datastore and library transfers alike, since
    /// they share the HTTP client) goes through this proxy:
    /// `http://host:port` (CONNECT) or `socks4://`, `socks4a://`, `socks5://host:port`.
    pub proxy: Option<String>,
    /// The certificates to trust; `None`: the system's, or any when
    /// [`ClientConfig::insecure`].
    pub trust: Option<CertificateTrust>,
    /// A session cookie (`vmware_soap_session=…`) from an earlier process:
    /// used instead of logging in when the server still knows it.
    pub session: Option<String>,
}

/// A logged-in VI session. Clones share the session.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    transport: Transport,
    user: String,
    password: String,
    content: ServiceContent,
    api_version: String,
    soap_action: String,
    session: Mutex<Session>,
    /// Serialises re-logins so concurrent callers that all see
    /// NotAuthenticated cause one Login, not a storm.
    login_lock: tokio::sync::Mutex<()>,
    /// The one long-poll every task waiter shares.
    task_watch: crate::vi::core::task_watch::TaskWatch,
}

#[derive(Default)]
struct Session {
    /// `vmware_soap_session=<value>`, ready for a Cookie header.
    cookie: Option<String>,
    user: Option<UserSession>,
    /// Bumped on every successful Login; lets a caller tell whether someone
    /// else already replaced the session it saw fail.
    generation: u64,
    /// Set by `logout`: the client then stays logged out.
    logged_out: bool,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("url", &self.inner.transport.display_url)
            .field("api_version", &self.inner.api_version)
            .finish_non_exhaustive()
    }
}

impl Client {
    /// Connects: RetrieveServiceContent, then Login.
    pub async fn connect(cfg: ClientConfig) -> Result<Client, ViError> {
        Self::connect_via(cfg, None).await
    }

    /// Like [`Self::connect`], with every request (SOAP, datastore and
    /// library transfers alike, since they share the HTTP client) sent
    /// through `proxy`: `http://host:port` (CONNECT) or
    /// `socks4://`, `socks4a://`, `socks5://host:port`.
    pub async fn connect_via(cfg: ClientConfig, proxy: Option<&str>) -> Result<Client, ViError> {
        let options = ConnectOptions { proxy: proxy.map(str::to_owned), ..ConnectOptions::default() };
        Self::connect_with(cfg, options).await
    }

    /// Connects with everything [`ConnectOptions`] can say: a proxy, the
    /// certificates to trust, a session to resume.
    pub async fn connect_with(cfg: ClientConfig, options: ConnectOptions) -> Result<Client, ViError> {
        let trust =
            options.trust.clone().unwrap_or_else(|| CertificateTrust { insecure: cfg.insecure, ..Default::default() });
        let transport = Transport::new(&cfg, options.proxy.as_deref(), &trust)?;
        let si = MoType::ServiceInstance.moref("ServiceInstance");
        let bootstrap_action = soap::soap_action(soap::DEFAULT_API_VERSION);
        let reply = transport.call("RetrieveServiceContent", &si, "", &bootstrap_action, None).await?;
        let content = reply
            .node
            .child("returnval")
            .ok_or_else(|| ViError::Decode("RetrieveServiceContent returned nothing".into()))
            .and_then(ServiceContent::from_node)?;
        let api_version = if content.about.api_version.trim().is_empty() {
            soap::DEFAULT_API_VERSION.to_string()
        } else {
            content.about.api_version.trim().to_string()
        };
        debug!(
            api_version = %api_version,
            api_type = %content.about.api_type,
            "connected to {}",
            transport.display_url
        );
        let client = Client {
            inner: Arc::new(Inner {
                transport,
                user: cfg.user,
                password: cfg.password,
                soap_action: soap::soap_action(&api_version),
                api_version,
                content,
                session: Mutex::new(Session::default()),
                login_lock: tokio::sync::Mutex::new(()),
                task_watch: Default::default(),
            }),
        };
        let resumed = match options.session {
            Some(cookie) => client.resume(cookie).await,
            None => false,
        };
        if !resumed {
            client.login().await?;
        }
        Ok(client)
    }

    /// Takes over the session `cookie` belongs to if the server still
    /// knows it (`SessionManager.currentSession` is set); false otherwise.
    async fn resume(&self, cookie: String) -> bool {
        let sm = self.inner.content.session_manager.to_xml("obj");
        let spec = filter_spec_xml(
            &[("SessionManager", &["currentSession"])],
            &format!("<objectSet>{sm}<skip>false</skip></objectSet>"),
            false,
        );
        let args = format!("{spec}<options></options>");
        let pc = &self.inner.content.property_collector;
        let reply =
            self.inner.transport.call("RetrievePropertiesEx", pc, &args, &self.inner.soap_action, Some(&cookie)).await;
        let current = reply.ok().and_then(|r| {
            let mut found = Vec::new();
            absorb_result(r.node.child("returnval"), &mut found).ok()?;
            found.iter().find_map(|oc| oc.node("currentSession").and_then(|n| UserSession::from_node(n).ok()))
        });
        match current {
            Some(user) if !user.key.is_empty() => {
                let mut s = self.session();
                s.cookie = Some(cookie);
                s.user = Some(user);
                s.generation += 1;
                debug!("resumed a saved session");
                true
            }
            _ => {
                debug!("the saved session is no longer valid; logging in");
                false
            }
        }
    }

    pub(crate) fn task_watch(&self) -> &crate::vi::core::task_watch::TaskWatch {
        &self.inner.task_watch
    }

    pub fn service_content(&self) -> &ServiceContent {
        &self.inner.content
    }

    /// The API version the server reports (and that requests announce).
    pub fn api_version(&self) -> &str {
        &self.inner.api_version
    }

    /// The SDK URL (without credentials).
    pub fn url(&self) -> &Url {
        &self.inner.transport.url
    }

    /// The underlying HTTP client (same TLS settings and timeout), for
    /// datastore / NFC transfers that go beside SOAP.
    pub fn http_client(&self) -> &reqwest::Client {
        &self.inner.transport.http
    }

    /// The timeout every SOAP request is bounded by (`api_timeout`); long
    /// transfers use it as an idle timeout instead.
    pub fn api_timeout(&self) -> Duration {
        self.inner.transport.timeout
    }

    /// User name and password, for the vAPI REST login of the content
    /// library client (the REST endpoints do not accept the SOAP session).
    pub(crate) fn credentials(&self) -> (&str, &str) {
        (&self.inner.user, &self.inner.password)
    }

    /// Logs in again after a side channel (datastore HTTP) refused
    /// `stale_cookie`, unless the session was already replaced since.
    pub(crate) async fn renew_session(&self, stale_cookie: &str) -> Result<(), ViError> {
        let generation = {
            let s = self.session();
            if s.cookie.as_deref() != Some(stale_cookie) {
                return Ok(());
            }
            s.generation
        };
        self.relogin(generation).await
    }

    /// `vmware_soap_session=<value>`, ready to send as a `Cookie` header on
    /// datastore HTTP transfers; `None` when logged out.
    pub fn session_cookie(&self) -> Option<String> {
        self.session().cookie.clone()
    }

    /// The current session as returned by Login.
    pub fn user_session(&self) -> Option<UserSession> {
        self.session().user.clone()
    }

    /// One SOAP call; returns the `<methodResponse>` element. A
    /// NotAuthenticated fault (expired or terminated session) triggers one
    /// re-login and one retry.
    pub async fn invoke(
        &self,
        method: &str,
        this: &ManagedObjectReference,
        args_xml: &str,
    ) -> Result<XmlNode, ViError> {
        self.invoke_checked(method, this, args_xml, |_| false).await
    }

    /// Retrieves `paths` of every object in `objs` in one
    /// RetrievePropertiesEx (plus continuation pages). Results follow the
    /// order of `objs` (duplicates dropped); an object that no longer exists
    /// comes back with [`ObjectContent::is_missing_object`] rather than
    /// failing the batch. Every object type gets the same `paths`.
    pub async fn retrieve(
        &self,
        objs: &[ManagedObjectReference],
        paths: &[&str],
    ) -> Result<Vec<ObjectContent>, ViError> {
        let kinds: BTreeSet<&str> = objs.iter().map(|o| o.kind.as_str()).collect();
        let specs: Vec<(&str, &[&str])> = kinds.into_iter().map(|k| (k, paths)).collect();
        self.retrieve_by_type(objs, &specs, None).await
    }

    /// Like [`Self::retrieve`], with property paths per managed object type
    /// (`[("VirtualMachine", &["name", "config.hardware.numCPU"]), ("Datastore",
    /// &["name"])]`; a supertype such as `ManagedEntity` covers its subtypes)
    /// and an optional page size (`maxObjects`; the server decides when `None`).
    pub async fn retrieve_by_type(
        &self,
        objs: &[ManagedObjectReference],
        props_by_type: &[(&str, &[&str])],
        max_objects: Option<u32>,
    ) -> Result<Vec<ObjectContent>, ViError> {
        let mut wanted: Vec<&ManagedObjectReference> = Vec::with_capacity(objs.len());
        let mut seen = BTreeSet::new();
        for o in objs {
            if seen.insert(o) {
                wanted.push(o);
            }
        }
        if wanted.is_empty() {
            return Ok(Vec::new());
        }
        let object_set: String =
            wanted.iter().map(|o| format!("<objectSet>{}<skip>false</skip></objectSet>", o.to_xml("obj"))).collect();
        // reportMissingObjectsInResults: a deleted object must not fault the
        // whole batch (vCenter reports it in missingSet, vcsim leaves it out).
        let spec = filter_spec_xml(props_by_type, &object_set, true);
        let found = self.retrieve_spec(&spec, max_objects).await?;

        let mut by_ref: HashMap<ManagedObjectReference, ObjectContent> =
            found.into_iter().map(|oc| (oc.obj.clone(), oc)).collect();
        Ok(wanted
            .into_iter()
            .map(|o| by_ref.remove(o).unwrap_or_else(|| ObjectContent::not_found(o.clone())))
            .collect())
    }

    /// SearchIndex.FindByInventoryPath: `"DC0/vm"`, `"DC0/host/DC0_C0/Resources"`,
    /// `"DC0/datastore/LocalDS_0"`. `None` when nothing is there.
    pub async fn find_by_inventory_path(&self, path: &str) -> Result<Option<ManagedObjectReference>, ViError> {
        let args = format!("<inventoryPath>{}</inventoryPath>", escape(path));
        let resp = self.invoke("FindByInventoryPath", &self.inner.content.search_index, &args).await?;
        Ok(resp.child("returnval").and_then(ManagedObjectReference::from_node))
    }

    /// SearchIndex.FindByUuid for a virtual machine (in `datacenter`, else
    /// anywhere): by its
    /// BIOS uuid (`config.uuid`) or, with `instance_uuid`, by
    /// `config.instanceUuid`. `None` when no VM has it.
    pub async fn find_vm_by_uuid(
        &self,
        datacenter: Option<&ManagedObjectReference>,
        uuid: &str,
        instance_uuid: bool,
    ) -> Result<Option<ManagedObjectReference>, ViError> {
        let args = format!(
            "{}<uuid>{}</uuid><vmSearch>true</vmSearch><instanceUuid>{instance_uuid}</instanceUuid>",
            datacenter.map(|d| d.to_xml("datacenter")).unwrap_or_default(),
            escape(uuid)
        );
        let resp = self.invoke("FindByUuid", &self.inner.content.search_index, &args).await?;
        Ok(resp.child("returnval").and_then(ManagedObjectReference::from_node).filter(|m| m.is(MoType::VirtualMachine)))
    }

    /// Every object of type `kind` below `container` (recursively), with
    /// `paths` retrieved: a ContainerView, one RetrievePropertiesEx over it,
    /// then DestroyView.
    pub async fn list_by_type(
        &self,
        container: &ManagedObjectReference,
        kind: &str,
        paths: &[&str],
    ) -> Result<Vec<ObjectContent>, ViError> {
        let generation = self.session().generation;
        match self.list_by_type_once(container, kind, paths).await {
            // The view is session-scoped: if a re-login happened between
            // creating and reading it, it is gone. Start over once.
            Err(e) if e.is_fault(FaultKind::ManagedObjectNotFound) && self.session().generation != generation => {
                debug!("container view lost to a re-login; listing again");
                self.list_by_type_once(container, kind, paths).await
            }
            r => r,
        }
    }

    /// Ends the session; the client does not log in again afterwards.
    /// Harmless when the session has already ended.
    pub async fn logout(&self) -> Result<(), ViError> {
        let sm = self.inner.content.session_manager.clone();
        let (_, res) = self.call_once("Logout", &sm, "").await;
        {
            let mut s = self.session();
            s.cookie = None;
            s.user = None;
            s.logged_out = true;
        }
        match res {
            Ok(_) => Ok(()),
            Err(e) if e.is_fault(FaultKind::NotAuthenticated) => Ok(()),
            Err(e) => Err(e),
        }
    }

    // ---- internals ----

    fn session(&self) -> MutexGuard<'_, Session> {
        // Poisoning only means another thread panicked mid-update of plain
        // data; the data is still usable.
        self.inner.session.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// SessionManager.Login; stores the cookie and bumps the generation.
    async fn login(&self) -> Result<(), ViError> {
        let args = format!(
            "<userName>{}</userName><password>{}</password>",
            escape(&self.inner.user),
            escape(&self.inner.password)
        );
        let reply = self
            .inner
            .transport
            .call(
                "Login",
                &self.inner.content.session_manager,
                &args,
                &self.inner.soap_action,
                None, // never present a stale session to Login
            )
            .await?;
        let user = reply
            .node
            .child("returnval")
            .ok_or_else(|| ViError::Decode("Login returned no UserSession".into()))
            .and_then(UserSession::from_node)?;
        let cookie = reply.cookie.ok_or_else(|| ViError::Decode(format!("Login set no {SESSION_COOKIE} cookie")))?;
        let mut s = self.session();
        s.cookie = Some(cookie);
        s.user = Some(user);
        s.generation += 1;
        debug!(generation = s.generation, "logged in");
        Ok(())
    }

    /// Logs in again unless someone already did since `seen_generation`.
    async fn relogin(&self, seen_generation: u64) -> Result<(), ViError> {
        let _guard = self.inner.login_lock.lock().await;
        {
            let s = self.session();
            if s.logged_out {
                return Err(ViError::Fault {
                    kind: "NotAuthenticated".into(),
                    message: "the client has logged out".into(),
                });
            }
            if s.generation != seen_generation {
                return Ok(());
            }
        }
        debug!("session is no longer authenticated; logging in again");
        self.login().await
    }

    /// One call with the current cookie; returns the session generation the
    /// cookie belonged to, so a NotAuthenticated answer can be attributed.
    async fn call_once(
        &self,
        method: &str,
        this: &ManagedObjectReference,
        args_xml: &str,
    ) -> (u64, Result<XmlNode, ViError>) {
        let (cookie, generation) = {
            let s = self.session();
            (s.cookie.clone(), s.generation)
        };
        let res = self
            .inner
            .transport
            .call(method, this, args_xml, &self.inner.soap_action, cookie.as_deref())
            .await
            .map(|r| r.node);
        (generation, res)
    }

    /// `invoke`, where `stale` can also flag a successful answer as "not
    /// authenticated" (vcsim answers RetrievePropertiesEx without a session
    /// with NotAuthenticated per property instead of a fault).
    async fn invoke_checked(
        &self,
        method: &str,
        this: &ManagedObjectReference,
        args_xml: &str,
        stale: impl Fn(&XmlNode) -> bool,
    ) -> Result<XmlNode, ViError> {
        let (generation, res) = self.call_once(method, this, args_xml).await;
        let expired = match &res {
            Err(e) => e.is_fault(FaultKind::NotAuthenticated),
            Ok(node) => stale(node),
        };
        if !expired || matches!(method, "Login" | "Logout" | "RetrieveServiceContent") {
            return res;
        }
        self.relogin(generation).await?;
        self.call_once(method, this, args_xml).await.1
    }

    /// RetrievePropertiesEx with `spec`, then ContinueRetrievePropertiesEx
    /// while the server hands out tokens.
    async fn retrieve_spec(&self, spec_xml: &str, max_objects: Option<u32>) -> Result<Vec<ObjectContent>, ViError> {
        let pc = &self.inner.content.property_collector;
        let options = match max_objects {
            Some(n) if n > 0 => format!("<options><maxObjects>{n}</maxObjects></options>"),
            _ => "<options></options>".to_string(),
        };
        let args = format!("{spec_xml}{options}");
        let first = self.invoke_checked("RetrievePropertiesEx", pc, &args, has_not_authenticated).await?;
        let mut out = Vec::new();
        let mut token = absorb_result(first.child("returnval"), &mut out)?;
        let mut pages = 0usize;
        while let Some(t) = token {
            pages += 1;
            if pages > MAX_PAGES {
                return Err(ViError::Decode(format!(
                    "RetrievePropertiesEx still returns tokens after {MAX_PAGES} pages"
                )));
            }
            let args = format!("<token>{}</token>", escape(&t));
            let next = self.invoke("ContinueRetrievePropertiesEx", pc, &args).await?;
            token = absorb_result(next.child("returnval"), &mut out)?;
        }
        // Still unauthenticated after a re-login: do not pass empty objects
        // off as data.
        if out.iter().any(|oc| oc.missing.iter().any(|(_, k)| k == "NotAuthenticated")) {
            return Err(ViError::Fault {
                kind: "NotAuthenticated".into(),
                message: "properties were withheld: the session is not authenticated".into(),
            });
        }
        Ok(out)
    }

    async fn list_by_type_once(
        &self,
        container: &ManagedObjectReference,
        kind: &str,
        paths: &[&str],
    ) -> Result<Vec<ObjectContent>, ViError> {
        let args = format!("{}<type>{}</type><recursive>true</recursive>", container.to_xml("container"), escape(kind));
        let resp = self.invoke("CreateContainerView", &self.inner.content.view_manager, &args).await?;
        let view = resp
            .child("returnval")
            .and_then(ManagedObjectReference::from_node)
            .ok_or_else(|| ViError::Decode("CreateContainerView returned no view".into()))?;

        let object_set = format!(
            concat!(
                "<objectSet>{}<skip>true</skip>",
                r#"<selectSet xsi:type="TraversalSpec"><name>traverseView</name>"#,
                "<type>ContainerView</type><path>view</path><skip>false</skip>",
                "</selectSet></objectSet>"
            ),
            view.to_xml("obj")
        );
        // No reportMissingObjectsInResults here: a vanished view must fault,
        // not read as an empty inventory.
        let spec = filter_spec_xml(&[(kind, paths)], &object_set, false);
        let result = self.retrieve_spec(&spec, None).await;

        if let Err(e) = self.invoke("DestroyView", &view, "").await {
            // A leaked view dies with the session; not worth failing a read.
            warn!(view = %view, error = %e, "DestroyView failed");
        }
        result
    }
}

/// A `PropertyFilterSpec` element (`specSet`), fields in WSDL order.
fn filter_spec_xml(props_by_type: &[(&str, &[&str])], object_set_xml: &str, report_missing: bool) -> String {
    let mut s = String::from("<specSet>");
    for (kind, paths) in props_by_type {
        s.push_str("<propSet><type>");
        s.push_str(&escape(kind));
        s.push_str("</type><all>false</all>");
        for p in paths.iter() {
            s.push_str("<pathSet>");
            s.push_str(&escape(p));
            s.push_str("</pathSet>");
        }
        s.push_str("</propSet>");
    }
    s.push_str(object_set_xml);
    if report_missing {
        s.push_str("<reportMissingObjectsInResults>true</reportMissingObjectsInResults>");
    }
    s.push_str("</specSet>");
    s
}

/// Appends the objects of a `RetrieveResult` and returns its token, if any.
fn absorb_result(returnval: Option<&XmlNode>, out: &mut Vec<ObjectContent>) -> Result<Option<String>, ViError> {
    let Some(rv) = returnval else {
        return Ok(None); // no objects at all
    };
    for o in rv.children_named("objects") {
        out.push(ObjectContent::from_node(o)?);
    }
    Ok(rv.child_text("token").map(str::trim).filter(|t| !t.is_empty()).map(str::to_string))
}

/// True when a RetrievePropertiesEx answer withholds properties because the
/// session is not authenticated.
fn has_not_authenticated(resp: &XmlNode) -> bool {
    resp.children_named("returnval")
        .flat_map(|rv| rv.children_named("objects"))
        .flat_map(|o| o.children_named("missingSet"))
        .filter_map(|m| m.descend("fault.fault"))
        .any(|f| f.xsi_type().unwrap_or(&f.name) == "NotAuthenticated")
}

fn redacted_url(url: &Url) -> String {
    let mut u = url.clone();
    // Only fails for cannot-be-a-base URLs, which carry no credentials.
    let _ = u.set_username("");
    let _ = u.set_password(None);
    u.to_string()
}

/// The `name=value` of a Set-Cookie header when it is the session cookie.
fn session_cookie_from(set_cookie: &str) -> Option<String> {
    let pair = set_cookie.split(';').next()?.trim();
    let (name, value) = pair.split_once('=')?;
    (name.trim() == SESSION_COOKIE && !value.trim().is_empty()).then(|| format!("{SESSION_COOKIE}={}", value.trim()))
}

/// The HTTP side: one reqwest client, the endpoint, the timeout.
struct Transport {
    http: reqwest::Client,
    url: Url,
    display_url: String,
    timeout: Duration,
}

/// A send that failed, and whether it failed before a connection existed.
struct Failed {
    error: ViError,
    connect_failed: bool,
}

struct Reply {
    node: XmlNode,
    /// The session cookie, when the server set one.
    cookie: Option<String>,
}

impl Transport {
    fn new(cfg: &ClientConfig, proxy: Option<&str>, trust: &CertificateTrust) -> Result<Transport, ViError> {
        if cfg.url.scheme() != "https" && cfg.url.scheme() != "http" {
            return Err(ViError::Config(format!("URL scheme must be https, not {:?}", cfg.url.scheme())));
        }
        let display_url = redacted_url(&cfg.url);
        let url = Url::parse(&display_url).map_err(|e| ViError::Config(format!("invalid URL {display_url}: {e}")))?;
        let mut builder = reqwest::Client::builder();
        if let Some(p) = proxy {
            let proxy = reqwest::Proxy::all(p).map_err(|e| ViError::Config(format!("invalid proxy {p:?}: {e}")))?;
            builder = builder.proxy(proxy);
        }
        let http = trust
            .apply(builder)?
            .timeout(cfg.timeout)
            .connect_timeout(cfg.timeout)
            // SOAP is POST to one endpoint; a redirect would drop the body.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("terraform-provider-vi/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ViError::Config(format!("cannot build the HTTP client: {e}")))?;
        Ok(Transport { http, url, display_url, timeout: cfg.timeout })
    }

    /// One SOAP call, sent again after a transient failure when
    /// [`retry::should_retry`] allows it (reads always; anything else only
    /// when the request cannot have reached the server).
    async fn call(
        &self,
        method: &str,
        this: &ManagedObjectReference,
        args_xml: &str,
        soap_action: &str,
        cookie: Option<&str>,
    ) -> Result<Reply, ViError> {
        let body = soap::envelope(method, this, args_xml)?;
        let mut attempt = 0u32;
        loop {
            attempt += 1;
            let started = Instant::now();
            let (res, connect_failed) = match self.post(method, body.clone(), soap_action, cookie).await {
                Ok((status, cookie, bytes)) => {
                    (soap::parse_response(method, status, &bytes).map(|node| Reply { node, cookie }), false)
                }
                Err(Failed { error, connect_failed }) => (Err(error), connect_failed),
            };
            let elapsed_ms = started.elapsed().as_millis() as u64;
            match res {
                Ok(reply) => {
                    debug!(method, elapsed_ms, attempt, "vi call");
                    return Ok(reply);
                }
                Err(e) if retry::should_retry(method, &e, connect_failed, attempt) => {
                    let pause = retry::backoff(attempt);
                    warn!(
                        method,
                        elapsed_ms,
                        attempt,
                        pause_ms = pause.as_millis() as u64,
                        error = %e,
                        "transient failure; sending the call again"
                    );
                    tokio::time::sleep(pause).await;
                }
                Err(e) => {
                    debug!(method, elapsed_ms, attempt, error = %e, "vi call failed");
                    return Err(if attempt > 1 { retry::after_attempts(e, attempt) } else { e });
                }
            }
        }
    }

    /// POSTs the envelope; returns status, session cookie (if set) and body.
    async fn post(
        &self,
        method: &str,
        body: String,
        soap_action: &str,
        cookie: Option<&str>,
    ) -> Result<(u16, Option<String>, Vec<u8>), Failed> {
        let what = format!("{method} on {}", self.display_url);
        // Whole seconds, rounded up, so a 500ms timeout does not read "0s".
        let secs = self.timeout.as_secs().saturating_add(u64::from(self.timeout.subsec_nanos() > 0));
        let transport_err = |e: reqwest::Error| Failed {
            error: ViError::from_transport(&e, &self.display_url, &what, secs),
            // reqwest only says "connect" when no connection was made, so
            // no byte of the request left.
            connect_failed: e.is_connect(),
        };

        let mut req = self
            .http
            .post(self.url.clone())
            .header("Content-Type", "text/xml; charset=utf-8")
            .header("SOAPAction", soap_action)
            .body(body);
        if let Some(c) = cookie {
            req = req.header("Cookie", c);
        }
        let mut resp = req.send().await.map_err(transport_err)?;
        let status = resp.status().as_u16();
        let new_cookie =
            resp.headers().get_all("set-cookie").iter().filter_map(|v| v.to_str().ok()).find_map(session_cookie_from);
        let too_large = || Failed {
            error: ViError::Decode(format!("answer to {method} is larger than {} bytes", xml::MAX_BYTES)),
            connect_failed: false,
        };
        if resp.content_length().is_some_and(|n| n > xml::MAX_BYTES as u64) {
            return Err(too_large());
        }
        let mut bytes = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(transport_err)? {
            if bytes.len().saturating_add(chunk.len()) > xml::MAX_BYTES {
                return Err(too_large());
            }
            bytes.extend_from_slice(&chunk);
        }
        Ok((status, new_cookie, bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_debug_redacts_password() {
        let cfg = ClientConfig {
            url: Url::parse("https://admin:urlsecret@vc.example/sdk").unwrap(),
            user: "admin".into(),
            password: "hunter2".into(),
            insecure: false,
            timeout: Duration::from_secs(5),
        };
        let s = format!("{cfg:?}");
        assert!(!s.contains("hunter2"), "{s}");
        assert!(!s.contains("urlsecret"), "{s}");
        assert!(s.contains("<redacted>"), "{s}");
    }

    #[test]
    fn parses_session_cookie() {
        assert_eq!(
            session_cookie_from("vmware_soap_session=abc-1; HttpOnly").as_deref(),
            Some("vmware_soap_session=abc-1")
        );
        assert_eq!(
            session_cookie_from("vmware_soap_session=\"52a1\"; Path=/; HttpOnly; Secure;").as_deref(),
            Some("vmware_soap_session=\"52a1\"")
        );
        assert_eq!(session_cookie_from("other=1; HttpOnly"), None);
        assert_eq!(session_cookie_from("vmware_soap_session=; HttpOnly"), None);
        assert_eq!(session_cookie_from("garbage"), None);
        assert_eq!(session_cookie_from(""), None);
    }

    #[test]
    fn filter_spec_groups_by_type() {
        let vm_paths: &[&str] = &["name", "config.hardware.numCPU"];
        let ds_paths: &[&str] = &["name"];
        let objs = "<objectSet><obj type=\"VirtualMachine\">vm-1</obj></objectSet>";
        let s = filter_spec_xml(&[("VirtualMachine", vm_paths), ("Datastore", ds_paths)], objs, true);
        let node = xml::parse(s.as_bytes()).unwrap();
        assert_eq!(node.name, "specSet");
        let props: Vec<_> = node.children_named("propSet").collect();
        assert_eq!(props.len(), 2);
        assert_eq!(props.first().and_then(|p| p.child_text("type")), Some("VirtualMachine"));
        assert_eq!(props.first().map(|p| p.children_named("pathSet").count()), Some(2));
        assert_eq!(node.child_text("reportMissingObjectsInResults"), Some("true"));
        // WSDL order: propSet*, objectSet*, reportMissingObjectsInResults.
        let order: Vec<&str> = node.children.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(order, ["propSet", "propSet", "objectSet", "reportMissingObjectsInResults"]);
    }

    #[test]
    fn absorbs_pages_and_detects_not_authenticated() {
        let doc = br#"<RetrievePropertiesExResponse xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><returnval><token>t1</token>
<objects><obj type="Datacenter">datacenter-1</obj><missingSet><path>name</path><fault><fault xsi:type="NotAuthenticated"/></fault></missingSet></objects></returnval></RetrievePropertiesExResponse>"#;
        let resp = xml::parse(doc).unwrap();
        let mut out = Vec::new();
        let token = absorb_result(resp.child("returnval"), &mut out).unwrap();
        assert_eq!(token.as_deref(), Some("t1"));
        assert_eq!(out.len(), 1);
        assert!(has_not_authenticated(&resp));

        let empty = xml::parse(b"<RetrievePropertiesExResponse/>").unwrap();
        assert_eq!(absorb_result(empty.child("returnval"), &mut out).unwrap(), None);
        assert!(!has_not_authenticated(&empty));
    }

    mod transient_failures {
        use super::super::*;
        use crate::vi::core::fake_vsphere::{Act, FakeVsphere};
        use crate::vi::core::retry::MAX_ATTEMPTS;

        fn folder() -> ManagedObjectReference {
            MoType::Folder.moref("group-v3")
        }

        #[tokio::test]
        async fn reads_are_sent_again_after_503_and_dropped_connections() {
            let fake = FakeVsphere::start().await;
            fake.script("RetrieveServiceContent", &[Act::Unavailable]);
            fake.script("Login", &[Act::Drop]);
            let client = fake.connect(Duration::from_secs(5)).await;
            fake.script("FindByInventoryPath", &[Act::Unavailable, Act::Drop, Act::Unavailable]);
            let found = client.find_by_inventory_path("DC0/vm").await.unwrap();
            assert_eq!(found, Some(folder()));
            assert_eq!(fake.count("FindByInventoryPath"), 4);
            assert_eq!(fake.count("RetrieveServiceContent"), 2);
            assert_eq!(fake.count("Login"), 2);
        }

        #[tokio::test]
        async fn a_persistent_failure_gives_up_and_says_so() {
            let fake = FakeVsphere::start().await;
            let client = fake.connect(Duration::from_secs(5)).await;
            fake.script("FindByInventoryPath", &[Act::Unavailable; 10]);
            let err = client.find_by_inventory_path("DC0/vm").await.unwrap_err();
            assert!(matches!(err, ViError::Http { status: 503, .. }), "{err:?}");
            assert!(err.to_string().contains(&format!("gave up after {MAX_ATTEMPTS} attempts")), "{err}");
            assert_eq!(fake.count("FindByInventoryPath"), MAX_ATTEMPTS as usize);
        }

        #[tokio::test]
        async fn a_slow_read_is_sent_again_and_a_stuck_one_times_out() {
            let fake = FakeVsphere::start().await;
            let client = fake.connect(Duration::from_millis(400)).await;
            fake.script("FindByInventoryPath", &[Act::Stall(Duration::from_millis(1500))]);
            assert_eq!(client.find_by_inventory_path("DC0/vm").await.unwrap(), Some(folder()));
            assert_eq!(fake.count("FindByInventoryPath"), 2);

            fake.script("FindByInventoryPath", &[Act::Stall(Duration::from_millis(1500)); 4]);
            let err = client.find_by_inventory_path("DC0/vm").await.unwrap_err();
            let ViError::Timeout { what, after_secs } = &err else { panic!("{err:?}") };
            assert_eq!(*after_secs, 1);
            assert!(what.contains("FindByInventoryPath") && what.contains("sent 4 times"), "{what}");
        }

        #[tokio::test]
        async fn a_task_is_never_sent_twice_once_it_may_have_arrived() {
            let fake = FakeVsphere::start().await;
            let client = fake.connect(Duration::from_millis(400)).await;
            let args = "<config></config>";

            fake.script("CreateVM_Task", &[Act::Unavailable]);
            let err = client.start_task("CreateVM_Task", &folder(), args, None).await.unwrap_err();
            assert!(matches!(err, ViError::Http { status: 503, .. }), "{err:?}");
            assert_eq!(fake.count("CreateVM_Task"), 1);

            fake.script("CreateVM_Task", &[Act::Drop]);
            let err = client.start_task("CreateVM_Task", &folder(), args, None).await.unwrap_err();
            assert!(matches!(err, ViError::Connect { .. }), "{err:?}");
            assert_eq!(fake.count("CreateVM_Task"), 2);

            fake.script("CreateVM_Task", &[Act::Stall(Duration::from_millis(1500))]);
            let err = client.start_task("CreateVM_Task", &folder(), args, None).await.unwrap_err();
            assert!(matches!(err, ViError::Timeout { .. }), "{err:?}");
            assert_eq!(fake.count("CreateVM_Task"), 3);

            // And the next, healthy call goes through.
            let task = client.start_task("CreateVM_Task", &folder(), args, None).await.unwrap();
            assert_eq!(task.value, "task-1");
            assert_eq!(fake.count("CreateVM_Task"), 4);
        }
    }
}
