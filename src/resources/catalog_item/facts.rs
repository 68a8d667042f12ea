//! What a template's OVF descriptor says, as the item's computed facts.
use super::state::{
    DeploymentOptionFact, DiskFact, NetworkFact, NicFact, PropertyFact, State, VServiceFact, VirtualSystemFact,
    VmDiskFact,
};
use crate::ovf::{ControllerKind, OvfDescriptor, OvfProperty, ProductSection, VirtualSystem};
use crate::plugin::Value;
use crate::rules::vapp_type::{PropertyType, parse_type};

/// The computed facts of an item, all known.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Facts {
    pub has_tpm: bool,
    pub is_vapp: bool,
    pub networks: Vec<NetworkFact>,
    pub disks: Vec<DiskFact>,
    pub deployment_options: Vec<DeploymentOptionFact>,
    pub virtual_systems: Vec<VirtualSystemFact>,
    pub vapp_properties: Vec<PropertyFact>,
}

impl Facts {
    /// The facts of a descriptor.
    pub fn of(d: &OvfDescriptor) -> Facts {
        let virtual_systems: Vec<VirtualSystemFact> = d.virtual_systems.iter().map(virtual_system).collect();
        Facts {
            has_tpm: virtual_systems.iter().any(|v| v.has_tpm),
            is_vapp: d.is_collection,
            networks: d
                .networks
                .iter()
                .map(|n| NetworkFact { name: n.name.clone(), description: n.description.clone() })
                .collect(),
            disks: d
                .disks
                .iter()
                .map(|disk| DiskFact {
                    disk_id: disk.disk_id.clone(),
                    file: disk.file_ref.as_deref().and_then(|f| d.file(f)).map(|f| f.href.clone()),
                    capacity_bytes: disk.capacity_bytes,
                    capacity_property: disk.capacity_property.clone(),
                    format: disk.format.clone(),
                })
                .collect(),
            deployment_options: d
                .deployment_options
                .iter()
                .map(|o| DeploymentOptionFact {
                    id: o.id.clone(),
                    label: o.label.clone(),
                    description: o.description.clone(),
                    default: o.default,
                })
                .collect(),
            virtual_systems,
            vapp_properties: d.collections.iter().flat_map(|c| properties(&c.products)).collect(),
        }
    }

    /// Puts the facts into a state.
    pub fn apply_to(self, s: &mut State) {
        s.has_tpm = Value::known(self.has_tpm);
        s.is_vapp = Value::known(self.is_vapp);
        s.networks = Value::known(self.networks);
        s.disks = Value::known(self.disks);
        s.deployment_options = Value::known(self.deployment_options);
        s.virtual_systems = Value::known(self.virtual_systems);
        s.vapp_properties = Value::known(self.vapp_properties);
    }

    /// Marks a state's facts as known only after apply.
    pub fn unknown_in(s: &mut State) {
        s.has_tpm = Value::Unknown;
        s.is_vapp = Value::Unknown;
        s.networks = Value::Unknown;
        s.disks = Value::Unknown;
        s.deployment_options = Value::Unknown;
        s.virtual_systems = Value::Unknown;
        s.vapp_properties = Value::Unknown;
    }

    /// Whether a state carries facts (an imported one does not yet).
    pub fn present_in(s: &State) -> bool {
        s.virtual_systems.is_known()
    }
}

fn virtual_system(v: &VirtualSystem) -> VirtualSystemFact {
    let hw = &v.hardware;
    VirtualSystemFact {
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
            .map(|n| NicFact { adapter_type: n.adapter_type.clone(), network: n.network_name.clone() })
            .collect(),
        disks: hw
            .disks
            .iter()
            .map(|disk| VmDiskFact {
                disk_id: disk.disk_id.clone(),
                capacity_bytes: disk.capacity_bytes,
                controller: disk.controller.as_ref().map(|c| controller_kind(c.kind).to_string()),
                controller_type: disk.controller.as_ref().and_then(|c| c.sub_type.clone()),
                bus_number: disk.controller.as_ref().and_then(|c| c.bus_number),
                unit_number: disk.unit_number,
            })
            .collect(),
        vapp_properties: properties(&v.products),
        vservice_dependencies: v
            .vservice_dependencies
            .iter()
            .map(|s| VServiceFact {
                id: s.id.clone(),
                type_: s.type_.clone(),
                name: s.name.clone(),
                description: s.description.clone(),
                required: s.required,
            })
            .collect(),
    }
}

