//! A private vcsim per test: started on a free port, killed on drop.
//!
//! The binary is vcsim-plus (built from `sim/` by `scripts/tools.sh`): vcsim
//! with the same flags and startup line, plus the operations vcsim lacks
//! (see `sim/README.md`). "vcsim" below means that simulator.

use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// How long vcsim may take to print its address (it builds its inventory
/// first; parallel tests on a loaded machine make this slow).
const STARTUP_TIMEOUT: Duration = Duration::from_secs(60);
/// Bytes of vcsim's stderr kept for the panic message if startup fails.
const STDERR_KEEP: usize = 16 * 1024;

/// A running vcsim.
pub struct Vcsim {
    /// The URL as vcsim printed it, with credentials:
    /// `https://user:pass@127.0.0.1:PORT/sdk`.
    pub url: String,
    /// `127.0.0.1:PORT`.
    pub addr: String,
    /// `https`, or `http` for a vcsim started with `-tls=false`.
    pub scheme: String,
    child: Child,
}

impl Vcsim {
    /// Path of the vcsim-plus binary `scripts/tools.sh` builds.
    pub fn binary() -> PathBuf {
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(".tools/bin/vcsim-plus")
    }

    /// Starts `vcsim -l 127.0.0.1:0 -E - <extra_args>` and waits for its
    /// address. Panics (this is test code) with vcsim's stderr on failure.
    pub fn start(extra_args: &[&str]) -> Vcsim {
        let bin = Self::binary();
        if !bin.is_file() {
            panic!("vcsim-plus not found at {}: run scripts/tools.sh to build the test tools", bin.display());
        }
        let mut child = Command::new(&bin)
            .args(["-l", "127.0.0.1:0", "-E", "-"])
            .args(extra_args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {}: {e}", bin.display()));

        let stderr_tail = Arc::new(Mutex::new(String::new()));
        if let Some(err) = child.stderr.take() {
            let tail = Arc::clone(&stderr_tail);
            // Keep draining so vcsim never blocks on a full pipe (or dies of
            // SIGPIPE); remember only the tail.
            std::thread::spawn(move || {
                let mut reader = BufReader::new(err);
                let mut buf = [0u8; 4096];
                while let Ok(n) = reader.read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    let Some(chunk) = buf.get(..n) else { break };
                    if let Ok(mut t) = tail.lock() {
                        t.push_str(&String::from_utf8_lossy(chunk));
                        if t.len() > STDERR_KEEP {
                            let mut cut = t.len() - STDERR_KEEP;
                            while !t.is_char_boundary(cut) {
                                cut += 1;
                            }
                            t.drain(..cut);
                        }
                    }
                }
            });
        }

        let (tx, rx) = mpsc::channel();
        if let Some(out) = child.stdout.take() {
            std::thread::spawn(move || {
                let mut sent = false;
                for line in BufReader::new(out).lines() {
                    let Ok(line) = line else { break };
                    if !sent && line.contains("GOVC_URL=") {
                        sent = tx.send(line).is_ok();
                    }
                }
            });
        }

        let line = match rx.recv_timeout(STARTUP_TIMEOUT) {
            Ok(line) => line,
            Err(e) => {
                let _ = child.kill();
                let status = child.wait();
                std::thread::sleep(Duration::from_millis(100));
                let tail = stderr_tail.lock().map(|t| t.clone()).unwrap_or_default();
                panic!("vcsim {extra_args:?} printed no GOVC_URL ({e}); exit: {status:?}\nstderr:\n{tail}");
            }
        };
        let url = line
            .split_whitespace()
            .find_map(|w| w.strip_prefix("GOVC_URL="))
            .unwrap_or_else(|| panic!("unexpected vcsim output: {line}"))
            .trim_matches('"')
            .to_string();
        let parsed = url::Url::parse(&url).unwrap_or_else(|e| panic!("bad GOVC_URL {url}: {e}"));
        let addr =
            format!("{}:{}", parsed.host_str().unwrap_or("127.0.0.1"), parsed.port_or_known_default().unwrap_or(443));
        let scheme = parsed.scheme().to_owned();
        Vcsim { url, addr, scheme, child }
    }

    /// `https://127.0.0.1:PORT/sdk` (`http://` without TLS), without
    /// credentials.
    pub fn sdk_url(&self) -> String {
        format!("{}://{}/sdk", self.scheme, self.addr)
    }

    /// The user name in the printed URL (`user` unless `-username` was given).
    pub fn user(&self) -> String {
        url::Url::parse(&self.url).map(|u| u.username().to_string()).unwrap_or_default()
    }

    /// The password in the printed URL (`pass` unless `-password` was given).
    pub fn password(&self) -> String {
        url::Url::parse(&self.url).ok().and_then(|u| u.password().map(str::to_string)).unwrap_or_default()
    }
}

impl Vcsim {
    /// SIGSTOP, as a closure a proxy hook can own: vcsim stops answering
    /// (requests queue in the kernel), as a vCenter that hangs does.
    pub fn freezer(&self) -> impl Fn() + Send + Sync + 'static {
        let pid = self.child.id();
        move || signal(pid, libc::SIGSTOP)
    }

    /// SIGCONT: vcsim handles what queued up while it was frozen.
    pub fn thaw(&self) {
        signal(self.child.id(), libc::SIGCONT);
    }
}

fn signal(pid: u32, sig: libc::c_int) {
    let pid = libc::pid_t::try_from(pid).expect("pid fits pid_t");
    // SAFETY: kill(2) takes plain integers and touches no memory of ours;
    // the pid is our own child's, which lives until the Vcsim is dropped.
    // A syscall rather than the kill command: under load, spawning one can
    // fail, and a hook that fails to freeze leaves the fault untested.
    let rc = unsafe { libc::kill(pid, sig) };
    assert_eq!(rc, 0, "kill({pid}, {sig}) failed: {}", std::io::Error::last_os_error());
}

impl Drop for Vcsim {
    fn drop(&mut self) {
        // A frozen vcsim is killed just the same (SIGKILL needs no thaw).
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// vcsim started with `-trace -trace-file <dir>/trace.log`, so tests can
/// count the SOAP calls that reached the server.
pub fn traced_vcsim(dir: &Path, extra: &[&str]) -> (Vcsim, PathBuf) {
    let trace = dir.join("trace.log");
    let trace_arg = trace.to_string_lossy().into_owned();
    let mut args = vec!["-trace", "-trace-file", trace_arg.as_str()];
    args.extend_from_slice(extra);
    (Vcsim::start(&args), trace)
}

/// How many requests for `method` vcsim has seen.
pub fn soap_calls(trace: &Path, method: &str) -> usize {
    let text = std::fs::read_to_string(trace).unwrap_or_default();
    let needle = format!("<{method} ");
    text.lines().filter(|l| l.starts_with("Request:") && l.contains(&needle)).count()
}
