//! Plan-time checks for `vi_vm`: every hardware rule on the attribute that
//! breaks it, and the update rules (no shrinking disks, downgrades replace,
//! power cycles only with consent).
use std::collections::HashSet;

use super::devices::default_unit;
use super::state::State;
use crate::plugin::{AttrPath, Diags, Plan, Value};
use crate::rules::datastore_path::DatastorePath;
use crate::rules::device_models::{NicModel, ScsiType, check_nic_model, check_scsi_type};
use crate::rules::hardware::{
    HardwareError, check_cpus, check_disk_count, check_disk_size, check_firmware, check_memory, check_scsi_unit_number,
};
use crate::rules::hardware_version::{HardwareVersion, VersionChange, hardware_version_change};
use crate::rules::mac_address::{MacVerdict, check_mac};
use crate::rules::provider_config::parse_duration;
use crate::shared::references::{DATASTORE, HOST, NETWORK, POOL, Reference, changed};

fn at(path: AttrPath, e: &impl std::fmt::Display) -> Diags {
    Diags::error_at(path, "Invalid virtual machine setting", e.to_string())
}

/// Puts a hardware error on its top-level attribute.
fn hw(e: &HardwareError) -> Diags {
    at(AttrPath::attr(e.attribute().split('.').next().unwrap_or("memory")), e)
}

/// Static checks of known values; unknown values are checked at apply.
/// Longest `shutdown_wait_timeout` / `wait_for_ip_timeout`: one day.
const MAX_WAIT_SECONDS: i64 = 24 * 3600;

pub fn validate(c: &State) -> Diags {
    let mut d = Diags::none();
    let hwv = c.hardware_version.get().copied();
    if let Some(v) = hwv
        && let Err(e) = HardwareVersion::new(v)
    {
        d.push(at(AttrPath::attr("hardware_version"), &e));
    }
    if let Some(m) = c.memory.get()
        && let Err(e) = check_memory(*m, hwv)
    {
        d.push(hw(&e));
    }
    if let Some(n) = c.num_cpus.get()
        && let Err(e) = check_cpus(*n, c.num_cores_per_socket.get().copied(), hwv)
    {
        d.push(hw(&e));
    }
    if let Some(fw) = c.firmware.get()
        && let Err(e) = check_firmware(fw, c.efi_secure_boot.get().copied(), hwv)
    {
        d.push(hw(&e));
    }
    if let Some(t) = c.scsi_type.get() {
        match ScsiType::parse(t) {
            Ok(t) => {
                if let Err(e) = check_scsi_type(t, hwv) {
                    d.push(hw(&e));
                }
            }
            Err(e) => d.push(hw(&e)),
        }
    }
    // A day is far beyond any guest's boot or shutdown; a larger number is
    // a typo (or milliseconds), better refused than waited on.
    for (name, v) in
        [("shutdown_wait_timeout", &c.shutdown_wait_timeout), ("wait_for_ip_timeout", &c.wait_for_ip_timeout)]
    {
        if let Some(n) = v.get()
            && !(0..=MAX_WAIT_SECONDS).contains(n)
        {
            d.push(Diags::error_at(
                AttrPath::attr(name),
                "Wait out of range",
                format!("{name} is in seconds, from 0 to {MAX_WAIT_SECONDS} (one day); {n} is outside that"),
            ));
        }
    }
    if let Some(p) = c.power_state.get()
        && p != "on"
        && p != "off"
    {
        d.push(at(AttrPath::attr("power_state"), &format!("power_state must be \"on\" or \"off\", not {p:?}")));
    }
    d.push(validate_disks(c));
    d.push(validate_nics(c, hwv));
    d.push(validate_cdrom(c));
    if let Some(cl) = &c.clone
        && let Some(p) = cl.tpm_provisioning.get()
        && p != "copy"
        && p != "replace"
    {
        d.push(at(
            AttrPath::attr("clone").then("tpm_provisioning"),
            &format!("tpm_provisioning must be \"copy\" or \"replace\", not {p:?}"),
        ));
    }
    if let Some(ci) = &c.catalog_item
        && let Some(p) = ci.tpm_provisioning.get()
        && p != "copy"
        && p != "replace"
    {
        d.push(at(
            AttrPath::attr("catalog_item").then("tpm_provisioning"),
            &format!("tpm_provisioning must be \"copy\" or \"replace\", not {p:?}"),
        ));
    }
    if c.clone.is_some() && c.catalog_item.is_some() {
        d.push(Diags::error_at(
            AttrPath::attr("catalog_item"),
            "Conflicting sources",
            "a VM is either cloned (`clone`) or deployed from a catalog item (`catalog_item`), not both",
        ));
    }
    if c.clone.is_none() && c.catalog_item.is_none() && c.datastore_id.is_null() {
        d.push(Diags::error_at(
            AttrPath::attr("datastore_id"),
            "Missing datastore",
            "a VM created from scratch needs `datastore_id` (only a clone or a catalog deployment can do without)",
        ));
    }
    if let Some(t) = &c.timeouts {
        for (name, v) in [("create", &t.create), ("update", &t.update), ("delete", &t.delete)] {
            if let Some(s) = v.get()
                && let Err(e) = parse_duration(s)
            {
                d.push(at(AttrPath::attr("timeouts").then(name), &e));
            }
        }
    }
    d
}

