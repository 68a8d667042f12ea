//! End-to-end tests of [`parse_ovf`] and [`read_descriptor_file`]: real
//! shaped descriptors, then malformed and hostile ones.

use super::limits::{MAX_ATTRIBUTE_BYTES, MAX_DEPTH, MAX_DESCRIPTOR_BYTES, MAX_ELEMENTS};
use super::*;

const EXPORT: &str = include_str!("testdata/vsphere8-export.ovf");
const COLLECTION: &str = include_str!("testdata/collection-ovf2.ovf");

fn parse(doc: &str) -> Result<OvfDescriptor, OvfError> {
    parse_ovf(doc.as_bytes())
}

/// A minimal valid OVF 1 envelope around `body` (the VirtualSystem's
/// children), with the usual prefixes bound.
fn envelope(body: &str) -> String {
    format!(
        r#"<Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1" xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1"
  xmlns:vmw="http://www.vmware.com/schema/ovf"
  xmlns:rasd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData">
  <VirtualSystem ovf:id="vm">{body}</VirtualSystem></Envelope>"#
    )
}

#[test]
fn vsphere_export_envelope() {
    let d = parse(EXPORT).unwrap();
    assert_eq!(d.ovf_version, 1);
    assert!(!d.is_collection);
    assert!(d.collections.is_empty());

    let hrefs: Vec<(&str, &str, Option<u64>)> =
        d.references.iter().map(|f| (f.id.as_str(), f.href.as_str(), f.size)).collect();
    assert_eq!(
        hrefs,
        [
            ("file1", "photon-tpm-disk1.vmdk", Some(734_003_200)),
            ("file2", "photon-tpm-disk2.vmdk", Some(68_608)),
            ("file3", "photon-tpm-3.nvram", Some(270_840)),
        ]
    );

    assert_eq!(d.disks.len(), 2);
    let d1 = d.disk("vmdisk1").unwrap();
    assert_eq!(d1.capacity_bytes, Some(16 << 30));
    assert_eq!(d1.file_ref.as_deref(), Some("file1"));
    assert_eq!(d1.populated_size, Some(1_873_805_312));
    assert!(d1.format.as_deref().unwrap().ends_with("#streamOptimized"));
    assert_eq!(d.disk("vmdisk2").unwrap().capacity_bytes, Some(100 << 20));

    let nets: Vec<(&str, Option<&str>)> =
        d.networks.iter().map(|n| (n.name.as_str(), n.description.as_deref())).collect();
    assert_eq!(
        nets,
        [("VM Network", Some("The VM Network network")), ("Storage & Backup", Some("The Storage & Backup network"))]
    );
}

