//! A parsed descriptor as the data source's state, with each vApp property
//! checked by the vApp property rules on the way.
//!
//! Severity: a property type vSphere cannot take (qualifiers that cannot be
//! read, a type outside the vApp grammar) is an error — vSphere would refuse
//! the package, and nothing downstream could use the property. A default
//! value that does not fit its type is a warning: vendors ship such
//! packages (placeholders, defaults meant to be overridden at deploy time),
//! and they should stay readable.
use super::state::{Disk, File, Network, Nic, Property, State, VServiceDependency, VirtualDisk, VirtualSystem};
use crate::ovf::{self, ControllerKind, OvfDescriptor, OvfProperty};
use crate::plugin::{AttrPath, Diags, Value};
use crate::rules::vapp_error::ValueField;
use crate::rules::vapp_type::{PropertyType, parse_type};
use crate::rules::vapp_value::check_value;

/// The state for `desc` read from `path`, and what the property checks
/// found (errors and warnings, on `path`).
pub fn to_state(path: &str, desc: &OvfDescriptor) -> (State, Diags) {
    let mut diags = Diags::none();
    let mut properties = Vec::new();
    for c in &desc.collections {
        for p in c.products.iter().flat_map(|s| &s.properties) {
            properties.push(property(p, None, &mut diags));
        }
    }
    for vs in &desc.virtual_systems {
        for p in vs.products.iter().flat_map(|s| &s.properties) {
            properties.push(property(p, Some(&vs.id), &mut diags));
        }
    }
    let mut dependencies = Vec::new();
    for c in &desc.collections {
        dependencies.extend(c.vservice_dependencies.iter().map(|d| dependency(d, None)));
    }
    for vs in &desc.virtual_systems {
        dependencies.extend(vs.vservice_dependencies.iter().map(|d| dependency(d, Some(&vs.id))));
    }
    let mut transports: Vec<String> = Vec::new();
    for t in desc.virtual_systems.iter().flat_map(|vs| &vs.transports) {
        if !transports.contains(t) {
            transports.push(t.clone());
        }
    }
    let state = State {
        path: Value::known(path.to_owned()),
        name: Value::from_option(package_name(desc)),
        ovf_version: Value::known(i64::from(desc.ovf_version)),
        is_vapp: Value::known(desc.is_collection),
        virtual_systems: Value::known(desc.virtual_systems.iter().map(virtual_system).collect()),
        networks: Value::known(
            desc.networks
                .iter()
                .map(|n| Network { name: n.name.clone(), description: n.description.clone() })
                .collect(),
        ),
        disks: Value::known(
            desc.disks
                .iter()
                .map(|d| Disk {
                    disk_id: d.disk_id.clone(),
                    file_id: d.file_ref.clone(),
                    capacity_bytes: d.capacity_bytes,
                    capacity_property: d.capacity_property.clone(),
                    format: d.format.clone(),
                    populated_size: d.populated_size,
                })
                .collect(),
        ),
        files: Value::known(
            desc.references
                .iter()
                .map(|f| File {
                    id: f.id.clone(),
                    href: f.href.clone(),
                    size: f.size,
                    compression: f.compression.clone(),
                })
                .collect(),
        ),
        vapp_properties: Value::known(properties),
        vservice_dependencies: Value::known(dependencies),
        has_tpm: Value::known(desc.virtual_systems.iter().any(|vs| vs.hardware.has_tpm)),
        transports: Value::known(transports),
    };
    (state, diags)
}

fn package_name(desc: &OvfDescriptor) -> Option<String> {
    if desc.is_collection
        && let Some(c) = desc.collections.first()
    {
        return Some(c.name.clone().unwrap_or_else(|| c.id.clone()));
    }
    desc.virtual_systems.first().map(|vs| vs.name.clone().unwrap_or_else(|| vs.id.clone()))
}

