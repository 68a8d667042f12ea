//! From what vSphere says about a VM (`VmInfo`) to the resource's state.
//! Settings vSphere does not store (labels, timeouts, reboot_allowed…)
//! come from the state the read started from.
use std::collections::BTreeMap;

use super::state::{Cdrom, Disk, Nic, State, Vtpm};
use crate::plugin::Value;
use crate::rules::device_models::NicModel;
use crate::rules::hardware_version::HardwareVersion;
use crate::shared::vm_facts::{disk_label_key, network_id_of, nics, power_state, scsi_disks, scsi_type};
use crate::vi::ManagedObjectReference;
use crate::vi::MoType;
use crate::vi::object::vm::VmInfo;
use crate::vi::object::vm_device::{Backing, VirtualDevice};

const KB_PER_GB: i64 = 1024 * 1024;

/// A MAC address vSphere chose (`addressType` generated or assigned) on a
/// NIC that came without one (an import, or a NIC added behind Terraform's
/// back) stays unset: reported, it would be written into generated
/// configuration as a hand-set address and warned about on every plan.
/// A NIC this configuration made tracks its address from its plan on.
fn adopted_generated_mac(n: &VirtualDevice, prior: Option<&Nic>) -> bool {
    n.address_type.as_deref() != Some("manual") && prior.is_none_or(|p| p.mac_address.is_null())
}

fn s(v: &Option<String>) -> Value<String> {
    Value::from_option(v.clone())
}

pub fn to_state(info: &VmInfo, prior: &State) -> State {
    let disk = scsi_disks(info)
        .into_iter()
        .enumerate()
        .map(|(i, d)| {
            let before = prior.disk.get(i);
            let (path, thin, uuid) = match &d.backing {
                Backing::DiskFlat { file_name, thin_provisioned, uuid, .. } => {
                    (Some(file_name.clone()), *thin_provisioned, uuid.clone())
                }
                _ => (None, None, None),
            };
            let stored = d.unit_number.and_then(|u| info.extra_config.get(&disk_label_key(u)));
            Disk {
                label: match (stored, before) {
                    (Some(l), _) => Value::known(l.clone()),
                    (None, Some(b)) => b.label.clone(),
                    (None, None) => Value::known(format!("disk{i}")),
                },
                // Round up: a disk is never reported smaller than it is.
                size: Value::from_option(d.capacity_kb.map(|kb| (kb + KB_PER_GB - 1) / KB_PER_GB)),
                thin_provisioned: Value::known(thin.unwrap_or(false)),
                unit_number: Value::from_option(d.unit_number),
                path: Value::from_option(path),
                uuid: Value::from_option(uuid),
                key: Value::known(d.key),
            }
        })
        .collect();
    let network_interface = nics(info)
        .into_iter()
        .enumerate()
        .map(|(i, n)| Nic {
            network_id: match (&n.backing, prior.network_interface.get(i).and_then(|p| p.network_id.get())) {
                // An opaque backing names the NSX network, not its managed
                // object: keep the id the configuration used.
                (Backing::OpaqueNetwork { .. }, Some(id)) => Value::known(id.clone()),
                _ => Value::from_option(network_id_of(n)),
            },
            adapter_type: Value::from_option(NicModel::from_vim_type(&n.kind).map(|m| m.name().to_owned())),
            mac_address: if adopted_generated_mac(n, prior.network_interface.get(i)) {
                Value::Null
            } else {
                Value::from_option(n.mac_address.clone())
            },
            mac_address_check: prior
                .network_interface
                .get(i)
                .map(|p| p.mac_address_check.clone())
                .filter(Value::is_known)
                .unwrap_or(Value::known(true)),
            key: Value::known(n.key),
        })
        .collect();
    let cdrom = info.devices.iter().filter(|d| d.is_cdrom()).find_map(|d| match &d.backing {
        Backing::Iso { file_name, datastore } => Some(Cdrom {
            datastore_id: Value::from_option(datastore.as_ref().map(|m| m.value.clone())),
            path: Value::from_option(file_name.split_once("] ").map(|(_, p)| p.to_owned())),
            datastore_path: Value::known(file_name.clone()),
        }),
        _ => None,
    });
    let scsi_type = scsi_type(info);
    // Only the extraConfig keys this configuration manages; an imported VM
    // (no prior state) starts with its user-set guestinfo keys.
    let extra_config = match (prior.extra_config.get(), prior.id.is_null()) {
        (Some(managed), _) => Value::known(
            managed.keys().filter_map(|k| info.extra_config.get(k).map(|v| (k.clone(), v.clone()))).collect(),
        ),
        (None, true) => {
            let user: BTreeMap<String, String> =
                info.extra_config.iter().filter(|(k, _)| is_user_key(k)).map(|(k, v)| (k.clone(), v.clone())).collect();
            if user.is_empty() { Value::Null } else { Value::known(user) }
        }
        (None, false) => Value::Null,
    };
    let datastore_id = match prior.datastore_id.get() {
        Some(d) if info.datastores.iter().any(|m| &m.value == d) => Value::known(d.clone()),
        _ => Value::from_option(info.datastores.first().map(|m| m.value.clone())),
    };
    let power_state = power_state(info);
    State {
        id: Value::from_option(info.moref.as_ref().map(|m| m.value.clone())),
        name: Value::known(info.name.clone()),
        resource_pool_id: Value::from_option(info.resource_pool.as_ref().map(moref_value)),
        // A vApp is its VMs' pool (vcsim does not report `parentVApp`).
        vapp_id: Value::from_option(
            info.resource_pool
                .as_ref()
                .map(moref_value)
                .filter(|p| crate::vi::object::vapp::pool_kind(p) == MoType::VirtualApp),
        ),
        datastore_id,
        host_id: Value::from_option(info.host.as_ref().map(moref_value)),
        folder: prior.folder.clone(),
        guest_id: s(&info.guest_id),
        num_cpus: Value::from_option(info.num_cpus),
        num_cores_per_socket: Value::from_option(info.num_cores_per_socket.or(Some(1))),
        memory: Value::from_option(info.memory_mb),
        cpu_hot_add_enabled: Value::known(info.cpu_hot_add.unwrap_or(false)),
        memory_hot_add_enabled: Value::known(info.memory_hot_add.unwrap_or(false)),
        firmware: Value::known(info.firmware.clone().unwrap_or_else(|| "bios".to_owned())),
        efi_secure_boot: Value::known(info.efi_secure_boot.unwrap_or(false)),
        hardware_version: Value::from_option(
            info.version.as_deref().and_then(HardwareVersion::from_vim).map(|v| i64::from(v.number())),
        ),
        scsi_type: scsi_type.map_or_else(|| prior.scsi_type.clone(), Value::known),
        annotation: s(&info.annotation.clone().filter(|a| !a.is_empty())),
        extra_config,
        power_state: Value::known(power_state.to_owned()),
        reboot_allowed: prior.reboot_allowed.clone(),
        shutdown_wait_timeout: prior.shutdown_wait_timeout.clone(),
        wait_for_ip_timeout: prior.wait_for_ip_timeout.clone(),
        uuid: s(&info.uuid),
        instance_uuid: s(&info.instance_uuid),
        default_ip_address: s(&info.ip_address),
        guest_ip_addresses: Value::known(info.ip_addresses.clone()),
        vmx_path: s(&info.vm_path_name),
        vtpm_present: Value::known(info.has_tpm()),
        imported: Value::known(prior.imported.get() == Some(&true)),
        disk,
        network_interface,
        cdrom,
        vtpm: managed_vtpm(info, prior),
        clone: prior.clone.clone(),
        catalog_item: prior.catalog_item.clone(),
        vapp_start: prior.vapp_start.clone(),
        timeouts: prior.timeouts.clone(),
    }
}