#[test]
fn vsphere_export_virtual_system_and_hardware() {
    let d = parse(EXPORT).unwrap();
    assert_eq!(d.virtual_systems.len(), 1);
    let vs = &d.virtual_systems[0];
    assert_eq!(vs.id, "photon-tpm");
    assert_eq!(vs.name.as_deref(), Some("photon-tpm"));
    assert_eq!(vs.collection_id, None);
    assert_eq!(vs.annotation.as_deref(), Some("Photon OS 5 appliance with a virtual TPM"));
    let os = vs.os_type.as_ref().unwrap();
    assert_eq!(os.id, Some(36));
    assert_eq!(os.vmw_os_type.as_deref(), Some("vmwarePhoton64Guest"));
    assert_eq!(os.description.as_deref(), Some("VMware Photon OS (64-bit)"));
    // The extension's own VirtualHardwareSection (wrong namespace) is ignored.
    assert_eq!(vs.transports, ["com.vmware.guestInfo", "iso"]);

    let hw = &vs.hardware;
    assert_eq!(hw.num_cpus, Some(4));
    assert_eq!(hw.cores_per_socket, Some(2));
    assert_eq!(hw.memory_mb, Some(8192));
    assert_eq!(hw.firmware.as_deref(), Some("efi"));
    assert_eq!(hw.secure_boot, Some(true));
    assert_eq!(hw.hardware_version.as_deref(), Some("vmx-19"));
    assert!(hw.has_tpm);
    assert!(hw.vmw_config.contains(&("tools.toolsUpgradePolicy".into(), "manual".into())));
    assert!(!hw.vmw_config.iter().any(|(k, _)| k == "guestinfo.appliance.role"), "ExtraConfig is not Config");

    let nics: Vec<(Option<&str>, Option<&str>)> =
        hw.nics.iter().map(|n| (n.adapter_type.as_deref(), n.network_name.as_deref())).collect();
    assert_eq!(nics, [(Some("VmxNet3"), Some("VM Network")), (Some("E1000e"), Some("Storage & Backup"))]);

    let kinds: Vec<ControllerKind> = hw.controllers.iter().map(|c| c.kind).collect();
    assert_eq!(kinds, [ControllerKind::Scsi, ControllerKind::Sata, ControllerKind::Ide, ControllerKind::Ide]);
    let scsi: Vec<&Controller> = hw.scsi_controllers().collect();
    assert_eq!(scsi.len(), 1);
    assert_eq!(scsi[0].sub_type.as_deref(), Some("VirtualSCSI"));
    assert_eq!(scsi[0].bus_number, Some(0));
    assert_eq!(scsi[0].instance_id, "3");

    assert_eq!(hw.disks.len(), 2);
    assert_eq!(hw.disks[0].disk_id.as_deref(), Some("vmdisk1"));
    assert_eq!(hw.disks[0].capacity_bytes, Some(16 << 30));
    assert_eq!(hw.disks[0].unit_number, Some(0));
    assert_eq!(hw.disks[0].controller.as_ref(), Some(scsi[0]));
    assert_eq!(hw.disks[1].disk_id.as_deref(), Some("vmdisk2"));
    assert_eq!(hw.disks[1].capacity_bytes, Some(100 << 20));
    assert_eq!(hw.disks[1].unit_number, Some(1));
}

