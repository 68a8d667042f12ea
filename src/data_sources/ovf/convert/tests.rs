use super::*;
use crate::ovf::parse_ovf;
use crate::plugin::diag::Severity;
use crate::plugin::{AttrPath, Diags};
use crate::shared::ovf_facts::model::Property;

const EXPORT: &[u8] = include_bytes!("../../../ovf/testdata/vsphere8-export.ovf");
const COLLECTION: &[u8] = include_bytes!("../../../ovf/testdata/collection-ovf2.ovf");

fn state_of(xml: &[u8]) -> (State, Diags) {
    to_state("x.ovf", &parse_ovf(xml).unwrap())
}

fn prop<'a>(s: &'a State, full_key: &str) -> &'a Property {
    s.vapp_properties.get().unwrap().iter().find(|p| p.full_key == full_key).unwrap_or_else(|| panic!("{full_key}"))
}

/// The state carries the shared facts, with the path and the package's name.
#[test]
fn a_vsphere_export_as_state() {
    let (s, d) = state_of(EXPORT);
    assert!(d.is_empty(), "{d:?}");
    assert_eq!(s.path.as_deref(), Some("x.ovf"));
    assert_eq!(s.name.as_deref(), Some("photon-tpm"));
    assert_eq!(s.ovf_version.get(), Some(&1));
    assert_eq!(s.has_tpm.get(), Some(&true));
    assert_eq!(prop(&s, "hostname").virtual_system_id.as_deref(), Some("photon-tpm"));
    assert_eq!(s.vservice_dependencies.get().unwrap().len(), 2);
    assert_eq!(s.files.get().unwrap().len(), 3);
}

#[test]
fn a_vapp_is_named_by_its_collection() {
    let (s, d) = state_of(COLLECTION);
    assert!(d.is_empty(), "{d:?}");
    assert_eq!(s.is_vapp.get(), Some(&true));
    assert_eq!(s.name.as_deref(), Some("Three tier"));
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
    assert!(errors[0].contains("of virtual system \"vm\""), "{}", errors[0]);
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
    assert_eq!(prop(&s, "workers").type_, "int(1..16)");
    assert_eq!(prop(&s, "tls").default_value.as_deref(), Some("True"));
    assert!(!s.vservice_dependencies.get().unwrap()[0].required);
}
