//! Content libraries through the `vi` client's vAPI REST calls, against a
//! real vcsim (no Terraform involved).

use std::path::Path;
use std::time::Duration;

use sha2::{Digest, Sha256};
use terraform_provider_vi::vi::{
    Client, ClientConfig, ItemFileSource, LibraryClient, ManagedObjectReference, OvfDeploySpec, ViError,
};

use crate::harness::vcsim::Vcsim;

async fn connect(sim: &Vcsim) -> (Client, LibraryClient) {
    let cfg = ClientConfig {
        url: url::Url::parse(&sim.sdk_url()).expect("sdk url"),
        user: sim.user(),
        password: sim.password(),
        insecure: true,
        timeout: Duration::from_secs(30),
    };
    let vi = Client::connect(cfg).await.expect("connect to vcsim");
    let lib = LibraryClient::connect(&vi).await.expect("vAPI login");
    (vi, lib)
}

async fn find(vi: &Client, path: &str) -> ManagedObjectReference {
    vi.find_by_inventory_path(path).await.unwrap().unwrap_or_else(|| panic!("{path} not found"))
}

fn sha256_hex(data: &[u8]) -> String {
    Sha256::digest(data).iter().map(|b| format!("{b:02x}")).collect()
}

/// A minimal OVF: 2 vCPUs, 256 MB, one SCSI disk backed by `disk_file`.
fn ovf_descriptor(disk_file: &str, disk_size: usize) -> String {
    format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1" xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1"
    xmlns:rasd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData"
    xmlns:vssd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_VirtualSystemSettingData">
  <References>
    <File ovf:id="file0" ovf:href="{disk_file}" ovf:size="{disk_size}"/>
  </References>
  <DiskSection>
    <Info>Disks of the test appliance</Info>
    <Disk ovf:diskId="disk0" ovf:fileRef="file0" ovf:capacity="1" ovf:capacityAllocationUnits="byte * 2^30"
        ovf:format="http://www.vmware.com/interfaces/specifications/vmdk.html#streamOptimized"/>
  </DiskSection>
  <VirtualSystem ovf:id="tiny">
    <Info>A tiny test appliance</Info>
    <Name>tiny</Name>
    <VirtualHardwareSection>
      <Info>Its hardware</Info>
      <System>
        <vssd:ElementName>Virtual hardware</vssd:ElementName>
        <vssd:InstanceID>0</vssd:InstanceID>
        <vssd:VirtualSystemType>vmx-13</vssd:VirtualSystemType>
      </System>
      <Item>
        <rasd:ElementName>2 vCPUs</rasd:ElementName>
        <rasd:InstanceID>1</rasd:InstanceID>
        <rasd:ResourceType>3</rasd:ResourceType>
        <rasd:VirtualQuantity>2</rasd:VirtualQuantity>
      </Item>
      <Item>
        <rasd:AllocationUnits>byte * 2^20</rasd:AllocationUnits>
        <rasd:ElementName>256 MB of memory</rasd:ElementName>
        <rasd:InstanceID>2</rasd:InstanceID>
        <rasd:ResourceType>4</rasd:ResourceType>
        <rasd:VirtualQuantity>256</rasd:VirtualQuantity>
      </Item>
      <Item>
        <rasd:ElementName>SCSI controller 0</rasd:ElementName>
        <rasd:InstanceID>3</rasd:InstanceID>
        <rasd:ResourceSubType>lsilogic</rasd:ResourceSubType>
        <rasd:ResourceType>6</rasd:ResourceType>
      </Item>
      <Item>
        <rasd:ElementName>Hard disk 1</rasd:ElementName>
        <rasd:HostResource>ovf:/disk/disk0</rasd:HostResource>
        <rasd:InstanceID>4</rasd:InstanceID>
        <rasd:Parent>3</rasd:Parent>
        <rasd:ResourceType>17</rasd:ResourceType>
      </Item>
    </VirtualHardwareSection>
  </VirtualSystem>
</Envelope>
"#
    )
}

