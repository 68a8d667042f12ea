//! A create or clone whose answer was lost (reset, timeout, 5xx): the task
//! may have run. Look for the VM by the instance UUID the provider chose
//! before the call, and hand back its id, so Terraform records (and taints)
//! it instead of leaving it orphaned in vSphere. Likewise a destroy whose
//! answer was lost succeeded if the VM is gone.
use std::time::Duration;

use super::state::State;
use crate::data_sources::lookup::vi_diag;
use crate::plugin::{ApplyError, Diags, Value};
use crate::provider::Meta;
use crate::vi::vm_recover::outcome_unknown;
use crate::vi::{ManagedObjectReference, ViError};

/// How long a VM that lost its create answer gets to appear.
const LOOK_FOR: Duration = Duration::from_secs(15);

/// The error for a failed create or clone of a VM that was given
/// `instance_uuid`, with its id as partial state when it exists after all.
pub(super) async fn failed(
    meta: &Meta,
    err: &ViError,
    instance_uuid: &str,
    want: &State,
    what: &str,
) -> ApplyError<State> {
    let mut diags = vi_diag(err, what, None);
    if !outcome_unknown(err) {
        return ApplyError { diags, partial: None };
    }
    match meta.client.find_lost_vm(instance_uuid, LOOK_FOR).await {
        Some(vm) => {
            tracing::warn!(vm = %vm, instance_uuid, "the VM exists although its create call failed; recording it");
            diags.push(Diags::error(
                "The VM was created although the call failed",
                format!(
                    "The answer to the call was lost, but VM {} (instance UUID {instance_uuid}) exists. It is \
                     recorded in the state as tainted, so the next apply replaces it; nothing is left behind.",
                    vm.value
                ),
            ));
            let partial = State {
                id: Value::known(vm.value),
                instance_uuid: Value::known(instance_uuid.to_owned()),
                ..want.clone()
            };
            ApplyError { diags, partial: Some(partial) }
        }
        None => ApplyError { diags, partial: None },
    }
}

/// After a destroy whose answer was lost: true once `vm` no longer exists
/// (polled for a while, since the task may still be running).
pub(super) async fn destroyed(meta: &Meta, err: &ViError, vm: &ManagedObjectReference) -> bool {
    if !outcome_unknown(err) {
        return false;
    }
    let until = std::time::Instant::now() + LOOK_FOR;
    let mut pause = Duration::from_millis(200);
    loop {
        match meta.client.retrieve(std::slice::from_ref(vm), &["name"]).await {
            Ok(objs) if objs.first().is_none_or(|o| o.is_missing_object()) => {
                tracing::warn!(vm = %vm, "the destroy call failed, but the VM is gone");
                return true;
            }
            Ok(_) => {}
            Err(_) => return false,
        }
        if std::time::Instant::now() + pause > until {
            return false;
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(Duration::from_secs(2));
    }
}
