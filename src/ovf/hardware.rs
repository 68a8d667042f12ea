//! Turns the raw items of `VirtualHardwareSection`s into a
//! [`HardwareSummary`]. Kept apart from the XML walk because it needs the
//! whole envelope first (the `DiskSection` and the default deployment
//! option may come after the virtual system that uses them).

use super::descriptor::{Controller, ControllerKind, DiskDesc, HardwareSummary, Nic, VirtualDisk};
use super::error::OvfError;
use super::units;

/// CIM `ResourceType` values the summary reads.
const OTHER: u32 = 1;
const PROCESSOR: u32 = 3;
const MEMORY: u32 = 4;
const IDE_CONTROLLER: u32 = 5;
const SCSI_HBA: u32 = 6;
const ETHERNET_ADAPTER: u32 = 10;
const DISK_DRIVE: u32 = 17;
const OTHER_STORAGE_DEVICE: u32 = 20;

/// One `VirtualHardwareSection` as written.
#[derive(Debug, Default)]
pub(super) struct RawSection {
    pub system_type: Option<String>,
    pub transport: Option<String>,
    pub items: Vec<RawItem>,
    pub config: Vec<(String, String)>,
}

/// One `Item` / `StorageItem` / `EthernetPortItem`, fields as written
/// (numbers already checked).
#[derive(Debug, Default)]
pub(super) struct RawItem {
    /// `ovf:configuration`: deployment option ids the item belongs to.
    pub configuration: Option<String>,
    pub resource_type: Option<u32>,
    pub sub_type: Option<String>,
    pub instance_id: Option<String>,
    pub quantity: Option<u64>,
    pub units: Option<String>,
    pub connection: Option<String>,
    pub host_resource: Option<String>,
    pub parent: Option<String>,
    pub address: Option<String>,
    pub address_on_parent: Option<String>,
    pub cores_per_socket: Option<u32>,
}

impl RawItem {
    /// Items without `ovf:configuration` always apply; the others only to
    /// the listed deployment options. Without any deployment option in the
    /// envelope the attribute means nothing, so every item counts.
    fn applies_to(&self, default_option: Option<&str>) -> bool {
        match (&self.configuration, default_option) {
            (None, _) | (_, None) => true,
            (Some(list), Some(option)) => list.split_whitespace().any(|c| c == option),
        }
    }
}

/// The summary and transports of the section vSphere would use.
pub(super) fn summarize(
    sections: &[RawSection],
    default_option: Option<&str>,
    disk_section: &[DiskDesc],
) -> Result<(HardwareSummary, Vec<String>), OvfError> {
    let Some(section) = choose(sections) else {
        return Ok((HardwareSummary::default(), Vec::new()));
    };
    let transports = section.transport.as_deref().unwrap_or("").split_whitespace().map(str::to_string).collect();
    let items: Vec<&RawItem> = section.items.iter().filter(|i| i.applies_to(default_option)).collect();

    let mut hw = HardwareSummary {
        hardware_version: section.system_type.clone(),
        vmw_config: section.config.clone(),
        ..HardwareSummary::default()
    };
    for (key, value) in &section.config {
        match key.as_str() {
            "firmware" => hw.firmware = Some(value.clone()),
            "bootOptions.efiSecureBootEnabled" => hw.secure_boot = Some(parse_bool(key, value)?),
            _ => {}
        }
    }

    hw.controllers = items.iter().filter_map(|i| controller(i)).collect();

    for item in &items {
        match item.resource_type {
            Some(PROCESSOR) if hw.num_cpus.is_none() => {
                let n = item.quantity.ok_or_else(|| OvfError::Missing("VirtualQuantity of the CPU item".into()))?;
                let n = u32::try_from(n)
                    .map_err(|_| OvfError::invalid("CPU VirtualQuantity", n.to_string(), "too many CPUs"))?;
                hw.num_cpus = Some(n);
                hw.cores_per_socket = item.cores_per_socket;
            }
            Some(MEMORY) if hw.memory_mb.is_none() => {
                let q = item.quantity.ok_or_else(|| OvfError::Missing("VirtualQuantity of the memory item".into()))?;
                // The memory item is meant to carry units; "MB" is what
                // every tool means when it leaves them out.
                let units = item.units.as_deref().unwrap_or("byte * 2^20");
                let bytes =
                    units::bytes(q, units).map_err(|d| OvfError::invalid("memory AllocationUnits", units, d))?;
                hw.memory_mb = Some(bytes.div_ceil(1 << 20));
            }
            Some(ETHERNET_ADAPTER) => {
                hw.nics.push(Nic { adapter_type: item.sub_type.clone(), network_name: item.connection.clone() })
            }
            Some(DISK_DRIVE) => hw.disks.push(disk(item, &hw.controllers, disk_section)?),
            Some(OTHER) if item.sub_type.as_deref().is_some_and(|s| s.eq_ignore_ascii_case("vmware.vtpm")) => {
                hw.has_tpm = true
            }
            _ => {}
        }
    }
    Ok((hw, transports))
}

