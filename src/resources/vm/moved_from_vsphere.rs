//! `moved { from = vsphere_virtual_machine.x  to = vi_vm.x }`: the state
//! the vSphere provider (`hashicorp/vsphere` v2.16.1) wrote, as `vi_vm`'s.
//!
//! Pure: the CLI refreshes the result right after, so what vSphere reports
//! (paths, UUIDs, power) is read again; what matters here is what vSphere
//! does not store and `vi_vm` keeps in state (disk labels, folder,
//! timeouts), the managed object id, and `imported` (a moved VM is an
//! adopted one: a `clone` block is taken as written).
use std::collections::BTreeMap;

use serde_json::Value as Json;

use super::state::{Cdrom, Disk, Nic, State, Vtpm};
use crate::plugin::Value;
use crate::shared::moved_from_vsphere::{Attrs, MoveError, Source, attrs, is_unset};

/// The resource type moved from, and the schema version v2.16.1 writes.
pub const SOURCE: Source = Source { type_name: "vsphere_virtual_machine", versions: &[3] };

/// The `vi_vm` state, and the names of the settings that had a value with
/// no counterpart in `vi_vm` (dropped).
pub fn map(version: i64, state: &Json) -> Result<(State, Vec<String>), MoveError> {
    let src = attrs(&SOURCE, version, state)?;
    let moid = src.required("moid")?;
    let mut dropped = unmatched_settings(src);

    let disk = disks(src, &mut dropped);
    let network_interface = nics(src, &mut dropped);
    let cdrom = cdrom(src, &mut dropped);
    let minutes = |k: &str| src.int(k).map(|m| m * 60);
    let state = State {
        id: Value::known(moid),
        name: Value::from_option(src.str("name")),
        resource_pool_id: Value::from_option(src.str("resource_pool_id")),
        vapp_id: Value::Null,
        datastore_id: Value::from_option(src.str("datastore_id")),
        host_id: Value::from_option(src.str("host_system_id")),
        // "" is the datacenter's VM folder, which `vi_vm` writes as null.
        folder: Value::from_option(src.str("folder").map(|f| f.trim_matches('/').to_owned())),
        guest_id: Value::from_option(src.str("guest_id")),
        num_cpus: Value::from_option(src.int("num_cpus")),
        num_cores_per_socket: Value::from_option(src.int("num_cores_per_socket")),
        memory: Value::from_option(src.int("memory")),
        cpu_hot_add_enabled: Value::from_option(src.bool("cpu_hot_add_enabled")),
        memory_hot_add_enabled: Value::from_option(src.bool("memory_hot_add_enabled")),
        firmware: Value::from_option(src.str("firmware")),
        efi_secure_boot: Value::from_option(src.bool("efi_secure_boot_enabled")),
        hardware_version: Value::from_option(src.int("hardware_version")),
        scsi_type: Value::from_option(src.str("scsi_type")),
        annotation: Value::from_option(src.str("annotation")),
        extra_config: Value::from_option(string_map(src, "extra_config")),
        power_state: Value::from_option(src.str("power_state")),
        // `vi_vm`'s default (false), though the vSphere provider restarts a
        // VM whenever a change needs it: a restart is asked for, not implied.
        reboot_allowed: Value::Null,
        // The vSphere provider counts these in minutes; `vi_vm` in seconds.
        shutdown_wait_timeout: Value::from_option(minutes("shutdown_wait_timeout")),
        // It waits for an IP by either of two timeouts; `vi_vm` has one.
        wait_for_ip_timeout: Value::from_option(
            minutes("wait_for_guest_ip_timeout").max(minutes("wait_for_guest_net_timeout")).map(|s| s.max(0)),
        ),
        uuid: Value::from_option(src.str("uuid")),
        instance_uuid: Value::Null,
        default_ip_address: Value::from_option(src.str("default_ip_address")),
        guest_ip_addresses: Value::known(
            src.list("guest_ip_addresses").iter().filter_map(|v| v.as_str().map(str::to_owned)).collect(),
        ),
        // Relative to the datastore there; `vi_vm` keeps `[ds] path`: read.
        vmx_path: Value::Null,
        vtpm_present: Value::known(!src.list("vtpm").is_empty()),
        imported: Value::known(true),
        disk,
        network_interface,
        cdrom,
        vtpm: (!src.list("vtpm").is_empty()).then_some(Vtpm { key_provider_id: Value::Null }),
        // How the VM was made is not kept: a `clone` block in the
        // configuration is taken as written, as after an import.
        clone: None,
        catalog_item: None,
        vapp_start: None,
        timeouts: None,
    };
    Ok((state, dropped))
}