/// Writes the OVF and its disk into `dir`; returns both paths and the
/// disk's bytes.
fn write_ovf_package(dir: &Path) -> (std::path::PathBuf, std::path::PathBuf, Vec<u8>) {
    let disk: Vec<u8> = (0..200_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 24) as u8).collect();
    let disk_path = dir.join("tiny-disk1.vmdk");
    std::fs::write(&disk_path, &disk).unwrap();
    let ovf_path = dir.join("tiny.ovf");
    std::fs::write(&ovf_path, ovf_descriptor("tiny-disk1.vmdk", disk.len())).unwrap();
    (ovf_path, disk_path, disk)
}

#[tokio::test]
async fn library_create_read_update_delete() {
    let sim = Vcsim::start(&[]);
    let (vi, lib) = connect(&sim).await;
    let ds = find(&vi, "DC0/datastore/LocalDS_0").await;

    let id = lib.create_local_library("tf-isos", Some("images for tests"), &ds.value).await.expect("create");
    let got = lib.get_library(&id).await.unwrap().expect("the new library");
    assert_eq!(got.id.as_deref(), Some(id.as_str()));
    assert_eq!(got.name.as_deref(), Some("tf-isos"));
    assert_eq!(got.description.as_deref(), Some("images for tests"));
    assert_eq!(got.library_type.as_deref(), Some("LOCAL"));
    let backing = got.storage_backings.first().expect("a storage backing");
    assert_eq!(
        (backing.backing_type.as_str(), backing.datastore_id.as_deref()),
        ("DATASTORE", Some(ds.value.as_str()))
    );

    assert!(lib.list_libraries().await.unwrap().contains(&id));
    assert_eq!(
        lib.find_libraries("TF-ISOS").await.unwrap(),
        std::slice::from_ref(&id),
        "names compare case-insensitively"
    );
    assert!(lib.find_libraries("nothing-like-it").await.unwrap().is_empty());

    // A duplicate name is refused, whatever the case.
    for dup in ["tf-isos", "TF-Isos"] {
        let err = lib.create_local_library(dup, None, &ds.value).await.unwrap_err();
        assert_eq!(err.api_kind(), Some("ALREADY_EXISTS"), "{err}");
        assert!(err.to_string().contains(&id), "{err}");
    }

    lib.update_library(&id, Some("tf-isos-2"), None).await.unwrap();
    let got = lib.get_library(&id).await.unwrap().unwrap();
    assert_eq!(got.name.as_deref(), Some("tf-isos-2"));
    assert_eq!(got.description.as_deref(), Some("images for tests"), "unchanged when not given");
    lib.update_library(&id, None, Some("")).await.unwrap();
    assert_eq!(lib.get_library(&id).await.unwrap().unwrap().description.as_deref(), Some(""));

    lib.delete_library(&id).await.unwrap();
    assert_eq!(lib.get_library(&id).await.unwrap(), None);
    assert!(!lib.list_libraries().await.unwrap().contains(&id));
    let err = lib.delete_library(&id).await.unwrap_err();
    assert_eq!(err.api_kind(), Some("NOT_FOUND"), "{err}");

    lib.logout().await.unwrap();
    let err = lib.list_libraries().await.unwrap_err();
    assert_eq!(err.api_kind(), Some("UNAUTHENTICATED"), "{err}");
}