fn validate_disks(c: &State) -> Diags {
    let mut d = Diags::none();
    let mut units = HashSet::new();
    let mut labels = HashSet::new();
    if let Err(e) = check_disk_count(c.disk.len()) {
        d.push(at(AttrPath::attr("disk"), &e));
    }
    for (i, disk) in c.disk.iter().enumerate() {
        let p = || AttrPath::attr("disk").index(i);
        if let Some(s) = disk.size.get()
            && let Err(e) = check_disk_size(*s)
        {
            d.push(at(p().then("size"), &e));
        }
        if let Some(u) = disk.unit_number.get() {
            if let Err(e) = check_scsi_unit_number(*u) {
                d.push(at(p().then("unit_number"), &e));
            } else if !units.insert(*u) {
                d.push(at(p().then("unit_number"), &format!("unit number {u} is used by two disks")));
            }
        }
        if let Some(l) = disk.label.get()
            && !labels.insert(l.clone())
        {
            d.push(at(p().then("label"), &format!("disk label {l:?} is used twice")));
        }
    }
    d
}

fn validate_nics(c: &State, hwv: Option<i64>) -> Diags {
    let mut d = Diags::none();
    for (i, n) in c.network_interface.iter().enumerate() {
        let p = || AttrPath::attr("network_interface").index(i);
        if let Some(t) = n.adapter_type.get() {
            match NicModel::parse(t).and_then(|m| check_nic_model(m, hwv)) {
                Ok(()) => {}
                Err(e) => d.push(at(p().then("adapter_type"), &e)),
            }
        }
        if let Some(mac) = n.mac_address.get() {
            match check_mac(mac, n.mac_address_check.get().copied().unwrap_or(true)) {
                Ok(MacVerdict::Ok) => {}
                Ok(MacVerdict::Warn(w)) => {
                    d.push(Diags::warning_at(p().then("mac_address"), "MAC address in a generated range", w))
                }
                Err(e) => d.push(at(p().then("mac_address"), &e)),
            }
        }
    }
    d
}

fn validate_cdrom(c: &State) -> Diags {
    let Some(cd) = &c.cdrom else { return Diags::none() };
    let p = || AttrPath::attr("cdrom");
    let by_parts = !cd.datastore_id.is_null() || !cd.path.is_null();
    let by_path = !cd.datastore_path.is_null();
    if by_parts == by_path {
        return Diags::error_at(p(), "Ambiguous CD-ROM", "set `datastore_id` and `path`, or `datastore_path` alone");
    }
    if let Some(dp) = cd.datastore_path.get()
        && let Err(e) = DatastorePath::parse(dp)
    {
        return at(p().then("datastore_path"), &e);
    }
    if by_parts && (cd.datastore_id.is_null() || cd.path.is_null()) {
        return Diags::error_at(p(), "Incomplete CD-ROM", "`datastore_id` and `path` go together");
    }
    if let Some(path) = cd.path.get()
        && let Err(e) = DatastorePath::new("datastore", path)
    {
        return at(p().then("path"), &e);
    }
    Diags::none()
}

