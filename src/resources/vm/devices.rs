//! Device changes: the disks, NICs and CD-ROM a configuration asks for,
//! against what the VM has, as `VirtualDeviceConfigSpec`s.
use std::collections::HashMap;

use super::state::{Disk, Nic, State};
use crate::rules::device_models::{NicModel, ScsiType};
use crate::shared::vm_facts::{nics, scsi_disks};
use crate::vi::ManagedObjectReference;
use crate::vi::object::vm::VmInfo;
use crate::vi::object::vm_device::{Backing, Connectable, VirtualDevice};
use crate::vi::object::vm_spec::VirtualDeviceConfigSpec;

const KB_PER_GB: i64 = 1024 * 1024;
/// Keys of devices a spec adds are negative and unique within the spec.
const NEW_CONTROLLER_KEY: i64 = -100;
/// The first IDE controller every new VM gets from vSphere.
const DEFAULT_IDE_KEY: i64 = 200;

/// What the apply step resolved beforehand: backings per network id, and
/// the datastore for new disks.
pub struct Resolved {
    pub backings: HashMap<String, Backing>,
    pub datastore: Option<ManagedObjectReference>,
    /// The ISO as `[ds] path`, when a CD-ROM is wanted.
    pub iso: Option<String>,
    /// The datastore holding the ISO (vSphere fills it in; vcsim does not).
    pub iso_datastore: Option<ManagedObjectReference>,
}

/// The SCSI unit a disk at `index` gets when the configuration names none:
/// its position, skipping 7 (the controller's own).
pub fn default_unit(index: usize) -> i64 {
    let i = i64::try_from(index).unwrap_or(i64::MAX - 1);
    if i >= 7 { i + 1 } else { i }
}

fn disk_device(
    d: &Disk,
    index: usize,
    key: i64,
    controller_key: i64,
    datastore: &Option<ManagedObjectReference>,
) -> VirtualDevice {
    VirtualDevice {
        kind: "VirtualDisk".into(),
        key,
        backing: Backing::DiskFlat {
            // An empty name with fileOperation=create: vSphere names the file.
            file_name: String::new(),
            datastore: datastore.clone(),
            disk_mode: "persistent".into(),
            thin_provisioned: Some(d.thin_provisioned.get().copied().unwrap_or(true)),
            uuid: None,
        },
        controller_key: Some(controller_key),
        unit_number: Some(d.unit_number.get().copied().unwrap_or_else(|| default_unit(index))),
        capacity_kb: d.size.get().map(|gb| gb.saturating_mul(KB_PER_GB)),
        ..Default::default()
    }
}

fn nic_device(n: &Nic, key: i64, backing: Backing) -> Result<VirtualDevice, String> {
    let model = NicModel::parse(n.adapter_type.as_deref().unwrap_or("vmxnet3")).map_err(|e| e.to_string())?;
    let mac = n.mac_address.get().cloned();
    Ok(VirtualDevice {
        kind: model.vim_type().into(),
        key,
        backing,
        connectable: Some(Connectable { start_connected: true, allow_guest_control: true, connected: true }),
        address_type: Some(if mac.is_some() { "manual".into() } else { "generated".into() }),
        mac_address: mac,
        ..Default::default()
    })
}

fn backing_for(r: &Resolved, network_id: Option<&String>) -> Result<Backing, String> {
    let id = network_id.ok_or("a network interface has no network_id")?;
    r.backings.get(id).cloned().ok_or_else(|| format!("network {id} was not resolved"))
}

fn iso_backing(iso: &str, datastore: &Option<ManagedObjectReference>) -> Backing {
    Backing::Iso { file_name: iso.to_owned(), datastore: datastore.clone() }
}

/// Every device of a new VM: the SCSI controller, disks, NICs, CD-ROM.
pub fn for_create(want: &State, r: &Resolved) -> Result<Vec<VirtualDeviceConfigSpec>, String> {
    let scsi = ScsiType::parse(want.scsi_type.as_deref().unwrap_or("pvscsi")).map_err(|e| e.to_string())?;
    let mut out = vec![VirtualDeviceConfigSpec::add(VirtualDevice {
        kind: scsi.vim_type().into(),
        key: NEW_CONTROLLER_KEY,
        bus_number: Some(0),
        ..Default::default()
    })];
    let mut key = NEW_CONTROLLER_KEY;
    for (i, d) in want.disk.iter().enumerate() {
        key -= 1;
        out.push(VirtualDeviceConfigSpec::create(disk_device(d, i, key, NEW_CONTROLLER_KEY, &r.datastore)));
    }
    for n in &want.network_interface {
        key -= 1;
        out.push(VirtualDeviceConfigSpec::add(nic_device(n, key, backing_for(r, n.network_id.get())?)?));
    }
    if let Some(iso) = &r.iso {
        key -= 1;
        out.push(VirtualDeviceConfigSpec::add(cdrom_device(key, DEFAULT_IDE_KEY, 0, iso, &r.iso_datastore)));
    }
    Ok(out)
}

