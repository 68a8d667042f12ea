//! `vi_catalog` and `vi_catalog_item` against vcsim: a catalog on
//! LocalDS_0, items uploaded from a local .ovf (with its disk) and from an
//! .ova built here, captured from a VM with a TPM policy; replacement on
//! new content, in-place renames, drift, deletion outside Terraform,
//! import, destroy, and the plan-time checks.
use std::path::Path;

use terraform_provider_vi::vi::{ItemModel, LibraryClient, LibraryModel};

use crate::harness::terraform::{Tf, provider_block};
use crate::harness::vcsim::Vcsim;
use crate::vi_check;

/// vCenter 8 (vcsim defaults to 6.5, which has no vTPM, so no TPM policy).
const VC8: &[&str] = &["-api-version", "8.0.2.0"];

/// Runs `f` with a content library client on `sim`.
fn with_library<T>(sim: &Vcsim, f: impl AsyncFnOnce(&LibraryClient) -> T) -> T {
    let (rt, c) = vi_check::client(sim);
    rt.block_on(async {
        let lib = LibraryClient::connect(&c).await.expect("vAPI login");
        let out = f(&lib).await;
        let _ = lib.logout().await;
        out
    })
}

fn library(sim: &Vcsim, id: &str) -> Option<LibraryModel> {
    with_library(sim, async |l| l.get_library(id).await.expect("get library"))
}

fn item(sim: &Vcsim, id: &str) -> Option<ItemModel> {
    with_library(sim, async |l| l.get_item(id).await.expect("get item"))
}

/// (name, size) of an item's files, sorted.
fn item_files(sim: &Vcsim, id: &str) -> Vec<(String, u64)> {
    let mut files: Vec<(String, u64)> = with_library(sim, async |l| l.list_item_files(id).await.expect("files"))
        .into_iter()
        .map(|f| (f.name, f.size.unwrap_or_default()))
        .collect();
    files.sort();
    files
}

/// A small OVF: 2 vCPUs, 256 MB, one disk backed by `disk` (when given),
/// a property of type `prop_type`, a vTPM when `tpm`.
fn descriptor(disk: Option<(&str, usize)>, tpm: bool, prop_type: &str) -> String {
    let (refs, disk_section, disk_item) = match disk {
        Some((href, size)) => (
            format!(r#"<References><File ovf:id="file0" ovf:href="{href}" ovf:size="{size}"/></References>"#),
            r#"<DiskSection><Info>Disks</Info><Disk ovf:diskId="disk0" ovf:fileRef="file0" ovf:capacity="1" ovf:capacityAllocationUnits="byte * 2^30"/></DiskSection>"#,
            r#"<Item><rasd:ElementName>Hard disk 1</rasd:ElementName><rasd:HostResource>ovf:/disk/disk0</rasd:HostResource><rasd:InstanceID>4</rasd:InstanceID><rasd:Parent>3</rasd:Parent><rasd:ResourceType>17</rasd:ResourceType></Item>"#,
        ),
        None => (String::new(), "", ""),
    };
    let tpm_item = if tpm {
        r#"<Item ovf:required="false"><rasd:ElementName>Virtual TPM</rasd:ElementName><rasd:InstanceID>5</rasd:InstanceID><rasd:ResourceSubType>vmware.vtpm</rasd:ResourceSubType><rasd:ResourceType>1</rasd:ResourceType></Item>"#
    } else {
        ""
    };
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1" xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1"
    xmlns:rasd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData"
    xmlns:vssd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_VirtualSystemSettingData">
  {refs}
  {disk_section}
  <NetworkSection><Info>Networks</Info><Network ovf:name="lan"><Description>The LAN</Description></Network></NetworkSection>
  <VirtualSystem ovf:id="tiny">
    <Info>A tiny test appliance</Info>
    <Name>tiny</Name>
    <ProductSection ovf:class="app"><Info>Settings</Info>
      <Property ovf:key="port" ovf:type="{prop_type}" ovf:userConfigurable="true" ovf:value="8080"/>
    </ProductSection>
    <VirtualHardwareSection ovf:transport="com.vmware.guestInfo">
      <Info>Its hardware</Info>
      <System><vssd:ElementName>Virtual hardware</vssd:ElementName><vssd:InstanceID>0</vssd:InstanceID><vssd:VirtualSystemType>vmx-19</vssd:VirtualSystemType></System>
      <Item><rasd:ElementName>2 vCPUs</rasd:ElementName><rasd:InstanceID>1</rasd:InstanceID><rasd:ResourceType>3</rasd:ResourceType><rasd:VirtualQuantity>2</rasd:VirtualQuantity></Item>
      <Item><rasd:AllocationUnits>byte * 2^20</rasd:AllocationUnits><rasd:ElementName>256 MB</rasd:ElementName><rasd:InstanceID>2</rasd:InstanceID><rasd:ResourceType>4</rasd:ResourceType><rasd:VirtualQuantity>256</rasd:VirtualQuantity></Item>
      <Item><rasd:ElementName>SCSI controller 0</rasd:ElementName><rasd:InstanceID>3</rasd:InstanceID><rasd:ResourceSubType>lsilogic</rasd:ResourceSubType><rasd:ResourceType>6</rasd:ResourceType></Item>
      {disk_item}
      {tpm_item}
      <Item><rasd:Connection>lan</rasd:Connection><rasd:ElementName>NIC 1</rasd:ElementName><rasd:InstanceID>6</rasd:InstanceID><rasd:ResourceSubType>VmxNet3</rasd:ResourceSubType><rasd:ResourceType>10</rasd:ResourceType></Item>
    </VirtualHardwareSection>
  </VirtualSystem>
</Envelope>
"#
    )
}

