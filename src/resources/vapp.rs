//! `vi_vapp`: a vSphere vApp, created empty (`CreateVApp`) or copied from
//! another (`CloneVApp_Task`), read in one batched call, updated in place
//! (move, rename, allocation, vApp settings, power), destroyed with its VMs
//! (powered off first), imported by id or inventory path.
//!
//! The VMs of a vApp are `vi_vm`s with `vapp_id`; their start order lives in
//! the vApp's entity config (`Client::set_vapp_entity_config`).
use crate::vi::FaultKind;
use crate::vi::MoType;
use std::time::{Duration, Instant};

use async_trait::async_trait;

mod clone;
mod lost_create;
mod moved_from_vsphere;
mod plan;
mod read;
mod schema;
mod spec;
mod state;

use self::state::State;
use crate::plugin::{ApplyError, AttrPath, Diags, MoveSource, Plan, Resource, Schema, Value};
use crate::rules::object_name::NameKind;
use crate::rules::provider_config::parse_duration;
use crate::rules::tpm::TpmPolicy;
use crate::rules::vapp_settings::PowerState;
use crate::shared::Meta;
use crate::shared::diag::vi_diag;
use crate::shared::lookup;
use crate::shared::moved_from_vsphere as moved;
use crate::vi::core::task::deadline_after;
use crate::vi::object::vapp::{VAPP_PROPS, VAppInfo, pool_ref};
use crate::vi::{ManagedObjectReference, ViError};

pub struct VApp;

/// A deadline from a `timeouts` entry (default 30 minutes).
fn deadline(t: Option<&Value<String>>) -> Instant {
    let d = t.and_then(Value::get).and_then(|s| parse_duration(s).ok()).unwrap_or(Duration::from_secs(30 * 60));
    deadline_after(d)
}

/// A vSphere failure as a diagnostic, saying so when the server lacks the
/// method altogether (vcsim implements only create, clone and destroy).
fn fail(e: &ViError, what: &str) -> Diags {
    let mut d = vi_diag(e, what, None);
    if e.is_fault(FaultKind::MethodNotFound) {
        for x in &mut d.0 {
            x.detail += " (this server does not implement that vApp operation)";
        }
    }
    d
}

/// A failed power-on as a diagnostic. A vApp with no VM cannot start
/// (NoVmInVApp), which is what a vApp created with `power_state = "on"` in
/// the same run as its VMs meets: it is created before them.
fn power_on_failed(e: &ViError) -> Diags {
    if !e.is_fault(FaultKind::NoVmInVApp) {
        return fail(e, "powering the vApp on");
    }
    Diags::error_at(
        AttrPath::attr("power_state"),
        "The vApp has no VMs to power on",
        format!(
            "vSphere powers a vApp on by starting its VMs, and this one has none ({e}). A vApp is created \
             before the vi_vm resources that join it, so leave power_state unset until they exist (their own \
             power_state starts them), then set it in a later apply."
        ),
    )
}

/// Reads a vApp directly (apply needs the freshest view) with its power.
async fn read_now(meta: &Meta, vapp: &ManagedObjectReference) -> Result<(VAppInfo, PowerState), Diags> {
    let info = meta
        .client
        .read_vapp(vapp)
        .await
        .map_err(|e| fail(&e, "reading the vApp"))?
        .ok_or_else(|| Diags::error("vApp not found", format!("{} no longer exists", vapp.value)))?;
    let children =
        read::children_if_needed(&meta.client, &info).await.map_err(|e| fail(&e, "reading the vApp's VMs"))?;
    let power = read::power_of(&info, &children);
    Ok((info, power))
}

/// Brings a vApp's settings and power to `want`, then reads it back.
async fn converge(meta: &Meta, vapp: &ManagedObjectReference, want: &State, dl: Instant) -> Result<State, Diags> {
    let (live, power) = read_now(meta, vapp).await?;
    let spec = spec::update_config(&live, want);
    if !spec.is_empty() {
        meta.client.update_vapp_config(vapp, &spec).await.map_err(|e| fail(&e, "configuring the vApp"))?;
    }
    match want.power_state.as_deref().and_then(|p| PowerState::parse(p).ok()) {
        Some(PowerState::On) if power != PowerState::On => {
            meta.client.power_on_vapp(vapp, Some(dl)).await.map_err(|e| power_on_failed(&e))?;
        }
        Some(PowerState::Off) if power != PowerState::Off => {
            // Not forced: the VMs stop by their stop actions, in order.
            meta.client.power_off_vapp(vapp, false, Some(dl)).await.map_err(|e| fail(&e, "powering the vApp off"))?;
        }
        _ => {}
    }
    let (info, power) = read_now(meta, vapp).await?;
    Ok(read::to_state(&info, power, want))
}

