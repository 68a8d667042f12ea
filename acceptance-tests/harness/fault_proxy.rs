//! A fault-injecting HTTP reverse proxy between the provider and a
//! plain-HTTP vcsim (`-tls=false`). It sits on the plain side so it can read
//! the SOAP method of every request (for transfers, the verb and first path
//! segment: `PUT /folder`), and injects faults by method and count:
//! a 503 instead of the call, a connection dropped before or after vcsim
//! acted on it, a delay, or a hook (ending the caller's session from a second
//! client). Everything else is passed through. Threads end with their
//! connections; the listener thread ends with the test process.
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

/// Called with the caller's session key (the `vmware_soap_session` cookie).
pub type Hook = Arc<dyn Fn(&str) + Send + Sync>;

/// What to do to a matching request.
#[derive(Clone)]
pub enum Fault {
    /// Answer 503 Service Unavailable; vcsim never sees the call.
    Unavailable,
    /// Close the connection without forwarding: the call never arrives.
    DropRequest,
    /// Forward, let vcsim act, then close the connection instead of passing
    /// the answer on: the call happened but its answer is lost.
    DropResponse,
    /// Wait, then forward.
    Delay(Duration),
    /// Run the hook, then forward.
    Hook(Hook),
}

/// Faults one request (the same bytes, as a retry resends them) may get
/// from rules that are not persistent: one fewer than the client's sends,
/// so transient faults never add up to a failure however requests
/// interleave.
pub const TRANSIENT_CAP: usize = 3;

struct Rule {
    method: String,
    /// Matching requests to let through before the first fault.
    skip: usize,
    /// Faults left to inject.
    left: usize,
    fault: Fault,
    /// Ignores [`TRANSIENT_CAP`].
    persistent: bool,
}

#[derive(Default)]
struct Book {
    rules: Vec<Rule>,
    /// Method → requests seen.
    calls: HashMap<String, usize>,
    /// Hash of a request's bytes → faults it got.
    faulted: HashMap<u64, usize>,
}

pub struct FaultProxy {
    pub addr: String,
    book: Arc<Mutex<Book>>,
    injected: Arc<AtomicUsize>,
    cut: Cut,
}

/// The network between the provider and vcsim, cut or whole: while cut,
/// every connection is closed at its next request, and every answer vcsim
/// gives is dropped. Cloned into hooks to cut at a chosen moment.
#[derive(Clone, Default)]
pub struct Cut(Arc<AtomicBool>);

impl Cut {
    pub fn cut(&self) {
        self.0.store(true, Ordering::SeqCst);
    }
    pub fn mend(&self) {
        self.0.store(false, Ordering::SeqCst);
    }
    fn is_cut(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }
}

impl FaultProxy {
    /// Listens on a free loopback port and forwards to `upstream`
    /// (`127.0.0.1:PORT`, plain HTTP).
    pub fn start(upstream: &str) -> FaultProxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind fault proxy");
        let addr = listener.local_addr().expect("fault proxy addr").to_string();
        let book = Arc::new(Mutex::new(Book::default()));
        let injected = Arc::new(AtomicUsize::new(0));
        let cut = Cut::default();
        let (b, i, up, c) = (book.clone(), injected.clone(), upstream.to_owned(), cut.clone());
        thread::spawn(move || {
            for conn in listener.incoming().flatten() {
                if c.is_cut() {
                    continue;
                }
                let (b, i, up, c) = (b.clone(), i.clone(), up.clone(), c.clone());
                thread::spawn(move || {
                    let _ = serve(conn, &up, &b, &i, &c);
                });
            }
        });
        FaultProxy { addr, book, injected, cut }
    }

    /// The SDK URL to give the provider.
    pub fn sdk_url(&self) -> String {
        format!("http://{}/sdk", self.addr)
    }

    /// Injects `fault` into `times` requests for `method`, after letting
    /// `skip` of them through; no single request is faulted more than
    /// [`TRANSIENT_CAP`] times, so retries always get through.
    pub fn inject(&self, method: &str, skip: usize, times: usize, fault: Fault) {
        self.add(method, skip, times, fault, false);
    }

    /// Like [`Self::inject`], without the cap: a fault that persists.
    pub fn inject_persistent(&self, method: &str, skip: usize, times: usize, fault: Fault) {
        self.add(method, skip, times, fault, true);
    }

    fn add(&self, method: &str, skip: usize, times: usize, fault: Fault, persistent: bool) {
        self.rules().add(method, skip, times, fault, persistent);
    }

    /// A handle that adds rules from a [`Fault::Hook`] (hooks run on the
    /// proxy's threads, outside its lock): a fault that starts at a chosen
    /// call rather than after a count.
    pub fn rules(&self) -> Rules {
        Rules(self.book.clone())
    }

    /// The switch that cuts the network (see [`Cut`]).
    pub fn cutter(&self) -> Cut {
        self.cut.clone()
    }

    /// Drops every rule not used up yet.
    pub fn clear(&self) {
        self.book.lock().expect("proxy book").rules.clear();
    }

    /// Requests for `method` that reached the proxy (faulted or not).
    pub fn calls(&self, method: &str) -> usize {
        self.book.lock().expect("proxy book").calls.get(method).copied().unwrap_or(0)
    }

    /// Faults injected so far.
    pub fn injected(&self) -> usize {
        self.injected.load(Ordering::SeqCst)
    }
}