/// Settings `vi_vm` has no counterpart for, set to something other than
/// the vSphere provider's default (a default carries nothing over).
fn unmatched_settings(src: Attrs<'_>) -> Vec<String> {
    let mut out = src.unmatched(MAPPED, IGNORED, DEFAULTS);
    if src.list("vapp").iter().any(|v| v.get("properties").is_some_and(|p| !is_unset(p))) {
        out.push("vapp.properties (manage them with vi_vapp_property resources, imported)".to_owned());
    }
    out
}

/// Attributes carried over (some in part: their parts are checked below).
const MAPPED: &[&str] = &[
    "moid",
    "name",
    "resource_pool_id",
    "datastore_id",
    "host_system_id",
    "folder",
    "guest_id",
    "num_cpus",
    "num_cores_per_socket",
    "memory",
    "cpu_hot_add_enabled",
    "memory_hot_add_enabled",
    "firmware",
    "efi_secure_boot_enabled",
    "hardware_version",
    "scsi_type",
    "annotation",
    "extra_config",
    "power_state",
    "shutdown_wait_timeout",
    "wait_for_guest_ip_timeout",
    "wait_for_guest_net_timeout",
    "uuid",
    "default_ip_address",
    "guest_ip_addresses",
    "vmx_path",
    "vtpm",
    "disk",
    "network_interface",
    "cdrom",
    "vapp",
];

/// What describes the vSphere provider's own run (ids it reads back, how
/// it waits) or how the VM was made (`clone`, `ovf_deploy`: as after an
/// import, a creation block is taken as written): nothing to carry.
const IGNORED: &[&str] = &[
    "id",
    "change_version",
    "imported",
    "reboot_required",
    "vmware_tools_status",
    "vapp_transport",
    "cpu_share_count",
    "memory_share_count",
    "wait_for_guest_net_routable",
    "ignored_guest_ips",
    "migrate_wait_timeout",
    "poweron_timeout",
    "force_power_off",
    "datacenter_id",
    "replace_trigger",
    "clone",
    "ovf_deploy",
    "extra_config_reboot_required",
    "ide_controller_count",
];

/// The vSphere provider's defaults (and what vSphere reports for them) of
/// the settings `vi_vm` does not have.
const DEFAULTS: &[(&str, &str)] = &[
    ("boot_retry_delay", "10000"),
    ("cpu_limit", "-1"),
    ("cpu_share_level", "\"normal\""),
    ("latency_sensitivity", "\"normal\""),
    ("memory_limit", "-1"),
    ("memory_share_level", "\"normal\""),
    ("run_tools_scripts_after_power_on", "true"),
    ("run_tools_scripts_after_resume", "true"),
    ("run_tools_scripts_before_guest_shutdown", "true"),
    ("run_tools_scripts_before_guest_standby", "true"),
    ("scsi_bus_sharing", "\"noSharing\""),
    ("scsi_controller_count", "1"),
    ("sync_time_with_host", "true"),
    ("tools_upgrade_policy", "\"manual\""),
    ("ept_rvi_mode", "\"automatic\""),
    ("hv_mode", "\"hvAuto\""),
    ("swap_placement_policy", "\"inherit\""),
];