#[test]
fn vsphere_export_products_and_properties() {
    let d = parse(EXPORT).unwrap();
    let vs = &d.virtual_systems[0];
    assert_eq!(vs.products.len(), 2);
    let p = &vs.products[0];
    assert_eq!(p.class, None);
    assert_eq!(p.product.as_deref(), Some("Photon Appliance"));
    assert_eq!(p.vendor.as_deref(), Some("Example Corp."));
    assert_eq!(p.version.as_deref(), Some("5.0"));
    assert_eq!(p.full_version.as_deref(), Some("5.0.1-build-4242"));
    assert_eq!(p.product_url.as_deref(), Some("https://example.com/photon-appliance"));
    assert_eq!(p.vendor_url.as_deref(), Some("https://example.com/"));

    let keys: Vec<&str> = p.properties.iter().map(|p| p.key.as_str()).collect();
    assert_eq!(keys, ["hostname", "ip0", "root_password", "log_level", "max_connections", "enable_ssh", "build_id"]);
    let by_key = |k: &str| p.properties.iter().find(|p| p.key == k).unwrap();

    let host = by_key("hostname");
    assert_eq!(host.type_, "string");
    assert_eq!(host.qualifiers.as_deref(), Some("MinLen(1),MaxLen(63)"));
    assert!(host.user_configurable);
    assert!(!host.password);
    assert_eq!(host.default_value.as_deref(), Some("photon"));
    assert_eq!(host.label.as_deref(), Some("Host name"));
    assert_eq!(host.category.as_deref(), Some("Networking"));
    assert_eq!(host.vsphere_type().unwrap(), "string(1..63)");

    let ip = by_key("ip0");
    assert_eq!(ip.vmw_qualifiers.as_deref(), Some("Ip('VM Network')"));
    assert_eq!(ip.description.as_deref(), Some("Static IPv4 or IPv6 address on VM Network. Leave empty for <DHCP>."));
    assert_eq!(ip.vsphere_type().unwrap(), "ip:VM Network");

    let pw = by_key("root_password");
    assert!(pw.password);
    assert_eq!(pw.default_value, None);
    assert_eq!(pw.category.as_deref(), Some("Credentials"));
    assert_eq!(pw.vsphere_type().unwrap(), "password(8..)");

    let level = by_key("log_level");
    assert_eq!(level.qualifiers.as_deref(), Some(r#"ValueMap{"debug","info","warn"}"#));
    assert_eq!(level.vsphere_type().unwrap(), r#"string["debug", "info", "warn"]"#);
    assert_eq!(level.category.as_deref(), Some("Advanced"));

    let max = by_key("max_connections");
    assert_eq!(max.type_, "uint16");
    assert_eq!(max.vsphere_type().unwrap(), "int(1..1024)");

    let ssh = by_key("enable_ssh");
    assert_eq!(ssh.vsphere_type().unwrap(), "boolean");
    assert_eq!(ssh.default_value.as_deref(), Some("true"));

    let build = by_key("build_id");
    assert!(!build.user_configurable, "userConfigurable defaults to false");

    let vami = &vs.products[1];
    assert_eq!(vami.class.as_deref(), Some("vami"));
    assert_eq!(vami.instance.as_deref(), Some("photon-tpm"));
    let gw = &vami.properties[0];
    assert_eq!(gw.class_id.as_deref(), Some("vami"));
    assert_eq!(gw.instance_id.as_deref(), Some("photon-tpm"));
    assert_eq!(gw.full_key(), "vami.gateway.photon-tpm");
    assert_eq!(gw.category.as_deref(), Some("Networking Properties"));
    assert_eq!(host.full_key(), "hostname");
}

#[test]
fn vsphere_export_vservice_dependencies() {
    let d = parse(EXPORT).unwrap();
    let deps = &d.virtual_systems[0].vservice_dependencies;
    assert_eq!(deps.len(), 2);
    let install = &deps[0];
    assert_eq!(install.id, "installation");
    assert_eq!(install.type_, "com.vmware.vservice.extension");
    assert_eq!(install.name.as_deref(), Some("vCenter Extension Installation"));
    assert!(install.description.as_deref().unwrap().starts_with("This appliance requires a binding"));
    assert!(install.required);
    assert_eq!(install.providers.len(), 1);
    assert_eq!(install.providers[0].name, "vCenter Extension vService");
    assert_eq!(install.providers[0].validation_result.as_deref(), Some("GREEN"));
    let monitoring = &deps[1];
    assert_eq!(monitoring.id, "monitoring");
    assert!(!monitoring.required);
    assert!(monitoring.providers.is_empty());
}

#[test]
fn vservice_dependency_defaults_to_required() {
    // As the vCenter Extension vService documentation writes it, minus
    // ovf:required: OVF sections are required unless they say otherwise.
    let d = parse(&envelope(
        r#"<vmw:vServiceDependencySection vmw:id="installation">
             <Info>A vService dependency</Info>
             <vmw:Type>com.vmware.vservice.extension</vmw:Type>
             <vmw:Configuration/>
           </vmw:vServiceDependencySection>
           <VirtualHardwareSection ovf:transport="iso"/>"#,
    ))
    .unwrap();
    let vs = &d.virtual_systems[0];
    assert!(vs.vservice_dependencies[0].required);
    assert_eq!(vs.vservice_dependencies[0].name, None);
    assert_eq!(vs.transports, ["iso"]);
}

#[test]
fn collection_ovf2_flattened() {
    let d = parse(COLLECTION).unwrap();
    assert_eq!(d.ovf_version, 2);
    assert!(d.is_collection);

    let colls: Vec<(&str, Option<&str>)> =
        d.collections.iter().map(|c| (c.id.as_str(), c.parent_id.as_deref())).collect();
    assert_eq!(colls, [("three-tier", None), ("data-tier", Some("three-tier"))]);
    assert_eq!(d.collections[0].name.as_deref(), Some("Three tier"));
    let app = &d.collections[0].products[0];
    assert_eq!(app.properties[0].full_key(), "app.domain");

    let vss: Vec<(&str, Option<&str>)> =
        d.virtual_systems.iter().map(|v| (v.id.as_str(), v.collection_id.as_deref())).collect();
    assert_eq!(vss, [("web", Some("three-tier")), ("db", Some("data-tier"))]);

    assert_eq!(d.default_deployment_option().map(|o| o.id.as_str()), Some("large"));
    assert_eq!(d.deployment_options[0].description.as_deref(), Some("For tests"));
    assert_eq!(d.file("db-file").and_then(|f| f.chunk_size), Some(2_147_483_648));

    let web = &d.virtual_systems[0];
    assert_eq!(web.hardware.hardware_version.as_deref(), Some("vmx-21"));
    assert_eq!(web.hardware.memory_mb, Some(2048));
    assert_eq!(
        web.hardware.nics,
        [Nic { adapter_type: Some("VmxNet3".into()), network_name: Some("frontend".into()) }]
    );
    let disk = &web.hardware.disks[0];
    assert_eq!(disk.capacity_bytes, Some(8 << 30));
    assert_eq!(disk.controller.as_ref().map(|c| c.kind), Some(ControllerKind::Nvme));
    assert_eq!(web.os_type.as_ref().and_then(|o| o.id), Some(101));

    let db = &d.virtual_systems[1];
    assert_eq!(db.transports, Vec::<String>::new());
    assert_eq!(db.hardware.num_cpus, Some(4));
    assert_eq!(db.hardware.memory_mb, Some(64 * 1024), "the default option (large) decides");
    assert_eq!(db.hardware.nics.len(), 1);
    let data = &db.hardware.disks[0];
    assert_eq!(data.disk_id.as_deref(), Some("db-data"));
    assert_eq!(data.capacity_bytes, None);
    assert_eq!(d.disk("db-data").and_then(|x| x.capacity_property.as_deref()), Some("db.disk_gb"));
    assert_eq!(db.hardware.disks[1].capacity_bytes, Some(10 << 30), "new disk sized by the item");
    let prop = &db.products[0].properties[0];
    assert_eq!(prop.vsphere_type().unwrap(), "int(10..4294967295)");
    assert_eq!(
        prop.configuration_values,
        [PropertyConfigurationValue { value: "200".into(), configuration: Some("large".into()) }]
    );
}

#[test]
fn unusual_prefixes_parse_the_same() {
    // Rebind every namespace to other prefixes: only URIs matter.
    // `ovf:/disk/…` is a URI, not a prefixed name, and the CDATA is text:
    // both are kept out of the renaming.
    let renamed = EXPORT
        .replace("ovf:/disk/", "\u{1}")
        .replace("<DHCP>", "\u{2}")
        .replace("xmlns=\"http://schemas.dmtf.org/ovf/envelope/1\"", "")
        .replace("xmlns:ovf=", "xmlns:o=")
        .replace("ovf:", "o:")
        .replace("xmlns:vmw=", "xmlns:vmware-ext=")
        .replace("vmw:", "vmware-ext:")
        .replace("xmlns:rasd=", "xmlns:r=")
        .replace("rasd:", "r:")
        .replace("<", "<o:")
        .replace("<o:/", "</o:")
        .replace("<o:?", "<?")
        .replace("<o:!", "<!")
        .replace("<o:vmware-ext:", "<vmware-ext:")
        .replace("</o:vmware-ext:", "</vmware-ext:")
        .replace("<o:r:", "<r:")
        .replace("</o:r:", "</r:")
        .replace("<o:vssd:", "<vssd:")
        .replace("</o:vssd:", "</vssd:")
        .replace("<o:ext:", "<ext:")
        .replace("</o:ext:", "</ext:")
        .replace('\u{1}', "ovf:/disk/")
        .replace('\u{2}', "<DHCP>");
    assert!(renamed.contains("<o:Envelope"), "{}", &renamed[..400]);
    assert_eq!(parse(&renamed).unwrap(), parse(EXPORT).unwrap());
}

#[test]
fn wrong_namespaces() {
    // The root must be the OVF Envelope, by namespace.
    let e = parse(r#"<Envelope xmlns="urn:not-ovf"><VirtualSystem/></Envelope>"#).unwrap_err();
    assert!(matches!(e, OvfError::NotOvf(_)), "{e}");
    assert!(matches!(parse("<Envelope/>"), Err(OvfError::NotOvf(_))));
    let e = parse(r#"<VirtualSystem xmlns="http://schemas.dmtf.org/ovf/envelope/1"/>"#).unwrap_err();
    assert!(matches!(e, OvfError::NotOvf(_)), "{e}");

    // Inside, foreign elements are extensions: skipped, even with OVF names.
    let doc = r#"<Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1" xmlns:x="urn:evil">
        <x:VirtualSystem x:id="evil"/></Envelope>"#;
    assert!(matches!(parse(doc), Err(OvfError::Missing(_))));
    // Mixing OVF 1 and 2: the envelope's namespace wins.
    let doc = r#"<Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1" xmlns:v2="http://schemas.dmtf.org/ovf/envelope/2"
        xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1">
        <v2:VirtualSystem ovf:id="two"/><VirtualSystem ovf:id="one"/></Envelope>"#;
    let d = parse(doc).unwrap();
    assert_eq!(d.virtual_systems.len(), 1);
    assert_eq!(d.virtual_systems[0].id, "one");

    // Hardware fields outside the CIM namespaces and attributes in a foreign
    // namespace do not count.
    let d = parse(&envelope(
        r#"<VirtualHardwareSection xmlns:x="urn:evil" x:transport="iso">
             <Item><x:ResourceType>3</x:ResourceType><x:VirtualQuantity>64</x:VirtualQuantity></Item>
             <Item><rasd:ResourceType>3</rasd:ResourceType><rasd:VirtualQuantity>2</rasd:VirtualQuantity></Item>
           </VirtualHardwareSection>"#,
    ))
    .unwrap();
    assert_eq!(d.virtual_systems[0].hardware.num_cpus, Some(2));
    assert!(d.virtual_systems[0].transports.is_empty());
    let e = parse(
        r#"<Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1" xmlns:x="urn:evil">
        <VirtualSystem x:id="vm"/></Envelope>"#,
    )
    .unwrap_err();
    assert!(matches!(e, OvfError::Missing(_)), "{e}");

    // Undeclared prefixes are not XML namespaces at all.
    let e = parse(r#"<Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1"><ovf:VirtualSystem/></Envelope>"#);
    assert!(matches!(e, Err(OvfError::Xml { .. })));
}

#[test]
fn unqualified_attributes_are_accepted() {
    let doc = r#"<Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1">
        <References><File id="f" href="d.vmdk" size="3"/></References>
        <VirtualSystem id="vm"/></Envelope>"#;
    let d = parse(doc).unwrap();
    assert_eq!(d.references[0].href, "d.vmdk");
    assert_eq!(d.virtual_systems[0].id, "vm");
}

#[test]
fn doctype_and_entities_are_refused() {
    let doc = r#"<?xml version="1.0"?><!DOCTYPE Envelope [<!ENTITY x "boom">]>
        <Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1"><VirtualSystem ovf:id="&x;"/></Envelope>"#;
    assert!(matches!(parse(doc), Err(OvfError::Doctype)));

    let mut laughs = String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n");
    laughs.push_str(" <!ENTITY lol1 \"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\">\n");
    for i in 2..10 {
        let prev = i - 1;
        let refs = format!("&lol{prev};").repeat(10);
        laughs.push_str(&format!(" <!ENTITY lol{i} \"{refs}\">\n"));
    }
    laughs.push_str("]>\n<lolz>&lol9;</lolz>");
    assert!(matches!(parse(&laughs), Err(OvfError::Doctype)));

    // External entities need a DTD too.
    let xxe = r#"<!DOCTYPE Envelope [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><Envelope>&xxe;</Envelope>"#;
    assert!(matches!(parse(xxe), Err(OvfError::Doctype)));

    // An entity reference without any DTD is just an error.
    let e = parse(&envelope("<Name>&lol9;</Name>")).unwrap_err();
    assert!(matches!(e, OvfError::Xml { .. }), "{e}");
}

#[test]
fn deep_nesting_is_refused() {
    let depth = 20_000;
    let doc = envelope(&format!("{}{}", "<x>".repeat(depth), "</x>".repeat(depth)));
    let e = parse(&doc).unwrap_err();
    assert!(matches!(e, OvfError::Limit(_)), "{e}");
    // Just inside the limit is fine (Envelope and VirtualSystem are 2 levels).
    let ok = envelope(&format!("{}{}", "<x>".repeat(MAX_DEPTH - 2), "</x>".repeat(MAX_DEPTH - 2)));
    assert!(parse(&ok).is_ok());
    // Nested collections recurse in the parser: bounded by the same limit.
    let ns = r#" xmlns="http://schemas.dmtf.org/ovf/envelope/1" xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1""#;
    let n = 5_000;
    let nested = format!(
        "<Envelope{ns}>{}{}</Envelope>",
        "<VirtualSystemCollection ovf:id=\"c\">".repeat(n),
        "</VirtualSystemCollection>".repeat(n)
    );
    assert!(matches!(parse(&nested), Err(OvfError::Limit(_))));
}

#[test]
fn element_count_is_capped() {
    let doc = envelope(&"<x/>".repeat(MAX_ELEMENTS));
    assert!(matches!(parse(&doc), Err(OvfError::Limit(_))));
}

#[test]
fn huge_attribute_is_refused() {
    let doc = envelope(&format!(
        r#"<ProductSection><Property ovf:key="k" ovf:type="string" ovf:value="{}"/></ProductSection>"#,
        "A".repeat(MAX_ATTRIBUTE_BYTES + 1)
    ));
    let e = parse(&doc).unwrap_err();
    assert!(matches!(e, OvfError::Limit(_)), "{e}");
    // A 64 Ki-character value is legitimate.
    let doc = envelope(&format!(
        r#"<ProductSection><Property ovf:key="k" ovf:type="string" ovf:value="{}"/></ProductSection>"#,
        "\u{e9}".repeat(65_535)
    ));
    let d = parse(&doc).unwrap();
    assert_eq!(
        d.virtual_systems[0].products[0].properties[0].default_value.as_ref().map(|v| v.chars().count()),
        Some(65_535)
    );
}

#[test]
fn oversized_descriptor_is_refused() {
    let mut big = envelope("").into_bytes();
    big.resize(MAX_DESCRIPTOR_BYTES + 1, b' ');
    assert!(matches!(parse_ovf(&big), Err(OvfError::TooLarge { .. })));
}

#[test]
fn truncated_descriptors_are_errors() {
    let bytes = EXPORT.as_bytes();
    let end = EXPORT.rfind("</Envelope>").unwrap();
    let mut cut = 0;
    while cut < end {
        assert!(parse_ovf(&bytes[..cut]).is_err(), "prefix of {cut} bytes parsed");
        cut += if cut < 400 { 1 } else { 37 };
    }
    assert!(parse_ovf(&bytes[..end]).is_err());
    assert!(parse_ovf(b"").is_err());
    assert!(parse_ovf(b"   \n").is_err());
}

#[test]
fn malformed_xml_is_an_error() {
    let cases = [
        "<Envelope xmlns=\"http://schemas.dmtf.org/ovf/envelope/1\"></VirtualSystem>",
        "<Envelope xmlns=\"http://schemas.dmtf.org/ovf/envelope/1\" a=\"1\" a=\"2\"/>",
        "junk",
        "<Envelope",
    ];
    for c in cases {
        assert!(parse(c).is_err(), "{c:?} parsed");
    }
    let trailing = format!("{EXPORT}<Envelope/>");
    assert!(matches!(parse(&trailing), Err(OvfError::Xml { .. })));
    let mut not_utf8 = envelope("<Name>x</Name>").into_bytes();
    let at = not_utf8.windows(3).position(|w| w == b">x<").unwrap();
    not_utf8[at + 1] = 0xff;
    assert!(matches!(parse_ovf(&not_utf8), Err(OvfError::Xml { .. })));
}

#[test]
fn structural_errors() {
    let two = r#"<Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1" xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1">
        <VirtualSystem ovf:id="a"/><VirtualSystem ovf:id="b"/></Envelope>"#;
    assert!(matches!(parse(two), Err(OvfError::NotOvf(_))));
    assert!(matches!(
        parse(r#"<Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1"><VirtualSystem/></Envelope>"#),
        Err(OvfError::Missing(_))
    ));
    let cases = [
        (r#"<ProductSection><Property ovf:type="string"/></ProductSection>"#, "key"),
        (r#"<ProductSection><Property ovf:key="k"/></ProductSection>"#, "type"),
        (r#"<vmw:vServiceDependencySection vmw:id="x"/>"#, "Type"),
        (r#"<vmw:vServiceDependencySection><vmw:Type>t</vmw:Type></vmw:vServiceDependencySection>"#, "id"),
    ];
    for (body, word) in cases {
        let e = parse(&envelope(body)).unwrap_err();
        assert!(matches!(e, OvfError::Missing(_)) && e.to_string().contains(word), "{body}: {e}");
    }
}

#[test]
fn invalid_values() {
    let cases = [
        r#"<ProductSection><Property ovf:key="k" ovf:type="string" ovf:password="maybe"/></ProductSection>"#,
        r#"<OperatingSystemSection ovf:id="ninety"/>"#,
        r#"<VirtualHardwareSection><Item><rasd:ResourceType>three</rasd:ResourceType></Item></VirtualHardwareSection>"#,
        r#"<VirtualHardwareSection><Item><rasd:ResourceType>4</rasd:ResourceType><rasd:VirtualQuantity>-1</rasd:VirtualQuantity></Item></VirtualHardwareSection>"#,
        r#"<VirtualHardwareSection><Item><rasd:ResourceType>4</rasd:ResourceType><rasd:AllocationUnits>hertz</rasd:AllocationUnits><rasd:VirtualQuantity>1</rasd:VirtualQuantity></Item></VirtualHardwareSection>"#,
        r#"<VirtualHardwareSection><Item><rasd:ResourceType>3</rasd:ResourceType><rasd:VirtualQuantity>99999999999999999999999</rasd:VirtualQuantity></Item></VirtualHardwareSection>"#,
        r#"<VirtualHardwareSection><Item><rasd:ResourceType>3</rasd:ResourceType><rasd:VirtualQuantity>1</rasd:VirtualQuantity><vmw:CoresPerSocket>x</vmw:CoresPerSocket></Item></VirtualHardwareSection>"#,
        r#"<VirtualHardwareSection><vmw:Config vmw:key="bootOptions.efiSecureBootEnabled" vmw:value="sometimes"/></VirtualHardwareSection>"#,
    ];
    for body in cases {
        let e = parse(&envelope(body)).unwrap_err();
        assert!(matches!(e, OvfError::Invalid { .. }), "{body}: {e}");
    }
    let disk = |cap: &str, units: &str| {
        format!(
            r#"<Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1" xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1">
            <DiskSection><Disk ovf:diskId="d" ovf:capacity="{cap}" ovf:capacityAllocationUnits="{units}"/></DiskSection>
            <VirtualSystem ovf:id="vm"/></Envelope>"#
        )
    };
    assert!(parse(&disk("10", "byte * 2^30")).is_ok());
    for (cap, units) in [("ten", "byte"), ("10", "byte * 7^2"), ("18446744073709551615", "byte * 2^30"), ("", "byte")] {
        let e = parse(&disk(cap, units)).unwrap_err();
        assert!(matches!(e, OvfError::Invalid { .. } | OvfError::Missing(_)), "{cap} {units}: {e}");
    }
}

#[test]
fn read_descriptor_file_by_content() {
    let dir = tempfile::tempdir().unwrap();
    let ovf = dir.path().join("appliance.ovf");
    std::fs::write(&ovf, EXPORT).unwrap();
    assert_eq!(read_descriptor_file(&ovf).unwrap(), parse(EXPORT).unwrap());

    // XML in a file named .ova is refused as an archive, not parsed.
    let fake = dir.path().join("fake.ova");
    std::fs::write(&fake, EXPORT).unwrap();
    assert!(matches!(read_descriptor_file(&fake), Err(OvfError::Archive(_))));

    assert!(matches!(read_descriptor_file(dir.path()), Err(OvfError::Io { .. })));
    assert!(matches!(read_descriptor_file(&dir.path().join("missing.ovf")), Err(OvfError::Io { .. })));

    // Too big: refused from its length, never read (sparse file).
    let big = dir.path().join("big.ovf");
    let f = std::fs::File::create(&big).unwrap();
    f.set_len(MAX_DESCRIPTOR_BYTES as u64 + 1).unwrap();
    drop(f);
    assert!(matches!(read_descriptor_file(&big), Err(OvfError::TooLarge { .. })));
}

/// A xorshift generator: deterministic "random" input without a new
/// dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

#[test]
fn random_bytes_never_panic() {
    let mut rng = Rng(0x2545_f491_4f6c_dd1d);
    for _ in 0..2_000 {
        let len = rng.below(300);
        let bytes: Vec<u8> = (0..len).map(|_| rng.next() as u8).collect();
        let _ = parse_ovf(&bytes);
        // Random ASCII from XML's alphabet gets further into the parser.
        let alphabet = b"<>/=\"' &;#x![]?-:abcovfEnvelopeVirtualSystemItem0123456789\n";
        let xmlish: Vec<u8> = (0..len).map(|_| alphabet[rng.below(alphabet.len())]).collect();
        let _ = parse_ovf(&xmlish);
    }
}

#[test]
fn mutated_descriptors_never_panic() {
    let seeds = [EXPORT.as_bytes(), COLLECTION.as_bytes()];
    let tokens: [&[u8]; 14] = [
        b"<",
        b"</Item>",
        b"&amp;",
        b"&#x0;",
        b"]]>",
        b"<!DOCTYPE x>",
        b"ovf:",
        b"\"",
        b"99999999999999999999999",
        b"${x}",
        b"<Item><rasd:ResourceType>17</rasd:ResourceType><rasd:HostResource>ovf:/disk/zz</rasd:HostResource></Item>",
        b"ValueMap{\"",
        b"\xff\xfe",
        b"xmlns:ovf=\"urn:x\" ",
    ];
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut parsed = 0;
    for i in 0..1_500 {
        let mut doc = seeds[i % seeds.len()].to_vec();
        for _ in 0..=rng.below(4) {
            if doc.is_empty() {
                break;
            }
            let at = rng.below(doc.len());
            match rng.below(4) {
                0 => doc[at] = rng.next() as u8,
                1 => {
                    let n = rng.below(64).min(doc.len() - at);
                    doc.drain(at..at + n);
                }
                2 => {
                    let t = tokens[rng.below(tokens.len())];
                    doc.splice(at..at, t.iter().copied());
                }
                _ => {
                    let n = rng.below(200).min(doc.len() - at);
                    let copy = doc[at..at + n].to_vec();
                    doc.splice(at..at, copy);
                }
            }
        }
        if let Ok(d) = parse_ovf(&doc) {
            parsed += 1;
            // Whatever parses must also translate types without panicking.
            for p in d.virtual_systems.iter().flat_map(|v| &v.products).flat_map(|p| &p.properties) {
                let _ = p.vsphere_type();
            }
        }
    }
    // Some mutations land in text or comments and still parse.
    assert!(parsed > 0);
}