#[tokio::test]
async fn item_upload_deploy_and_capture() {
    let sim = Vcsim::start(&[]);
    let (vi, lib) = connect(&sim).await;
    let ds = find(&vi, "DC0/datastore/LocalDS_0").await;
    let library = lib.create_local_library("tf-ovfs", None, &ds.value).await.unwrap();

    let item = lib.create_item(&library, "tiny", Some("a tiny appliance"), "ovf").await.expect("create item");
    let err = lib.create_item(&library, "tiny", None, "ovf").await.unwrap_err();
    assert_eq!(err.api_kind(), Some("ALREADY_EXISTS"), "{err}");
    let got = lib.get_item(&item).await.unwrap().expect("the new item");
    assert_eq!(
        (got.name.as_deref(), got.item_type.as_deref(), got.library_id.as_deref()),
        (Some("tiny"), Some("ovf"), Some(library.as_str()))
    );
    assert_eq!(got.description.as_deref(), Some("a tiny appliance"));
    lib.update_item(&item, None, Some("still tiny")).await.unwrap();
    assert_eq!(lib.get_item(&item).await.unwrap().unwrap().description.as_deref(), Some("still tiny"));
    assert_eq!(lib.list_items(&library).await.unwrap(), std::slice::from_ref(&item));
    assert!(lib.list_item_files(&item).await.unwrap().is_empty());

    // Upload the OVF and its disk through an update session.
    let dir = tempfile::tempdir().unwrap();
    let (ovf, disk_path, disk) = write_ovf_package(dir.path());
    let sources = [ItemFileSource::whole("tiny.ovf", &ovf), ItemFileSource::whole("tiny-disk1.vmdk", &disk_path)];
    let results = lib.upload_item_files(&item, &sources, |_, _| {}).await.expect("upload");
    let ovf_bytes = std::fs::read(&ovf).unwrap();
    assert_eq!(results.first().map(|r| r.sha256.clone()), Some(sha256_hex(&ovf_bytes)));
    assert_eq!(results.get(1).map(|r| (r.size, r.sha256.clone())), Some((disk.len() as u64, sha256_hex(&disk))));

    // The descriptor reads back byte for byte; the item is found by name.
    let back = lib.download_item_file(&item, "tiny.ovf", 1 << 20).await.expect("download");
    assert_eq!(back, std::fs::read(&ovf).unwrap());
    let err = lib.download_item_file(&item, "tiny.ovf", 10).await.unwrap_err();
    assert!(err.to_string().contains("larger than 10 bytes"), "{err}");
    assert_eq!(lib.find_items(&library, "tiny").await.unwrap(), std::slice::from_ref(&item));
    assert!(lib.find_items(&library, "nothing").await.unwrap().is_empty());

    let mut files = lib.list_item_files(&item).await.unwrap();
    files.sort_by(|a, b| a.name.cmp(&b.name));
    let listed: Vec<(&str, Option<u64>)> = files.iter().map(|f| (f.name.as_str(), f.size)).collect();
    assert_eq!(listed, [("tiny-disk1.vmdk", Some(disk.len() as u64)), ("tiny.ovf", Some(ovf_bytes.len() as u64))]);

    // Deploy it as a VM and find that VM in the inventory.
    let pool = find(&vi, "DC0/host/DC0_C0/Resources").await;
    let folder = find(&vi, "DC0/vm").await;
    let spec = OvfDeploySpec {
        name: Some("from-library".into()),
        resource_pool_id: pool.value.clone(),
        folder_id: Some(folder.value.clone()),
        datastore_id: Some(ds.value.clone()),
        accept_all_eula: true,
        ..OvfDeploySpec::default()
    };
    let vm = lib.deploy_ovf_item(&item, &spec).await.expect("deploy");
    assert_eq!(vm.kind, "VirtualMachine");
    assert_eq!(find(&vi, "DC0/vm/from-library").await, vm);
    let props = vi.retrieve(std::slice::from_ref(&vm), &["name", "config.hardware", "resourcePool"]).await.unwrap();
    let props = props.first().unwrap();
    assert_eq!(props.str("name"), Some("from-library"));
    assert_eq!(props.i64("config.hardware.numCPU"), Some(2));
    assert_eq!(props.i64("config.hardware.memoryMB"), Some(256));
    assert_eq!(props.moref("resourcePool"), Some(pool.clone()));

    // A deploy the server refuses is an error with its reason.
    let bad = OvfDeploySpec { resource_pool_id: "resgroup-nope".into(), ..spec.clone() };
    let err = lib.deploy_ovf_item(&item, &bad).await.unwrap_err();
    assert!(matches!(&err, ViError::Api { .. }) && err.to_string().contains("failed"), "{err}");
    let err = lib.deploy_ovf_item("no-such-item", &spec).await.unwrap_err();
    assert_eq!(err.api_kind(), Some("NOT_FOUND"), "{err}");

    // Capture the VM into a new OVF item.
    let captured = lib.capture_vm(&vm.value, &library, "captured", Some("from a VM")).await.expect("capture");
    let got = lib.get_item(&captured).await.unwrap().expect("the captured item");
    assert_eq!((got.name.as_deref(), got.item_type.as_deref()), (Some("captured"), Some("ovf")));
    let mut items = lib.list_items(&library).await.unwrap();
    items.sort();
    let mut expected = vec![item.clone(), captured.clone()];
    expected.sort();
    assert_eq!(items, expected);

    lib.delete_item(&item).await.unwrap();
    assert_eq!(lib.get_item(&item).await.unwrap(), None);
    lib.delete_item(&captured).await.unwrap();
    lib.delete_library(&library).await.unwrap();
    assert_eq!(lib.get_library(&library).await.unwrap(), None);
}

