//! When the provider process should end, so it can log out of vSphere first.
//!
//! Terraform ends a provider through go-plugin: the controller's Shutdown,
//! then it closes the connection and kills the process two seconds later.
//! A Terraform that dies itself only closes the connection; a supervisor
//! sends SIGTERM or SIGHUP. Any of these ends the server.
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::Notify;
use tonic::transport::server::Connected;

/// How long no connection may be open, once Terraform had one, before the
/// provider takes it that Terraform is gone.
const ORPHAN_GRACE: Duration = Duration::from_millis(500);

/// Counts Terraform's open connections and wakes a waiter when the last
/// one closes.
#[derive(Default)]
pub struct Connections {
    open: AtomicUsize,
    /// Whether any connection was ever accepted.
    ever: AtomicBool,
    changed: Notify,
}

impl Connections {
    pub fn new() -> Arc<Connections> {
        Arc::new(Connections::default())
    }

    /// Wraps an accepted connection so it counts as open until dropped.
    pub fn track<S>(self: &Arc<Self>, inner: S) -> Tracked<S> {
        self.open.fetch_add(1, Ordering::SeqCst);
        self.ever.store(true, Ordering::SeqCst);
        self.changed.notify_waiters();
        Tracked { inner, owner: Arc::clone(self) }
    }

    fn open(&self) -> usize {
        self.open.load(Ordering::SeqCst)
    }

    /// Returns once a connection has been open and then none has been for
    /// [`ORPHAN_GRACE`].
    pub async fn orphaned(&self) {
        loop {
            let changed = self.changed.notified();
            if self.ever.load(Ordering::SeqCst) && self.open() == 0 {
                // Still none after the grace period: Terraform is gone.
                if tokio::time::timeout(ORPHAN_GRACE, changed).await.is_err() && self.open() == 0 {
                    return;
                }
                continue;
            }
            changed.await;
        }
    }
}

/// A connection counted by [`Connections`].
pub struct Tracked<S> {
    inner: S,
    owner: Arc<Connections>,
}

impl<S> Drop for Tracked<S> {
    fn drop(&mut self) {
        self.owner.open.fetch_sub(1, Ordering::SeqCst);
        self.owner.changed.notify_waiters();
    }
}

impl<S: Connected> Connected for Tracked<S> {
    type ConnectInfo = S::ConnectInfo;
    fn connect_info(&self) -> Self::ConnectInfo {
        self.inner.connect_info()
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for Tracked<S> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for Tracked<S> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }
    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }
}

/// SIGTERM and SIGHUP, listened for from the moment this is made. SIGINT
/// is not among them: Terraform forwards Ctrl-C to the process group and
/// then stops the provider itself.
pub struct Terminations {
    #[cfg(unix)]
    signals: Option<(tokio::signal::unix::Signal, tokio::signal::unix::Signal)>,
}

/// SIGINT, listened for from the moment this is made: from then on it no
/// longer ends the process by its default action, and none is missed.
pub struct Interrupts {
    #[cfg(unix)]
    signal: Option<tokio::signal::unix::Signal>,
}

/// Starts listening for the signals the provider reacts to. Made before the
/// provider announces itself, so a signal sent as soon as it is announced
/// is neither lost nor handled by the default action.
pub fn listen_for_signals() -> (Terminations, Interrupts) {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let signals = match (signal(SignalKind::terminate()), signal(SignalKind::hangup())) {
            (Ok(term), Ok(hup)) => Some((term, hup)),
            _ => None,
        };
        (Terminations { signals }, Interrupts { signal: signal(SignalKind::interrupt()).ok() })
    }
    #[cfg(not(unix))]
    (Terminations {}, Interrupts {})
}

impl Terminations {
    /// Returns on SIGTERM or SIGHUP (never on platforms without them).
    pub async fn recv(&mut self) {
        #[cfg(unix)]
        if let Some((term, hup)) = &mut self.signals {
            tokio::select! {
                _ = term.recv() => tracing::debug!("SIGTERM received"),
                _ = hup.recv() => tracing::debug!("SIGHUP received"),
            }
            return;
        }
        std::future::pending::<()>().await
    }
}

impl Interrupts {
    /// Returns on the next SIGINT (Ctrl-C).
    pub async fn recv(&mut self) {
        #[cfg(unix)]
        if let Some(int) = &mut self.signal {
            int.recv().await;
            return;
        }
        #[cfg(not(unix))]
        if tokio::signal::ctrl_c().await.is_ok() {
            return;
        }
        std::future::pending::<()>().await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn orphaned_only_after_a_connection_came_and_went() {
        let conns = Connections::new();
        // No connection yet: not orphaned.
        assert!(tokio::time::timeout(ORPHAN_GRACE * 2, conns.orphaned()).await.is_err());
        let c = conns.track(());
        assert!(tokio::time::timeout(ORPHAN_GRACE * 2, conns.orphaned()).await.is_err());
        drop(c);
        assert!(tokio::time::timeout(ORPHAN_GRACE * 4, conns.orphaned()).await.is_ok());
    }

    #[tokio::test]
    async fn a_reconnect_within_the_grace_period_is_not_orphaned() {
        let conns = Connections::new();
        let waiter = {
            let conns = Arc::clone(&conns);
            tokio::spawn(async move { conns.orphaned().await })
        };
        let first = conns.track(());
        tokio::time::sleep(Duration::from_millis(50)).await;
        drop(first);
        let _second = conns.track(());
        tokio::time::sleep(ORPHAN_GRACE * 3).await;
        assert!(!waiter.is_finished());
        waiter.abort();
    }
}
