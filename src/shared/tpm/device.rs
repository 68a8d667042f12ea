//! The vSphere side of a vTPM, shared by `vi_vm` and `vi_vtpm`: reading a
//! VM and the key providers together (what the rules in
//! [`super::checks`] need), and the device changes that add or remove
//! the `VirtualTPM`.
use crate::plugin::Diags;
use crate::shared::Meta;
use crate::shared::diag::vi_diag;
use crate::vi::object::crypto::{CryptoSpec, KMIP_PROPS, KmipClusterInfo, key_providers_from_content};
use crate::vi::object::vm::{VM_PROPS, VmInfo};
use std::time::Instant;

use crate::vi::object::vm_device::{VirtualDevice, devices_from_node};
use crate::vi::object::vm_spec::{VirtualDeviceConfigSpec, VirtualMachineConfigSpec};
use crate::vi::{ManagedObjectReference, ObjectContent, ViError};

/// Key of a vTPM a spec adds (negative: vSphere assigns the real one). No
/// other device change the provider writes uses it.
const NEW_TPM_KEY: i64 = -1;

/// A VM (`None` when it does not exist) and the key providers (`None` when
/// not asked for).
pub struct TpmView {
    pub vm: Option<VmInfo>,
    pub providers: Option<Vec<KmipClusterInfo>>,
}

/// Reads `vm` and, when `providers`, vCenter's key providers. At plan
/// (`fresh == false`) through the batcher, so the read shares a round trip
/// with the other reads of the plan; at apply in one direct call.
pub async fn read(
    meta: &Meta,
    vm: Option<&ManagedObjectReference>,
    providers: bool,
    fresh: bool,
) -> Result<TpmView, ViError> {
    // A server without a crypto manager (ESXi) has no key providers.
    let cm = meta.client.service_content().crypto_manager.clone().filter(|_| providers);
    let (vm_oc, cm_oc) = if fresh {
        let objs: Vec<ManagedObjectReference> = vm.into_iter().cloned().chain(cm.clone()).collect();
        let found = meta
            .client
            .retrieve_by_type(&objs, &[("VirtualMachine", VM_PROPS), ("CryptoManagerKmip", KMIP_PROPS)], None)
            .await?;
        let pick = |r: Option<&ManagedObjectReference>| r.and_then(|r| found.iter().find(|o| &o.obj == r).cloned());
        (pick(vm), pick(cm.as_ref()))
    } else {
        let vm_read = async {
            match vm {
                Some(r) => meta.batcher.retrieve_one(r.clone(), VM_PROPS).await.map(Some),
                None => Ok(None),
            }
        };
        let cm_read = async {
            match &cm {
                Some(r) => meta.batcher.retrieve_one(r.clone(), KMIP_PROPS).await.map(Some),
                None => Ok(None),
            }
        };
        let (a, b) = tokio::join!(vm_read, cm_read);
        (a?, b?)
    };
    let vm = vm_oc.filter(|o| !o.is_missing_object()).map(|o| VmInfo::from_content(&o));
    let providers =
        if providers { Some(cm_oc.as_ref().map(providers_of).transpose()?.unwrap_or_default()) } else { None };
    Ok(TpmView { vm, providers })
}

fn providers_of(o: &ObjectContent) -> Result<Vec<KmipClusterInfo>, ViError> {
    if o.is_missing_object() {
        return Ok(Vec::new());
    }
    key_providers_from_content(o)
}

/// The device change that adds a vTPM, and the encryption the VM's home
/// files need for it: with `key_provider_id` set on a VM not yet
/// encrypted, a `CryptoSpecEncrypt` with a key from that provider; else
/// none, and vSphere uses the default key provider (an encrypted VM keeps
/// its own, which the rules have checked).
pub async fn add_spec(
    meta: &Meta,
    vm: Option<&VmInfo>,
    key_provider_id: Option<&str>,
    providers: &[KmipClusterInfo],
) -> Result<(VirtualDeviceConfigSpec, Option<CryptoSpec>), Diags> {
    let device = VirtualDeviceConfigSpec::add(VirtualDevice::new_tpm(NEW_TPM_KEY));
    let encrypted = vm.is_some_and(|v| v.key_id.is_some());
    let Some(id) = key_provider_id.filter(|_| !encrypted) else { return Ok((device, None)) };
    let provider = providers.iter().find(|p| p.cluster_id == id).ok_or_else(|| {
        Diags::error("Key provider not registered", format!("key provider `{id}` is no longer registered with vCenter"))
    })?;
    let key = meta
        .client
        .encryption_key(provider)
        .await
        .map_err(|e| vi_diag(&e, &format!("getting a key from key provider `{id}`"), None))?;
    Ok((device, Some(CryptoSpec::Encrypt(key))))
}

/// The device change that removes the VM's vTPM, if it has one.
pub fn remove_spec(vm: &VmInfo) -> Option<VirtualDeviceConfigSpec> {
    vm.tpm().map(|t| {
        VirtualDeviceConfigSpec::remove(VirtualDevice { kind: t.kind.clone(), key: t.key, ..Default::default() }, false)
    })
}

/// Gives each VM in `vms` that has a virtual TPM a new one in place of the
/// copied one (the `replace` TPM policy, where vSphere has no field for it).
pub async fn replace_copied(meta: &Meta, vms: &[ManagedObjectReference], deadline: Instant) -> Result<(), ViError> {
    if vms.is_empty() {
        return Ok(());
    }
    let objs = meta.client.retrieve(vms, &["config.hardware.device"]).await?;
    for o in objs.iter().filter(|o| !o.is_missing_object()) {
        let devices = o.node("config.hardware.device").map(devices_from_node).unwrap_or_default();
        let Some(tpm) = devices.into_iter().find(VirtualDevice::is_tpm) else { continue };
        let spec = VirtualMachineConfigSpec {
            device_change: vec![
                VirtualDeviceConfigSpec::remove(tpm, false),
                VirtualDeviceConfigSpec::add(VirtualDevice::new_tpm(-1)),
            ],
            ..Default::default()
        };
        tracing::info!(vm = %o.obj, "replacing the copied virtual TPM with a new one");
        meta.client.vm(&o.obj).reconfigure(&spec, Some(deadline)).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removal_names_the_live_device_only() {
        let mut vm = VmInfo::default();
        assert_eq!(remove_spec(&vm), None);
        vm.devices.push(VirtualDevice {
            kind: crate::vi::object::vm_device::VIRTUAL_TPM.into(),
            key: 11000,
            endorsement_key_certificate: vec!["MII…".into()],
            ..Default::default()
        });
        let spec = remove_spec(&vm).unwrap();
        assert_eq!(
            spec.device,
            VirtualDevice { kind: crate::vi::object::vm_device::VIRTUAL_TPM.into(), key: 11000, ..Default::default() }
        );
        assert_eq!(spec.file_operation, None);
    }
}