#[async_trait]
impl Resource<Meta> for VApp {
    type State = State;

    fn type_name(&self) -> &'static str {
        "vi_vapp"
    }

    fn schema(&self) -> Schema {
        schema::schema()
    }

    fn validate(&self, config: &State) -> Diags {
        let mut d = plan::validate(config);
        d.push(crate::shared::name_checks::name(&config.name, NameKind::Inventory));
        d
    }

    async fn plan(&self, meta: Option<&Meta>, p: &mut Plan<State>) -> Diags {
        let mut d = plan::refine(p);
        // Again for a name that was unknown at validation.
        d.push(crate::shared::name_checks::name(&p.config.name, NameKind::Inventory));
        if let Some(meta) = meta {
            d.push(crate::shared::references::check(meta, &plan::references(p)).await);
        }
        // The copy's TPM rule needs the source's state and the vCenter
        // version; without a connection yet, create checks it first thing.
        if p.prior.is_none()
            && !d.has_errors()
            && let Some(meta) = meta
            && let Some(cl) = &p.planned.clone
            && let Some(source) = cl.source_id.get()
            && !cl.tpm_provisioning.is_unknown()
            && let Err(e) = clone::tpm_policy(meta, source, cl.tpm_provisioning.as_deref()).await
        {
            d.push(e);
        }
        d
    }

    async fn create(&self, meta: &Meta, want: State) -> Result<State, ApplyError<State>> {
        let dl = deadline(want.timeouts.as_ref().map(|t| &t.create));
        let made = match &want.clone {
            Some(_) => clone::clone(meta, &want, dl).await?.map_err(|e| (e, "copying the vApp")),
            None => {
                let pool = pool_ref(want.resource_pool_id.require("resource_pool_id")?);
                let folder = if pool.is(MoType::VirtualApp) {
                    None
                } else {
                    let dc = lookup::datacenter_of(meta, &pool, "resource_pool_id").await?;
                    Some(lookup::vm_folder(meta, &dc, want.folder.as_deref()).await?)
                };
                meta.client
                    .create_vapp(
                        &pool,
                        want.name.require("name")?,
                        &spec::resource_spec(&want),
                        &spec::create_config(&want),
                        folder.as_ref(),
                    )
                    .await
                    .map_err(|e| (e, "creating the vApp"))
            }
        };
        let vapp = match made {
            Ok(vapp) => vapp,
            Err((e, what)) => {
                let mut err = lost_create::failed(meta, &e, &want, what).await;
                if e.is_fault(FaultKind::MethodNotFound) {
                    err.diags = fail(&e, what);
                }
                return Err(err);
            }
        };
        if let Some(cl) = &want.clone {
            tracing::info!(vapp = %vapp, source = %cl.source_id.require("source_id")?, "vApp copied");
        }
        // From here on the vApp exists: every failure keeps its id.
        let partial = || Some(State { id: Value::known(vapp.value.clone()), ..want.clone() });
        if let Some(cl) = &want.clone
            && cl.tpm_provisioning.as_deref().and_then(|p| p.parse::<TpmPolicy>().ok()) == Some(TpmPolicy::Replace)
        {
            let (info, _) = read_now(meta, &vapp).await.map_err(|d| ApplyError { diags: d, partial: partial() })?;
            crate::shared::tpm::device::replace_copied(meta, &info.vms, dl)
                .await
                .map_err(|e| ApplyError { diags: fail(&e, "replacing the copied TPMs"), partial: partial() })?;
        }
        converge(meta, &vapp, &want, dl).await.map_err(|d| ApplyError { diags: d, partial: partial() })
    }

    async fn read(&self, meta: &Meta, current: State) -> Result<Option<State>, Diags> {
        // A vApp whose create lost its answer is looked for here.
        let Some(id) = lost_create::locate(meta, &current).await? else { return Ok(None) };
        let o = match meta.batcher.retrieve_one(MoType::VirtualApp.moref(&id), VAPP_PROPS).await {
            Ok(o) if o.is_missing_object() => return Ok(None),
            Ok(o) => o,
            // Deleted outside Terraform: drop it from state, plan re-creates.
            Err(e) if e.is_fault(FaultKind::ManagedObjectNotFound) => return Ok(None),
            Err(e) => return Err(fail(&e, "reading the vApp")),
        };
        let info = VAppInfo::from_content(&o);
        let children = match read::children_if_needed(&meta.client, &info).await {
            Ok(c) => c,
            Err(e) => return Err(fail(&e, "reading the vApp's VMs")),
        };
        Ok(Some(read::to_state(&info, read::power_of(&info, &children), &current)))
    }

    async fn update(&self, meta: &Meta, prior: State, want: State) -> Result<State, ApplyError<State>> {
        let id = lost_create::locate(meta, &prior).await?.ok_or_else(|| {
            Diags::error("vApp not found", "the vApp whose create lost its answer does not exist; refresh, then apply")
        })?;
        let vapp = MoType::VirtualApp.moref(&id);
        let dl = deadline(want.timeouts.as_ref().map(|t| &t.update));
        if prior.resource_pool_id != want.resource_pool_id {
            let pool = pool_ref(want.resource_pool_id.require("resource_pool_id")?);
            meta.client
                .move_into_resource_pool(&pool, std::slice::from_ref(&vapp))
                .await
                .map_err(|e| fail(&e, "moving the vApp to its new pool"))?;
        }
        if prior.name != want.name {
            meta.client
                .rename_entity(&vapp, want.name.require("name")?, Some(dl))
                .await
                .map_err(|e| fail(&e, "renaming the vApp"))?;
        }
        if spec::allocation_changed(&prior, &want) {
            meta.client
                .update_vapp_allocation(&vapp, &spec::resource_spec(&want))
                .await
                .map_err(|e| fail(&e, "changing the vApp's CPU and memory allocation"))?;
        }
        Ok(converge(meta, &vapp, &want, dl).await?)
    }

    async fn delete(&self, meta: &Meta, prior: State) -> Result<(), Diags> {
        // A pending vApp (its create lost its answer) may exist after all.
        let Some(id) = lost_create::locate(meta, &prior).await? else { return Ok(()) };
        let vapp = MoType::VirtualApp.moref(&id);
        let dl = deadline(prior.timeouts.as_ref().map(|t| &t.delete));
        let info = match meta.client.read_vapp(&vapp).await {
            Ok(Some(info)) => info,
            Ok(None) => return Ok(()),
            Err(e) if e.is_fault(FaultKind::ManagedObjectNotFound) => return Ok(()),
            Err(e) => return Err(fail(&e, "reading the vApp")),
        };
        // Destroying a vApp destroys its VMs, which must be off for that.
        if matches!(info.vapp_state.as_deref(), Some("started" | "starting")) {
            meta.client.power_off_vapp(&vapp, true, Some(dl)).await.map_err(|e| fail(&e, "powering the vApp off"))?;
        }
        if !info.vms.is_empty() {
            let children =
                meta.client.child_power_states(&info.vms).await.map_err(|e| fail(&e, "reading the vApp's VMs"))?;
            for c in children.iter().filter(|c| c.power_state == "poweredOn") {
                meta.client
                    .vm(&c.vm)
                    .power_off(Some(dl))
                    .await
                    .map_err(|e| fail(&e, "powering a VM of the vApp off"))?;
            }
        }
        meta.client.destroy_vapp(&vapp, Some(dl)).await.map_err(|e| fail(&e, "destroying the vApp"))
    }

    async fn import(&self, meta: &Meta, id: &str) -> Result<State, Diags> {
        let vapp = if id.contains('/') {
            meta.client
                .find_by_inventory_path(id.trim_start_matches('/'))
                .await
                .map_err(|e| fail(&e, "finding the vApp"))?
                .filter(|m| m.is(MoType::VirtualApp))
                .ok_or_else(|| Diags::error("vApp not found", format!("no vApp at inventory path {id:?}")))?
        } else {
            MoType::VirtualApp.moref(id)
        };
        let (info, power) = read_now(meta, &vapp).await?;
        let mut state = read::to_state(&info, power, &State::default());
        state.folder = lookup::relative_vm_folder(meta, info.parent_folder.as_ref()).await?;
        Ok(state)
    }

    fn identity_attributes(&self) -> &'static [(&'static str, &'static str)] {
        &[("id", "Managed object id of the vApp (`resgroup-v42`).")]
    }

    /// The rest is read (as by an import) when the move is completed.
    async fn move_from(&self, source: &MoveSource<'_>, state: serde_json::Value) -> Result<(State, Diags), Diags> {
        use moved_from_vsphere::SOURCE;
        moved::accept("vi_vapp", &SOURCE, source)?;
        let (id, dropped) =
            moved_from_vsphere::map(source.schema_version, &state).map_err(|e| moved::error(&SOURCE, &e))?;
        Ok((State { id: Value::known(id), ..State::default() }, moved::dropped_warning("vi_vapp", &SOURCE, &dropped)))
    }

    /// The folder, which the vSphere provider recorded by id, as the path
    /// `folder` takes; the rest as an import reads it.
    async fn complete_moved(&self, meta: &Meta, state: State) -> Result<State, Diags> {
        let Some(id) = state.id.get() else { return Ok(state) };
        self.import(meta, id).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plugin::resource;

    #[test]
    fn state_matches_schema() {
        resource::<Meta, _>(VApp).self_check().unwrap();
    }
}
