//! A create, clone or deployment whose answer was lost (reset, timeout,
//! 5xx, a task that outlived its deadline): the VM may exist. It is looked
//! for by the instance UUID the provider chose before the call (a deployed
//! VM, which cannot be given one, by its inventory path). Found, its id goes
//! to Terraform, which records it tainted. Not found — the server silent or
//! the task still queued — the state records what identifies it with no id
//! (a *pending* VM, tainted): the next refresh finds it (and the plan
//! replaces it) or proves it absent (dropped, and created again). Either
//! way there is never a second copy. Likewise a destroy whose answer was
//! lost succeeded if the VM is gone.
use std::time::Duration;

use super::state::State;
use crate::plugin::{ApplyError, AttrPath, Diags, Value};
use crate::shared::Meta;
use crate::shared::diag::vi_diag;
use crate::shared::lookup::datacenter_of;
use crate::shared::lost_create::settle;
use crate::vi::MoType;
use crate::vi::object::vapp::pool_ref;
use crate::vi::object::vm_recover::LostVm;
use crate::vi::{ManagedObjectReference, ViError};

/// How long a VM that lost its create answer gets to appear.
const LOOK_FOR: Duration = Duration::from_secs(15);

/// The error for a failed create or clone of a VM that was given
/// `instance_uuid`, with the VM as partial state when it may exist.
pub(super) async fn failed(
    meta: &Meta,
    err: &ViError,
    instance_uuid: &str,
    want: &State,
    what: &str,
) -> ApplyError<State> {
    let mut diags = vi_diag(err, what, None);
    // The task may still run: look for the VM for a while, through errors.
    let find = async {
        match meta.client.find_lost_vm(instance_uuid, LOOK_FOR).await {
            LostVm::Found(vm) => Ok(Some(vm.value)),
            LostVm::NotSeen => Ok(None),
            LostVm::Unreachable(e) => Err(e),
        }
    };
    let looked_for = format!("the VM with instance UUID {instance_uuid}");
    let id = settle(err, &mut diags, "VM", &looked_for, find).await;
    let partial = id.map(|id| State { id, instance_uuid: Value::known(instance_uuid.to_owned()), ..want.clone() });
    ApplyError { diags, partial }
}

/// The error for a failed catalog deployment: the deployed VM, if it may
/// exist, as partial state. A deployment takes no instance UUID, so the VM
/// is found at `path`, its inventory path (the name was free before the
/// call: vSphere allows one VM of a name per folder).
pub(super) async fn deploy_failed(meta: &Meta, err: &ViError, path: &str, want: &State) -> ApplyError<State> {
    let mut diags = vi_diag(err, "deploying the catalog item", None);
    let found = meta.client.find_by_inventory_path(path).await;
    let partial = match found {
        Ok(Some(vm)) => Some(State { id: Value::known(vm.value), ..want.clone() }),
        _ if err.outcome_unknown() => {
            diags.push(Diags::error(
                "The VM may have been deployed",
                format!(
                    "The answer to the deployment was lost, so a VM may exist at {path}. It is recorded in the \
                     state as tainted, without an id; the next plan or refresh looks for it there: a VM found is \
                     replaced, and if there is none it is deployed. Nothing is deployed twice."
                ),
            ));
            Some(State { id: Value::Null, ..want.clone() })
        }
        _ => None,
    };
    ApplyError { diags, partial }
}

/// Where a VM deployed from a catalog item lives: `<dc>/vm/[<folder>/]<name>`.
async fn deploy_path(meta: &Meta, want: &State) -> Result<String, Diags> {
    let pool = pool_ref(want.resource_pool_id.as_deref().unwrap_or_default());
    let dc = datacenter_of(meta, &pool, "resource_pool_id").await?;
    Ok(deploy_path_in(&dc.path, want))
}

/// [`deploy_path`] in the datacenter at `dc_path`.
pub(super) fn deploy_path_in(dc_path: &str, want: &State) -> String {
    let name = want.name.as_deref().unwrap_or_default();
    let rel = want.folder.as_deref().map(|f| f.trim_matches('/')).filter(|f| !f.is_empty());
    format!("{dc_path}/vm/{}{name}", rel.map(|f| format!("{f}/")).unwrap_or_default())
}

/// The id of the VM `state` stands for. A pending VM (no id: its create
/// lost its answer) is looked for by its instance UUID, or for a catalog
/// deployment by its inventory path. `None` when it does not exist: the
/// create never happened. An error when vSphere cannot be asked.
pub(super) async fn locate(meta: &Meta, state: &State) -> Result<Option<String>, Diags> {
    if let Some(id) = state.id.get() {
        return Ok(Some(id.clone()));
    }
    let found = if let Some(uuid) = state.instance_uuid.get() {
        meta.client.find_vm_by_instance_uuid(uuid).await
    } else if state.catalog_item.is_some() && state.name.is_known() {
        let path = deploy_path(meta, state).await?;
        meta.client.find_by_inventory_path(&path).await.map(|m| m.filter(|m| m.is(MoType::VirtualMachine)))
    } else {
        return Ok(None);
    };
    let found = found.map_err(|e| {
        vi_diag(&e, "looking for the VM whose create lost its answer", Some(AttrPath::attr("instance_uuid")))
    })?;
    match &found {
        Some(vm) => tracing::info!(vm = %vm, "the VM whose create lost its answer exists; it is in state now"),
        None => tracing::info!("the VM whose create lost its answer does not exist; it will be created"),
    }
    Ok(found.map(|m| m.value))
}

/// After a destroy whose answer was lost: true once `vm` no longer exists
/// (polled for a while, since the task may still be running).
pub(super) async fn destroyed(meta: &Meta, err: &ViError, vm: &ManagedObjectReference) -> bool {
    if !err.outcome_unknown() {
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