/// Disk settings with no counterpart, and their defaults.
const DISK_DEFAULTS: &[(&str, &str)] = &[
    ("controller_type", "\"scsi\""),
    ("disk_mode", "\"persistent\""),
    ("disk_sharing", "\"sharingNone\""),
    ("io_limit", "-1"),
    ("io_share_level", "\"normal\""),
];
const DISK_IGNORED: &[&str] =
    &["label", "size", "thin_provisioned", "unit_number", "path", "uuid", "key", "device_address", "datastore_id"];

fn disks(src: Attrs<'_>, dropped: &mut Vec<String>) -> Vec<Disk> {
    let vm_datastore = src.str("datastore_id");
    let mut out: Vec<(i64, Disk)> = Vec::new();
    for (i, d) in src.list("disk").iter().enumerate() {
        let Some(d) = src.nested(d) else { continue };
        let what = format!("disk.{i}");
        if d.str("controller_type").is_some_and(|c| c != "scsi") {
            // `vi_vm` manages the disks on SCSI controllers only.
            dropped.push(format!("{what} (not on a SCSI controller)"));
            continue;
        }
        for k in d.unmatched(DISK_IGNORED, &["io_share_count"], DISK_DEFAULTS) {
            dropped.push(format!("{what}.{k}"));
        }
        if let Some(ds) = d.str("datastore_id").filter(|ds| Some(ds) != vm_datastore.as_ref()) {
            dropped.push(format!("{what}.datastore_id ({ds}: vi_vm keeps its disks with the VM)"));
        }
        // "scsi:B:U": vi_vm numbers units within the controller.
        let (bus, unit) = device_address(d).unwrap_or((0, d.int("unit_number").unwrap_or(0)));
        out.push((
            bus * 100 + unit,
            Disk {
                label: Value::from_option(d.str("label")),
                size: Value::from_option(d.int("size")),
                thin_provisioned: Value::from_option(d.bool("thin_provisioned")),
                unit_number: Value::known(unit),
                path: Value::Null,
                uuid: Value::from_option(d.str("uuid")),
                key: Value::from_option(d.int("key")),
            },
        ));
    }
    // vi_vm lists disks by controller and unit, and pairs each label with
    // the disk at its position.
    out.sort_by_key(|(order, _)| *order);
    out.into_iter().map(|(_, d)| d).collect()
}

fn device_address(d: Attrs<'_>) -> Option<(i64, i64)> {
    let addr = d.str("device_address")?;
    let mut parts = addr.strip_prefix("scsi:")?.split(':');
    Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
}

const NIC_DEFAULTS: &[(&str, &str)] = &[("bandwidth_limit", "-1"), ("bandwidth_share_level", "\"normal\"")];
const NIC_IGNORED: &[&str] =
    &["network_id", "adapter_type", "mac_address", "use_static_mac", "key", "device_address", "bandwidth_share_count"];

fn nics(src: Attrs<'_>, dropped: &mut Vec<String>) -> Vec<Nic> {
    src.list("network_interface")
        .iter()
        .enumerate()
        .filter_map(|(i, n)| {
            let n = src.nested(n)?;
            for k in n.unmatched(NIC_IGNORED, &[], NIC_DEFAULTS) {
                dropped.push(format!("network_interface.{i}.{k}"));
            }
            Some(Nic {
                network_id: Value::from_option(n.str("network_id")),
                adapter_type: Value::from_option(n.str("adapter_type")),
                mac_address: Value::from_option(n.str("mac_address")),
                mac_address_check: Value::known(true),
                key: Value::from_option(n.int("key")),
            })
        })
        .collect()
}