/// The `vtpm` block as vSphere has it, when this configuration manages the
/// vTPM (or the VM is being imported): a vTPM vSphere did not attach, or
/// that was removed, then shows in the next plan. A vTPM the configuration
/// does not manage (added by `vi_vtpm`, or copied by a clone) is left alone
/// and only reported by `vtpm_present`.
fn managed_vtpm(info: &VmInfo, prior: &State) -> Option<Vtpm> {
    let managed = prior.vtpm.is_some() || prior.id.is_null();
    (managed && info.has_tpm())
        .then(|| Vtpm { key_provider_id: Value::from_option(info.key_provider().map(str::to_owned)) })
}

/// `guestinfo.*` keys a user (or cloud-init, or an appliance) set, as
/// opposed to those VMware Tools and vSphere write for themselves.
fn is_user_key(k: &str) -> bool {
    const SYSTEM: &[&str] = &[
        "guestinfo.vmtools",
        "guestinfo.appInfo",
        "guestinfo.driver",
        "guestinfo.gc.",
        "guestinfo.toolsInstallErrCode",
        "guestinfo.vmware.",
        "guestinfo.detailed.data",
        "guestinfo.guestinfo",
    ];
    k.starts_with("guestinfo.") && !SYSTEM.iter().any(|p| k.starts_with(p))
}

fn moref_value(m: &ManagedObjectReference) -> String {
    m.value.clone()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nic(address_type: &str) -> VirtualDevice {
        VirtualDevice {
            kind: "VirtualVmxnet3".into(),
            address_type: Some(address_type.into()),
            mac_address: Some("00:50:56:80:12:34".into()),
            ..VirtualDevice::default()
        }
    }

    fn prior(mac: Value<String>) -> Nic {
        Nic { mac_address: mac, ..Nic::default() }
    }

    #[test]
    fn a_generated_mac_stays_unset_only_where_nothing_tracked_it() {
        // Import: no prior NIC.
        assert!(adopted_generated_mac(&nic("generated"), None));
        assert!(adopted_generated_mac(&nic("assigned"), None));
        // The refresh after an import keeps it unset.
        assert!(adopted_generated_mac(&nic("generated"), Some(&prior(Value::Null))));
        // Created here (planned unknown) or already tracked: reported.
        assert!(!adopted_generated_mac(&nic("generated"), Some(&prior(Value::Unknown))));
        assert!(!adopted_generated_mac(&nic("generated"), Some(&prior(Value::known("00:50:56:80:12:34".into())))));
        // A hand-set address is always the configuration's.
        assert!(!adopted_generated_mac(&nic("manual"), None));
    }
}
