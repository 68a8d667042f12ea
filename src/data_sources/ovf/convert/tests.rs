use super::*;
use crate::ovf::parse_ovf;
use crate::plugin::Diags;
use crate::plugin::diag::Severity;

const EXPORT: &[u8] = include_bytes!("../../../ovf/testdata/vsphere8-export.ovf");
const COLLECTION: &[u8] = include_bytes!("../../../ovf/testdata/collection-ovf2.ovf");

fn state_of(xml: &[u8]) -> (State, Diags) {
    to_state("x.ovf", &parse_ovf(xml).unwrap())
}

fn prop<'a>(s: &'a State, full_key: &str) -> &'a Property {
    s.vapp_properties.get().unwrap().iter().find(|p| p.full_key == full_key).unwrap_or_else(|| panic!("{full_key}"))
}

#[test]
fn a_vsphere_export_in_full() {
    let (s, d) = state_of(EXPORT);
    assert!(d.is_empty(), "{d:?}");
    assert_eq!(s.name.as_deref(), Some("photon-tpm"));
    assert_eq!(s.ovf_version.get(), Some(&1));
    assert_eq!(s.is_vapp.get(), Some(&false));
    assert_eq!(s.has_tpm.get(), Some(&true));
    assert_eq!(s.transports.get().unwrap(), &["com.vmware.guestInfo", "iso"]);

    let vs = &s.virtual_systems.get().unwrap()[0];
    assert_eq!((vs.id.as_str(), vs.guest_id.as_deref()), ("photon-tpm", Some("vmwarePhoton64Guest")));
    assert_eq!((vs.num_cpus, vs.cores_per_socket, vs.memory_mb), (Some(4), Some(2), Some(8192)));
    assert_eq!((vs.firmware.as_deref(), vs.secure_boot), (Some("efi"), Some(true)));
    assert_eq!(vs.hardware_version.as_deref(), Some("vmx-19"));
    assert!(vs.has_tpm);
    assert_eq!(
        vs.network_interface,
        vec![
            Nic { adapter_type: Some("VmxNet3".into()), network: Some("VM Network".into()) },
            Nic { adapter_type: Some("E1000e".into()), network: Some("Storage & Backup".into()) },
        ]
    );
    assert_eq!(
        vs.disks[0],
        VirtualDisk {
            disk_id: Some("vmdisk1".into()),
            capacity_bytes: Some(16 << 30),
            controller_type: Some("scsi".into()),
            unit_number: Some(0)
        }
    );
    assert_eq!(vs.disks[1].capacity_bytes, Some(104_857_600));

    let nets: Vec<&str> = s.networks.get().unwrap().iter().map(|n| n.name.as_str()).collect();
    assert_eq!(nets, ["VM Network", "Storage & Backup"]);
    let files = s.files.get().unwrap();
    assert_eq!((files.len(), files[0].href.as_str(), files[0].size), (3, "photon-tpm-disk1.vmdk", Some(734_003_200)));
    let disks = s.disks.get().unwrap();
    assert_eq!((disks[0].disk_id.as_str(), disks[0].file_id.as_deref()), ("vmdisk1", Some("file1")));

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
        assert_eq!(prop(&s, key).r#type, ty, "{key}");
    }
    let h = prop(&s, "hostname");
    assert_eq!((h.label.as_deref(), h.category.as_deref()), (Some("Host name"), Some("Networking")));
    assert_eq!((h.default_value.as_deref(), h.user_configurable), (Some("photon"), true));
    assert_eq!(h.virtual_system_id.as_deref(), Some("photon-tpm"));
    assert_eq!(prop(&s, "max_connections").ovf_type, "uint16");
    // OVF's `true` is vSphere's `True`.
    assert_eq!(prop(&s, "enable_ssh").default_value.as_deref(), Some("True"));
    let pw = prop(&s, "root_password");
    assert!(pw.password && pw.default_value.is_none());
    let g = prop(&s, "vami.gateway.photon-tpm");
    assert_eq!(
        (g.key.as_str(), g.class_id.as_deref(), g.instance_id.as_deref()),
        ("gateway", Some("vami"), Some("photon-tpm"))
    );

    let deps = s.vservice_dependencies.get().unwrap();
    assert_eq!(deps.len(), 2);
    assert_eq!(
        (deps[0].id.as_str(), deps[0].r#type.as_str(), deps[0].name.as_deref(), deps[0].required),
        ("installation", "com.vmware.vservice.extension", Some("vCenter Extension Installation"), true)
    );
    assert!(deps[0].description.as_deref().is_some_and(|d| d.contains("vCenter Extension vService")));
    assert_eq!((deps[1].id.as_str(), deps[1].required), ("monitoring", false));
}

#[test]
fn a_vapp_names_itself_and_keeps_its_own_properties() {
    let (s, d) = state_of(COLLECTION);
    assert!(d.is_empty(), "{d:?}");
    assert_eq!(s.is_vapp.get(), Some(&true));
    assert_eq!(s.name.as_deref(), Some("Three tier"));
    assert_eq!(s.ovf_version.get(), Some(&2));
    let ids: Vec<&str> = s.virtual_systems.get().unwrap().iter().map(|v| v.id.as_str()).collect();
    assert!(ids.contains(&"web") && ids.contains(&"db"), "{ids:?}");
    let domain = prop(&s, "app.domain");
    assert_eq!((domain.virtual_system_id.as_deref(), domain.class_id.as_deref()), (None, Some("app")));
    assert_eq!(prop(&s, "db.disk_gb").r#type, "int(10..4294967295)");
    assert_eq!(s.transports.get().unwrap(), &["com.vmware.guestInfo"]);
}

/// A descriptor with one virtual system holding `properties`.
fn with_properties(properties: &str) -> Vec<u8> {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1" xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1">
  <VirtualSystem ovf:id="vm">
    <Info>A VM</Info>
    <ProductSection>
      <Info>Properties</Info>
      {properties}
    </ProductSection>
  </VirtualSystem>
</Envelope>"#
    )
    .into_bytes()
}

fn messages(d: &Diags, severity: Severity) -> Vec<String> {
    d.0.iter().filter(|x| x.severity == severity).map(|x| x.detail.clone()).collect()
}

#[test]
fn types_vsphere_cannot_take_are_errors_naming_the_property() {
    let (_, d) = state_of(&with_properties(
        r#"<Property ovf:key="odd" ovf:type="uint128"/>
           <Property ovf:key="bounds" ovf:type="uint8" ovf:qualifiers="MinValue(x)"/>
           <Property ovf:key="fine" ovf:type="string"/>"#,
    ));
    let errors = messages(&d, Severity::Error);
    assert_eq!(errors.len(), 2, "{d:?}");
    assert!(errors[0].contains("\"odd\"") && errors[0].contains("uint128"), "{}", errors[0]);
    assert!(errors[1].contains("\"bounds\""), "{}", errors[1]);
    assert!(d.0.iter().all(|x| x.path == Some(AttrPath::attr("path"))));
}

#[test]
fn defaults_that_do_not_fit_are_warnings_and_never_show_a_secret() {
    let (s, d) = state_of(&with_properties(
        r#"<Property ovf:key="port" ovf:type="uint16" ovf:qualifiers="MinValue(1) MaxValue(100)" ovf:value="8080"/>
           <Property ovf:key="pick" ovf:type="string" ovf:qualifiers="ValueMap{&quot;a&quot;,&quot;b&quot;}" ovf:value="c"/>
           <Property ovf:key="pw" ovf:type="string" ovf:password="true" ovf:qualifiers="MinLen(8)" ovf:value="hunter2"/>
           <Property ovf:key="empty" ovf:type="uint16" ovf:value=""/>
           <Property ovf:key="flag" ovf:type="boolean" ovf:value="0"/>
           <Property ovf:key="bad_flag" ovf:type="boolean" ovf:value="yes"/>"#,
    ));
    assert!(!d.has_errors(), "{d:?}");
    let warnings = messages(&d, Severity::Warning);
    assert_eq!(warnings.len(), 4, "{warnings:?}");
    assert!(warnings[0].contains("\"port\"") && warnings[0].contains("8080") && warnings[0].contains("default_value"));
    assert!(warnings[1].contains("\"pick\""), "{}", warnings[1]);
    assert!(warnings[2].contains("\"pw\"") && !warnings[2].contains("hunter2"), "{}", warnings[2]);
    assert!(warnings[3].contains("\"bad_flag\""), "{}", warnings[3]);
    assert_eq!(prop(&s, "port").default_value.as_deref(), Some("8080"), "still readable");
    assert_eq!(prop(&s, "flag").default_value.as_deref(), Some("False"));
    assert_eq!(prop(&s, "pw").default_value, None);
}

/// Every field of every object type survives encoding: a field missing from
/// the schema's object types (or misnamed) would be dropped silently.
#[test]
fn object_types_match_the_state_structs() {
    use crate::plugin::cty;
    let (s, _) = state_of(EXPORT);
    let schema = super::super::schema::schema();
    let encoded = crate::plugin::traits::encode(&s, &schema).unwrap();
    let mut want = serde_json::to_value(&s).unwrap();
    let mut got = cty::to_json(&encoded);
    // Numbers may come back in another representation; compare as text.
    normalise(&mut want);
    normalise(&mut got);
    assert_eq!(got, want);
}

fn normalise(v: &mut serde_json::Value) {
    match v {
        serde_json::Value::Number(n) => *v = serde_json::Value::String(n.to_string()),
        serde_json::Value::Array(a) => a.iter_mut().for_each(normalise),
        serde_json::Value::Object(m) => m.values_mut().for_each(normalise),
        _ => {}
    }
}

/// The descriptor shipped with `examples/ovf-inspect` reads cleanly.
#[test]
fn the_example_descriptor_reads_without_diagnostics() {
    let (s, d) = state_of(include_bytes!("../../../../examples/ovf-inspect/appliance.ovf"));
    assert!(d.is_empty(), "{d:?}");
    assert_eq!(s.name.as_deref(), Some("example-appliance"));
    assert_eq!(s.has_tpm.get(), Some(&true));
    assert_eq!(s.transports.get().unwrap(), &["iso", "com.vmware.guestInfo"]);
    assert_eq!(prop(&s, "workers").r#type, "int(1..16)");
    assert_eq!(prop(&s, "tls").default_value.as_deref(), Some("True"));
    assert!(!s.vservice_dependencies.get().unwrap()[0].required);
}
