//! `moved { from = vsphere_virtual_machine.x  to = vi_vm.x }`: the state
//! the vSphere provider (`hashicorp/vsphere` v2.16.1) wrote, as `vi_vm`'s.
//!
//! Pure: the CLI refreshes the result right after, so what vSphere reports
//! (paths, UUIDs, power) is read again; what matters here is what vSphere
//! does not store and `vi_vm` keeps in state (disk labels, folder,
//! timeouts), the managed object id, and `imported` (a moved VM is an
//! adopted one: a `clone` block is taken as written).
use std::collections::BTreeMap;

use serde_json::{Map, Value as Json};

use super::state::{Cdrom, Disk, Nic, State, Vtpm};
use crate::plugin::Value;

/// The resource type moved from.
pub const SOURCE_TYPE: &str = "vsphere_virtual_machine";
/// The schema versions of its state this mapping reads: v2.16.1 writes 3
/// (older versions are upgraded by the vSphere provider itself on its next
/// refresh, before a move).
pub const SOURCE_VERSIONS: &[i64] = &[3];

/// Why a state cannot be moved.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum MoveError {
    #[error("schema version {0} of {SOURCE_TYPE} is not supported (supported: {versions}); refresh the state with the vSphere provider v2.16.1 first", versions = versions())]
    Version(i64),
    #[error("the state has no {0:?}, which every {SOURCE_TYPE} state written by the vSphere provider has")]
    Missing(&'static str),
    #[error("the state is not an object")]
    NotObject,
}

fn versions() -> String {
    SOURCE_VERSIONS.iter().map(i64::to_string).collect::<Vec<_>>().join(", ")
}