fn cdrom_device(
    key: i64,
    controller_key: i64,
    unit: i64,
    iso: &str,
    datastore: &Option<ManagedObjectReference>,
) -> VirtualDevice {
    VirtualDevice {
        kind: "VirtualCdrom".into(),
        key,
        backing: iso_backing(iso, datastore),
        connectable: Some(Connectable { start_connected: true, allow_guest_control: true, connected: true }),
        controller_key: Some(controller_key),
        unit_number: Some(unit),
        ..Default::default()
    }
}

/// The changes that turn the VM's devices (`live`, described by `have`)
/// into what `want` asks for. Disks and NICs pair up by position.
pub fn diff(live: &VmInfo, have: &State, want: &State, r: &Resolved) -> Result<Vec<VirtualDeviceConfigSpec>, String> {
    let mut out = Vec::new();
    let mut key = -1;

    let disks = scsi_disks(live);
    let controller = live.devices.iter().find(|d| d.is_scsi_controller()).map(|c| c.key);
    for (i, w) in want.disk.iter().enumerate() {
        match (disks.get(i), have.disk.get(i)) {
            (Some(dev), Some(h)) => {
                let (old, new) = (h.size.get().copied().unwrap_or(0), w.size.get().copied().unwrap_or(0));
                if new > old {
                    let mut grown = (*dev).clone();
                    grown.capacity_kb = Some(new.saturating_mul(KB_PER_GB));
                    out.push(VirtualDeviceConfigSpec::edit(grown));
                } else if new < old {
                    return Err(format!("disk {i} cannot shrink from {old} GB to {new} GB"));
                }
            }
            _ => {
                let ctl = controller.ok_or("the VM has no SCSI controller for new disks")?;
                key -= 1;
                out.push(VirtualDeviceConfigSpec::create(disk_device(w, i, key, ctl, &r.datastore)));
            }
        }
    }
    for dev in disks.iter().skip(want.disk.len()) {
        out.push(VirtualDeviceConfigSpec::remove((*dev).clone(), true));
    }

    let live_nics = nics(live);
    for (i, w) in want.network_interface.iter().enumerate() {
        match live_nics.get(i) {
            Some(dev) => {
                let h = have.network_interface.get(i);
                let same_model = h.and_then(|h| h.adapter_type.get()) == w.adapter_type.get();
                if !same_model {
                    out.push(VirtualDeviceConfigSpec::remove((*dev).clone(), false));
                    key -= 1;
                    out.push(VirtualDeviceConfigSpec::add(nic_device(w, key, backing_for(r, w.network_id.get())?)?));
                    continue;
                }
                let net_changed = h.and_then(|h| h.network_id.get()) != w.network_id.get();
                let mac_changed =
                    w.mac_address.is_known() && h.and_then(|h| h.mac_address.get()) != w.mac_address.get();
                if net_changed || mac_changed {
                    let mut edited = (*dev).clone();
                    if net_changed {
                        edited.backing = backing_for(r, w.network_id.get())?;
                    }
                    if mac_changed {
                        edited.address_type = Some("manual".into());
                        edited.mac_address = w.mac_address.get().cloned();
                    }
                    out.push(VirtualDeviceConfigSpec::edit(edited));
                }
            }
            None => {
                key -= 1;
                out.push(VirtualDeviceConfigSpec::add(nic_device(w, key, backing_for(r, w.network_id.get())?)?));
            }
        }
    }
    for dev in live_nics.iter().skip(want.network_interface.len()) {
        out.push(VirtualDeviceConfigSpec::remove((*dev).clone(), false));
    }

    let have_iso = have.cdrom.as_ref().and_then(|c| c.datastore_path.get().cloned());
    if have_iso != r.iso {
        let drive = live.devices.iter().find(|d| d.is_cdrom());
        match (drive, &r.iso) {
            (Some(d), Some(iso)) => {
                let mut e = d.clone();
                e.backing = iso_backing(iso, &r.iso_datastore);
                e.connectable = Some(Connectable { start_connected: true, allow_guest_control: true, connected: true });
                out.push(VirtualDeviceConfigSpec::edit(e));
            }
            // Ejecting keeps the drive, which IDE cannot lose while running.
            (Some(d), None) => {
                let mut e = d.clone();
                e.backing = Backing::CdromRemote;
                e.connectable = Some(Connectable::default());
                out.push(VirtualDeviceConfigSpec::edit(e));
            }
            (None, Some(iso)) => {
                let (ctl, unit) = free_ide_slot(live).ok_or("the VM has no free IDE slot for a CD-ROM drive")?;
                key -= 1;
                out.push(VirtualDeviceConfigSpec::add(cdrom_device(key, ctl, unit, iso, &r.iso_datastore)));
            }
            (None, None) => {}
        }
    }
    Ok(out)
}

