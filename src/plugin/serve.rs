//! go-plugin's handshake and the gRPC server behind it.
//!
//! Terraform starts the binary with a magic cookie and its protocol versions
//! in the environment, reads one line from our stdout
//! (`1|5|tcp|127.0.0.1:PORT|grpc|CERT`) and dials that address.
use std::io::Write as _;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use thiserror::Error;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;
use tokio_stream::wrappers::{ReceiverStream, TcpListenerStream};
use tokio_stream::{Stream, StreamExt as _};
use tonic::transport::Server;

use super::lifetime::{Connections, Tracked, listen_for_signals};
use super::proto::goplugin as gp;
use super::proto::health as hp;
use super::proto::tfplugin5 as pb;
use super::server::ProviderService;
use super::side_services::{Broker, Controller, Health, Stdio};
use super::tls::{AutoMtls, TlsError};
use super::traits::Provider;

pub const MAGIC_COOKIE_KEY: &str = "TF_PLUGIN_MAGIC_COOKIE";
pub const MAGIC_COOKIE_VALUE: &str = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";
const CORE_PROTOCOL_VERSION: u32 = 1;
const APP_PROTOCOL_VERSION: u32 = 5;
/// Plans of large inventories can exceed gRPC's 4 MiB default.
const MAX_MESSAGE: usize = 256 * 1024 * 1024;
/// Bound on closing the provider (logging out of vSphere) at the end:
/// go-plugin kills the process two seconds after Shutdown.
const CLOSE_TIMEOUT: Duration = Duration::from_millis(1500);
/// How long the server may then wait for open calls to end: go-plugin's
/// stdio and broker streams never do while Terraform is connected (say, on
/// a SIGTERM mid-run).
const DRAIN_TIMEOUT: Duration = Duration::from_millis(500);

pub const NOT_A_COMMAND: &str = "This binary is a plugin for Terraform (or OpenTofu), not a command to run by hand. \
Terraform starts it itself after `terraform init` has installed it; put the provider in a \
`required_providers` block of your configuration and run `terraform plan`. To debug the provider \
in a running process of its own, start it with `--debug` and export the TF_REATTACH_PROVIDERS \
value it prints.";

