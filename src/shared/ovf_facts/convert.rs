//! An [`OvfDescriptor`] as [`OvfFacts`].
use super::model::{
    DeploymentOption, Disk, File, Network, NetworkInterface, OvfFacts, Property, VServiceDependency, VirtualDisk,
    VirtualSystem,
};
use crate::ovf::{self, ControllerKind, OvfDescriptor, OvfProperty, ProductSection};
use crate::rules::vapp_type::{PropertyType, parse_type};

impl OvfFacts {
    /// The facts of a descriptor.
    pub fn of(d: &OvfDescriptor) -> OvfFacts {
        let virtual_systems: Vec<VirtualSystem> = d.virtual_systems.iter().map(virtual_system).collect();
        let mut transports: Vec<String> = Vec::new();
        for t in virtual_systems.iter().flat_map(|vs| &vs.transports) {
            if !transports.contains(t) {
                transports.push(t.clone());
            }
        }
        let own_properties = d.collections.iter().flat_map(|c| properties(&c.products, None));
        let own_dependencies = d.collections.iter().flat_map(|c| &c.vservice_dependencies).map(|x| dependency(x, None));
        OvfFacts {
            ovf_version: Some(i64::from(d.ovf_version)),
            is_vapp: d.is_collection,
            has_tpm: virtual_systems.iter().any(|v| v.has_tpm),
            transports,
            networks: d
                .networks
                .iter()
                .map(|n| Network { name: n.name.clone(), description: n.description.clone() })
                .collect(),
            disks: d
                .disks
                .iter()
                .map(|disk| Disk {
                    disk_id: disk.disk_id.clone(),
                    file_id: disk.file_ref.clone(),
                    file_href: disk.file_ref.as_deref().and_then(|f| d.file(f)).map(|f| f.href.clone()),
                    capacity_bytes: disk.capacity_bytes,
                    capacity_property: disk.capacity_property.clone(),
                    format: disk.format.clone(),
                    populated_size: disk.populated_size,
                })
                .collect(),
            files: d
                .references
                .iter()
                .map(|f| File {
                    id: f.id.clone(),
                    href: f.href.clone(),
                    size: f.size,
                    compression: f.compression.clone(),
                })
                .collect(),
            deployment_options: d
                .deployment_options
                .iter()
                .map(|o| DeploymentOption {
                    id: o.id.clone(),
                    label: o.label.clone(),
                    description: o.description.clone(),
                    default: o.default,
                })
                .collect(),
            vapp_properties: own_properties
                .chain(virtual_systems.iter().flat_map(|v| v.vapp_properties.iter().cloned()))
                .collect(),
            vservice_dependencies: own_dependencies
                .chain(virtual_systems.iter().flat_map(|v| v.vservice_dependencies.iter().cloned()))
                .collect(),
            virtual_systems,
        }
    }
}

/// The package's name: the vApp's name or id, else the first virtual
/// system's.
pub fn package_name(d: &OvfDescriptor) -> Option<String> {
    if d.is_collection
        && let Some(c) = d.collections.first()
    {
        return Some(c.name.clone().unwrap_or_else(|| c.id.clone()));
    }
    d.virtual_systems.first().map(|vs| vs.name.clone().unwrap_or_else(|| vs.id.clone()))
}

fn virtual_system(v: &ovf::VirtualSystem) -> VirtualSystem {
    let hw = &v.hardware;
    VirtualSystem {
        id: v.id.clone(),
        name: v.name.clone(),
        annotation: v.annotation.clone(),
        guest_id: v.os_type.as_ref().and_then(|o| o.vmw_os_type.clone()),
        num_cpus: hw.num_cpus,
        cores_per_socket: hw.cores_per_socket,
        memory_mb: hw.memory_mb,
        firmware: hw.firmware.clone(),
        secure_boot: hw.secure_boot,
        hardware_version: hw.hardware_version.clone(),
        has_tpm: hw.has_tpm,
        transports: v.transports.clone(),
        network_interface: hw
            .nics
            .iter()
            .map(|n| NetworkInterface { adapter_type: n.adapter_type.clone(), network: n.network_name.clone() })
            .collect(),
        disks: hw
            .disks
            .iter()
            .map(|disk| VirtualDisk {
                disk_id: disk.disk_id.clone(),
                capacity_bytes: disk.capacity_bytes,
                controller: disk.controller.as_ref().map(|c| controller_name(c.kind).to_owned()),
                controller_subtype: disk.controller.as_ref().and_then(|c| c.sub_type.clone()),
                bus_number: disk.controller.as_ref().and_then(|c| c.bus_number),
                unit_number: disk.unit_number,
            })
            .collect(),
        vapp_properties: properties(&v.products, Some(&v.id)).collect(),
        vservice_dependencies: v.vservice_dependencies.iter().map(|x| dependency(x, Some(&v.id))).collect(),
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
        type_: d.type_.clone(),
        name: d.name.clone(),
        description: d.description.clone(),
        required: d.required,
        virtual_system_id: vs.map(str::to_owned),
    }
}

fn properties<'a>(products: &'a [ProductSection], vs: Option<&'a str>) -> impl Iterator<Item = Property> + 'a {
    products.iter().flat_map(|s| &s.properties).map(move |p| property(p, vs))
}

/// A property's type in vSphere's form, when the OVF's translates, and
/// parsed, when vSphere's grammar takes it.
pub(super) fn vsphere_type(p: &OvfProperty) -> (Option<String>, Option<PropertyType>) {
    let written = p.vsphere_type().ok();
    let parsed = written.as_deref().and_then(|t| parse_type(t).ok());
    (written, parsed)
}

/// An OVF value in vSphere's spelling. OVF writes booleans as XML Schema
/// does (`true`, `false`, `1`, `0`); vSphere's vApp properties take only
/// `True` and `False`, and vCenter translates on import. Other types are
/// written alike in both.
pub(super) fn vsphere_value(ty: &PropertyType, value: &str) -> String {
    match (ty, value) {
        (PropertyType::Boolean, "true" | "1") => "True".to_owned(),
        (PropertyType::Boolean, "false" | "0") => "False".to_owned(),
        _ => value.to_owned(),
    }
}

/// One property. A secret (the OVF's `ovf:password`, or a `password`
/// type) never shows its default: the package keeps it, state does not.
fn property(p: &OvfProperty, vs: Option<&str>) -> Property {
    let (written, parsed) = vsphere_type(p);
    let secret = p.password || parsed.as_ref().is_some_and(PropertyType::is_secret);
    let default_value = match &parsed {
        Some(ty) => p.default_value.as_deref().map(|d| vsphere_value(ty, d)),
        None => p.default_value.clone(),
    };
    Property {
        key: p.key.clone(),
        class_id: p.class_id.clone(),
        instance_id: p.instance_id.clone(),
        full_key: p.full_key(),
        virtual_system_id: vs.map(str::to_owned),
        type_: written.unwrap_or_else(|| p.type_.clone()),
        ovf_type: p.type_.clone(),
        label: p.label.clone(),
        description: p.description.clone(),
        category: p.category.clone(),
        default_value: if secret { None } else { default_value },
        user_configurable: p.user_configurable,
        password: secret,
    }
}