/// An IDE controller with a free unit (each has units 0 and 1).
fn free_ide_slot(live: &VmInfo) -> Option<(i64, i64)> {
    live.devices.iter().filter(|d| d.is_ide_controller()).find_map(|c| {
        let used: Vec<i64> =
            live.devices.iter().filter(|d| d.controller_key == Some(c.key)).filter_map(|d| d.unit_number).collect();
        (0..2).find(|u| !used.contains(u)).map(|u| (c.key, u))
    })
}

/// `ethernetN.checkMACAddress` for NICs whose MAC check is turned off.
pub fn mac_check_settings(want: &State) -> Vec<(String, String)> {
    want.network_interface
        .iter()
        .enumerate()
        .filter(|(_, n)| n.mac_address_check.get() == Some(&false))
        .map(|(i, _)| (format!("ethernet{i}.checkMACAddress"), "false".to_owned()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plugin::Value;

    #[test]
    fn unit_numbers_skip_the_controller() {
        assert_eq!((0..9).map(default_unit).collect::<Vec<_>>(), vec![0, 1, 2, 3, 4, 5, 6, 8, 9]);
    }

    fn disk(size: i64) -> Disk {
        Disk { size: Value::known(size), ..Default::default() }
    }

    fn live_with_disk(kb: i64) -> VmInfo {
        VmInfo {
            devices: vec![
                VirtualDevice {
                    kind: "ParaVirtualSCSIController".into(),
                    key: 1000,
                    bus_number: Some(0),
                    ..Default::default()
                },
                VirtualDevice {
                    kind: "VirtualDisk".into(),
                    key: 2000,
                    controller_key: Some(1000),
                    unit_number: Some(0),
                    capacity_kb: Some(kb),
                    ..Default::default()
                },
            ],
            ..Default::default()
        }
    }

    fn resolved() -> Resolved {
        Resolved { backings: HashMap::new(), datastore: None, iso: None, iso_datastore: None }
    }

    #[test]
    fn growing_edits_adding_creates_removing_destroys() {
        let live = live_with_disk(KB_PER_GB);
        let have = State { disk: vec![disk(1)], ..Default::default() };
        let want = State { disk: vec![disk(2), disk(3)], ..Default::default() };
        let ch = diff(&live, &have, &want, &resolved()).unwrap();
        assert_eq!(ch.len(), 2);
        assert_eq!(ch[0].device.capacity_kb, Some(2 * KB_PER_GB));
        assert_eq!(ch[1].device.controller_key, Some(1000));
        assert_eq!(ch[1].device.unit_number, Some(1));

        let none = State::default();
        let ch = diff(&live, &have, &none, &resolved()).unwrap();
        assert_eq!(ch.len(), 1);
        assert!(ch[0].file_operation.is_some());
    }

    #[test]
    fn shrinking_is_refused() {
        let live = live_with_disk(2 * KB_PER_GB);
        let have = State { disk: vec![disk(2)], ..Default::default() };
        let want = State { disk: vec![disk(1)], ..Default::default() };
        assert!(diff(&live, &have, &want, &resolved()).unwrap_err().contains("cannot shrink"));
    }

    #[test]
    fn create_adds_controller_disks_nics_and_cdrom() {
        let mut r = resolved();
        r.backings.insert("network-1".into(), Backing::Network { device_name: "VM Network".into(), network: None });
        r.iso = Some("[ds] a.iso".into());
        let want = State {
            scsi_type: Value::known("lsilogic".into()),
            disk: vec![disk(1), disk(2)],
            network_interface: vec![Nic { network_id: Value::known("network-1".into()), ..Default::default() }],
            ..Default::default()
        };
        let ch = for_create(&want, &r).unwrap();
        let kinds: Vec<&str> = ch.iter().map(|c| c.device.kind.as_str()).collect();
        assert_eq!(
            kinds,
            vec!["VirtualLsiLogicController", "VirtualDisk", "VirtualDisk", "VirtualVmxnet3", "VirtualCdrom"]
        );
        let keys: Vec<i64> = ch.iter().map(|c| c.device.key).collect();
        let mut unique = keys.clone();
        unique.dedup();
        assert_eq!(keys.len(), unique.len());
    }

    #[test]
    fn unresolved_networks_are_reported() {
        let want = State {
            network_interface: vec![Nic { network_id: Value::known("network-9".into()), ..Default::default() }],
            ..Default::default()
        };
        assert!(for_create(&want, &resolved()).unwrap_err().contains("network-9"));
    }
}
