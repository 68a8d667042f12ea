//! Finding a VM whose create or clone call lost its answer.
//!
//! CreateVM_Task and CloneVM_Task are never sent twice (see `retry`), but
//! when the answer is lost — connection reset, timeout, a 5xx from a proxy —
//! the task may have run anyway. The provider gives each new VM an instance
//! UUID of its own choosing before the call, so afterwards it can ask the
//! server for exactly that VM: a name match could adopt someone else's VM.

use std::hash::{BuildHasher, Hasher};
use std::time::{Duration, Instant};

use tracing::{debug, warn};

use crate::vi::core::client::Client;
use crate::vi::core::error::ViError;
use crate::vi::core::task::deadline_after;
use crate::vi::core::types::ManagedObjectReference;

/// A random UUID in the RFC 4122 version 4 layout, lower case, for
/// `VirtualMachineConfigSpec.instanceUuid`.
pub fn new_instance_uuid() -> String {
    let mut bytes = [0u8; 16];
    for (i, half) in bytes.chunks_mut(8).enumerate() {
        // RandomState is seeded from the OS per process and varied per
        // instance; mixing in the time keeps two calls apart.
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_usize(i);
        h.write_u128(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos());
        half.copy_from_slice(&h.finish().to_le_bytes());
    }
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("{}-{}-{}-{}-{}", &hex[0..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..32])
}

/// What a search for a VM whose create lost its answer found.
#[derive(Debug)]
pub enum LostVm {
    /// The VM exists.
    Found(ManagedObjectReference),
    /// The server answered every lookup, and no VM had the UUID (yet).
    NotSeen,
    /// The server could not be asked (its last error): nothing is known.
    Unreachable(ViError),
}

impl Client {
    /// SearchIndex.FindByUuid for a VM by its instance UUID, in every
    /// datacenter.
    pub async fn find_vm_by_instance_uuid(&self, uuid: &str) -> Result<Option<ManagedObjectReference>, ViError> {
        self.find_vm_by_uuid(None, uuid, true).await
    }

    /// After a create or clone whose outcome is unknown, looks for the VM
    /// with `instance_uuid` for up to `wait` (the task may still be running
    /// when the answer is lost). A failed lookup does not end the search:
    /// the server may be back a moment later, and one answer is worth the
    /// whole window.
    pub async fn find_lost_vm(&self, instance_uuid: &str, wait: Duration) -> LostVm {
        let until = deadline_after(wait);
        let mut pause = Duration::from_millis(200);
        loop {
            let last_err = match self.find_vm_by_instance_uuid(instance_uuid).await {
                Ok(Some(vm)) => return LostVm::Found(vm),
                Ok(None) => {
                    debug!(instance_uuid, "the VM has not appeared (yet)");
                    None
                }
                Err(e) => {
                    warn!(instance_uuid, error = %e, "cannot look for the VM whose create lost its answer; trying again");
                    Some(e)
                }
            };
            if Instant::now() + pause > until {
                return match last_err {
                    Some(e) => LostVm::Unreachable(e),
                    None => LostVm::NotSeen,
                };
            }
            tokio::time::sleep(pause).await;
            pause = (pause * 2).min(Duration::from_secs(2));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uuids_are_v4_shaped_and_differ() {
        let a = new_instance_uuid();
        let b = new_instance_uuid();
        assert_ne!(a, b);
        assert_eq!(a.len(), 36);
        let groups: Vec<&str> = a.split('-').collect();
        assert_eq!(groups.iter().map(|g| g.len()).collect::<Vec<_>>(), [8, 4, 4, 4, 12]);
        assert!(groups[2].starts_with('4'), "{a}");
        assert!(matches!(groups[3].chars().next(), Some('8' | '9' | 'a' | 'b')), "{a}");
        assert!(a.chars().all(|c| c == '-' || c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
    }
}