fn controller_kind(k: ControllerKind) -> &'static str {
    match k {
        ControllerKind::Ide => "ide",
        ControllerKind::Scsi => "scsi",
        ControllerKind::Sata => "sata",
        ControllerKind::Nvme => "nvme",
    }
}

fn properties(products: &[ProductSection]) -> Vec<PropertyFact> {
    products.iter().flat_map(|p| p.properties.iter()).map(property).collect()
}

/// One property. The type is vSphere's form when the OVF's translates
/// (plan rejects uploads where it does not), else as written. Password
/// defaults are never exposed.
fn property(p: &OvfProperty) -> PropertyFact {
    let vsphere = p.vsphere_type().ok();
    let secret = p.password || vsphere.as_deref().and_then(|t| parse_type(t).ok()).is_some_and(|t| t.is_secret());
    PropertyFact {
        id: p.full_key(),
        key: p.key.clone(),
        class_id: p.class_id.clone(),
        instance_id: p.instance_id.clone(),
        type_: vsphere.unwrap_or_else(|| p.type_.clone()),
        label: p.label.clone(),
        description: p.description.clone(),
        category: p.category.clone(),
        default_value: if secret { None } else { p.default_value.clone() },
        user_configurable: p.user_configurable,
        password: secret,
    }
}

/// Every property in the descriptor whose type vSphere would not accept,
/// as `(where, message)`: `where` names the property and its virtual
/// system or vApp.
pub fn property_type_problems(d: &OvfDescriptor) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut check = |owner: String, products: &[ProductSection]| {
        for p in products.iter().flat_map(|s| s.properties.iter()) {
            let place = format!("property {:?} of {owner}", p.full_key());
            match p
                .vsphere_type()
                .map_err(|e| e.to_string())
                .and_then(|t| parse_type(&t).map(|_: PropertyType| ()).map_err(|e| e.to_string()))
            {
                Ok(()) => {}
                Err(e) => out.push((place, e)),
            }
        }
    };
    for c in &d.collections {
        check(format!("vApp {:?}", c.id), &c.products);
    }
    for v in &d.virtual_systems {
        check(format!("virtual system {:?}", v.id), &v.products);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ovf::parse_ovf;

    const EXPORT: &[u8] = include_bytes!("../../ovf/testdata/vsphere8-export.ovf");
    const COLLECTION: &[u8] = include_bytes!("../../ovf/testdata/collection-ovf2.ovf");

    #[test]
    fn facts_of_a_vsphere_export() {
        let d = parse_ovf(EXPORT).unwrap();
        let f = Facts::of(&d);
        assert!(f.has_tpm);
        assert!(!f.is_vapp);
        let vs = f.virtual_systems.first().unwrap();
        assert_eq!(vs.name.as_deref(), Some("photon-tpm"));
        assert!(vs.has_tpm);
        assert_eq!(vs.num_cpus, d.virtual_systems[0].hardware.num_cpus);
        assert_eq!(vs.memory_mb, d.virtual_systems[0].hardware.memory_mb);
        assert_eq!(vs.disks.len(), d.virtual_systems[0].hardware.disks.len());
        assert!(vs.disks.iter().all(|x| x.controller.is_some()), "{:?}", vs.disks);
        assert_eq!(f.networks.len(), d.networks.len());
        assert_eq!(f.disks.len(), d.disks.len());
        let with_file: Vec<_> = f.disks.iter().filter_map(|x| x.file.as_deref()).collect();
        assert!(with_file.contains(&"photon-tpm-disk1.vmdk"), "{with_file:?}");
        assert_eq!(
            vs.vapp_properties.len(),
            d.virtual_systems[0].products.iter().map(|p| p.properties.len()).sum::<usize>()
        );
        assert_eq!(vs.vservice_dependencies.len(), d.virtual_systems[0].vservice_dependencies.len());
        // Every property type is in vSphere's form.
        assert!(vs.vapp_properties.iter().all(|p| parse_type(&p.type_).is_ok()), "{:?}", vs.vapp_properties);
        assert!(property_type_problems(&d).is_empty(), "{:?}", property_type_problems(&d));
    }

    #[test]
    fn facts_of_a_vapp() {
        let d = parse_ovf(COLLECTION).unwrap();
        let f = Facts::of(&d);
        assert!(f.is_vapp);
        assert_eq!(f.virtual_systems.len(), d.virtual_systems.len());
        let collection_props: usize =
            d.collections.iter().flat_map(|c| c.products.iter()).map(|p| p.properties.len()).sum();
        assert_eq!(f.vapp_properties.len(), collection_props);
    }

    fn with_property(attrs: &str) -> OvfDescriptor {
        let xml = format!(
            r#"<Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1" xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1">
  <VirtualSystem ovf:id="vm1"><Info>x</Info>
    <ProductSection ovf:class="app"><Info>p</Info>
      <Property ovf:key="k" {attrs}/>
    </ProductSection>
  </VirtualSystem>
</Envelope>"#
        );
        parse_ovf(xml.as_bytes()).unwrap()
    }

    #[test]
    fn passwords_are_never_exposed() {
        let d = with_property(r#"ovf:type="string" ovf:password="true" ovf:value="s3cret""#);
        let p = Facts::of(&d).virtual_systems[0].vapp_properties[0].clone();
        assert!(p.password);
        assert_eq!(p.default_value, None);
        assert_eq!(p.type_, "password");
        assert_eq!(p.id, "app.k");
        let d = with_property(r#"ovf:type="password(8..)" ovf:value="s3cret-too""#);
        let p = Facts::of(&d).virtual_systems[0].vapp_properties[0].clone();
        assert!(p.password && p.default_value.is_none(), "{p:?}");
        let d = with_property(r#"ovf:type="uint8" ovf:value="7""#);
        let p = Facts::of(&d).virtual_systems[0].vapp_properties[0].clone();
        assert_eq!((p.type_.as_str(), p.default_value.as_deref(), p.password), ("int(0..255)", Some("7"), false));
    }

    #[test]
    fn bad_property_types_are_reported_with_their_place() {
        let d = with_property(r#"ovf:type="ipv9""#);
        let problems = property_type_problems(&d);
        let [(place, msg)] = problems.as_slice() else { panic!("{problems:?}") };
        assert_eq!(place, r#"property "app.k" of virtual system "vm1""#);
        assert!(msg.contains("ipv9"), "{msg}");
        // The fact still shows the type as written.
        assert_eq!(Facts::of(&d).virtual_systems[0].vapp_properties[0].type_, "ipv9");
        let d = with_property(r#"ovf:type="uint8" ovf:qualifiers="MinValue(x)""#);
        assert_eq!(property_type_problems(&d).len(), 1);
    }

    #[test]
    fn facts_go_into_a_state() {
        let mut s = State::default();
        assert!(!Facts::present_in(&s));
        Facts::unknown_in(&mut s);
        assert!(s.virtual_systems.is_unknown() && s.has_tpm.is_unknown());
        Facts::default().apply_to(&mut s);
        assert!(Facts::present_in(&s));
        assert_eq!(s.has_tpm, Value::known(false));
        assert_eq!(s.virtual_systems, Value::known(vec![]));
    }
}