/// The first section for a VMware (`vmx-…`) platform, else the first.
fn choose(sections: &[RawSection]) -> Option<&RawSection> {
    sections
        .iter()
        .find(|s| s.system_type.as_deref().is_some_and(|t| t.split_whitespace().any(|f| f.starts_with("vmx-"))))
        .or_else(|| sections.first())
}

fn controller(item: &RawItem) -> Option<Controller> {
    let sub = item.sub_type.as_deref().unwrap_or("").to_ascii_lowercase();
    let kind = match item.resource_type? {
        IDE_CONTROLLER => ControllerKind::Ide,
        SCSI_HBA => ControllerKind::Scsi,
        OTHER_STORAGE_DEVICE if sub.contains("nvme") => ControllerKind::Nvme,
        OTHER_STORAGE_DEVICE if sub.contains("sata") || sub.contains("ahci") => ControllerKind::Sata,
        _ => return None,
    };
    Some(Controller {
        instance_id: item.instance_id.clone().unwrap_or_default(),
        kind,
        sub_type: item.sub_type.clone(),
        bus_number: item.address.as_deref().and_then(|a| a.trim().parse().ok()),
    })
}

fn disk(item: &RawItem, controllers: &[Controller], disk_section: &[DiskDesc]) -> Result<VirtualDisk, OvfError> {
    let disk_id = item.host_resource.as_deref().and_then(disk_reference);
    let capacity_bytes = match &disk_id {
        Some(id) => {
            let Some(desc) = disk_section.iter().find(|d| &d.disk_id == id) else {
                return Err(OvfError::invalid(
                    "HostResource",
                    item.host_resource.clone().unwrap_or_default(),
                    "no DiskSection entry has this diskId",
                ));
            };
            desc.capacity_bytes
        }
        // A new, empty disk sized by the item itself.
        None => match item.quantity {
            Some(q) => {
                let units = item.units.as_deref().unwrap_or("byte");
                Some(units::bytes(q, units).map_err(|d| OvfError::invalid("disk AllocationUnits", units, d))?)
            }
            None => None,
        },
    };
    let controller = item.parent.as_deref().and_then(|p| controllers.iter().find(|c| c.instance_id == p)).cloned();
    Ok(VirtualDisk {
        disk_id,
        capacity_bytes,
        controller,
        unit_number: item.address_on_parent.as_deref().and_then(|a| a.trim().parse().ok()),
    })
}

/// `ovf:/disk/vmdisk1` (OVF 1) or `/disk/vmdisk1` (OVF 2) → `vmdisk1`.
/// File-backed references (`ovf:/file/…`) are not disks of the DiskSection.
fn disk_reference(host_resource: &str) -> Option<String> {
    let r = host_resource.trim();
    let r = r.strip_prefix("ovf:").unwrap_or(r);
    r.strip_prefix("/disk/").filter(|id| !id.is_empty()).map(str::to_string)
}

