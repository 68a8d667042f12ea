//! A create or clone whose answer was lost (reset, timeout, 5xx): the task
//! may have run. Look for the VM by the instance UUID the provider chose
//! before the call, and hand back its id, so Terraform records (and taints)
//! it instead of leaving it orphaned in vSphere.
use std::time::Duration;

use super::state::State;
use crate::data_sources::lookup::vi_diag;
use crate::plugin::{ApplyError, Diags, Value};
use crate::provider::Meta;
use crate::vi::ViError;
use crate::vi::vm_recover::outcome_unknown;

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
