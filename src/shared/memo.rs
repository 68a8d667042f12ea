//! What a provider process looks up once and reuses: facts of the
//! inventory that do not change while one CLI command runs (which
//! datacenter a pool is in, a datastore's name, a network's backing), so
//! that a hundred creates do not ask a hundred times. A failed lookup is
//! not kept: the next one asks again. Concurrent lookups of one key share
//! one call.
use std::collections::HashMap;
use std::hash::Hash;
use std::sync::{Arc, Mutex};

use tokio::sync::OnceCell;

use super::lookup::Datacenter;
use crate::vi::ManagedObjectReference;
use crate::vi::object::vm_device::Backing;

/// One value per key, computed once.
pub struct Memo<K, V> {
    cells: Mutex<HashMap<K, Arc<OnceCell<V>>>>,
}

impl<K, V> Default for Memo<K, V> {
    fn default() -> Self {
        Memo { cells: Mutex::new(HashMap::new()) }
    }
}

impl<K: Eq + Hash + Clone, V: Clone> Memo<K, V> {
    /// The value of `key`: kept, or computed by `f` (once, whoever asks).
    pub async fn get_or_try<E, F, Fut>(&self, key: &K, f: F) -> Result<V, E>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<V, E>>,
    {
        let cell = {
            // A poisoned lock only means another lookup panicked; the map
            // itself is whole.
            let mut cells = self.cells.lock().unwrap_or_else(|p| p.into_inner());
            cells.entry(key.clone()).or_default().clone()
        };
        cell.get_or_try_init(f).await.cloned()
    }

    /// The value of `key` if it was computed.
    pub fn get(&self, key: &K) -> Option<V> {
        let cells = self.cells.lock().unwrap_or_else(|p| p.into_inner());
        cells.get(key).and_then(|c| c.get().cloned())
    }

    /// Keeps `value` for `key` (when none was computed yet).
    pub fn put(&self, key: K, value: V) {
        let mut cells = self.cells.lock().unwrap_or_else(|p| p.into_inner());
        let _ = cells.entry(key).or_default().set(value);
    }
}

/// The lookups a provider process keeps.
#[derive(Default)]
pub struct Lookups {
    /// An object's datacenter, by the object's reference.
    pub datacenter_of: Memo<ManagedObjectReference, Datacenter>,
    /// A VM folder, by datacenter path and folder path.
    pub vm_folder: Memo<(String, String), ManagedObjectReference>,
    /// A datastore's name, by id.
    pub datastore_name: Memo<String, String>,
    /// What a NIC on a network is backed by, by network id.
    pub network_backing: Memo<String, Backing>,
    /// The objects a plan's references were found to be (their absence is
    /// not kept: one created meanwhile is found on the next plan).
    pub exists: Memo<ManagedObjectReference, ()>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[tokio::test]
    async fn a_value_is_computed_once_and_a_failure_is_not_kept() {
        let m: Memo<String, u32> = Memo::default();
        let calls = AtomicUsize::new(0);
        let key = "a".to_owned();
        let fail = m
            .get_or_try(&key, || async {
                calls.fetch_add(1, Ordering::SeqCst);
                Err::<u32, &str>("down")
            })
            .await;
        assert_eq!(fail, Err("down"));
        assert_eq!(m.get(&key), None);
        for _ in 0..3 {
            let v = m
                .get_or_try(&key, || async {
                    calls.fetch_add(1, Ordering::SeqCst);
                    Ok::<u32, &str>(7)
                })
                .await;
            assert_eq!(v, Ok(7));
        }
        assert_eq!(calls.load(Ordering::SeqCst), 2, "one failure, then one success kept");
        m.put("b".to_owned(), 9);
        m.put("b".to_owned(), 10);
        assert_eq!(m.get(&"b".to_owned()), Some(9), "the first value stays");
    }

    #[tokio::test]
    async fn concurrent_lookups_share_one_call() {
        let m: Arc<Memo<u8, u8>> = Arc::default();
        let calls = Arc::new(AtomicUsize::new(0));
        let tasks: Vec<_> = (0..8)
            .map(|_| {
                let (m, calls) = (m.clone(), calls.clone());
                tokio::spawn(async move {
                    m.get_or_try(&1, || async {
                        calls.fetch_add(1, Ordering::SeqCst);
                        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                        Ok::<u8, ()>(5)
                    })
                    .await
                })
            })
            .collect();
        for t in tasks {
            assert_eq!(t.await.unwrap(), Ok(5));
        }
        assert_eq!(calls.load(Ordering::SeqCst), 1);
    }
}
