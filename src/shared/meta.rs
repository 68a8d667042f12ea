//! What every resource and data source receives once the provider is
//! configured: the connection to vSphere and the settings lookups default
//! to. The provider builds it (`provider.rs`); nothing here knows the
//! resources.
use std::sync::Arc;
use std::time::Duration;

use crate::connection::SessionCache;
use crate::vi::{self, ViError};

/// One logged-in client per provider process, and what lookups default to.
pub struct Meta {
    pub client: vi::Client,
    /// Coalesces the reads of a refresh into few PropertyCollector calls.
    pub batcher: Arc<vi::Batcher>,
    /// Default datacenter for lookups, as an inventory path.
    pub datacenter: Option<String>,
    /// Cluster or host from a `vpx://` URL, relative to the datacenter's
    /// host folder.
    pub compute_path: Option<String>,
    /// Default datastore name for `vi_datastore` (from `VCDATASTORE` & co).
    pub datastore: Option<String>,
    pub auto_answer: bool,
    pub api_timeout: Duration,
    /// The content library (vAPI REST) session: logged in on first use,
    /// then shared by every resource, so a run logs in once.
    pub library: tokio::sync::OnceCell<vi::LibraryClient>,
    /// With `persist_session`: where the SOAP and content library sessions
    /// are kept for the next provider process (which is why they are not
    /// logged out at the end).
    pub session_cache: Option<SessionCache>,
    /// Inventory facts looked up once per process.
    pub lookups: super::memo::Lookups,
}

impl Meta {
    /// The shared content library client, logging in on the first call.
    /// A failed login is not kept: the next call tries again.
    pub async fn library(&self) -> Result<&vi::LibraryClient, ViError> {
        self.library
            .get_or_try_init(|| async {
                let Some(cache) = &self.session_cache else {
                    return vi::LibraryClient::connect(&self.client).await;
                };
                let library = vi::LibraryClient::connect_resuming(&self.client, cache.library_session()).await?;
                if let Err(e) = cache.keep_library(&library) {
                    tracing::warn!(error = %e, "could not save the content library session");
                }
                Ok(library)
            })
            .await
    }
}
