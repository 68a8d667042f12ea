//! The VM or vApp a property lives on: its reference, its vApp options read
//! fresh for apply, and taking turns on it.
use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use tokio::sync::OwnedMutexGuard;

use crate::plugin::{AttrPath, Diags};
use crate::shared::Meta;
use crate::shared::diag::vi_diag;
use crate::vi::ManagedObjectReference;
use crate::vi::object::vapp_config::{VAppOptions, target_ref};

/// One lock per target: properties of one VM or vApp are changed one at a
/// time, so two new properties never pick the same free key and two
/// first properties do not both turn the vApp options on.
static LOCKS: LazyLock<Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>> = LazyLock::new(Mutex::default);

pub async fn lock(target_id: &str) -> OwnedMutexGuard<()> {
    let lock = {
        let mut locks = LOCKS.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        Arc::clone(locks.entry(target_id.to_owned()).or_default())
    };
    lock.lock_owned().await
}

/// The reference for `target_id`, or an error on `target_id`.
pub fn reference(target_id: &str) -> Result<ManagedObjectReference, Diags> {
    target_ref(target_id).ok_or_else(|| {
        Diags::error_at(
            AttrPath::attr("target_id"),
            "Not a VM or vApp",
            format!(
                "{target_id} is a resource pool; vApp properties belong to a VM (`vm-…`) or a vApp (`resgroup-v…`)"
            ),
        )
    })
}

pub fn missing(target_id: &str) -> Diags {
    Diags::error_at(
        AttrPath::attr("target_id"),
        "VM or vApp not found",
        format!("there is no VM or vApp with the id {target_id}"),
    )
}

/// The target's vApp options as they are now; an error when it is gone.
pub async fn options_now(meta: &Meta, target: &ManagedObjectReference, target_id: &str) -> Result<VAppOptions, Diags> {
    let options = meta
        .client
        .vapp_options(target)
        .await
        .map_err(|e| vi_diag(&e, "reading the vApp properties", Some(AttrPath::attr("target_id"))))?;
    match options {
        VAppOptions::TargetMissing => Err(missing(target_id)),
        found => Ok(found),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn one_turn_per_target() {
        let first = lock("vm-1").await;
        // Another target is not held up.
        let _other = lock("vm-2").await;
        let waiting = tokio::spawn(async { lock("vm-1").await });
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        assert!(!waiting.is_finished());
        drop(first);
        assert!(waiting.await.is_ok());
    }

    #[test]
    fn resource_pools_are_refused_on_target_id() {
        let d = reference("resgroup-4").unwrap_err();
        assert_eq!(d.0[0].path, Some(AttrPath::attr("target_id")));
        assert!(reference("resgroup-v4").is_ok() && reference("vm-4").is_ok());
    }
}
