//! The facts of real and hand-written descriptors, and the property checks.
use super::checks::{Problem, PropertyProblem, property_problems};
use super::convert::package_name;
use super::model::*;
use crate::ovf::{OvfDescriptor, parse_ovf};
use crate::rules::vapp_type::parse_type;

const EXPORT: &[u8] = include_bytes!("../../ovf/testdata/vsphere8-export.ovf");
const COLLECTION: &[u8] = include_bytes!("../../ovf/testdata/collection-ovf2.ovf");

fn prop<'a>(f: &'a OvfFacts, full_key: &str) -> &'a Property {
    f.vapp_properties.iter().find(|p| p.full_key == full_key).unwrap_or_else(|| panic!("{full_key}"))
}

#[test]
fn a_vsphere_export_in_full() {
    let d = parse_ovf(EXPORT).unwrap();
    let f = OvfFacts::of(&d);
    assert_eq!(package_name(&d).as_deref(), Some("photon-tpm"));
    assert_eq!(f.ovf_version, Some(1));
    assert!(!f.is_vapp);
    assert!(f.has_tpm);
    assert_eq!(f.transports, ["com.vmware.guestInfo", "iso"]);
    assert!(property_problems(&d).is_empty(), "{:?}", property_problems(&d));

    let vs = &f.virtual_systems[0];
    assert_eq!((vs.id.as_str(), vs.guest_id.as_deref()), ("photon-tpm", Some("vmwarePhoton64Guest")));
    assert_eq!(vs.name.as_deref(), Some("photon-tpm"));
    assert_eq!((vs.num_cpus, vs.cores_per_socket, vs.memory_mb), (Some(4), Some(2), Some(8192)));
    assert_eq!((vs.firmware.as_deref(), vs.secure_boot), (Some("efi"), Some(true)));
    assert_eq!(vs.hardware_version.as_deref(), Some("vmx-19"));
    assert!(vs.has_tpm);
    assert_eq!(
        vs.network_interface,
        vec![
            NetworkInterface { adapter_type: Some("VmxNet3".into()), network: Some("VM Network".into()) },
            NetworkInterface { adapter_type: Some("E1000e".into()), network: Some("Storage & Backup".into()) },
        ]
    );
    let disk = &vs.disks[0];
    assert_eq!(
        (disk.disk_id.as_deref(), disk.capacity_bytes, disk.controller.as_deref(), disk.unit_number),
        (Some("vmdisk1"), Some(16 << 30), Some("scsi"), Some(0))
    );
    let hw = &d.virtual_systems[0].hardware;
    let written = hw.disks[0].controller.as_ref().unwrap();
    assert_eq!((disk.controller_subtype.as_ref(), disk.bus_number), (written.sub_type.as_ref(), written.bus_number));
    assert!(vs.disks.iter().all(|x| x.controller.is_some()), "{:?}", vs.disks);
    assert_eq!(vs.disks.len(), hw.disks.len());
    assert_eq!(vs.disks[1].capacity_bytes, Some(104_857_600));

    let nets: Vec<&str> = f.networks.iter().map(|n| n.name.as_str()).collect();
    assert_eq!(nets, ["VM Network", "Storage & Backup"]);
    assert_eq!(
        (f.files.len(), f.files[0].href.as_str(), f.files[0].size),
        (3, "photon-tpm-disk1.vmdk", Some(734_003_200))
    );
    assert_eq!(
        (f.disks[0].disk_id.as_str(), f.disks[0].file_id.as_deref(), f.disks[0].file_href.as_deref()),
        ("vmdisk1", Some("file1"), Some("photon-tpm-disk1.vmdk"))
    );
    assert_eq!(f.disks.len(), d.disks.len());

    // Types as vSphere writes them.
    for (key, ty) in [
        ("hostname", "string(1..63)"),
        ("ip0", "ip:VM Network"),
        ("root_password", "password(8..)"),
        ("log_level", "string[\"debug\", \"info\", \"warn\"]"),
        ("max_connections", "int(1..1024)"),
        ("enable_ssh", "boolean"),
        ("build_id", "string"),
        ("vami.gateway.photon-tpm", "string"),
    ] {
        assert_eq!(prop(&f, key).type_, ty, "{key}");
    }
    assert!(f.vapp_properties.iter().all(|p| parse_type(&p.type_).is_ok()), "{:?}", f.vapp_properties);
    let h = prop(&f, "hostname");
    assert_eq!((h.label.as_deref(), h.category.as_deref()), (Some("Host name"), Some("Networking")));
    assert_eq!((h.default_value.as_deref(), h.user_configurable), (Some("photon"), true));
    assert_eq!(h.virtual_system_id.as_deref(), Some("photon-tpm"));
    assert_eq!(prop(&f, "max_connections").ovf_type, "uint16");
    // OVF's `true` is vSphere's `True`.
    assert_eq!(prop(&f, "enable_ssh").default_value.as_deref(), Some("True"));
    let pw = prop(&f, "root_password");
    assert!(pw.password && pw.default_value.is_none());
    let g = prop(&f, "vami.gateway.photon-tpm");
    assert_eq!(
        (g.key.as_str(), g.class_id.as_deref(), g.instance_id.as_deref()),
        ("gateway", Some("vami"), Some("photon-tpm"))
    );
    // A single VM: every property is the VM's, listed in both places.
    assert_eq!(vs.vapp_properties, f.vapp_properties);
    assert_eq!(
        vs.vapp_properties.len(),
        d.virtual_systems[0].products.iter().map(|p| p.properties.len()).sum::<usize>()
    );

    let deps = &f.vservice_dependencies;
    assert_eq!(deps.len(), 2);
    assert_eq!(
        (deps[0].id.as_str(), deps[0].type_.as_str(), deps[0].name.as_deref(), deps[0].required),
        ("installation", "com.vmware.vservice.extension", Some("vCenter Extension Installation"), true)
    );
    assert!(deps[0].description.as_deref().is_some_and(|d| d.contains("vCenter Extension vService")));
    assert_eq!((deps[1].id.as_str(), deps[1].required), ("monitoring", false));
    assert_eq!(deps[0].virtual_system_id.as_deref(), Some("photon-tpm"));
    assert_eq!(&vs.vservice_dependencies, deps);
}