/// Fills plan-time defaults and applies the update rules.
pub fn refine(plan: &mut Plan<State>) -> Diags {
    // Validation already reported warnings on the configuration; here the
    // errors matter, on defaults and on values unknown back then.
    // The CD-ROM's three attributes are partly computed: check the ones the
    // configuration sets.
    let view = State { cdrom: plan.config.cdrom.clone(), ..plan.planned.clone() };
    let mut d =
        Diags(validate(&view).0.into_iter().filter(|x| x.severity == crate::plugin::diag::Severity::Error).collect());
    plan_cdrom(plan);
    // Unit numbers are known at plan, so a plan shows where each disk goes.
    let prior_disks = plan.prior.as_ref().map_or(0, |p| p.disk.len());
    for (i, disk) in plan.planned.disk.iter_mut().enumerate() {
        if !disk.unit_number.is_known() && (i >= prior_disks || disk.unit_number.is_unknown()) {
            disk.unit_number = Value::known(default_unit(i));
        }
    }
    d.push(default_unit_clashes(&plan.config, &plan.planned));
    // A clone or a deployment keeps its source's SCSI controller unless the
    // configuration names one: the default is for VMs made from scratch.
    if (plan.config.clone.is_some() || plan.config.catalog_item.is_some()) && plan.config.scsi_type.is_null() {
        plan.planned.scsi_type = plan.prior.as_ref().map_or(Value::Unknown, |p| p.scsi_type.clone());
    }
    let Some(prior) = plan.prior.clone() else { return d };
    d.push(update_rules(&prior, plan));
    d
}

/// A default unit number (a disk's place in the list) that an explicit
/// `unit_number` of another disk already holds would fail at apply.
fn default_unit_clashes(config: &State, planned: &State) -> Diags {
    let mut d = Diags::none();
    for (i, disk) in planned.disk.iter().enumerate() {
        let explicit = config.disk.get(i).is_some_and(|c| !c.unit_number.is_null());
        let Some(u) = disk.unit_number.get() else { continue };
        if explicit {
            continue;
        }
        let taken = planned.disk.iter().enumerate().find(|(j, o)| *j != i && o.unit_number.get() == Some(u));
        if let Some((j, _)) = taken {
            d.push(at(
                AttrPath::attr("disk").index(i),
                &format!(
                    "this disk's default unit number {u} (from its place in the list) is also disk[{j}]'s; \
                     set unit_number on the disks to place them"
                ),
            ));
        }
    }
    d
}

/// The ids this plan names that are new or changed, for one existence
/// check (`resources::references`).
pub fn references(plan: &Plan<State>) -> Vec<Reference> {
    let (c, prior) = (&plan.config, plan.prior.as_ref());
    let mut refs: Vec<Reference> = [
        ("host_id", &c.host_id, prior.map(|p| &p.host_id), HOST, "host"),
        ("datastore_id", &c.datastore_id, prior.map(|p| &p.datastore_id), DATASTORE, "datastore"),
        ("resource_pool_id", &c.resource_pool_id, prior.map(|p| &p.resource_pool_id), POOL, "resource pool"),
    ]
    .into_iter()
    .filter_map(|(a, now, before, kinds, what)| changed(AttrPath::attr(a), now, before, kinds, what))
    .collect();
    for (i, n) in c.network_interface.iter().enumerate() {
        let before = prior.and_then(|p| p.network_interface.get(i)).map(|n| &n.network_id);
        let path = AttrPath::attr("network_interface").index(i).then("network_id");
        refs.extend(changed(path, &n.network_id, before, NETWORK, "network"));
    }
    if let Some(cd) = &c.cdrom {
        let before = prior.and_then(|p| p.cdrom.as_ref()).map(|p| &p.datastore_id);
        let path = AttrPath::attr("cdrom").then("datastore_id");
        refs.extend(changed(path, &cd.datastore_id, before, DATASTORE, "datastore"));
    }
    refs
}

