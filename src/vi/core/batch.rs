//! Coalesces reads: Terraform refreshes up to ten resources at once, and
//! each would otherwise cost its own RetrievePropertiesEx. Requests that
//! arrive while a read is being gathered or is in flight go out together in
//! the next single call.
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{Notify, oneshot};

use crate::vi::core::client::Client;
use crate::vi::core::error::ViError;
use crate::vi::core::types::{ManagedObjectReference, ObjectContent};

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
    /// Rung on every new request, so a flusher waiting for company goes the
    /// moment the batch is full rather than at the end of its window: with
    /// `-parallelism=1` each read would otherwise wait out part of one.
    arrived: Notify,
    /// How long the first request of a batch waits for company.
    window: Duration,
}

impl Batcher {
    pub fn new(client: Client, window: Duration) -> Arc<Batcher> {
        Arc::new(Batcher { client, state: Mutex::new(State::default()), arrived: Notify::new(), window })
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
        self.arrived.notify_one();
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
        // Only a window that passed without a ring counts as quiet: a ring
        // can be the permit of a request that was already queued.
        let mut timed_out = true;
        loop {
            let queued = self.state.lock().map_or(0, |st| st.queue.len());
            if queued >= expected || started.elapsed() >= self.window * MAX_WINDOWS {
                return;
            }
            if queued != seen {
                (seen, quiet) = (queued, 0);
            } else if timed_out {
                quiet += 1;
                if quiet >= QUIET_WINDOWS {
                    return;
                }
            }
            timed_out = tokio::time::timeout(self.window, self.arrived.notified()).await.is_err();
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vi::core::fake_vsphere::FakeVsphere;
    use crate::vi::core::mo_type::MoType;

    async fn batcher(fake: &FakeVsphere, window: Duration) -> Arc<Batcher> {
        Batcher::new(fake.connect(Duration::from_secs(30)).await, window)
    }

    /// `n` reads of distinct VMs, each on its own task, as Terraform's
    /// parallel ReadResource calls are.
    fn reads(b: &Arc<Batcher>, from: usize, n: usize) -> Vec<tokio::task::JoinHandle<Result<ObjectContent, ViError>>> {
        (from..from + n)
            .map(|i| {
                let b = Arc::clone(b);
                tokio::spawn(
                    async move { b.retrieve_one(MoType::VirtualMachine.moref(format!("vm-{i}")), &["name"]).await },
                )
            })
            .collect()
    }

    async fn all(handles: Vec<tokio::task::JoinHandle<Result<ObjectContent, ViError>>>) {
        for h in handles {
            assert!(h.await.unwrap().is_ok());
        }
    }

    #[tokio::test]
    async fn ten_parallel_reads_share_one_round_trip() {
        let fake = FakeVsphere::start().await;
        let b = batcher(&fake, Duration::from_millis(20)).await;
        all(reads(&b, 0, 10)).await;
        assert_eq!(fake.count("RetrievePropertiesEx"), 1);
    }

    /// A batch goes out when its last expected read arrives, not at the end
    /// of the window the flusher happened to be waiting in. The window here
    /// is far longer than the bound, so a flusher that slept through it fails.
    #[tokio::test]
    async fn a_full_batch_goes_out_as_its_last_read_arrives() {
        let fake = FakeVsphere::start().await;
        let b = batcher(&fake, Duration::from_secs(10)).await;
        all(reads(&b, 0, 10)).await;
        let within = tokio::time::timeout(Duration::from_secs(5), async {
            let mut wave = reads(&b, 10, 9);
            tokio::time::sleep(Duration::from_millis(50)).await;
            wave.extend(reads(&b, 19, 1));
            all(wave).await;
        })
        .await;
        assert!(within.is_ok(), "the second wave waited for the window");
        assert_eq!(fake.count("RetrievePropertiesEx"), 2);
    }
}