#[test]
fn a_vapp_names_itself_and_keeps_its_own_properties() {
    let d = parse_ovf(COLLECTION).unwrap();
    let f = OvfFacts::of(&d);
    assert!(f.is_vapp);
    assert_eq!(package_name(&d).as_deref(), Some("Three tier"));
    assert_eq!(f.ovf_version, Some(2));
    assert_eq!(f.virtual_systems.len(), d.virtual_systems.len());
    let ids: Vec<&str> = f.virtual_systems.iter().map(|v| v.id.as_str()).collect();
    assert!(ids.contains(&"web") && ids.contains(&"db"), "{ids:?}");
    let domain = prop(&f, "app.domain");
    assert_eq!((domain.virtual_system_id.as_deref(), domain.class_id.as_deref()), (None, Some("app")));
    assert_eq!(prop(&f, "db.disk_gb").type_, "int(10..4294967295)");
    assert_eq!(f.transports, ["com.vmware.guestInfo"]);
    // The vApp's own come first, then each virtual system's, which its
    // virtual system lists too.
    let own: usize = d.collections.iter().flat_map(|c| &c.products).map(|p| p.properties.len()).sum();
    assert!(own > 0);
    assert!(f.vapp_properties[..own].iter().all(|p| p.virtual_system_id.is_none()));
    let nested: Vec<Property> = f.virtual_systems.iter().flat_map(|v| v.vapp_properties.clone()).collect();
    assert_eq!(f.vapp_properties[own..], nested[..]);
    for vs in &f.virtual_systems {
        assert!(vs.vapp_properties.iter().all(|p| p.virtual_system_id.as_deref() == Some(vs.id.as_str())));
    }
}

/// A descriptor with one virtual system `vm1` holding `properties` in a
/// product section of class `app`.
fn with_properties(properties: &str) -> OvfDescriptor {
    let xml = format!(
        r#"<Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1" xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1">
  <VirtualSystem ovf:id="vm1"><Info>x</Info>
    <ProductSection ovf:class="app"><Info>p</Info>
      {properties}
    </ProductSection>
  </VirtualSystem>
</Envelope>"#
    );
    parse_ovf(xml.as_bytes()).unwrap()
}

fn only_property(d: &OvfDescriptor) -> Property {
    OvfFacts::of(d).virtual_systems[0].vapp_properties[0].clone()
}