/// Adds rules to a running [`FaultProxy`]; see [`FaultProxy::rules`].
#[derive(Clone)]
pub struct Rules(Arc<Mutex<Book>>);

impl Rules {
    /// [`FaultProxy::inject_persistent`], from anywhere.
    pub fn inject_persistent(&self, method: &str, skip: usize, times: usize, fault: Fault) {
        self.add(method, skip, times, fault, true);
    }

    fn add(&self, method: &str, skip: usize, times: usize, fault: Fault, persistent: bool) {
        let mut b = self.0.lock().expect("proxy book");
        b.rules.push(Rule { method: method.to_owned(), skip, left: times, fault, persistent });
    }
}

/// An HTTP/1.1 message: start line, headers, body (de-chunked).
struct Message {
    start: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
    /// False for the answer to a HEAD: its Content-Length describes a body
    /// that is not sent, and is passed on as it is.
    has_body: bool,
}

impl Message {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// Re-serialised with a Content-Length (chunking undone).
    fn write_to(&self, w: &mut impl Write) -> std::io::Result<()> {
        let mut head = format!("{}\r\n", self.start);
        for (k, v) in &self.headers {
            let framing = k.eq_ignore_ascii_case("transfer-encoding") || k.eq_ignore_ascii_case("content-length");
            if framing && self.has_body {
                continue;
            }
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        if self.has_body {
            head.push_str(&format!("Content-Length: {}\r\n", self.body.len()));
        }
        head.push_str("\r\n");
        w.write_all(head.as_bytes())?;
        w.write_all(&self.body)?;
        w.flush()
    }
}

fn read_message(r: &mut impl BufRead, has_body: bool) -> std::io::Result<Option<Message>> {
    let mut start = String::new();
    if r.read_line(&mut start)? == 0 {
        return Ok(None);
    }
    let mut headers = Vec::new();
    loop {
        let mut line = String::new();
        if r.read_line(&mut line)? == 0 {
            return Ok(None);
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((k, v)) = line.split_once(':') {
            headers.push((k.trim().to_owned(), v.trim().to_owned()));
        }
    }
    let mut m = Message { start: start.trim_end().to_owned(), headers, body: Vec::new(), has_body };
    if !has_body {
        return Ok(Some(m));
    }
    if m.header("transfer-encoding").is_some_and(|t| t.eq_ignore_ascii_case("chunked")) {
        loop {
            let mut size = String::new();
            r.read_line(&mut size)?;
            let n = usize::from_str_radix(size.trim().split(';').next().unwrap_or("0"), 16).unwrap_or(0);
            let mut chunk = vec![0u8; n + 2];
            r.read_exact(&mut chunk)?;
            if n == 0 {
                break;
            }
            chunk.truncate(n);
            m.body.extend_from_slice(&chunk);
        }
    } else if let Some(n) = m.header("content-length").and_then(|v| v.parse::<usize>().ok()) {
        m.body = vec![0u8; n];
        r.read_exact(&mut m.body)?;
    }
    Ok(Some(m))
}

/// What rules match a request by: its SOAP method, or for other requests
/// (datastore and content library transfers) the verb and the first path
/// segment, `PUT /folder`.
fn request_key(req: &Message) -> String {
    let method = soap_method(&req.body);
    if !method.is_empty() {
        return method;
    }
    let mut parts = req.start.split(' ');
    let verb = parts.next().unwrap_or_default();
    let first = parts.next().unwrap_or_default().trim_start_matches('/').split(['/', '?']).next().unwrap_or_default();
    format!("{verb} /{first}")
}

/// The SOAP method: the first element inside the envelope's Body.
fn soap_method(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let Some(start) = text.find(":Body>").or_else(|| text.find("<Body>")) else { return String::new() };
    let rest = text[start..].split_once('>').map(|(_, r)| r).unwrap_or_default();
    let rest = rest.trim_start().trim_start_matches('<');
    let name = rest.split([' ', '>', '/']).next().unwrap_or_default();
    name.rsplit(':').next().unwrap_or_default().to_owned()
}

fn session_key(req: &Message) -> String {
    req.header("cookie")
        .and_then(|c| c.split(';').find_map(|p| p.trim().strip_prefix("vmware_soap_session=")))
        .unwrap_or_default()
        .trim_matches('"')
        .to_owned()
}

/// The verb and whole path of a non-SOAP request, without its query
/// (`POST /rest/com/vmware/content/library/item`): rules may name a REST
/// call that precisely.
fn request_target(req: &Message) -> String {
    let mut parts = req.start.split(' ');
    let verb = parts.next().unwrap_or_default();
    let path = parts.next().unwrap_or_default().split('?').next().unwrap_or_default();
    format!("{verb} {path}")
}

/// Counts the call and picks the fault for it, if any: a rule matches the
/// request's key, or (for REST calls) its verb and whole path.
fn decide(book: &Mutex<Book>, method: &str, target: &str, body: &[u8]) -> Option<Fault> {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    body.hash(&mut h);
    let key = h.finish();
    let mut guard = book.lock().ok()?;
    let b = &mut *guard;
    *b.calls.entry(method.to_owned()).or_default() += 1;
    let already = b.faulted.get(&key).copied().unwrap_or(0);
    if target != method {
        *b.calls.entry(target.to_owned()).or_default() += 1;
    }
    let rule = b.rules.iter_mut().find(|r| (r.method == method || r.method == target) && (r.skip > 0 || r.left > 0))?;
    if rule.skip > 0 {
        rule.skip -= 1;
        return None;
    }
    if !rule.persistent && already >= TRANSIENT_CAP {
        return None;
    }
    rule.left -= 1;
    *b.faulted.entry(key).or_default() += 1;
    Some(rule.fault.clone())
}

fn serve(
    client: TcpStream,
    upstream: &str,
    book: &Mutex<Book>,
    injected: &AtomicUsize,
    cut: &Cut,
) -> std::io::Result<()> {
    let mut from_client = BufReader::new(client.try_clone()?);
    let mut to_client = client;
    let up = TcpStream::connect(upstream)?;
    let mut from_up = BufReader::new(up.try_clone()?);
    let mut to_up = up;
    while let Some(req) = read_message(&mut from_client, true)? {
        if cut.is_cut() {
            return Ok(());
        }
        let method = request_key(&req);
        let target = if soap_method(&req.body).is_empty() { request_target(&req) } else { method.clone() };
        let fault = decide(book, &method, &target, &req.body);
        if fault.is_some() {
            injected.fetch_add(1, Ordering::SeqCst);
        }
        match &fault {
            Some(Fault::Unavailable) => {
                let body = "<html><body>503 Service Unavailable (injected)</body></html>";
                write!(
                    to_client,
                    "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/html\r\nContent-Length: {}\r\n\r\n{body}",
                    body.len()
                )?;
                continue;
            }
            Some(Fault::DropRequest) => return Ok(()),
            Some(Fault::Delay(d)) => thread::sleep(*d),
            Some(Fault::Hook(h)) => h(&session_key(&req)),
            Some(Fault::DropResponse) | None => {}
        }
        req.write_to(&mut to_up)?;
        let head_only = req.start.starts_with("HEAD ");
        let Some(resp) = read_message(&mut from_up, !head_only)? else { return Ok(()) };
        if matches!(fault, Some(Fault::DropResponse)) || cut.is_cut() {
            return Ok(());
        }
        resp.write_to(&mut to_client)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_soap_method() {
        let body = br#"<?xml version="1.0"?><soapenv:Envelope xmlns:soapenv="x"><soapenv:Body><CreateVM_Task xmlns="urn:vim25"><_this type="Folder">f</_this></CreateVM_Task></soapenv:Body></soapenv:Envelope>"#;
        assert_eq!(soap_method(body), "CreateVM_Task");
        assert_eq!(soap_method(b"<Envelope><Body><Login/></Body></Envelope>"), "Login");
        assert_eq!(soap_method(b"not xml"), "");
    }
}
