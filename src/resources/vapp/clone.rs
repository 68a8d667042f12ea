//! Creating a vApp as a copy of another (`CloneVApp_Task`), under the TPM
//! rule for copying a vApp.
//!
//! `VAppCloneSpec` has no TPM policy (unlike `VirtualMachineCloneSpec`), so
//! vSphere always copies the VMs' TPMs; `replace` is carried out after the
//! copy by swapping each copied VM's virtual TPM for a new one (the copies
//! are powered off then, as a vTPM change needs).
use std::time::Instant;

use super::plan::{clone_tpm_policy, tpm_diag};
use super::read::{children_if_needed, power_of};
use super::spec::resource_spec;
use super::state::State;
use crate::plugin::{AttrPath, Diags};
use crate::rules::tpm::TpmPolicy;
use crate::rules::vapp_settings::PowerState;
use crate::shared::Meta;
use crate::shared::diag::vi_diag;
use crate::shared::lookup;
use crate::vi::MoType;
use crate::vi::object::vapp::pool_ref;
use crate::vi::object::vapp_spec::VAppCloneSpec;
use crate::vi::{ManagedObjectReference, ViError};

fn source_attr() -> AttrPath {
    AttrPath::attr("clone").then("source_id")
}

/// The TPM policy the copy of `source_id` will apply, or why
/// `tpm_provisioning` is not allowed (source state and vCenter version are
/// read now).
pub async fn tpm_policy(meta: &Meta, source_id: &str, requested: Option<&str>) -> Result<TpmPolicy, Diags> {
    if requested.is_none() {
        // A plain copy: nothing to check, nothing to read.
        return Ok(TpmPolicy::Copy);
    }
    let source = pool_ref(source_id);
    let info = meta
        .client
        .read_vapp(&source)
        .await
        .map_err(|e| vi_diag(&e, "reading the source vApp", Some(source_attr())))?
        .ok_or_else(|| {
            Diags::error_at(source_attr(), "Source vApp not found", format!("no vApp has the id {source_id:?}"))
        })?;
    let children = children_if_needed(&meta.client, &info)
        .await
        .map_err(|e| vi_diag(&e, "reading the source vApp's VMs", Some(source_attr())))?;
    let running = power_of(&info, &children) == PowerState::On;
    let api_version = &meta.client.service_content().about.api_version;
    clone_tpm_policy(api_version, running, requested).map_err(|e| tpm_diag(&e))
}

/// Clones the source into `want`'s pool; returns the new vApp, or the
/// copy call's own error (which may leave a copy behind: see
/// `lost_create`). Diags for what fails before the call.
pub async fn clone(
    meta: &Meta,
    want: &State,
    deadline: Instant,
) -> Result<Result<ManagedObjectReference, ViError>, Diags> {
    let Some(cl) = &want.clone else {
        return Err(Diags::error("No clone block", "internal: a clone was expected"));
    };
    let source_id = cl.source_id.require("source_id")?;
    tpm_policy(meta, source_id, cl.tpm_provisioning.as_deref()).await?;
    let source = pool_ref(source_id);
    let location = match cl.datastore_id.get() {
        Some(ds) => MoType::Datastore.moref(ds.clone()),
        None => source_datastore(meta, &source).await?,
    };
    let target = pool_ref(want.resource_pool_id.require("resource_pool_id")?);
    // Only a vApp outside any vApp has a VM folder.
    let vm_folder = if target.is(MoType::VirtualApp) {
        None
    } else {
        let dc = lookup::datacenter_of(meta, &target, "resource_pool_id").await?;
        Some(lookup::vm_folder(meta, &dc, want.folder.as_deref()).await?)
    };
    let spec = VAppCloneSpec { location, host: None, resource_spec: Some(resource_spec(want)), vm_folder };
    let name = want.name.require("name")?;
    Ok(meta.client.clone_vapp(&source, name, &target, &spec, Some(deadline)).await)
}

/// The first datastore the source's VMs use.
async fn source_datastore(meta: &Meta, source: &ManagedObjectReference) -> Result<ManagedObjectReference, Diags> {
    let objs = meta
        .client
        .retrieve(std::slice::from_ref(source), &["datastore"])
        .await
        .map_err(|e| vi_diag(&e, "reading the source vApp's datastores", Some(source_attr())))?;
    objs.first().and_then(|o| o.morefs("datastore").into_iter().next()).ok_or_else(|| {
        Diags::error_at(
            AttrPath::attr("clone").then("datastore_id"),
            "No datastore for the copy",
            format!("vApp {source} uses no datastore to copy to (it may have no VMs); set clone.datastore_id"),
        )
    })
}
