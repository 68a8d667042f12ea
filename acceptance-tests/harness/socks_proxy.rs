//! A small SOCKS server on loopback (SOCKS5 without authentication, SOCKS4
//! and SOCKS4a; CONNECT only), for tests that check the provider's
//! `socks*://` proxies really carry its traffic. It counts the tunnels it
//! opened, by protocol version. Only loopback targets are served. Threads
//! end with their connections; the listener thread ends with the test
//! process.
use std::io::{Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::thread;

pub struct SocksProxy {
    pub addr: String,
    /// Tunnels opened for SOCKS4/4a and SOCKS5 clients.
    v4: Arc<AtomicUsize>,
    v5: Arc<AtomicUsize>,
}

impl SocksProxy {
    pub fn start() -> SocksProxy {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind socks proxy");
        let addr = listener.local_addr().expect("socks proxy addr").to_string();
        let (v4, v5) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let (c4, c5) = (v4.clone(), v5.clone());
        thread::spawn(move || {
            for conn in listener.incoming().flatten() {
                let (c4, c5) = (c4.clone(), c5.clone());
                thread::spawn(move || {
                    let _ = serve(conn, &c4, &c5);
                });
            }
        });
        SocksProxy { addr, v4, v5 }
    }

    /// Tunnels opened for SOCKS4 and SOCKS4a clients.
    pub fn socks4_tunnels(&self) -> usize {
        self.v4.load(Ordering::SeqCst)
    }

    /// Tunnels opened for SOCKS5 clients.
    pub fn socks5_tunnels(&self) -> usize {
        self.v5.load(Ordering::SeqCst)
    }
}

fn byte(s: &mut TcpStream) -> std::io::Result<u8> {
    let mut b = [0u8; 1];
    s.read_exact(&mut b)?;
    Ok(b[0])
}

fn until_nul(s: &mut TcpStream) -> std::io::Result<String> {
    let mut out = Vec::new();
    loop {
        match byte(s)? {
            0 => return Ok(String::from_utf8_lossy(&out).into_owned()),
            b => out.push(b),
        }
    }
}

fn is_loopback(host: &str) -> bool {
    host == "localhost" || host.parse::<Ipv4Addr>().is_ok_and(|ip| ip.is_loopback())
}

fn serve(mut client: TcpStream, v4: &AtomicUsize, v5: &AtomicUsize) -> std::io::Result<()> {
    let (host, port, version) = match byte(&mut client)? {
        5 => {
            let n = byte(&mut client)?;
            let mut methods = vec![0u8; usize::from(n)];
            client.read_exact(&mut methods)?;
            if !methods.contains(&0) {
                return client.write_all(&[5, 0xff]);
            }
            client.write_all(&[5, 0])?;
            let mut head = [0u8; 4];
            client.read_exact(&mut head)?;
            if head[1] != 1 {
                return client.write_all(&[5, 7, 0, 1, 0, 0, 0, 0, 0, 0]);
            }
            let host = match head[3] {
                1 => {
                    let mut ip = [0u8; 4];
                    client.read_exact(&mut ip)?;
                    Ipv4Addr::from(ip).to_string()
                }
                3 => {
                    let mut name = vec![0u8; usize::from(byte(&mut client)?)];
                    client.read_exact(&mut name)?;
                    String::from_utf8_lossy(&name).into_owned()
                }
                _ => return client.write_all(&[5, 8, 0, 1, 0, 0, 0, 0, 0, 0]),
            };
            let mut port = [0u8; 2];
            client.read_exact(&mut port)?;
            (host, u16::from_be_bytes(port), 5)
        }
        4 => {
            let mut head = [0u8; 7];
            client.read_exact(&mut head)?;
            let port = u16::from_be_bytes([head[1], head[2]]);
            let ip = Ipv4Addr::new(head[3], head[4], head[5], head[6]);
            let _user = until_nul(&mut client)?;
            // SOCKS4a: 0.0.0.x means "the name follows".
            let host = if head[3..6] == [0, 0, 0] && head[6] != 0 { until_nul(&mut client)? } else { ip.to_string() };
            if head[0] != 1 {
                return client.write_all(&[0, 0x5b, 0, 0, 0, 0, 0, 0]);
            }
            (host, port, 4)
        }
        _ => return Ok(()),
    };
    let refuse: &[u8] = if version == 5 { &[5, 2, 0, 1, 0, 0, 0, 0, 0, 0] } else { &[0, 0x5b, 0, 0, 0, 0, 0, 0] };
    if !is_loopback(&host) {
        return client.write_all(refuse);
    }
    let Ok(upstream) = TcpStream::connect((host.as_str(), port)) else { return client.write_all(refuse) };
    if version == 5 {
        client.write_all(&[5, 0, 0, 1, 127, 0, 0, 1, 0, 0])?;
        v5.fetch_add(1, Ordering::SeqCst);
    } else {
        client.write_all(&[0, 0x5a, 0, 0, 0, 0, 0, 0])?;
        v4.fetch_add(1, Ordering::SeqCst);
    }
    let (mut up_r, mut up_w) = (upstream.try_clone()?, upstream);
    let (mut down_r, mut down_w) = (client.try_clone()?, client);
    let t = thread::spawn(move || {
        let _ = std::io::copy(&mut down_r, &mut up_w);
        let _ = up_w.shutdown(std::net::Shutdown::Write);
    });
    let _ = std::io::copy(&mut up_r, &mut down_w);
    let _ = down_w.shutdown(std::net::Shutdown::Write);
    let _ = t.join();
    Ok(())
}
