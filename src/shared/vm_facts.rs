//! What a VM's devices and runtime say, the way `vi_vm` and `data "vi_vm"`
//! both present it: disks and NICs in state order, networks by id, the
//! SCSI model and power state by the names the schemas use.
use std::collections::BTreeMap;

use crate::rules::device_models::ScsiType;
use crate::vi::object::vm::VmInfo;
use crate::vi::object::vm_device::{Backing, VirtualDevice};

/// SCSI disks in the order the state lists them: by bus, then unit.
pub fn scsi_disks(info: &VmInfo) -> Vec<&VirtualDevice> {
    let bus_of: BTreeMap<i64, i64> =
        info.devices.iter().filter(|d| d.is_scsi_controller()).map(|c| (c.key, c.bus_number.unwrap_or(0))).collect();
    let mut disks: Vec<(&VirtualDevice, i64)> = info
        .devices
        .iter()
        .filter(|d| d.is_disk())
        .filter_map(|d| d.controller_key.and_then(|k| bus_of.get(&k)).map(|bus| (d, *bus)))
        .collect();
    disks.sort_by_key(|(d, bus)| (*bus, d.unit_number.unwrap_or(0)));
    disks.into_iter().map(|(d, _)| d).collect()
}

/// NICs in creation order (device keys grow as NICs are added).
pub fn nics(info: &VmInfo) -> Vec<&VirtualDevice> {
    let mut n: Vec<&VirtualDevice> = info.devices.iter().filter(|d| d.is_nic()).collect();
    n.sort_by_key(|d| d.key);
    n
}

pub fn network_id_of(nic: &VirtualDevice) -> Option<String> {
    match &nic.backing {
        Backing::Network { network: Some(n), .. } => Some(n.value.clone()),
        // vCenter uses the port group's managed object id as its key.
        Backing::DvPort { portgroup_key, .. } => Some(portgroup_key.clone()),
        Backing::OpaqueNetwork { network_id, .. } => Some(network_id.clone()),
        _ => None,
    }
}

/// The model of the VM's first SCSI controller, as `scsi_type` names it.
pub fn scsi_type(info: &VmInfo) -> Option<String> {
    info.devices
        .iter()
        .find(|d| d.is_scsi_controller())
        .and_then(|c| ScsiType::from_vim_type(&c.kind))
        .map(|t| t.name().to_owned())
}

/// `on`, `off` or `suspended`, as `power_state` says it.
pub fn power_state(info: &VmInfo) -> &str {
    match info.power_state.as_str() {
        "poweredOn" => "on",
        "poweredOff" => "off",
        other => other,
    }
}

/// Where a disk's label is kept: vSphere has no field for it, and keeping
/// it with the VM makes an import see the labels the creator chose.
pub fn disk_label_key(unit: i64) -> String {
    format!("terraform.vi.disk{unit}.label")
}