/// `vi_vm` has one CD-ROM drive, backed by an ISO on a datastore.
fn cdrom(src: Attrs<'_>, dropped: &mut Vec<String>) -> Option<Cdrom> {
    let mut kept = None;
    for (i, c) in src.list("cdrom").iter().enumerate() {
        let Some(c) = src.nested(c) else { continue };
        if c.bool("client_device") == Some(true) {
            dropped.push(format!("cdrom.{i} (a client device)"));
        } else if kept.is_some() {
            dropped.push(format!("cdrom.{i} (vi_vm manages one CD-ROM drive)"));
        } else {
            kept = Some(Cdrom {
                datastore_id: Value::from_option(c.str("datastore_id")),
                path: Value::from_option(c.str("path")),
                // `[name] path`: the datastore's name is read back.
                datastore_path: Value::Null,
            });
        }
    }
    kept
}

fn string_map(src: Attrs<'_>, k: &str) -> Option<BTreeMap<String, String>> {
    let o = src.map().get(k)?.as_object()?;
    let out: BTreeMap<String, String> =
        o.iter().filter_map(|(k, v)| v.as_str().map(|s| (k.clone(), s.to_owned()))).collect();
    (!out.is_empty()).then_some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The state the vSphere provider v2.16.1 wrote on vcsim for two VMs:
    /// `web` (two disks, defaults) and `db` (a client CD-ROM, a CPU
    /// reservation, an annotation and an extraConfig key).
    const FIXTURE: &str = include_str!("testdata/vsphere_v2.16.1_two_vms.tfstate");

    fn instance(name: &str) -> (i64, Json) {
        let s: Json = serde_json::from_str(FIXTURE).unwrap();
        let r = s["resources"].as_array().unwrap().iter().find(|r| r["name"] == name).unwrap();
        let i = &r["instances"][0];
        (i["schema_version"].as_i64().unwrap(), i["attributes"].clone())
    }

    #[test]
    fn a_vm_with_defaults_moves_with_nothing_dropped() {
        let (version, attrs) = instance("web");
        let (s, dropped) = map(version, &attrs).unwrap();
        assert!(dropped.is_empty(), "{dropped:?}");
        assert_eq!(s.id, Value::known("vm-74".to_owned()));
        assert_eq!(s.name.as_deref(), Some("web"));
        assert_eq!(s.resource_pool_id.as_deref(), Some("resgroup-23"));
        assert_eq!(s.datastore_id.as_deref(), Some("datastore-59"));
        assert_eq!(s.folder, Value::Null);
        assert_eq!((s.num_cpus.get(), s.memory.get()), (Some(&2), Some(&1024)));
        assert_eq!(s.guest_id.as_deref(), Some("otherLinux64Guest"));
        assert_eq!(s.shutdown_wait_timeout.get(), Some(&180));
        assert_eq!(s.wait_for_ip_timeout.get(), Some(&0));
        assert_eq!(s.imported.get(), Some(&true));
        assert!(s.clone.is_none() && s.cdrom.is_none() && s.vtpm.is_none());
        let labels: Vec<_> = s.disk.iter().map(|d| (d.label.as_deref(), d.size.get(), d.unit_number.get())).collect();
        assert_eq!(labels, vec![(Some("disk0"), Some(&1), Some(&0)), (Some("disk1"), Some(&2), Some(&1))]);
        assert_eq!(s.network_interface.len(), 1);
        assert_eq!(s.network_interface[0].network_id.as_deref(), Some("network-6"));
        assert_eq!(s.network_interface[0].mac_address.as_deref(), Some("00:0c:29:30:38:61"));
        assert_eq!(s.annotation, Value::Null);
    }

    #[test]
    fn settings_without_a_counterpart_are_named() {
        let (version, attrs) = instance("db");
        let (s, dropped) = map(version, &attrs).unwrap();
        assert_eq!(dropped, vec!["cpu_reservation".to_owned(), "cdrom.0 (a client device)".to_owned()]);
        assert!(s.cdrom.is_none());
        assert_eq!(s.annotation.as_deref(), Some("database"));
        assert_eq!(
            s.extra_config.get().and_then(|m| m.get("guestinfo.role")).map(String::as_str),
            Some("db"),
            "{:?}",
            s.extra_config
        );
        assert_eq!(s.disk.len(), 1);
        assert_eq!(s.disk[0].label.as_deref(), Some("system"));
    }

    #[test]
    fn vapp_properties_and_disk_settings_are_named() {
        let (version, mut attrs) = instance("web");
        attrs["vapp"] = serde_json::json!([{"properties": {"guestinfo.hostname": "web"}}]);
        attrs["disk"][1]["disk_mode"] = "independent_persistent".into();
        attrs["disk"][1]["datastore_id"] = "datastore-60".into();
        attrs["network_interface"][0]["bandwidth_limit"] = 100.into();
        let (_, dropped) = map(version, &attrs).unwrap();
        assert!(dropped.iter().any(|d| d.starts_with("vapp.properties")), "{dropped:?}");
        assert!(dropped.contains(&"disk.1.disk_mode".to_owned()), "{dropped:?}");
        assert!(dropped.iter().any(|d| d.starts_with("disk.1.datastore_id")), "{dropped:?}");
        assert!(dropped.contains(&"network_interface.0.bandwidth_limit".to_owned()), "{dropped:?}");
    }

    #[test]
    fn disks_are_ordered_by_unit_and_other_controllers_are_dropped() {
        let (version, mut attrs) = instance("web");
        let disks = attrs["disk"].as_array_mut().unwrap();
        disks.swap(0, 1);
        disks.push(
            serde_json::json!({"label": "sata", "size": 1, "controller_type": "sata", "device_address": "sata:0:0"}),
        );
        let (s, dropped) = map(version, &attrs).unwrap();
        let labels: Vec<_> = s.disk.iter().map(|d| d.label.as_deref()).collect();
        assert_eq!(labels, vec![Some("disk0"), Some("disk1")]);
        assert_eq!(dropped, vec!["disk.2 (not on a SCSI controller)".to_owned()]);
    }

    #[test]
    fn unsupported_versions_and_broken_states_are_refused() {
        let (_, attrs) = instance("web");
        let e = map(2, &attrs).unwrap_err();
        assert!(matches!(e, MoveError::Version { version: 2, .. }), "{e:?}");
        assert!(e.to_string().contains("supported: 3"), "{e}");
        assert_eq!(
            map(3, &serde_json::json!({"name": "x"})).unwrap_err(),
            MoveError::Missing { type_name: "vsphere_virtual_machine", attr: "moid" }
        );
        assert_eq!(map(3, &serde_json::json!([1])).unwrap_err(), MoveError::NotObject);
        // Whatever the shapes, no panic.
        let odd = serde_json::json!({"moid": "vm-1", "disk": [1, "x", {"device_address": "scsi:x"}], "cdrom": {}, "network_interface": [null]});
        assert!(map(3, &odd).is_ok());
    }

    #[test]
    fn any_value_of_any_attribute_is_taken_without_a_panic() {
        let odd = [
            Json::Null,
            serde_json::json!(-1),
            serde_json::json!(1.5),
            serde_json::json!("x"),
            serde_json::json!(true),
            serde_json::json!([null, 1, "x", {}]),
            serde_json::json!({"a": [1]}),
        ];
        for name in ["web", "db"] {
            let (version, attrs) = instance(name);
            for key in attrs.as_object().unwrap().keys() {
                for v in &odd {
                    let mut a = attrs.clone();
                    a[key] = v.clone();
                    let r = map(version, &a);
                    assert_eq!(r.is_err(), key == "moid" && !v.is_string(), "{key} = {v}: {r:?}");
                }
            }
            for i in 0..2 {
                for key in ["label", "size", "device_address", "controller_type", "unit_number"] {
                    for v in &odd {
                        let mut a = attrs.clone();
                        if a["disk"][i].is_object() {
                            a["disk"][i][key] = v.clone();
                        }
                        assert!(map(version, &a).is_ok(), "disk.{i}.{key} = {v}");
                    }
                }
            }
        }
    }
}