/// An archive's members go up as byte ranges of it, never unpacked.
#[tokio::test]
async fn byte_ranges_of_one_file_become_separate_item_files() {
    let sim = Vcsim::start(&[]);
    let (vi, lib) = connect(&sim).await;
    let ds = find(&vi, "DC0/datastore/LocalDS_0").await;
    let library = lib.create_local_library("tf-ranges", None, &ds.value).await.unwrap();
    let item = lib.create_item(&library, "packed", None, "ovf").await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let disk: Vec<u8> = (0..70_000u32).map(|i| (i % 241) as u8).collect();
    let ovf = ovf_descriptor("d.vmdk", disk.len());
    // A fake archive: 100 bytes of header, the descriptor, 7 bytes, the disk.
    let mut packed = vec![0xAAu8; 100];
    packed.extend_from_slice(ovf.as_bytes());
    packed.extend_from_slice(b"padding");
    let disk_at = packed.len() as u64;
    packed.extend_from_slice(&disk);
    let path = dir.path().join("packed.bin");
    std::fs::write(&path, &packed).unwrap();
    let sources = [
        ItemFileSource::part("p.ovf", &path, 100, ovf.len() as u64),
        ItemFileSource::part("d.vmdk", &path, disk_at, disk.len() as u64),
    ];
    let results = lib.upload_item_files(&item, &sources, |_, _| {}).await.expect("upload");
    assert_eq!(results.get(1).map(|r| r.sha256.clone()), Some(sha256_hex(&disk)));
    let mut files: Vec<(String, Option<u64>)> =
        lib.list_item_files(&item).await.unwrap().into_iter().map(|f| (f.name, f.size)).collect();
    files.sort();
    assert_eq!(files, [("d.vmdk".into(), Some(disk.len() as u64)), ("p.ovf".into(), Some(ovf.len() as u64))]);
    assert_eq!(lib.download_item_file(&item, "p.ovf", 1 << 20).await.unwrap(), ovf.as_bytes());
    lib.delete_library(&library).await.unwrap();
}

#[tokio::test]
async fn upload_of_a_missing_file_fails_clearly() {
    let sim = Vcsim::start(&[]);
    let (vi, lib) = connect(&sim).await;
    let ds = find(&vi, "DC0/datastore/LocalDS_0").await;
    let library = lib.create_local_library("tf-broken", None, &ds.value).await.unwrap();
    let item = lib.create_item(&library, "broken", None, "ovf").await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.ovf");
    let err =
        lib.upload_item_files(&item, &[ItemFileSource::whole("missing.ovf", &missing)], |_, _| {}).await.unwrap_err();
    assert!(matches!(&err, ViError::LocalFile { path, .. } if path.ends_with("missing.ovf")), "{err:?}");
    assert!(lib.list_item_files(&item).await.unwrap().is_empty());
    // An item in a library that does not exist.
    let err = lib.create_item("no-such-library", "x", None, "ovf").await.unwrap_err();
    assert_eq!(err.api_kind(), Some("NOT_FOUND"), "{err}");
}

/// The REST login uses the SOAP client's credentials (a vcsim with fixed
/// ones refuses anything else; wrong passwords are unit-tested).
#[tokio::test]
async fn logs_in_with_the_client_credentials() {
    let sim = Vcsim::start(&["-username", "u", "-password", "p"]);
    let (_vi, lib) = connect(&sim).await;
    assert!(lib.list_libraries().await.unwrap().is_empty());
}