#[derive(Debug, Error)]
pub enum ServeError {
    #[error("{NOT_A_COMMAND}")]
    NoMagicCookie,
    #[error("Terraform asked for plugin protocol versions {0:?}; this provider speaks only version 5")]
    Protocol(String),
    #[error("cannot listen on 127.0.0.1: {0}")]
    Listen(String),
    #[error(transparent)]
    Tls(#[from] TlsError),
    #[error("gRPC server: {0}")]
    Serve(String),
}

/// How the server was asked to run.
pub struct ServeOpts {
    /// `--debug`: no cookie needed, no TLS, print TF_REATTACH_PROVIDERS.
    pub debug: bool,
    /// Full provider addresses for TF_REATTACH_PROVIDERS: Terraform and
    /// OpenTofu expand `local/vi` under different registry hosts, and each
    /// ignores the entries it has no use for.
    pub addresses: Vec<String>,
}

/// Reads the handshake environment, listens and serves until Terraform
/// asks us to shut down.
pub async fn serve<P: Provider>(provider: P, opts: ServeOpts) -> Result<(), ServeError> {
    let env = |k: &str| std::env::var(k).ok().filter(|v| !v.is_empty());
    if !opts.debug && env(MAGIC_COOKIE_KEY).as_deref() != Some(MAGIC_COOKIE_VALUE) {
        return Err(ServeError::NoMagicCookie);
    }
    if let Some(versions) = env("PLUGIN_PROTOCOL_VERSIONS")
        && !versions.split(',').any(|v| v.trim() == "5")
    {
        return Err(ServeError::Protocol(versions));
    }

    let listener = listen(env("PLUGIN_MIN_PORT"), env("PLUGIN_MAX_PORT")).await?;
    let addr = listener.local_addr().map_err(|e| ServeError::Listen(e.to_string()))?;
    let tls = match env("PLUGIN_CLIENT_CERT") {
        Some(pem) if !opts.debug => Some(AutoMtls::new(&pem)?),
        _ => None,
    };

    let shutdown = Arc::new(Notify::new());
    let stop = Arc::new(Notify::new());
    let service = Arc::new(ProviderService::new(provider, stop));
    let router = Server::builder()
        .add_service(
            pb::provider_server::ProviderServer::from_arc(Arc::clone(&service))
                .max_decoding_message_size(MAX_MESSAGE)
                .max_encoding_message_size(MAX_MESSAGE),
        )
        .add_service(hp::health_server::HealthServer::new(Health))
        .add_service(gp::grpc_controller_server::GrpcControllerServer::new(Controller { shutdown: shutdown.clone() }))
        .add_service(gp::grpc_stdio_server::GrpcStdioServer::new(Stdio))
        .add_service(gp::grpc_broker_server::GrpcBrokerServer::new(Broker));

    let (mut terminations, mut interrupts) = listen_for_signals();
    announce(&opts, addr, tls.as_ref().map(|t| t.handshake_cert.as_str()));

    let connections = Connections::new();
    let closed = Arc::new(Notify::new());
    // The provider is closed (logged out) before the server stops, while
    // the process is sure to be alive still.
    let until = {
        let closed = Arc::clone(&closed);
        let shutdown = shutdown.clone();
        let connections = Arc::clone(&connections);
        let service = Arc::clone(&service);
        let debug = opts.debug;
        async move {
            loop {
                tokio::select! {
                    _ = shutdown.notified() => {
                        tracing::debug!("shutting down: asked by the plugin client");
                        break;
                    }
                    _ = terminations.recv() => {
                        tracing::debug!("shutting down: signal");
                        break;
                    }
                    // Run by hand (--debug), Ctrl-C is how the user stops it.
                    // Under Terraform, which forwards Ctrl-C to the process
                    // group and then calls Stop and Shutdown itself, dying on
                    // it would cut an apply short.
                    _ = interrupts.recv() => {
                        if debug {
                            tracing::debug!("shutting down: interrupt");
                            break;
                        }
                        tracing::debug!("interrupt received; waiting for Terraform to stop us");
                    }
                    // In debug mode Terraform attaches and leaves run after run.
                    _ = connections.orphaned(), if !debug => {
                        tracing::debug!("shutting down: Terraform closed its connection");
                        break;
                    }
                }
            }
            if tokio::time::timeout(CLOSE_TIMEOUT, service.close()).await.is_err() {
                tracing::warn!("closing the provider's sessions took too long; exiting without");
            }
            closed.notify_one();
        }
    };
    let serving = async {
        match tls {
            Some(tls) => router.serve_with_incoming_shutdown(tls_incoming(listener, tls, connections), until).await,
            None => router.serve_with_incoming_shutdown(accepted(listener, connections), until).await,
        }
    };
    let drained = async {
        closed.notified().await;
        tokio::time::sleep(DRAIN_TIMEOUT).await;
    };
    let result = tokio::select! {
        r = serving => r,
        () = drained => Ok(()),
    };
    result.map_err(|e| ServeError::Serve(e.to_string()))
}

/// Binds 127.0.0.1 on the first free port in PLUGIN_MIN_PORT..=PLUGIN_MAX_PORT,
/// or any free port when the range is not given.
async fn listen(min: Option<String>, max: Option<String>) -> Result<TcpListener, ServeError> {
    let parse = |v: Option<String>| v.and_then(|s| s.parse::<u16>().ok());
    match (parse(min), parse(max)) {
        (Some(lo), Some(hi)) if lo <= hi => {
            for port in lo..=hi {
                if let Ok(l) = TcpListener::bind(("127.0.0.1", port)).await {
                    return Ok(l);
                }
            }
            Err(ServeError::Listen(format!("no free port between {lo} and {hi}")))
        }
        _ => TcpListener::bind(("127.0.0.1", 0)).await.map_err(|e| ServeError::Listen(e.to_string())),
    }
}

fn announce(opts: &ServeOpts, addr: SocketAddr, cert: Option<&str>) {
    let mut out = std::io::stdout().lock();
    if opts.debug {
        let entry = serde_json::json!({
            "Protocol": "grpc",
            "ProtocolVersion": APP_PROTOCOL_VERSION,
            "Pid": std::process::id(),
            "Test": true,
            "Addr": {"Network": "tcp", "String": addr.to_string()},
        });
        let reattach: serde_json::Map<String, serde_json::Value> =
            opts.addresses.iter().map(|a| (a.clone(), entry.clone())).collect();
        let reattach = serde_json::Value::Object(reattach);
        let _ = writeln!(
            out,
            "Provider started in debug mode. To attach Terraform to it, run in another shell:\n\n\
             \texport TF_REATTACH_PROVIDERS='{reattach}'\n\nThen run terraform as usual. Stop this process with Ctrl-C."
        );
    } else {
        let _ = writeln!(
            out,
            "{CORE_PROTOCOL_VERSION}|{APP_PROTOCOL_VERSION}|tcp|{addr}|grpc|{}",
            cert.unwrap_or_default()
        );
    }
    let _ = out.flush();
}

/// Turns Nagle's algorithm off on a connection from Terraform. With it on, a
/// gRPC reply written as more than one segment (headers and data, then the
/// trailers) waited for the ACK of the first, which Terraform's side delays
/// by 40 ms: every UpgradeResourceState, ReadResource and PlanResourceChange
/// cost ~43 ms, and a `-parallelism=1` destroy of 10 VMs spent a second on it.
fn no_delay(tcp: &TcpStream) {
    if let Err(e) = tcp.set_nodelay(true) {
        tracing::debug!(error = %e, "could not set TCP_NODELAY");
    }
}

/// The connections Terraform opens, Nagle off on each.
fn tcp_accepted(listener: TcpListener) -> impl Stream<Item = std::io::Result<TcpStream>> {
    TcpListenerStream::new(listener).map(|c| c.inspect(no_delay))
}

/// [`tcp_accepted`], each connection counted in `connections` while open.
fn accepted(
    listener: TcpListener,
    connections: Arc<Connections>,
) -> impl Stream<Item = std::io::Result<Tracked<TcpStream>>> {
    tcp_accepted(listener).map(move |c| c.map(|tcp| connections.track(tcp)))
}

/// Accepts TCP connections and completes TLS handshakes concurrently, so a
/// slow or broken client never blocks the next one.
fn tls_incoming(
    listener: TcpListener,
    tls: AutoMtls,
    connections: Arc<Connections>,
) -> ReceiverStream<Result<Tracked<tokio_rustls::server::TlsStream<TcpStream>>, std::io::Error>> {
    let (tx, rx) = tokio::sync::mpsc::channel(16);
    let acceptor = tokio_rustls::TlsAcceptor::from(tls.config);
    tokio::spawn(async move {
        let mut incoming = std::pin::pin!(tcp_accepted(listener));
        while let Some(conn) = incoming.next().await {
            let tcp = match conn {
                Ok(c) => c,
                Err(e) => {
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            };
            let peer = tcp.peer_addr().map_or_else(|_| "unknown".to_owned(), |a| a.to_string());
            let acceptor = acceptor.clone();
            let tx = tx.clone();
            let connections = Arc::clone(&connections);
            tokio::spawn(async move {
                match tokio::time::timeout(Duration::from_secs(10), acceptor.accept(tcp)).await {
                    Ok(Ok(stream)) => {
                        let _ = tx.send(Ok(connections.track(stream))).await;
                    }
                    Ok(Err(e)) => {
                        tracing::warn!(%peer, error = %e, "TLS handshake with the plugin client failed")
                    }
                    Err(_) => {
                        tracing::warn!(%peer, "TLS handshake with the plugin client timed out")
                    }
                }
            });
        }
    });
    ReceiverStream::new(rx)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Terraform's connections, TLS or not, come through `tcp_accepted`.
    #[tokio::test]
    async fn accepted_connections_have_nagle_off() {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await.unwrap();
        let addr = listener.local_addr().unwrap();
        let mut incoming = std::pin::pin!(tcp_accepted(listener));
        let _client = TcpStream::connect(addr).await.unwrap();
        let server = incoming.next().await.unwrap().unwrap();
        assert!(server.nodelay().unwrap());
    }
}
