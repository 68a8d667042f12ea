//! `data "vi_ovf"` through Terraform: an .ovf and an .ova (a tar built
//! here) read from the working directory; warnings for defaults that do not
//! fit; clear errors for hostile or broken descriptors.
use std::path::Path;

use crate::harness::terraform::{Tf, provider_block};
use crate::harness::vcsim::Vcsim;

const EXPORT: &[u8] = include_bytes!("../src/ovf/testdata/vsphere8-export.ovf");

/// A ustar header for a regular file.
fn tar_header(name: &str, size: usize) -> [u8; 512] {
    let mut h = [0u8; 512];
    let put = |h: &mut [u8; 512], at: usize, bytes: &[u8]| h[at..at + bytes.len()].copy_from_slice(bytes);
    put(&mut h, 0, name.as_bytes());
    put(&mut h, 100, b"0000644\0");
    put(&mut h, 108, b"0000000\0");
    put(&mut h, 116, b"0000000\0");
    put(&mut h, 124, format!("{size:011o}\0").as_bytes());
    put(&mut h, 136, b"00000000000\0");
    put(&mut h, 156, b"0");
    put(&mut h, 257, b"ustar\0");
    put(&mut h, 263, b"00");
    // The checksum is computed with its own field as spaces.
    put(&mut h, 148, b"        ");
    let sum: u32 = h.iter().map(|b| u32::from(*b)).sum();
    put(&mut h, 148, format!("{sum:06o}\0 ").as_bytes());
    h
}

/// An OVA: the descriptor first, then the files, then the end marker.
fn ova(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, data) in files {
        out.extend_from_slice(&tar_header(name, data.len()));
        out.extend_from_slice(data);
        out.resize(out.len().div_ceil(512) * 512, 0);
    }
    out.extend_from_slice(&[0u8; 1024]);
    out
}

fn write(dir: &Path, name: &str, data: &[u8]) {
    std::fs::write(dir.join(name), data).unwrap();
}

const READ_BOTH: &str = r#"
data "vi_ovf" "ovf" {
  path = "appliance.ovf"
}

data "vi_ovf" "ova" {
  path = "appliance.ova"
}

output "ovf" { value = data.vi_ovf.ovf }
output "ova" { value = data.vi_ovf.ova }
output "ip_network" {
  value = [for p in data.vi_ovf.ova.vapp_properties : p.type if p.key == "ip0"][0]
}
"#;

#[test]
fn reads_an_ovf_and_an_ova_from_the_working_directory() {
    let sim = Vcsim::start(&[]);
    let tf = Tf::new(&(provider_block(&sim.sdk_url(), "") + READ_BOTH));
    write(tf.dir.path(), "appliance.ovf", EXPORT);
    // Named .bin inside; the OVA's own name does not matter, its content does.
    let disk: Vec<u8> = (0..3000u32).map(|i| (i % 251) as u8).collect();
    write(
        tf.dir.path(),
        "appliance.ova",
        &ova(&[
            ("photon-tpm.ovf", EXPORT),
            ("photon-tpm.mf", b"SHA256(photon-tpm.ovf)= 00\n"),
            ("photon-tpm-disk1.vmdk", &disk),
        ]),
    );
    tf.init_apply_replan();
    let out = tf.outputs();
    assert_eq!(
        out["ovf"],
        {
            let mut o = out["ova"].clone();
            o["path"] = "appliance.ovf".into();
            o
        },
        "the same descriptor read both ways"
    );

    let o = &out["ova"];
    assert_eq!(o["name"], "photon-tpm");
    assert_eq!(o["ovf_version"], 1);
    assert_eq!(o["is_vapp"], false);
    assert_eq!(o["has_tpm"], true);
    assert_eq!(o["transports"], serde_json::json!(["com.vmware.guestInfo", "iso"]));
    let vs = &o["virtual_systems"][0];
    assert_eq!(vs["guest_id"], "vmwarePhoton64Guest");
    assert_eq!((vs["num_cpus"].clone(), vs["memory_mb"].clone()), (4.into(), 8192.into()));
    assert_eq!(vs["firmware"], "efi");
    assert_eq!(vs["hardware_version"], "vmx-19");
    assert_eq!(vs["transports"], serde_json::json!(["com.vmware.guestInfo", "iso"]));
    assert_eq!(
        vs["network_interface"][1],
        serde_json::json!({"adapter_type": "E1000e", "network": "Storage & Backup"})
    );
    assert_eq!(vs["disks"][0]["capacity_bytes"], 16u64 << 30);
    assert_eq!(
        (vs["disks"][0]["controller"].clone(), vs["disks"][0]["controller_subtype"].clone()),
        ("scsi".into(), "VirtualSCSI".into())
    );
    assert_eq!(o["disks"][0]["file_href"], "photon-tpm-disk1.vmdk");
    assert_eq!(o["disks"][0]["file_id"], o["files"][0]["id"]);
    assert_eq!(o["deployment_options"], serde_json::json!([]));
    assert_eq!(vs["vapp_properties"], o["vapp_properties"], "a single VM's properties, listed in both places");
    assert_eq!(o["networks"][0]["name"], "VM Network");
    assert_eq!(o["files"][0]["href"], "photon-tpm-disk1.vmdk");
    assert_eq!(o["disks"][1]["capacity_bytes"], 104_857_600);
    assert_eq!(out["ip_network"], "ip:VM Network");
    let props = o["vapp_properties"].as_array().unwrap();
    let by_key = |k: &str| props.iter().find(|p| p["full_key"] == k).unwrap_or_else(|| panic!("{k}"));
    assert_eq!(by_key("hostname")["type"], "string(1..63)");
    assert_eq!(by_key("log_level")["default_value"], "info");
    assert_eq!(by_key("enable_ssh")["default_value"], "True");
    assert_eq!(by_key("root_password")["type"], "password(8..)");
    assert_eq!(by_key("root_password")["default_value"], serde_json::Value::Null);
    assert_eq!(by_key("vami.DNS.photon-tpm")["category"], "Networking Properties");
    let deps = o["vservice_dependencies"].as_array().unwrap();
    assert_eq!(deps[0]["type"], "com.vmware.vservice.extension");
    assert_eq!((deps[0]["required"].clone(), deps[1]["required"].clone()), (true.into(), false.into()));
}