pub(super) fn parse_bool(what: &str, value: &str) -> Result<bool, OvfError> {
    match value.trim() {
        v if v.eq_ignore_ascii_case("true") || v == "1" => Ok(true),
        v if v.eq_ignore_ascii_case("false") || v == "0" => Ok(false),
        _ => Err(OvfError::invalid(what, value, "expected true or false")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(resource_type: u32) -> RawItem {
        RawItem { resource_type: Some(resource_type), ..RawItem::default() }
    }

    #[test]
    fn deployment_option_filter() {
        let mut small = item(MEMORY);
        small.quantity = Some(1024);
        small.configuration = Some("small tiny".into());
        let mut large = item(MEMORY);
        large.quantity = Some(8192);
        large.configuration = Some("large".into());
        let section = RawSection { items: vec![small, large], ..RawSection::default() };
        let (hw, _) = summarize(std::slice::from_ref(&section), Some("large"), &[]).unwrap();
        assert_eq!(hw.memory_mb, Some(8192));
        let (hw, _) = summarize(std::slice::from_ref(&section), Some("tiny"), &[]).unwrap();
        assert_eq!(hw.memory_mb, Some(1024));
        // No options in the envelope: first memory item wins.
        let (hw, _) = summarize(std::slice::from_ref(&section), None, &[]).unwrap();
        assert_eq!(hw.memory_mb, Some(1024));
    }

    #[test]
    fn prefers_the_vmware_section() {
        let other = RawSection { system_type: Some("virtualbox-2.2".into()), ..RawSection::default() };
        let vmw = RawSection {
            system_type: Some("vmx-07 vmx-19".into()),
            transport: Some(" iso  com.vmware.guestInfo ".into()),
            ..RawSection::default()
        };
        let (hw, transports) = summarize(&[other, vmw], None, &[]).unwrap();
        assert_eq!(hw.hardware_version.as_deref(), Some("vmx-07 vmx-19"));
        assert_eq!(transports, ["iso", "com.vmware.guestInfo"]);
        assert_eq!(summarize(&[], None, &[]).unwrap().0, HardwareSummary::default());
    }

    #[test]
    fn memory_units_and_rounding() {
        let mut m = item(MEMORY);
        m.quantity = Some(3);
        m.units = Some("byte * 10^6".into());
        let s = RawSection { items: vec![m], ..RawSection::default() };
        assert_eq!(summarize(&[s], None, &[]).unwrap().0.memory_mb, Some(3)); // 2.86 MiB, rounded up
        let mut m = item(MEMORY);
        m.quantity = Some(u64::MAX);
        m.units = Some("GigaBytes".into());
        let s = RawSection { items: vec![m], ..RawSection::default() };
        assert!(matches!(summarize(&[s], None, &[]), Err(OvfError::Invalid { .. })));
        let s = RawSection { items: vec![item(MEMORY)], ..RawSection::default() };
        assert!(matches!(summarize(&[s], None, &[]), Err(OvfError::Missing(_))));
    }

    #[test]
    fn cpu_count_must_fit() {
        let mut c = item(PROCESSOR);
        c.quantity = Some(u64::from(u32::MAX) + 1);
        let s = RawSection { items: vec![c], ..RawSection::default() };
        assert!(matches!(summarize(&[s], None, &[]), Err(OvfError::Invalid { .. })));
    }

    #[test]
    fn disks_resolve_capacity_and_controller() {
        let mut ctl = item(OTHER_STORAGE_DEVICE);
        ctl.instance_id = Some("7".into());
        ctl.sub_type = Some("vmware.nvme.controller".into());
        ctl.address = Some("0".into());
        let mut d1 = item(DISK_DRIVE);
        d1.host_resource = Some("/disk/d1".into());
        d1.parent = Some("7".into());
        d1.address_on_parent = Some("1".into());
        let mut d2 = item(DISK_DRIVE);
        d2.quantity = Some(10);
        d2.units = Some("byte*1024*1024".into());
        let desc = DiskDesc { disk_id: "d1".into(), capacity_bytes: Some(42), ..DiskDesc::default() };
        let s = RawSection { items: vec![ctl, d1, d2], ..RawSection::default() };
        let (hw, _) = summarize(&[s], None, std::slice::from_ref(&desc)).unwrap();
        assert_eq!(hw.controllers.len(), 1);
        assert_eq!(hw.controllers[0].kind, ControllerKind::Nvme);
        assert_eq!(hw.disks[0].capacity_bytes, Some(42));
        assert_eq!(hw.disks[0].unit_number, Some(1));
        assert_eq!(hw.disks[0].controller.as_ref().map(|c| c.kind), Some(ControllerKind::Nvme));
        assert_eq!(hw.disks[1].capacity_bytes, Some(10 << 20));
        assert_eq!(hw.disks[1].controller, None);

        let mut dangling = item(DISK_DRIVE);
        dangling.host_resource = Some("ovf:/disk/nope".into());
        let s = RawSection { items: vec![dangling], ..RawSection::default() };
        assert!(matches!(summarize(&[s], None, &[desc]), Err(OvfError::Invalid { .. })));
    }

    #[test]
    fn disk_references() {
        assert_eq!(disk_reference("ovf:/disk/vmdisk1").as_deref(), Some("vmdisk1"));
        assert_eq!(disk_reference(" /disk/x ").as_deref(), Some("x"));
        assert_eq!(disk_reference("ovf:/file/file1"), None);
        assert_eq!(disk_reference("ovf:/disk/"), None);
    }

    #[test]
    fn booleans() {
        assert!(parse_bool("k", " TRUE ").unwrap());
        assert!(!parse_bool("k", "0").unwrap());
        assert!(parse_bool("k", "yes").is_err());
    }
}
