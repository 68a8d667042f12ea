//! Benchmark helper (not part of the provider): the datastore upload path the
//! provider uses, `vi::Client::upload_file`, run alone so `bench/bench.py`
//! can time it and read its peak RSS; and `cookie`, which logs in and prints
//! a session cookie so curl can PUT to the same `/folder` endpoint.
//!
//! ```text
//! bench_upload upload <sdk-url> <user> <password> <file> <datastore> <path>
//!     → {"seconds": 12.3, "bytes": 1073741824, "sha256": "…"}
//! bench_upload cookie <sdk-url> <user> <password>
//!     → vmware_soap_session=…
//! ```
//!
//! The password is an argument because this only ever talks to a local
//! vcsim started by the benchmark with its default credentials.

use std::path::Path;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use terraform_provider_vi::vi::{Client, ClientConfig};

const USAGE: &str = "usage: bench_upload upload <sdk-url> <user> <password> <file> <datastore> <path>\n       \
                     bench_upload cookie <sdk-url> <user> <password>";

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args).await {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(msg) => {
            eprintln!("bench_upload: {msg}");
            ExitCode::FAILURE
        }
    }
}

async fn run(args: &[String]) -> Result<String, String> {
    match args {
        [mode, url, user, password, file, datastore, path] if mode == "upload" => {
            let client = connect(url, user, password).await?;
            let dc = datacenter_path(&client).await?;
            let started = Instant::now();
            let done =
                client.upload_file(&dc, datastore, path, Path::new(file), |_| {}).await.map_err(|e| e.to_string())?;
            let seconds = started.elapsed().as_secs_f64();
            Ok(format!(r#"{{"seconds": {seconds:.3}, "bytes": {}, "sha256": "{}"}}"#, done.size, done.sha256))
        }
        [mode, url, user, password] if mode == "cookie" => {
            // No logout: the session must outlive this process for curl.
            let client = connect(url, user, password).await?;
            client.session_cookie().ok_or_else(|| "logged in but got no session cookie".to_string())
        }
        _ => Err(USAGE.to_string()),
    }
}

async fn connect(url: &str, user: &str, password: &str) -> Result<Client, String> {
    let url = url::Url::parse(url).map_err(|e| format!("bad SDK URL {url:?}: {e}"))?;
    let cfg = ClientConfig {
        url,
        user: user.to_string(),
        password: password.to_string(),
        insecure: true,
        timeout: Duration::from_secs(60),
    };
    Client::connect(cfg).await.map_err(|e| e.to_string())
}

/// The first datacenter's inventory path (vcsim's default inventory has one,
/// `DC0`), as the `/folder` service's `dcPath` wants it.
async fn datacenter_path(client: &Client) -> Result<String, String> {
    match client.find_by_inventory_path("DC0").await {
        Ok(Some(_)) => Ok("DC0".to_string()),
        Ok(None) => Err("datacenter DC0 not found: start vcsim with its default inventory".to_string()),
        Err(e) => Err(e.to_string()),
    }
}
