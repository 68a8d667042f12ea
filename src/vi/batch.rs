//! Coalesces reads: Terraform refreshes up to ten resources at once, and
//! each would otherwise cost its own RetrievePropertiesEx. Requests that
//! arrive while a read is being gathered or is in flight go out together in
//! the next single call.
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::oneshot;

use super::client::Client;
use super::error::ViError;
use super::types::{ManagedObjectReference, ObjectContent};

/// The longest a first request waits for company, in windows.
const MAX_WINDOWS: u32 = 25;
/// Windows without a new read after which a batch goes out.
const QUIET_WINDOWS: u32 = 4;
/// `terraform -parallelism` default: the size of a refresh's first wave.
const TERRAFORM_PARALLELISM: usize = 10;

type Reply = oneshot::Sender<Result<ObjectContent, ViError>>;

struct Pending {
    obj: ManagedObjectReference,
    paths: &'static [&'static str],
    reply: Reply,
}

#[derive(Default)]
struct State {
    queue: Vec<Pending>,
    /// A flusher task is running; new requests just join the queue.
    flushing: bool,
    /// Size and end of the last batch: a refresh that just sent ten reads
    /// will most likely send ten more.
    last: Option<(usize, tokio::time::Instant)>,
}

/// A read coalescer over one client.
pub struct Batcher {
    client: Client,
    state: Mutex<State>,
    /// How long the first request of a batch waits for company.
    window: Duration,
}

impl Batcher {
    pub fn new(client: Client, window: Duration) -> Arc<Batcher> {
        Arc::new(Batcher { client, state: Mutex::new(State::default()), window })
    }

    /// Reads `paths` of `obj`, sharing the round trip with any reads that
    /// arrive at about the same time.
    pub async fn retrieve_one(
        self: &Arc<Self>,
        obj: ManagedObjectReference,
        paths: &'static [&'static str],
    ) -> Result<ObjectContent, ViError> {
        let (tx, rx) = oneshot::channel();
        let start_flusher = {
            let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
            st.queue.push(Pending { obj, paths, reply: tx });
            !std::mem::replace(&mut st.flushing, true)
        };
        if start_flusher {
            let me = Arc::clone(self);
            tokio::spawn(async move { me.flush_loop().await });
        }
        rx.await.unwrap_or_else(|_| Err(ViError::Decode("batched read was dropped".into())))
    }

    async fn flush_loop(self: Arc<Self>) {
        loop {
            self.settle().await;
            let batch = {
                let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
                if st.queue.is_empty() {
                    st.flushing = false;
                    return;
                }
                std::mem::take(&mut st.queue)
            };
            let n = batch.len();
            self.run(batch).await;
            if let Ok(mut st) = self.state.lock() {
                st.last = Some((n, tokio::time::Instant::now()));
            }
        }
    }

    /// Waits for company: until as many reads are queued as the last batch
    /// had (Terraform's parallelism, ten by default, for the first), or no
    /// new read arrived for a few windows (on a busy machine Terraform's
    /// parallel reads arrive tens of milliseconds apart), or a bound passes.
    async fn settle(&self) {
        let started = tokio::time::Instant::now();
        let expected = self
            .state
            .lock()
            .ok()
            .and_then(|st| st.last)
            .filter(|(_, at)| at.elapsed() < Duration::from_secs(1))
            .map_or(TERRAFORM_PARALLELISM, |(n, _)| n);
        let (mut seen, mut quiet) = (0, 0);
        loop {
            let queued = self.state.lock().map_or(0, |st| st.queue.len());
            if queued >= expected || started.elapsed() >= self.window * MAX_WINDOWS {
                return;
            }
            if queued == seen {
                quiet += 1;
                if quiet >= QUIET_WINDOWS {
                    return;
                }
            } else {
                (seen, quiet) = (queued, 0);
            }
            tokio::time::sleep(self.window).await;
        }
    }

    async fn run(&self, batch: Vec<Pending>) {
        // The union of the paths asked for each type.
        let mut by_type: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for p in &batch {
            let e = by_type.entry(p.obj.kind.as_str()).or_default();
            for path in p.paths {
                if !e.contains(path) {
                    e.push(path);
                }
            }
        }
        let specs: Vec<(&str, &[&str])> = by_type.iter().map(|(k, v)| (*k, v.as_slice())).collect();
        let objs: Vec<ManagedObjectReference> = batch.iter().map(|p| p.obj.clone()).collect();
        tracing::debug!(objects = objs.len(), "batched property read");
        let result = self.client.retrieve_by_type(&objs, &specs, None).await;
        match result {
            Ok(found) => {
                let mut by_ref: BTreeMap<ManagedObjectReference, ObjectContent> =
                    found.into_iter().map(|o| (o.obj.clone(), o)).collect();
                for p in batch {
                    let oc = by_ref.get(&p.obj).cloned().unwrap_or_else(|| ObjectContent::not_found(p.obj.clone()));
                    let _ = p.reply.send(Ok(oc));
                }
                by_ref.clear();
            }
            Err(e) => {
                for p in batch {
                    let _ = p.reply.send(Err(e.clone()));
                }
            }
        }
    }
}