/// A CD-ROM given one way (`datastore_path`, or `datastore_id` + `path`)
/// changes the other way's computed values too: those become unknown.
fn plan_cdrom(plan: &mut Plan<State>) {
    let (Some(cfg), Some(want)) = (&plan.config.cdrom, &mut plan.planned.cdrom) else { return };
    let prior = plan.prior.as_ref().and_then(|p| p.cdrom.as_ref());
    let by_path = cfg.datastore_path.is_known();
    let moved = match prior {
        None => true,
        Some(p) if by_path => p.datastore_path != cfg.datastore_path,
        Some(p) => p.datastore_id != cfg.datastore_id || p.path != cfg.path,
    };
    if !moved {
        return;
    }
    if by_path {
        want.datastore_id = Value::Unknown;
        want.path = Value::Unknown;
    } else {
        want.datastore_path = Value::Unknown;
    }
}

fn update_rules(prior: &State, plan: &mut Plan<State>) -> Diags {
    let mut d = Diags::none();
    let want = &plan.planned;
    for (i, (p, w)) in prior.disk.iter().zip(&want.disk).enumerate() {
        if let (Some(old), Some(new)) = (p.size.get(), w.size.get())
            && new < old
        {
            d.push(Diags::error_at(
                AttrPath::attr("disk").index(i).then("size"),
                "Disks cannot shrink",
                format!("disk {i} is {old} GB; vSphere can grow a disk but not shrink it to {new} GB"),
            ));
        }
        // A label that was another position's: a disk was removed or moved
        // up. Matching by position would then delete the wrong disk.
        if let (Some(a), Some(b)) = (p.label.get(), w.label.get())
            && a != b
            && let Some(j) = prior.disk.iter().position(|o| o.label.get() == Some(b))
        {
            d.push(Diags::error_at(
                AttrPath::attr("disk").index(i).then("label"),
                "Disks cannot be reordered",
                format!(
                    "disk {i} is {a:?}, and {b:?} is disk {j}: disks pair with the VM's by position, so removing or \
                     moving a disk other than the last would change the wrong one. Remove disks from the end only, \
                     and keep the others in order"
                ),
            ));
        }
        // Disks are matched by position; moving one to another slot would
        // need a detach and re-attach the provider does not do in place.
        if let (Some(a), Some(b)) = (p.unit_number.get(), w.unit_number.get())
            && a != b
        {
            d.push(Diags::error_at(
                AttrPath::attr("disk").index(i).then("unit_number"),
                "A disk's unit number is fixed",
                format!(
                    "disk {i} sits at SCSI unit {a}; it cannot move to unit {b} in place. Keep unit_number, or add a \
                     new disk block (at the end) for a disk at unit {b}"
                ),
            ));
        }
        if let (Some(a), Some(b)) = (p.thin_provisioned.get(), w.thin_provisioned.get())
            && a != b
        {
            d.push(Diags::error_at(
                AttrPath::attr("disk").index(i).then("thin_provisioned"),
                "Provisioning is fixed",
                format!(
                    "disk {i} exists as {}; its provisioning cannot change in place",
                    if *a { "thin" } else { "thick" }
                ),
            ));
        }
    }

    if let (Some(a), Some(b)) = (prior.hardware_version.get(), want.hardware_version.get())
        && let (Ok(from), Ok(to)) = (HardwareVersion::new(*a), HardwareVersion::new(*b))
        && hardware_version_change(from, to) == VersionChange::Downgrade
    {
        plan.requires_replace.push(AttrPath::attr("hardware_version"));
    }
    let cycle = power_cycle_reasons(prior, want);
    if prior.powered_on() && want.powered_on() && !cycle.is_empty() && want.reboot_allowed.get() != Some(&true) {
        // A vTPM change on a running VM is reported by the vTPM checks,
        // which name the prerequisite.
        for (attr, what) in cycle.iter().filter(|(attr, _)| *attr != "vtpm") {
            d.push(Diags::error_at(
                AttrPath::attr(*attr),
                "Change needs the VM powered off",
                format!(
                    "{what} needs a power cycle of the running VM; set `reboot_allowed = true` to let the provider \
                     shut it down and start it again, or `power_state = \"off\"`"
                ),
            ));
        }
    }

    let want = &mut plan.planned;
    if prior.power_state != want.power_state || !cycle.is_empty() {
        want.default_ip_address = Value::Unknown;
        want.guest_ip_addresses = Value::Unknown;
    }
    if prior.resource_pool_id != want.resource_pool_id && plan.config.host_id.is_null() {
        want.host_id = Value::Unknown;
    }
    if prior.datastore_id != want.datastore_id {
        want.vmx_path = Value::Unknown;
        for disk in &mut want.disk {
            disk.path = Value::Unknown;
        }
    }
    d
}