/// The `vi_vm` state, and the names of the settings that had a value with
/// no counterpart in `vi_vm` (dropped).
pub fn map(version: i64, state: &Json) -> Result<(State, Vec<String>), MoveError> {
    if !SOURCE_VERSIONS.contains(&version) {
        return Err(MoveError::Version(version));
    }
    let src = state.as_object().ok_or(MoveError::NotObject)?;
    let moid = str_of(src, "moid").ok_or(MoveError::Missing("moid"))?;
    let mut dropped = unmatched_settings(src);

    let disk = disks(src, &mut dropped);
    let network_interface = nics(src, &mut dropped);
    let cdrom = cdrom(src, &mut dropped);
    let minutes = |k: &str| int_of(src, k).map(|m| m * 60);
    let state = State {
        id: Value::known(moid),
        name: Value::from_option(str_of(src, "name")),
        resource_pool_id: Value::from_option(str_of(src, "resource_pool_id")),
        vapp_id: Value::Null,
        datastore_id: Value::from_option(str_of(src, "datastore_id")),
        host_id: Value::from_option(str_of(src, "host_system_id")),
        // "" is the datacenter's VM folder, which `vi_vm` writes as null.
        folder: Value::from_option(str_of(src, "folder").map(|f| f.trim_matches('/').to_owned())),
        guest_id: Value::from_option(str_of(src, "guest_id")),
        num_cpus: Value::from_option(int_of(src, "num_cpus")),
        num_cores_per_socket: Value::from_option(int_of(src, "num_cores_per_socket")),
        memory: Value::from_option(int_of(src, "memory")),
        cpu_hot_add_enabled: Value::from_option(bool_of(src, "cpu_hot_add_enabled")),
        memory_hot_add_enabled: Value::from_option(bool_of(src, "memory_hot_add_enabled")),
        firmware: Value::from_option(str_of(src, "firmware")),
        efi_secure_boot: Value::from_option(bool_of(src, "efi_secure_boot_enabled")),
        hardware_version: Value::from_option(int_of(src, "hardware_version")),
        scsi_type: Value::from_option(str_of(src, "scsi_type")),
        annotation: Value::from_option(str_of(src, "annotation")),
        extra_config: Value::from_option(string_map(src, "extra_config")),
        power_state: Value::from_option(str_of(src, "power_state")),
        // `vi_vm`'s default (false), though the vSphere provider restarts a
        // VM whenever a change needs it: a restart is asked for, not implied.
        reboot_allowed: Value::Null,
        // The vSphere provider counts these in minutes; `vi_vm` in seconds.
        shutdown_wait_timeout: Value::from_option(minutes("shutdown_wait_timeout")),
        // It waits for an IP by either of two timeouts; `vi_vm` has one.
        wait_for_ip_timeout: Value::from_option(
            minutes("wait_for_guest_ip_timeout").max(minutes("wait_for_guest_net_timeout")).map(|s| s.max(0)),
        ),
        uuid: Value::from_option(str_of(src, "uuid")),
        instance_uuid: Value::Null,
        default_ip_address: Value::from_option(str_of(src, "default_ip_address")),
        guest_ip_addresses: Value::known(
            list_of(src, "guest_ip_addresses").iter().filter_map(|v| v.as_str().map(str::to_owned)).collect(),
        ),
        // Relative to the datastore there; `vi_vm` keeps `[ds] path`: read.
        vmx_path: Value::Null,
        vtpm_present: Value::known(!list_of(src, "vtpm").is_empty()),
        imported: Value::known(true),
        disk,
        network_interface,
        cdrom,
        vtpm: (!list_of(src, "vtpm").is_empty()).then_some(Vtpm { key_provider_id: Value::Null }),
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
fn unmatched_settings(src: &Map<String, Json>) -> Vec<String> {
    let mut out = Vec::new();
    for (k, v) in src {
        if MAPPED.contains(&k.as_str()) || IGNORED.contains(&k.as_str()) {
            continue;
        }
        let default = DEFAULTS.iter().find(|(name, _)| name == k).map(|(_, d)| *d);
        if !is_unset(v) && default.is_none_or(|d| !same(v, d)) {
            out.push(k.clone());
        }
    }
    if list_of(src, "vapp").iter().any(|v| v.get("properties").is_some_and(|p| !is_unset(p))) {
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

fn same(v: &Json, default_json: &str) -> bool {
    serde_json::from_str::<Json>(default_json).is_ok_and(|d| &d == v)
}

/// Null, empty, zero or false: what the vSphere provider writes for a
/// setting left unset.
fn is_unset(v: &Json) -> bool {
    match v {
        Json::Null => true,
        Json::Bool(b) => !b,
        Json::Number(n) => n.as_f64() == Some(0.0),
        Json::String(s) => s.is_empty(),
        Json::Array(a) => a.iter().all(is_unset),
        Json::Object(o) => o.values().all(is_unset),
    }
}

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

fn disks(src: &Map<String, Json>, dropped: &mut Vec<String>) -> Vec<Disk> {
    let vm_datastore = str_of(src, "datastore_id");
    let mut out: Vec<(i64, Disk)> = Vec::new();
    for (i, d) in list_of(src, "disk").iter().enumerate() {
        let Some(d) = d.as_object() else { continue };
        let what = format!("disk.{i}");
        if str_of(d, "controller_type").is_some_and(|c| c != "scsi") {
            // `vi_vm` manages the disks on SCSI controllers only.
            dropped.push(format!("{what} (not on a SCSI controller)"));
            continue;
        }
        for (k, v) in d {
            if DISK_IGNORED.contains(&k.as_str()) || k == "io_share_count" {
                continue;
            }
            let default = DISK_DEFAULTS.iter().find(|(n, _)| n == k).map(|(_, d)| *d);
            if !is_unset(v) && default.is_none_or(|def| !same(v, def)) {
                dropped.push(format!("{what}.{k}"));
            }
        }
        if let Some(ds) = str_of(d, "datastore_id").filter(|ds| Some(ds) != vm_datastore.as_ref()) {
            dropped.push(format!("{what}.datastore_id ({ds}: vi_vm keeps its disks with the VM)"));
        }
        // "scsi:B:U": vi_vm numbers units within the controller.
        let (bus, unit) = device_address(d).unwrap_or((0, int_of(d, "unit_number").unwrap_or(0)));
        out.push((
            bus * 100 + unit,
            Disk {
                label: Value::from_option(str_of(d, "label")),
                size: Value::from_option(int_of(d, "size")),
                thin_provisioned: Value::from_option(bool_of(d, "thin_provisioned")),
                unit_number: Value::known(unit),
                path: Value::Null,
                uuid: Value::from_option(str_of(d, "uuid")),
                key: Value::from_option(int_of(d, "key")),
            },
        ));
    }
    // vi_vm lists disks by controller and unit, and pairs each label with
    // the disk at its position.
    out.sort_by_key(|(order, _)| *order);
    out.into_iter().map(|(_, d)| d).collect()
}

fn device_address(d: &Map<String, Json>) -> Option<(i64, i64)> {
    let addr = str_of(d, "device_address")?;
    let mut parts = addr.strip_prefix("scsi:")?.split(':');
    Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
}

const NIC_DEFAULTS: &[(&str, &str)] = &[("bandwidth_limit", "-1"), ("bandwidth_share_level", "\"normal\"")];
const NIC_IGNORED: &[&str] =
    &["network_id", "adapter_type", "mac_address", "use_static_mac", "key", "device_address", "bandwidth_share_count"];

fn nics(src: &Map<String, Json>, dropped: &mut Vec<String>) -> Vec<Nic> {
    list_of(src, "network_interface")
        .iter()
        .enumerate()
        .filter_map(|(i, n)| {
            let n = n.as_object()?;
            for (k, v) in n {
                if NIC_IGNORED.contains(&k.as_str()) {
                    continue;
                }
                let default = NIC_DEFAULTS.iter().find(|(name, _)| name == k).map(|(_, d)| *d);
                if !is_unset(v) && default.is_none_or(|def| !same(v, def)) {
                    dropped.push(format!("network_interface.{i}.{k}"));
                }
            }
            Some(Nic {
                network_id: Value::from_option(str_of(n, "network_id")),
                adapter_type: Value::from_option(str_of(n, "adapter_type")),
                mac_address: Value::from_option(str_of(n, "mac_address")),
                mac_address_check: Value::known(true),
                key: Value::from_option(int_of(n, "key")),
            })
        })
        .collect()
}

/// `vi_vm` has one CD-ROM drive, backed by an ISO on a datastore.
fn cdrom(src: &Map<String, Json>, dropped: &mut Vec<String>) -> Option<Cdrom> {
    let mut kept = None;
    for (i, c) in list_of(src, "cdrom").iter().enumerate() {
        let Some(c) = c.as_object() else { continue };
        if bool_of(c, "client_device") == Some(true) {
            dropped.push(format!("cdrom.{i} (a client device)"));
        } else if kept.is_some() {
            dropped.push(format!("cdrom.{i} (vi_vm manages one CD-ROM drive)"));
        } else {
            kept = Some(Cdrom {
                datastore_id: Value::from_option(str_of(c, "datastore_id")),
                path: Value::from_option(str_of(c, "path")),
                // `[name] path`: the datastore's name is read back.
                datastore_path: Value::Null,
            });
        }
    }
    kept
}

/// A non-empty string.
fn str_of(m: &Map<String, Json>, k: &str) -> Option<String> {
    m.get(k).and_then(Json::as_str).filter(|s| !s.is_empty()).map(str::to_owned)
}

fn int_of(m: &Map<String, Json>, k: &str) -> Option<i64> {
    m.get(k).and_then(Json::as_i64)
}

fn bool_of(m: &Map<String, Json>, k: &str) -> Option<bool> {
    m.get(k).and_then(Json::as_bool)
}

fn list_of<'a>(m: &'a Map<String, Json>, k: &str) -> &'a [Json] {
    m.get(k).and_then(Json::as_array).map_or(&[], Vec::as_slice)
}

fn string_map(m: &Map<String, Json>, k: &str) -> Option<BTreeMap<String, String>> {
    let o = m.get(k)?.as_object()?;
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
        assert_eq!(e, MoveError::Version(2));
        assert!(e.to_string().contains("supported: 3"), "{e}");
        assert_eq!(map(3, &serde_json::json!({"name": "x"})).unwrap_err(), MoveError::Missing("moid"));
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