fn disk_bytes(seed: u32, len: usize) -> Vec<u8> {
    (0..len as u32).map(|i| ((i.wrapping_mul(2_654_435_761) >> 24) as u8) ^ (seed as u8)).collect()
}

/// `tiny.ovf` and its disk `tiny-disk1.vmdk` in `dir`.
fn write_ovf(dir: &Path, disk: &[u8]) {
    std::fs::write(dir.join("tiny-disk1.vmdk"), disk).unwrap();
    std::fs::write(dir.join("tiny.ovf"), descriptor(Some(("tiny-disk1.vmdk", disk.len())), false, "uint16")).unwrap();
}

/// A ustar archive of `entries`, as `tar cf` writes an OVA.
fn tar(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, data) in entries {
        let mut h = [0u8; 512];
        h[..name.len()].copy_from_slice(name.as_bytes());
        h[100..107].copy_from_slice(b"0000644");
        h[124..135].copy_from_slice(format!("{:011o}", data.len()).as_bytes());
        h[156] = b'0';
        h[257..263].copy_from_slice(b"ustar\0");
        h[263..265].copy_from_slice(b"00");
        h[148..156].copy_from_slice(b"        ");
        let sum: u64 = h.iter().map(|&b| u64::from(b)).sum();
        h[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
        out.extend_from_slice(&h);
        out.extend_from_slice(data);
        out.resize(out.len().div_ceil(512) * 512, 0);
    }
    out.extend_from_slice(&[0u8; 1024]);
    out
}

/// `tiny.ova`: appliance.ovf (with a vTPM) and its disk.
fn write_ova(dir: &Path) -> (usize, usize) {
    let disk = disk_bytes(7, 300_000);
    let ovf = descriptor(Some(("appliance-disk1.vmdk", disk.len())), true, "string(1..32)");
    std::fs::write(dir.join("tiny.ova"), tar(&[("appliance.ovf", ovf.as_bytes()), ("appliance-disk1.vmdk", &disk)]))
        .unwrap();
    (ovf.len(), disk.len())
}

fn catalog_hcl(name: &str) -> String {
    format!(
        r#"
data "vi_datastore" "ds" {{
  name = "LocalDS_0"
}}

resource "vi_catalog" "lib" {{
  name         = "{name}"
  description  = "templates for tests"
  datastore_id = data.vi_datastore.ds.id
}}
"#
    )
}

fn items_hcl(ova_name: &str, ova_description: &str) -> String {
    format!(
        r#"
resource "vi_catalog_item" "ovf" {{
  catalog_id  = vi_catalog.lib.id
  name        = "tiny-ovf"
  source_file = "${{path.module}}/tiny.ovf"
}}

resource "vi_catalog_item" "ova" {{
  catalog_id  = vi_catalog.lib.id
  name        = "{ova_name}"
  description = "{ova_description}"
  source_file = "${{path.module}}/tiny.ova"
}}
"#
    )
}

