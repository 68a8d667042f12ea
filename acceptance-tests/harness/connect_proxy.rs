//! A small HTTP CONNECT proxy on loopback, for tests that check traffic
//! really goes through a proxy. It tunnels bytes both ways and counts the
//! CONNECT requests it served. Threads end with their connections; the
//! listener thread ends with the test process.
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::thread;

pub struct ConnectProxy {
    pub addr: String,
    tunnels: Arc<AtomicUsize>,
    /// Bytes tunnelled from clients to their targets.
    sent: Arc<AtomicU64>,
}

impl ConnectProxy {
    pub fn start() -> ConnectProxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind proxy");
        let addr = listener.local_addr().expect("proxy addr").to_string();
        let tunnels = Arc::new(AtomicUsize::new(0));
        let sent = Arc::new(AtomicU64::new(0));
        let (count, bytes) = (tunnels.clone(), sent.clone());
        thread::spawn(move || {
            for conn in listener.incoming().flatten() {
                let (count, bytes) = (count.clone(), bytes.clone());
                thread::spawn(move || {
                    let _ = tunnel(conn, &count, bytes);
                });
            }
        });
        ConnectProxy { addr, tunnels, sent }
    }

    /// How many CONNECT tunnels were opened.
    pub fn tunnels(&self) -> usize {
        self.tunnels.load(Ordering::SeqCst)
    }

    /// Bytes clients sent through the tunnels so far (counted as they pass,
    /// so a connection still open counts too).
    pub fn bytes_sent(&self) -> u64 {
        self.sent.load(Ordering::SeqCst)
    }
}

fn tunnel(client: TcpStream, count: &AtomicUsize, sent: Arc<AtomicU64>) -> std::io::Result<()> {
    let mut reader = BufReader::new(client.try_clone()?);
    let mut request = String::new();
    reader.read_line(&mut request)?;
    // Skip the headers.
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line == "\r\n" || line == "\n" {
            break;
        }
    }
    let mut parts = request.split_whitespace();
    let (Some("CONNECT"), Some(target)) = (parts.next(), parts.next()) else {
        let mut c = client;
        return c.write_all(b"HTTP/1.1 405 Method Not Allowed\r\ncontent-length: 0\r\n\r\n");
    };
    // Only loopback targets: this proxy never reaches beyond the machine.
    if !(target.starts_with("127.0.0.1:") || target.starts_with("localhost:")) {
        let mut c = client;
        return c.write_all(b"HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\n\r\n");
    }
    let upstream = TcpStream::connect(target)?;
    count.fetch_add(1, Ordering::SeqCst);
    let mut c = client.try_clone()?;
    c.write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")?;
    let (mut up_r, mut up_w) = (upstream.try_clone()?, upstream);
    let mut down_w = client;
    // Bytes the reader already buffered belong to the tunnel.
    let buffered = reader.buffer().to_vec();
    up_w.write_all(&buffered)?;
    sent.fetch_add(buffered.len() as u64, Ordering::SeqCst);
    let mut down_r = reader.into_inner();
    let t = thread::spawn(move || {
        let mut buf = vec![0u8; 64 * 1024];
        while let Ok(n) = std::io::Read::read(&mut down_r, &mut buf) {
            if n == 0 || up_w.write_all(buf.get(..n).unwrap_or_default()).is_err() {
                break;
            }
            sent.fetch_add(n as u64, Ordering::SeqCst);
        }
        let _ = up_w.shutdown(std::net::Shutdown::Write);
    });
    let _ = std::io::copy(&mut up_r, &mut down_w);
    let _ = down_w.shutdown(std::net::Shutdown::Write);
    let _ = t.join();
    Ok(())
}