fn descriptor_with_property(property: &str) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1" xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1">
  <VirtualSystem ovf:id="vm">
    <Info>A VM</Info>
    <ProductSection>
      <Info>Properties</Info>
      {property}
    </ProductSection>
  </VirtualSystem>
</Envelope>"#
    )
}

fn read_one(sim: &Vcsim, file: &str, content: &[u8]) -> Tf {
    let tf = Tf::new(
        &(provider_block(&sim.sdk_url(), "")
            + &format!(
                "data \"vi_ovf\" \"x\" {{\n  path = \"{file}\"\n}}\n\noutput \"n\" {{ value = data.vi_ovf.x.name }}\n"
            )),
    );
    write(tf.dir.path(), file, content);
    tf.init();
    tf
}

#[test]
fn warnings_for_odd_defaults_and_clear_errors_for_bad_or_hostile_files() {
    let sim = Vcsim::start(&[]);

    // A default that does not fit its type: readable, with a warning.
    let odd = descriptor_with_property(
        r#"<Property ovf:key="port" ovf:type="uint16" ovf:qualifiers="MaxValue(100)" ovf:value="8080"/>"#,
    );
    let tf = read_one(&sim, "odd.ovf", odd.as_bytes());
    let out = tf.apply();
    assert!(out.contains("Warning: vApp property default does not fit its type"), "{out}");
    assert!(out.contains("\"port\"") && out.contains("8080"), "{out}");
    assert_eq!(tf.outputs()["n"], "vm");

    let entity = r#"<?xml version="1.0"?>
<!DOCTYPE Envelope [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>
<Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1"><VirtualSystem ovf:id="&b;"/></Envelope>"#;
    let bad_type = descriptor_with_property(r#"<Property ovf:key="size" ovf:type="uint128"/>"#);
    let cases: &[(&str, &[u8], &[&str])] = &[
        ("evil.ovf", entity.as_bytes(), &["DOCTYPE and ENTITY declarations are not allowed", "path = \"evil.ovf\""]),
        ("badtype.ovf", bad_type.as_bytes(), &["Invalid vApp property type", "\"size\"", "uint128"]),
        ("broken.ovf", b"<Envelope><VirtualSystem>", &["Cannot read the OVF package"]),
        ("notatar.ova", b"plain text", &["named .ova but is not a tar archive"]),
        ("empty.ovf", b"", &["Cannot read the OVF package"]),
    ];
    for (file, content, wants) in cases {
        let tf = read_one(&sim, file, content);
        let err = tf.fails(&["plan", "-no-color"]);
        for w in *wants {
            assert!(err.contains(w), "{file} should say {w:?}:\n{err}");
        }
    }
    // A file that is not there.
    let tf = read_one(&sim, "here.ovf", EXPORT);
    tf.write_main(&(provider_block(&sim.sdk_url(), "") + "data \"vi_ovf\" \"x\" {\n  path = \"gone.ovf\"\n}\n"));
    let err = tf.fails(&["plan", "-no-color"]);
    assert!(err.contains("gone.ovf") && err.contains("Cannot read the OVF package"), "{err}");
}