/// A power-on may raise vSphere's "moved or copied" question, which
/// `auto_answer` answers with its default, I Copied It, and the VM gets a
/// new BIOS UUID. So the UUID is known only after a power-on the provider
/// may answer for: `auto_answer` on, or not known yet (`None`).
pub fn uuid_after_power_on(plan: &mut Plan<State>, auto_answer: Option<bool>) {
    let Some(prior) = &plan.prior else { return };
    if auto_answer == Some(false) || !plan.planned.powered_on() {
        return;
    }
    if !prior.powered_on() || !power_cycle_reasons(prior, &plan.planned).is_empty() {
        plan.planned.uuid = Value::Unknown;
    }
}

/// The changes in `want` that vSphere makes only on a powered-off VM, each
/// with the attribute it concerns.
pub fn power_cycle_reasons(prior: &State, want: &State) -> Vec<(&'static str, String)> {
    let mut cycle: Vec<(&'static str, String)> = Vec::new();
    if let (Some(a), Some(b)) = (prior.hardware_version.get(), want.hardware_version.get())
        && let (Ok(from), Ok(to)) = (HardwareVersion::new(*a), HardwareVersion::new(*b))
        && hardware_version_change(from, to) == VersionChange::Upgrade
    {
        cycle.push(("hardware_version", format!("upgrading hardware from {a} to {b}")));
    }
    for (attr, changed, what) in [
        ("guest_id", differs(&prior.guest_id, &want.guest_id), "changing the guest OS"),
        ("firmware", differs(&prior.firmware, &want.firmware), "changing the firmware"),
        ("efi_secure_boot", differs(&prior.efi_secure_boot, &want.efi_secure_boot), "changing secure boot"),
        (
            "num_cores_per_socket",
            differs(&prior.num_cores_per_socket, &want.num_cores_per_socket),
            "changing cores per socket",
        ),
        ("cpu_hot_add_enabled", differs(&prior.cpu_hot_add_enabled, &want.cpu_hot_add_enabled), "changing CPU hot-add"),
        (
            "memory_hot_add_enabled",
            differs(&prior.memory_hot_add_enabled, &want.memory_hot_add_enabled),
            "changing memory hot-add",
        ),
    ] {
        if changed {
            cycle.push((attr, what.to_owned()));
        }
    }
    // A vTPM already there is adopted, one the configuration never managed
    // is left alone: only a real change needs the VM off.
    let present = prior.vtpm_present.get() == Some(&true);
    match (want.vtpm.is_some(), present) {
        (true, false) => cycle.push(("vtpm", "adding a vTPM".to_owned())),
        (false, true) if prior.vtpm.is_some() => cycle.push(("vtpm", "removing the vTPM".to_owned())),
        _ => {}
    }
    if let (Some(a), Some(b)) = (prior.num_cpus.get(), want.num_cpus.get())
        && a != b
        && !(b > a && prior.cpu_hot_add_enabled.get() == Some(&true))
    {
        cycle.push((
            "num_cpus",
            format!("changing vCPUs from {a} to {b} (only adding, with cpu_hot_add_enabled, is live)"),
        ));
    }
    if let (Some(a), Some(b)) = (prior.memory.get(), want.memory.get())
        && a != b
        && !(b > a && prior.memory_hot_add_enabled.get() == Some(&true))
    {
        cycle.push((
            "memory",
            format!("changing memory from {a} MB to {b} MB (only adding, with memory_hot_add_enabled, is live)"),
        ));
    }
    cycle
}

/// Both known and different: an unknown value is not a change yet.
fn differs<T: PartialEq>(a: &Value<T>, b: &Value<T>) -> bool {
    a.is_known() && b.is_known() && a != b
}

#[cfg(test)]
mod tests {
    use super::super::state::{Cdrom, Disk, Nic};
    use super::*;

    fn base() -> State {
        State {
            name: Value::known("vm".into()),
            datastore_id: Value::known("datastore-1".into()),
            memory: Value::known(1024),
            num_cpus: Value::known(2),
            num_cores_per_socket: Value::known(1),
            firmware: Value::known("bios".into()),
            efi_secure_boot: Value::known(false),
            scsi_type: Value::known("pvscsi".into()),
            power_state: Value::known("on".into()),
            reboot_allowed: Value::known(false),
            cpu_hot_add_enabled: Value::known(false),
            memory_hot_add_enabled: Value::known(false),
            ..Default::default()
        }
    }

    fn paths(d: &Diags) -> Vec<String> {
        d.0.iter().filter_map(|x| x.path.as_ref().map(ToString::to_string)).collect()
    }

    #[test]
    fn a_good_config_passes() {
        assert!(!validate(&base()).has_errors());
    }

    #[test]
    fn each_rule_lands_on_its_attribute() {
        let mut s = base();
        s.memory = Value::known(1023);
        s.num_cpus = Value::known(3);
        s.num_cores_per_socket = Value::known(2);
        s.efi_secure_boot = Value::known(true);
        s.scsi_type = Value::known("ide".into());
        s.power_state = Value::known("paused".into());
        s.wait_for_ip_timeout = Value::known(i64::MAX);
        s.shutdown_wait_timeout = Value::known(-1);
        s.disk = vec![
            Disk {
                label: Value::known("a".into()),
                size: Value::known(0),
                unit_number: Value::known(7),
                ..Default::default()
            },
            Disk { label: Value::known("a".into()), size: Value::known(1), ..Default::default() },
        ];
        s.network_interface = vec![Nic {
            adapter_type: Value::known("rtl8139".into()),
            mac_address: Value::known("02:00:00:00:00:01".into()),
            mac_address_check: Value::known(true),
            ..Default::default()
        }];
        s.cdrom = Some(Cdrom { datastore_path: Value::known("[ds] ../x.iso".into()), ..Default::default() });
        let d = validate(&s);
        let p = paths(&d);
        for want in [
            "memory",
            "num_cores_per_socket",
            "efi_secure_boot",
            "scsi_type",
            "power_state",
            "wait_for_ip_timeout",
            "shutdown_wait_timeout",
            "disk[0].size",
            "disk[0].unit_number",
            "disk[1].label",
            "network_interface[0].adapter_type",
            "network_interface[0].mac_address",
            "cdrom.datastore_path",
        ] {
            assert!(p.iter().any(|x| x == want), "no diagnostic on {want}: {p:?} / {d:?}");
        }
    }

    #[test]
    fn a_mac_outside_the_ranges_passes_with_the_check_off() {
        let mut s = base();
        s.network_interface = vec![Nic {
            adapter_type: Value::known("vmxnet3".into()),
            mac_address: Value::known("02:00:00:00:00:01".into()),
            mac_address_check: Value::known(false),
            ..Default::default()
        }];
        assert!(!validate(&s).has_errors());
        s.network_interface[0].mac_address = Value::known("00:50:56:80:00:01".into());
        s.network_interface[0].mac_address_check = Value::known(true);
        let d = validate(&s);
        assert!(!d.has_errors() && !d.is_empty(), "a generated-range MAC should warn: {d:?}");
    }

    #[test]
    fn the_uuid_is_unknown_after_a_power_on_auto_answer_may_answer() {
        let off = State {
            power_state: Value::known("off".into()),
            uuid: Value::known("4207-a".into()),
            ..Default::default()
        };
        let on = State { power_state: Value::known("on".into()), ..off.clone() };
        for (auto_answer, prior, want, unknown) in [
            (Some(true), &off, &on, true),
            (None, &off, &on, true),
            (Some(false), &off, &on, false),
            (Some(true), &on, &on, false),
            (Some(true), &on, &off, false),
        ] {
            let mut p = plan_of(prior.clone(), want.clone());
            uuid_after_power_on(&mut p, auto_answer);
            assert_eq!(
                p.planned.uuid.is_unknown(),
                unknown,
                "{auto_answer:?} {:?} -> {:?}",
                prior.power_state,
                want.power_state
            );
        }
        // A power cycle starts it again too.
        let mut bigger = on.clone();
        bigger.memory = Value::known(4096);
        let mut p = plan_of(State { memory: Value::known(2048), ..on.clone() }, bigger);
        uuid_after_power_on(&mut p, Some(true));
        assert!(p.planned.uuid.is_unknown());
    }

    fn plan_of(prior: State, planned: State) -> Plan<State> {
        Plan { prior: Some(prior), config: planned.clone(), planned, requires_replace: Vec::new() }
    }

    #[test]
    fn more_disks_than_a_controller_holds_fail_at_plan() {
        let disk =
            |i: usize| Disk { label: Value::known(format!("d{i}")), size: Value::known(1), ..Default::default() };
        let mut s = base();
        s.disk = (0..15).map(disk).collect();
        assert!(!validate(&s).has_errors());
        s.disk = (0..16).map(disk).collect();
        let d = validate(&s);
        assert_eq!(paths(&d), vec!["disk"]);
        assert!(d.0[0].detail.contains("at most 15"), "{}", d.0[0].detail);
    }

    #[test]
    fn a_default_unit_taken_by_an_explicit_one_fails_at_plan() {
        let mut s = base();
        s.disk = vec![
            Disk { label: Value::known("a".into()), size: Value::known(1), ..Default::default() },
            Disk {
                label: Value::known("b".into()),
                size: Value::known(1),
                unit_number: Value::known(0),
                ..Default::default()
            },
        ];
        let mut p = Plan { prior: None, config: s.clone(), planned: s, requires_replace: Vec::new() };
        let d = refine(&mut p);
        assert_eq!(paths(&d), vec!["disk[0]"]);
        assert!(d.0[0].detail.contains("disk[1]"), "{}", d.0[0].detail);
    }

    #[test]
    fn only_known_new_or_changed_ids_are_checked() {
        let mut a = base();
        a.host_id = Value::known("host-1".into());
        a.resource_pool_id = Value::known("resgroup-1".into());
        a.network_interface = vec![Nic { network_id: Value::known("network-1".into()), ..Default::default() }];
        // Create: every known id.
        let p = Plan { prior: None, config: a.clone(), planned: a.clone(), requires_replace: Vec::new() };
        let paths: Vec<String> = references(&p).iter().map(|r| r.path.to_string()).collect();
        assert_eq!(paths, ["host_id", "datastore_id", "resource_pool_id", "network_interface[0].network_id"]);
        // Nothing changed: nothing to read.
        assert!(references(&plan_of(a.clone(), a.clone())).is_empty());
        // A changed host and an unknown pool: the host only.
        let mut b = a.clone();
        b.host_id = Value::known("host-2".into());
        b.resource_pool_id = Value::Unknown;
        let refs = references(&plan_of(a, b));
        assert_eq!(refs.len(), 1);
        assert_eq!((refs[0].path.to_string(), refs[0].id.as_str()), ("host_id".to_string(), "host-2"));
    }

    #[test]
    fn shrinking_a_disk_fails_at_plan() {
        let mut a = base();
        a.disk = vec![Disk { label: Value::known("d".into()), size: Value::known(10), ..Default::default() }];
        let mut b = a.clone();
        b.disk[0].size = Value::known(5);
        let mut p = plan_of(a, b);
        assert_eq!(paths(&refine(&mut p)), vec!["disk[0].size"]);
    }

    #[test]
    fn removing_a_middle_disk_or_moving_a_unit_fails_at_plan() {
        let mut a = base();
        let disk = |l: &str, u: i64| Disk {
            label: Value::known(l.into()),
            size: Value::known(1),
            unit_number: Value::known(u),
            ..Default::default()
        };
        a.disk = vec![disk("a", 0), disk("b", 1), disk("c", 2)];
        let mut b = a.clone();
        b.disk = vec![disk("a", 0), disk("c", 1)];
        let mut p = plan_of(a.clone(), b);
        assert_eq!(paths(&refine(&mut p)), vec!["disk[1].label"]);
        let mut b = a.clone();
        b.disk[2].unit_number = Value::known(5);
        let mut p = plan_of(a.clone(), b);
        assert_eq!(paths(&refine(&mut p)), vec!["disk[2].unit_number"]);
        // Dropping the last disk and renaming one are fine.
        let mut b = a.clone();
        b.disk.pop();
        b.disk[0].label = Value::known("system".into());
        let mut p = plan_of(a, b);
        assert!(!refine(&mut p).has_errors());
    }

    #[test]
    fn memory_on_a_running_vm_needs_consent() {
        let a = base();
        let mut b = a.clone();
        b.memory = Value::known(2048);
        let mut p = plan_of(a.clone(), b.clone());
        assert_eq!(paths(&refine(&mut p)), vec!["memory"]);
        b.reboot_allowed = Value::known(true);
        let mut p = plan_of(a.clone(), b.clone());
        assert!(!refine(&mut p).has_errors());
        // Hot-add makes growing live.
        let mut a2 = a;
        a2.memory_hot_add_enabled = Value::known(true);
        let mut b2 = a2.clone();
        b2.memory = Value::known(2048);
        let mut p = plan_of(a2, b2);
        assert!(!refine(&mut p).has_errors());
    }

    #[test]
    fn a_vtpm_change_cycles_power_but_is_reported_by_the_vtpm_checks() {
        let reasons = |a: &State, b: &State| power_cycle_reasons(a, b).iter().map(|r| r.0).collect::<Vec<_>>();
        let a = State { vtpm_present: Value::known(false), ..base() };
        let b = State { vtpm: Some(super::super::state::Vtpm::default()), ..a.clone() };
        let b_done = State { vtpm_present: Value::known(true), ..b.clone() };
        assert_eq!(reasons(&a, &b), vec!["vtpm"]);
        assert_eq!(reasons(&b_done, &a), vec!["vtpm"]);
        // Adopting a vTPM that is there, or leaving an unmanaged one alone.
        let unmanaged = State { vtpm_present: Value::known(true), ..a.clone() };
        assert!(reasons(&unmanaged, &b).is_empty());
        assert!(reasons(&unmanaged, &a).is_empty());
        let mut p = plan_of(a, b);
        assert!(!refine(&mut p).has_errors());
    }

    #[test]
    fn hardware_downgrade_replaces() {
        let mut a = base();
        a.hardware_version = Value::known(19);
        let mut b = a.clone();
        b.hardware_version = Value::known(17);
        let mut p = plan_of(a, b);
        assert!(!refine(&mut p).has_errors());
        assert_eq!(p.requires_replace, vec![AttrPath::attr("hardware_version")]);
    }

    #[test]
    fn new_disks_get_unit_numbers_at_plan() {
        let mut s = base();
        s.disk = (0..9)
            .map(|i| Disk { label: Value::known(format!("d{i}")), size: Value::known(1), ..Default::default() })
            .collect();
        let mut p = Plan { prior: None, config: s.clone(), planned: s, requires_replace: Vec::new() };
        assert!(!refine(&mut p).has_errors());
        let units: Vec<i64> = p.planned.disk.iter().filter_map(|d| d.unit_number.get().copied()).collect();
        assert_eq!(units, vec![0, 1, 2, 3, 4, 5, 6, 8, 9]);
    }
}