const OUTPUTS: &str = r#"
output "catalog" {
  value = vi_catalog.lib.id
}
output "ovf" {
  value = vi_catalog_item.ovf
}
output "ova" {
  value = vi_catalog_item.ova
}
"#;

fn out_str(tf: &Tf, path: &str) -> String {
    tf.outputs().pointer(path).and_then(|v| v.as_str()).unwrap_or_default().to_owned()
}

#[test]
fn catalog_with_items_from_an_ovf_and_an_ova() {
    let sim = Vcsim::start(VC8);
    let datastore = vi_check::facts(&sim).id("Datastore", "LocalDS_0");
    let config = |ova_name: &str, desc: &str| catalog_hcl("tf-templates") + &items_hcl(ova_name, desc);
    let tf = Tf::new(&(provider_block(&sim.sdk_url(), "") + &config("tiny-ova", "from an archive") + OUTPUTS));
    let disk = disk_bytes(1, 200_000);
    write_ovf(tf.dir.path(), &disk);
    let (ova_descriptor, ova_disk) = write_ova(tf.dir.path());
    tf.init_apply_replan();

    // The library, checked with the client directly.
    let catalog = out_str(&tf, "/catalog");
    let lib = library(&sim, &catalog).expect("the catalog exists in vcsim");
    assert_eq!(lib.name.as_deref(), Some("tf-templates"));
    assert_eq!(lib.description.as_deref(), Some("templates for tests"));
    assert_eq!(lib.storage_backings.first().and_then(|b| b.datastore_id.clone()), Some(datastore));

    // The .ovf item: descriptor and disk, facts from the descriptor.
    let out = tf.outputs();
    let ovf_id = out_str(&tf, "/ovf/id");
    let ovf_bytes = std::fs::metadata(tf.dir.path().join("tiny.ovf")).unwrap().len();
    assert_eq!(
        item_files(&sim, &ovf_id),
        [("tiny-disk1.vmdk".to_string(), disk.len() as u64), ("tiny.ovf".to_string(), ovf_bytes)]
    );
    let ovf = &out["ovf"];
    assert_eq!(ovf["instantiate_tpm"], "replace", "an uploaded OVF's TPM is replaced");
    assert_eq!(ovf["has_tpm"], false);
    assert_eq!(ovf["source_sha256"].as_str().map(str::len), Some(64));
    let vs = &ovf["virtual_systems"][0];
    assert_eq!((vs["num_cpus"].as_i64(), vs["memory_mb"].as_i64()), (Some(2), Some(256)));
    assert_eq!(vs["hardware_version"], "vmx-19");
    assert_eq!(vs["transports"], serde_json::json!(["com.vmware.guestInfo"]));
    assert_eq!(vs["network_interface"][0]["network"], "lan");
    assert_eq!(vs["vapp_properties"][0]["full_key"], "app.port");
    assert_eq!(vs["vapp_properties"][0]["type"], "int(0..65535)");
    assert_eq!(ovf["networks"][0]["name"], "lan");
    assert_eq!(ovf["disks"][0]["file_href"], "tiny-disk1.vmdk");
    assert_eq!(ovf["files"][0]["href"], "tiny-disk1.vmdk");
    assert_eq!(ovf["disks"][0]["file_id"], ovf["files"][0]["id"]);
    assert_eq!(ovf["vapp_properties"], vs["vapp_properties"], "a single VM's properties, listed in both places");
    assert_eq!(ovf["vapp_properties"][0]["virtual_system_id"], vs["id"]);
    assert_eq!(ovf["ovf_version"], 1);
    let stored = item(&sim, &ovf_id).and_then(|i| i.description).unwrap_or_default();
    assert!(stored.starts_with("[terraform-provider-vi] {\"source_file\":\"./tiny.ovf\""), "{stored}");

    // The .ova item: its members uploaded one by one from the archive.
    let ova_id = out_str(&tf, "/ova/id");
    assert_eq!(
        item_files(&sim, &ova_id),
        [("appliance-disk1.vmdk".to_string(), ova_disk as u64), ("appliance.ovf".to_string(), ova_descriptor as u64)]
    );
    assert_eq!(out["ova"]["has_tpm"], true);
    assert_eq!(out["ova"]["virtual_systems"][0]["has_tpm"], true);
    assert_eq!(out["ova"]["virtual_systems"][0]["vapp_properties"][0]["type"], "string(1..32)");
    assert_eq!(out["ova"]["description"], "from an archive");

    // A changed disk beside the .ovf: the item is replaced.
    write_ovf(tf.dir.path(), &disk_bytes(2, 200_000));
    let plan = tf.ok(&["plan", "-no-color"]);
    assert!(plan.contains("vi_catalog_item.ovf must be replaced"), "{plan}");
    assert!(plan.contains("1 to add, 0 to change, 1 to destroy"), "{plan}");
    tf.apply();
    tf.assert_no_changes();
    let new_ovf_id = out_str(&tf, "/ovf/id");
    assert_ne!(new_ovf_id, ovf_id);
    assert!(item(&sim, &ovf_id).is_none(), "the old item is gone");
    assert!(item(&sim, &new_ovf_id).is_some());

    // Rename and re-describe the .ova item: in place, same id.
    tf.write_main(&(provider_block(&sim.sdk_url(), "") + &config("tiny-appliance", "renamed") + OUTPUTS));
    let plan = tf.ok(&["plan", "-no-color"]);
    assert!(plan.contains("vi_catalog_item.ova will be updated in-place"), "{plan}");
    tf.apply();
    tf.assert_no_changes();
    assert_eq!(out_str(&tf, "/ova/id"), ova_id);
    let renamed = item(&sim, &ova_id).unwrap();
    assert_eq!(renamed.name.as_deref(), Some("tiny-appliance"));
    assert!(renamed.description.unwrap_or_default().starts_with("renamed\n\n[terraform-provider-vi] "));

    // Drift: the catalog renamed outside Terraform is renamed back.
    with_library(&sim, async |l| l.update_library(&catalog, Some("someone-else"), None).await.unwrap());
    let text = tf.assert_changes();
    assert!(text.contains(r#""someone-else" -> "tf-templates""#), "{text}");
    tf.apply();
    assert_eq!(library(&sim, &catalog).and_then(|l| l.name).as_deref(), Some("tf-templates"));

    // An item deleted outside Terraform is planned again.
    with_library(&sim, async |l| l.delete_item(&new_ovf_id).await.unwrap());
    let plan = tf.ok(&["plan", "-no-color"]);
    assert!(plan.contains("vi_catalog_item.ovf will be created"), "{plan}");
    tf.apply();
    tf.assert_no_changes();
    let ovf_id = out_str(&tf, "/ovf/id");

    // Import both into a second directory holding the same files.
    let adopted = Tf::new(&(provider_block(&sim.sdk_url(), "") + &config("tiny-appliance", "renamed")));
    for f in ["tiny.ovf", "tiny-disk1.vmdk", "tiny.ova"] {
        std::fs::copy(tf.dir.path().join(f), adopted.dir.path().join(f)).unwrap();
    }
    adopted.init();
    adopted.ok(&["import", "-no-color", "vi_catalog.lib", &catalog]);
    adopted.ok(&["import", "-no-color", "vi_catalog_item.ovf", &ovf_id]);
    adopted.ok(&["import", "-no-color", "vi_catalog_item.ova", &ova_id]);
    adopted.assert_no_changes();
    let imported = adopted.show();
    let resources = imported.pointer("/values/root_module/resources").and_then(|r| r.as_array()).unwrap();
    let ova = resources.iter().find(|r| r["address"] == "vi_catalog_item.ova").unwrap();
    assert_eq!(ova["values"]["has_tpm"], true, "facts are read back from the library's descriptor");
    assert_eq!(ova["values"]["source_file"], "./tiny.ova");

    tf.destroy();
    assert!(library(&sim, &catalog).is_none(), "the catalog is gone");
    assert!(item(&sim, &ovf_id).is_none() && item(&sim, &ova_id).is_none(), "its items are gone");
}

#[test]
fn item_captured_from_a_vm_records_its_tpm_policy() {
    let sim = Vcsim::start(VC8);
    let vm = vi_check::facts(&sim).id("VirtualMachine", "DC0_H0_VM0");
    let items = format!(
        r#"
resource "vi_catalog_item" "golden" {{
  catalog_id       = vi_catalog.lib.id
  name             = "golden"
  description      = "captured"
  source_vm_id     = "{vm}"
  tpm_provisioning = "replace"
}}

resource "vi_catalog_item" "plain" {{
  catalog_id   = vi_catalog.lib.id
  name         = "plain"
  source_vm_id = "{vm}"
}}
"#
    );
    let config = provider_block(&sim.sdk_url(), "") + &catalog_hcl("tf-captures") + &items;
    let outputs = "output \"golden\" {\n  value = vi_catalog_item.golden\n}\noutput \"plain\" {\n  value = vi_catalog_item.plain\n}\noutput \"catalog\" {\n  value = vi_catalog.lib.id\n}\n";
    let tf = Tf::new(&(config.clone() + outputs));
    tf.init_apply_replan();
    let out = tf.outputs();
    assert_eq!(out["golden"]["instantiate_tpm"], "replace");
    assert_eq!(out["golden"]["tpm_provisioning"], "replace");
    assert_eq!(out["plain"]["instantiate_tpm"], "copy", "copy when no policy is chosen");
    // vcsim's captures hold no files: the facts are empty, not missing.
    assert_eq!(out["golden"]["virtual_systems"], serde_json::json!([]));
    assert_eq!(out["golden"]["has_tpm"], false);

    // The policy lives with the item in vCenter, behind the description.
    let golden = out_str(&tf, "/golden/id");
    let stored = item(&sim, &golden).and_then(|i| i.description).unwrap_or_default();
    assert_eq!(
        stored,
        format!("captured\n\n[terraform-provider-vi] {{\"source_vm_id\":\"{vm}\",\"tpm_provisioning\":\"replace\"}}")
    );

    // So an import from the id alone finds it again.
    let adopted = Tf::new(&config);
    adopted.init();
    adopted.ok(&["import", "-no-color", "vi_catalog.lib", &out_str(&tf, "/catalog")]);
    adopted.ok(&["import", "-no-color", "vi_catalog_item.golden", &golden]);
    adopted.ok(&["import", "-no-color", "vi_catalog_item.plain", &out_str(&tf, "/plain/id")]);
    adopted.assert_no_changes();

    // A different policy is a new capture.
    tf.write_main(&(config.replace("\"replace\"", "\"copy\"") + outputs));
    let plan = tf.ok(&["plan", "-no-color"]);
    assert!(plan.contains("vi_catalog_item.golden must be replaced"), "{plan}");
    tf.apply();
    tf.assert_no_changes();
    assert_eq!(tf.outputs()["golden"]["instantiate_tpm"], "copy");
    assert!(item(&sim, &golden).is_none());

    tf.destroy();
}

/// Each bad configuration fails `terraform plan` on the attribute at fault.
#[test]
fn plan_time_checks() {
    let sim = Vcsim::start(&[]);
    let vm = vi_check::facts(&sim).id("VirtualMachine", "DC0_H0_VM0");
    let tf = Tf::new("");
    write_ovf(tf.dir.path(), &disk_bytes(3, 1000));
    std::fs::write(tf.dir.path().join("bad-type.ovf"), descriptor(None, false, "ipv9")).unwrap();
    std::fs::write(tf.dir.path().join("no-disk.ovf"), descriptor(Some(("gone.vmdk", 10)), false, "string")).unwrap();
    let item = |body: &str| {
        provider_block(&sim.sdk_url(), "")
            + &catalog_hcl("tf-checks")
            + &format!(
                "resource \"vi_catalog_item\" \"x\" {{\n  catalog_id = vi_catalog.lib.id\n  name = \"x\"\n{body}}}\n"
            )
    };
    tf.write_main(&item("  source_file = \"tiny.ovf\"\n"));
    tf.init();
    // A good configuration plans (vcsim here claims vCenter 6.5: no vTPM,
    // so no TPM policy, which is no error for an upload).
    tf.ok(&["plan", "-no-color"]);

    let cases: &[(&str, &[&str])] = &[
        ("  source_file = \"missing.ova\"\n", &["Invalid OVF package", "missing.ova", "source_file"]),
        ("  source_file = \"no-disk.ovf\"\n", &["gone.vmdk", "source_file"]),
        ("  source_file = \"bad-type.ovf\"\n", &["OVF property type", "app.port", "ipv9", "source_file"]),
        ("", &["Missing source", "exactly one source"]),
        (
            &format!("  source_file = \"tiny.ovf\"\n  source_vm_id = \"{vm}\"\n"),
            &["Conflicting sources", "source_vm_id"],
        ),
        (
            "  source_file = \"tiny.ovf\"\n  tpm_provisioning = \"copy\"\n",
            &["tpm_provisioning needs a captured template", "tpm_provisioning"],
        ),
        (&format!("  source_vm_id = \"{vm}\"\n  tpm_provisioning = \"new\"\n"), &["copy or replace, not `new`"]),
        (&format!("  source_vm_id = \"{vm}\"\n  tpm_provisioning = \"replace\"\n"), &["vCenter 7.0 or later"]),
        ("  source_vm_id = \"vm-4242\"\n", &["VM not found", "vm-4242", "source_vm_id"]),
        ("  source_vapp_id = \"resgroup-v4242\"\n", &["vApp not found", "source_vapp_id"]),
    ];
    for (body, expected) in cases {
        tf.write_main(&item(body));
        let err = tf.fails(&["plan", "-no-color"]);
        for e in *expected {
            assert!(err.contains(e), "{body}: expected {e:?} in\n{err}");
        }
    }

    // The catalog's datastore must exist; an item's catalog too.
    let bad_ds = provider_block(&sim.sdk_url(), "")
        + "resource \"vi_catalog\" \"lib\" {\n  name = \"x\"\n  datastore_id = \"datastore-4242\"\n}\n";
    tf.write_main(&bad_ds);
    let err = tf.fails(&["plan", "-no-color"]);
    assert!(err.contains("Datastore not found") && err.contains("datastore_id"), "{err}");
    let bad_catalog = provider_block(&sim.sdk_url(), "")
        + "resource \"vi_catalog_item\" \"x\" {\n  catalog_id = \"no-such-library\"\n  name = \"x\"\n  source_file = \"tiny.ovf\"\n}\n";
    tf.write_main(&bad_catalog);
    let err = tf.fails(&["plan", "-no-color"]);
    assert!(err.contains("Catalog not found") && err.contains("catalog_id"), "{err}");
}

#[test]
fn item_captured_from_a_vapp() {
    let sim = Vcsim::start(&["-api-version", "8.0.2.0", "-app", "1"]);
    let (rt, c) = vi_check::client(&sim);
    let root = c.service_content().root_folder.clone();
    let vapps = rt.block_on(c.list_by_type(&root, "VirtualApp", &["name"])).expect("list vApps");
    let vapp = vapps.first().expect("vcsim -app 1 makes a vApp").obj.value.clone();
    let config = provider_block(&sim.sdk_url(), "")
        + &catalog_hcl("tf-vapps")
        + &format!(
            "resource \"vi_catalog_item\" \"app\" {{\n  catalog_id = vi_catalog.lib.id\n  name = \"app\"\n  source_vapp_id = \"{vapp}\"\n  tpm_provisioning = \"copy\"\n}}\n"
        );
    let tf = Tf::new(&(config + "output \"app\" {\n  value = vi_catalog_item.app\n}\n"));
    tf.init_apply_replan();
    let out = tf.outputs();
    assert_eq!(out["app"]["instantiate_tpm"], "copy");
    let stored = item(&sim, out["app"]["id"].as_str().unwrap()).and_then(|i| i.description).unwrap_or_default();
    assert!(stored.contains(&format!("\"source_vapp_id\":\"{vapp}\"")), "{stored}");
    tf.destroy();
}

/// Renames outside Terraform are put back; a rename onto a name another
/// library has fails at plan.
#[test]
fn renames_outside_terraform_and_taken_names() {
    let sim = Vcsim::start(&[]);
    let vm = vi_check::facts(&sim).id("VirtualMachine", "DC0_H0_VM0");
    let config = |second: &str| {
        provider_block(&sim.sdk_url(), "")
            + &catalog_hcl("first")
            + &format!(
                r#"
resource "vi_catalog" "second" {{
  name         = "{second}"
  datastore_id = data.vi_datastore.ds.id
}}

resource "vi_catalog_item" "x" {{
  catalog_id   = vi_catalog.lib.id
  name         = "captured"
  source_vm_id = "{vm}"
}}

output "item" {{
  value = vi_catalog_item.x.id
}}
"#
            )
    };
    let tf = Tf::new(&config("second"));
    tf.init_apply_replan();
    let id = out_str(&tf, "/item");
    with_library(&sim, async |l| l.update_item(&id, Some("moved"), Some("edited")).await.unwrap());
    let text = tf.assert_changes();
    assert!(text.contains(r#""moved" -> "captured""#) && text.contains("update in-place"), "{text}");
    tf.apply();
    tf.assert_no_changes();
    let back = item(&sim, &id).unwrap();
    assert_eq!(back.name.as_deref(), Some("captured"));
    assert!(
        back.description.unwrap_or_default().starts_with("[terraform-provider-vi] "),
        "the source is recorded again"
    );

    tf.write_main(&config("FIRST"));
    let err = tf.fails(&["plan", "-no-color"]);
    assert!(err.contains("Catalog name already taken") && err.contains("\"FIRST\""), "{err}");
    tf.write_main(&config("second"));
    tf.destroy();
}

/// `vi_vm.catalog_item`: a VM deployed from an uploaded item, its hardware
/// then brought to the configuration; the TPM rule for an uploaded OVF
/// (always `replace`) refused at plan when `copy` is asked for.
#[test]
fn vm_deployed_from_an_uploaded_item() {
    let sim = Vcsim::start(VC8);
    let f = vi_check::facts(&sim);
    let base = provider_block(&sim.sdk_url(), "")
        + &catalog_hcl("tf-deploy")
        + r#"
resource "vi_catalog_item" "ovf" {
  catalog_id  = vi_catalog.lib.id
  name        = "tiny-ovf"
  source_file = "${path.module}/tiny.ovf"
}
"#;
    let vm = |tpm: &str| {
        format!(
            r#"
resource "vi_vm" "app" {{
  name             = "from-catalog"
  resource_pool_id = "{pool}"
  num_cpus         = 1
  memory           = 512
  power_state      = "off"
  annotation       = "deployed by terraform"
  catalog_item {{
    item_id = vi_catalog_item.ovf.id
{tpm}  }}
  disk {{
    label = "disk0"
    size  = 1
  }}
  network_interface {{
    network_id = "{net}"
  }}
}}

output "vm" {{ value = vi_vm.app.id }}
"#,
            pool = f.prop("ComputeResource", "DC0_H0", "resourcePool"),
            net = f.id("Network", "VM Network"),
        )
    };
    let tf = Tf::new(&base);
    write_ovf(tf.dir.path(), &disk_bytes(4, 4096));
    tf.init_apply_replan();

    // The item exists now, so its origin is known at plan.
    tf.write_main(&(base.clone() + &vm("    tpm_provisioning = \"copy\"\n")));
    let err = tf.fails(&["plan", "-no-color"]);
    for want in ["TPM provisioning not allowed", "uploaded", "tpm_provisioning"] {
        assert!(err.contains(want), "plan should say {want:?}:\n{err}");
    }
    assert!(!vi_check::vms(&sim).iter().any(|(_, n)| n == "from-catalog"), "nothing is deployed by a failed plan");

    tf.write_main(&(base.clone() + &vm("    tpm_provisioning = \"replace\"\n")));
    tf.apply();
    tf.assert_no_changes();
    let id = tf.outputs()["vm"].as_str().unwrap_or_default().to_owned();
    let (rt, c) = vi_check::client(&sim);
    let got = rt
        .block_on(c.retrieve(
            &[terraform_provider_vi::vi::ManagedObjectReference::new("VirtualMachine", &id)],
            terraform_provider_vi::vi::object::vm::VM_PROPS,
        ))
        .expect("read the deployed VM");
    let info = got.first().map(terraform_provider_vi::vi::object::vm::VmInfo::from_content).expect("the deployed VM");
    assert_eq!(info.name, "from-catalog");
    // The OVF says 2 vCPUs and 256 MB; the configuration wins.
    assert_eq!((info.num_cpus, info.memory_mb), (Some(1), Some(512)));
    assert_eq!(info.annotation.as_deref(), Some("deployed by terraform"));
    let nets: Vec<_> = info.devices.iter().filter(|d| d.is_nic()).collect();
    assert_eq!(nets.len(), 1, "{:?}", info.devices);
    let _ = rt.block_on(c.logout());

    // Imported, the deployment is adopted as configured: no new VM planned.
    let config = base.clone() + &vm("    tpm_provisioning = \"replace\"\n");
    let config = config.replace("output \"vm\" { value = vi_vm.app.id }", "");
    let adopted = Tf::new(&config);
    write_ovf(adopted.dir.path(), &disk_bytes(4, 4096));
    adopted.init();
    let out = tf.show();
    let find = |addr: &str| {
        out["values"]["root_module"]["resources"]
            .as_array()
            .and_then(|rs| rs.iter().find(|r| r["address"] == addr))
            .and_then(|r| r["values"]["id"].as_str())
            .unwrap_or_default()
            .to_owned()
    };
    for addr in ["vi_catalog.lib", "vi_catalog_item.ovf", "vi_vm.app"] {
        adopted.ok(&["import", "-no-color", addr, &find(addr)]);
    }
    // vSphere does not keep how a VM was made: the first apply only records
    // the catalog_item block (an in-place update, never a new VM).
    let plan = adopted.ok(&["plan", "-no-color"]);
    assert!(plan.contains("Plan: 0 to add, 1 to change, 0 to destroy"), "{plan}");
    adopted.apply();
    adopted.assert_no_changes();
    assert_eq!(find("vi_vm.app"), id);
    let vm_state = adopted.show()["values"]["root_module"]["resources"]
        .as_array()
        .and_then(|rs| rs.iter().find(|r| r["address"] == "vi_vm.app").cloned())
        .unwrap_or_default();
    assert_eq!(vm_state["values"]["imported"], true, "{vm_state}");
    assert_eq!(vm_state["values"]["id"], id.as_str(), "{vm_state}");

    tf.destroy();
    assert!(!vi_check::vms(&sim).iter().any(|(_, n)| n == "from-catalog"), "VM left after destroy");
}

/// `vi_vm.catalog_item.customize`: a deployed VM is customized like a
/// clone, before its first power-on; vcsim reports the guest's new name
/// and address.
#[test]
fn a_vm_deployed_from_an_item_is_customized() {
    let sim = Vcsim::start(VC8);
    let f = vi_check::facts(&sim);
    let config = provider_block(&sim.sdk_url(), "")
        + &catalog_hcl("tf-custom")
        + &format!(
            r#"
resource "vi_catalog_item" "ovf" {{
  catalog_id  = vi_catalog.lib.id
  name        = "tiny-ovf"
  source_file = "${{path.module}}/tiny.ovf"
}}

resource "vi_vm" "app" {{
  name             = "customized"
  resource_pool_id = "{pool}"
  guest_id         = "otherLinux64Guest"
  catalog_item {{
    item_id          = vi_catalog_item.ovf.id
    tpm_provisioning = "replace"
    customize {{
      linux_options {{
        host_name = "app01"
        domain    = "example.com"
      }}
      network_interface {{
        ipv4_address = "192.0.2.10"
        ipv4_netmask = 24
      }}
      ipv4_gateway = "192.0.2.1"
    }}
  }}
  network_interface {{
    network_id = "{net}"
  }}
}}

output "vm" {{ value = vi_vm.app.id }}
"#,
            pool = f.prop("ComputeResource", "DC0_H0", "resourcePool"),
            net = f.id("Network", "VM Network"),
        );
    let tf = Tf::new(&config);
    write_ovf(tf.dir.path(), &disk_bytes(4, 4096));
    tf.init_apply_replan();
    let id = tf.outputs()["vm"].as_str().unwrap_or_default().to_owned();
    assert_eq!(vi_check::guest_identity(&sim, &id), (Some("app01".into()), Some("192.0.2.10".into())));
    tf.destroy();
}