fn virtual_system(vs: &ovf::VirtualSystem) -> VirtualSystem {
    let hw = &vs.hardware;
    VirtualSystem {
        id: vs.id.clone(),
        name: vs.name.clone(),
        annotation: vs.annotation.clone(),
        guest_id: vs.os_type.as_ref().and_then(|o| o.vmw_os_type.clone()),
        num_cpus: hw.num_cpus,
        cores_per_socket: hw.cores_per_socket,
        memory_mb: hw.memory_mb,
        firmware: hw.firmware.clone(),
        secure_boot: hw.secure_boot,
        hardware_version: hw.hardware_version.clone(),
        has_tpm: hw.has_tpm,
        transports: vs.transports.clone(),
        network_interface: hw
            .nics
            .iter()
            .map(|n| Nic { adapter_type: n.adapter_type.clone(), network: n.network_name.clone() })
            .collect(),
        disks: hw
            .disks
            .iter()
            .map(|d| VirtualDisk {
                disk_id: d.disk_id.clone(),
                capacity_bytes: d.capacity_bytes,
                controller_type: d.controller.as_ref().map(|c| controller_name(c.kind).to_owned()),
                unit_number: d.unit_number,
            })
            .collect(),
    }
}

/// An OVF value in vSphere's spelling. OVF writes booleans as XML Schema
/// does (`true`, `false`, `1`, `0`); vSphere's vApp properties take only
/// `True` and `False`, and vCenter translates on import. Other types are
/// written alike in both.
fn vsphere_value(ty: &PropertyType, value: String) -> String {
    match (ty, value.as_str()) {
        (PropertyType::Boolean, "true" | "1") => "True".to_owned(),
        (PropertyType::Boolean, "false" | "0") => "False".to_owned(),
        _ => value,
    }
}

fn controller_name(kind: ControllerKind) -> &'static str {
    match kind {
        ControllerKind::Ide => "ide",
        ControllerKind::Scsi => "scsi",
        ControllerKind::Sata => "sata",
        ControllerKind::Nvme => "nvme",
    }
}

fn dependency(d: &ovf::VServiceDependency, vs: Option<&str>) -> VServiceDependency {
    VServiceDependency {
        id: d.id.clone(),
        r#type: d.type_.clone(),
        name: d.name.clone(),
        description: d.description.clone(),
        required: d.required,
        virtual_system_id: vs.map(str::to_owned),
    }
}

/// One property, its type mapped to vSphere's and checked (see the module
/// documentation for what is an error and what a warning).
fn property(p: &OvfProperty, vs: Option<&str>, diags: &mut Diags) -> Property {
    let full_key = p.full_key();
    let place = vs.map(|v| format!(" of virtual system {v:?}")).unwrap_or_default();
    let bad_type = |detail: String| {
        Diags::error_at(
            AttrPath::attr("path"),
            "Invalid vApp property type in the OVF descriptor",
            format!("property {full_key:?}{place}: {detail}"),
        )
    };
    let mut default_value = p.default_value.clone();
    let vsphere_type = match p.vsphere_type() {
        Ok(t) => match parse_type(&t) {
            Ok(ty) => {
                default_value = default_value.map(|d| vsphere_value(&ty, d));
                // Empty means no default, as in vSphere.
                if let Some(d) = default_value.as_deref().filter(|d| !d.is_empty())
                    && let Err(e) = check_value(&ty, d)
                {
                    diags.push(Diags::warning_at(
                        AttrPath::attr("path"),
                        "vApp property default does not fit its type",
                        format!("property {full_key:?}{place}: {}", e.at(ValueField::DefaultValue)),
                    ));
                }
                t
            }
            Err(e) => {
                diags.push(bad_type(e.to_string()));
                t
            }
        },
        Err(e) => {
            diags.push(bad_type(e.to_string()));
            p.type_.clone()
        }
    };
    Property {
        key: p.key.clone(),
        class_id: p.class_id.clone(),
        instance_id: p.instance_id.clone(),
        full_key,
        virtual_system_id: vs.map(str::to_owned),
        r#type: vsphere_type,
        ovf_type: p.type_.clone(),
        label: p.label.clone(),
        description: p.description.clone(),
        category: p.category.clone(),
        // A secret has no place in state; the package keeps it.
        default_value: if p.password { None } else { default_value },
        user_configurable: p.user_configurable,
        password: p.password,
    }
}

#[cfg(test)]
mod tests;