#[test]
fn passwords_are_never_exposed() {
    let d = with_properties(r#"<Property ovf:key="k" ovf:type="string" ovf:password="true" ovf:value="s3cret"/>"#);
    let p = only_property(&d);
    assert!(p.password);
    assert_eq!(p.default_value, None);
    assert_eq!(p.type_, "password");
    assert_eq!(p.full_key, "app.k");
    // A password type is a secret without `ovf:password`.
    let d = with_properties(r#"<Property ovf:key="k" ovf:type="password(8..)" ovf:value="s3cret-too"/>"#);
    let p = only_property(&d);
    assert!(p.password && p.default_value.is_none(), "{p:?}");
    let d = with_properties(r#"<Property ovf:key="k" ovf:type="uint8" ovf:value="7"/>"#);
    let p = only_property(&d);
    assert_eq!((p.type_.as_str(), p.default_value.as_deref(), p.password), ("int(0..255)", Some("7"), false));
    assert_eq!(p.ovf_type, "uint8");
}

#[test]
fn bad_property_types_are_reported_with_their_place() {
    let d = with_properties(r#"<Property ovf:key="k" ovf:type="ipv9"/>"#);
    let problems = property_problems(&d);
    let [PropertyProblem { place, problem: Problem::UnsupportedType(msg) }] = problems.as_slice() else {
        panic!("{problems:?}")
    };
    assert_eq!(place, r#"property "app.k" of virtual system "vm1""#);
    assert!(msg.contains("ipv9"), "{msg}");
    // The fact still shows the type as written.
    assert_eq!(only_property(&d).type_, "ipv9");
    let d = with_properties(r#"<Property ovf:key="k" ovf:type="uint8" ovf:qualifiers="MinValue(x)"/>"#);
    assert!(matches!(property_problems(&d).as_slice(), [PropertyProblem { problem: Problem::UnsupportedType(_), .. }]));
}

#[test]
fn a_vapps_own_property_is_placed_on_the_vapp() {
    let d = parse_ovf(COLLECTION).unwrap();
    let mut xml = String::from_utf8(COLLECTION.to_vec()).unwrap();
    // Any property of the vApp's own section, its type made unknown.
    let c = &d.collections[0];
    let p = &c.products.iter().flat_map(|s| &s.properties).next().unwrap();
    let typed = format!(r#"ovf:key="{}" ovf:type="{}""#, p.key, p.type_);
    assert!(xml.contains(&typed), "{typed}");
    xml = xml.replacen(&typed, &format!(r#"ovf:key="{}" ovf:type="ipv9""#, p.key), 1);
    let problems = property_problems(&parse_ovf(xml.as_bytes()).unwrap());
    let [found] = problems.as_slice() else { panic!("{problems:?}") };
    assert_eq!(found.place, format!("property {:?} of vApp {:?}", p.full_key(), c.id));
}

#[test]
fn defaults_that_do_not_fit_are_found_and_never_show_a_secret() {
    let d = with_properties(
        r#"<Property ovf:key="port" ovf:type="uint16" ovf:qualifiers="MinValue(1) MaxValue(100)" ovf:value="8080"/>
           <Property ovf:key="pw" ovf:type="string" ovf:password="true" ovf:qualifiers="MinLen(8)" ovf:value="hunter2"/>
           <Property ovf:key="empty" ovf:type="uint16" ovf:value=""/>
           <Property ovf:key="flag" ovf:type="boolean" ovf:value="0"/>"#,
    );
    let problems = property_problems(&d);
    let misfits: Vec<(&str, &str)> = problems
        .iter()
        .map(|p| match &p.problem {
            Problem::DefaultDoesNotFit(m) => (p.place.as_str(), m.as_str()),
            other => panic!("{other:?}"),
        })
        .collect();
    let [(port, port_msg), (pw, pw_msg)] = misfits.as_slice() else { panic!("{misfits:?}") };
    assert!(port.contains("\"app.port\"") && port_msg.contains("8080"), "{port}: {port_msg}");
    assert!(pw.contains("\"app.pw\"") && !pw_msg.contains("hunter2"), "{pw}: {pw_msg}");
    let f = OvfFacts::of(&d);
    assert_eq!(prop(&f, "app.flag").default_value.as_deref(), Some("False"));
    assert_eq!(prop(&f, "app.port").default_value.as_deref(), Some("8080"), "still readable");
}
