//! A scripted fake of vSphere's SOAP endpoint for unit tests of the
//! transport: enough of RetrieveServiceContent and Login for a client to
//! connect, then, per method, a queue of misbehaviours (503, a dropped
//! connection, a stall) before the normal answer. Counts every request.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};

/// What the fake does with one request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Act {
    /// Answer normally.
    Answer,
    /// HTTP 503 with an HTML body, as a proxy in front of vpxd does.
    Unavailable,
    /// Read the request, then close the connection without a word.
    Drop,
    /// Wait this long before answering normally.
    Stall(Duration),
}

#[derive(Default)]
struct Script {
    /// Method → acts to play, first one first; `Answer` once empty.
    acts: HashMap<String, Vec<Act>>,
    seen: Vec<String>,
}

pub(crate) struct FakeVsphere {
    addr: std::net::SocketAddr,
    script: Arc<Mutex<Script>>,
    task: tokio::task::JoinHandle<()>,
}

impl FakeVsphere {
    pub async fn start() -> FakeVsphere {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let script = Arc::new(Mutex::new(Script::default()));
        let s = Arc::clone(&script);
        let task = tokio::spawn(async move {
            while let Ok((sock, _)) = listener.accept().await {
                tokio::spawn(serve(sock, Arc::clone(&s)));
            }
        });
        FakeVsphere { addr, script, task }
    }

    pub fn url(&self) -> url::Url {
        url::Url::parse(&format!("http://{}/sdk", self.addr)).unwrap()
    }

    /// A client logged in to this fake, each request bounded by `timeout`.
    pub async fn connect(&self, timeout: Duration) -> crate::vi::core::client::Client {
        let cfg = crate::vi::core::client::ClientConfig {
            url: self.url(),
            user: "user".into(),
            password: "pass".into(),
            insecure: false,
            timeout,
        };
        crate::vi::core::client::Client::connect(cfg).await.unwrap()
    }

    /// Queues `acts` for the next requests of `method`.
    pub fn script(&self, method: &str, acts: &[Act]) {
        self.script.lock().unwrap().acts.entry(method.to_owned()).or_default().extend_from_slice(acts);
    }

    /// How many requests for `method` arrived.
    pub fn count(&self, method: &str) -> usize {
        self.script.lock().unwrap().seen.iter().filter(|m| *m == method).count()
    }
}

impl Drop for FakeVsphere {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve(sock: TcpStream, script: Arc<Mutex<Script>>) {
    let mut reader = BufReader::new(sock);
    while let Some(body) = read_body(&mut reader).await {
        let method = method_of(&body);
        let act = {
            let mut s = script.lock().unwrap();
            s.seen.push(method.clone());
            let queue = s.acts.entry(method.clone()).or_default();
            if queue.is_empty() { Act::Answer } else { queue.remove(0) }
        };
        let (status, extra, text) = match act {
            Act::Drop => return,
            Act::Unavailable => (503, String::new(), "<html>503 Service Unavailable</html>".to_owned()),
            Act::Stall(d) => {
                tokio::time::sleep(d).await;
                answer(&method)
            }
            Act::Answer => answer(&method),
        };
        let head =
            format!("HTTP/1.1 {status} X\r\nContent-Type: text/xml\r\nContent-Length: {}\r\n{extra}\r\n", text.len());
        let sock = reader.get_mut();
        if sock.write_all(head.as_bytes()).await.is_err() || sock.write_all(text.as_bytes()).await.is_err() {
            return;
        }
    }
}

/// The first element inside `<soapenv:Body>`, without its prefix.
fn method_of(body: &str) -> String {
    let after = body.split("<soapenv:Body>").nth(1).unwrap_or_default();
    let tag = after.trim_start_matches('<');
    tag.split([' ', '>', '/']).next().unwrap_or_default().to_owned()
}

/// Status, extra header lines and body of the normal answer to `method`.
fn answer(method: &str) -> (u16, String, String) {
    let (extra, inner) = match method {
        "RetrieveServiceContent" => (
            String::new(),
            concat!(
                "<returnval><rootFolder type=\"Folder\">group-d1</rootFolder>",
                "<propertyCollector type=\"PropertyCollector\">propertyCollector</propertyCollector>",
                "<viewManager type=\"ViewManager\">ViewManager</viewManager>",
                "<about><name>fake</name><apiVersion>8.0.3.0</apiVersion><apiType>VirtualCenter</apiType></about>",
                "<searchIndex type=\"SearchIndex\">SearchIndex</searchIndex>",
                "<sessionManager type=\"SessionManager\">SessionManager</sessionManager></returnval>"
            )
            .to_owned(),
        ),
        "Login" => (
            "Set-Cookie: vmware_soap_session=\"fake-1\"; Path=/; HttpOnly\r\n".to_owned(),
            "<returnval><key>fake-1</key><userName>user</userName></returnval>".to_owned(),
        ),
        "FindByInventoryPath" => (String::new(), "<returnval type=\"Folder\">group-v3</returnval>".to_owned()),
        "CreateVM_Task" => (String::new(), "<returnval type=\"Task\">task-1</returnval>".to_owned()),
        _ => (String::new(), String::new()),
    };
    let body = format!(
        concat!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>",
            "<soapenv:Envelope xmlns:soapenv=\"http://schemas.xmlsoap.org/soap/envelope/\"",
            " xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"><soapenv:Body>",
            "<{m}Response xmlns=\"urn:vim25\">{inner}</{m}Response></soapenv:Body></soapenv:Envelope>"
        ),
        m = method,
        inner = inner
    );
    (200, extra, body)
}

async fn read_body(reader: &mut BufReader<TcpStream>) -> Option<String> {
    let mut len = 0usize;
    let mut first = true;
    loop {
        let mut line = String::new();
        reader.read_line(&mut line).await.ok().filter(|n| *n > 0)?;
        if first {
            first = false;
            continue;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some((k, v)) = line.split_once(':')
            && k.eq_ignore_ascii_case("content-length")
        {
            len = v.trim().parse().ok()?;
        }
    }
    let mut buf = vec![0u8; len];
    reader.read_exact(&mut buf).await.ok()?;
    Some(String::from_utf8_lossy(&buf).into_owned())
}
