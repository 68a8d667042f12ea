//! Virtual machines: what one batched read tells about a VM (`VmInfo`),
//! and the specs of a clone and a relocation. The operations are on the
//! handle in [`super::virtual_machine`].
use std::collections::BTreeMap;

use crate::vi::core::types::{ManagedObjectReference, ObjectContent};
use crate::vi::core::xml::{XmlNode, escape};
use crate::vi::object::crypto::CryptoKeyId;
use crate::vi::object::vm_device::{VirtualDevice, devices_from_node};
use crate::vi::object::vm_spec::VirtualMachineConfigSpec;

/// Every property the provider's VM state needs, read in one call.
pub const VM_PROPS: &[&str] = &[
    "name",
    "config.guestId",
    "config.hardware.numCPU",
    "config.hardware.numCoresPerSocket",
    "config.hardware.memoryMB",
    "config.hardware.device",
    "config.firmware",
    "config.bootOptions",
    "config.version",
    "config.annotation",
    "config.extraConfig",
    "config.uuid",
    "config.instanceUuid",
    "config.files.vmPathName",
    "config.template",
    "config.cpuHotAddEnabled",
    "config.memoryHotAddEnabled",
    "config.keyId",
    "runtime.powerState",
    "runtime.host",
    "runtime.question",
    "resourcePool",
    "parentVApp",
    "datastore",
    "parent",
    "guest.ipAddress",
    "guest.net",
    "snapshot",
];

/// A blocking question a VM asks (`VirtualMachine.runtime.question`).
#[derive(Debug, Clone, PartialEq)]
pub struct VirtualMachineQuestionInfo {
    pub id: String,
    pub text: String,
    /// (key, label) of each choice.
    pub choices: Vec<(String, String)>,
    pub default_index: Option<usize>,
}

/// What one read tells about a VM.
#[derive(Debug, Clone, Default)]
pub struct VmInfo {
    pub moref: Option<ManagedObjectReference>,
    pub name: String,
    pub guest_id: Option<String>,
    pub num_cpus: Option<i64>,
    pub num_cores_per_socket: Option<i64>,
    pub memory_mb: Option<i64>,
    pub devices: Vec<VirtualDevice>,
    pub firmware: Option<String>,
    pub efi_secure_boot: Option<bool>,
    /// `vmx-19`.
    pub version: Option<String>,
    pub annotation: Option<String>,
    pub extra_config: BTreeMap<String, String>,
    pub uuid: Option<String>,
    pub instance_uuid: Option<String>,
    pub vm_path_name: Option<String>,
    pub template: bool,
    pub cpu_hot_add: Option<bool>,
    pub memory_hot_add: Option<bool>,
    /// `poweredOn`, `poweredOff` or `suspended`.
    pub power_state: String,
    pub host: Option<ManagedObjectReference>,
    pub resource_pool: Option<ManagedObjectReference>,
    pub parent_vapp: Option<ManagedObjectReference>,
    pub datastores: Vec<ManagedObjectReference>,
    pub folder: Option<ManagedObjectReference>,
    pub ip_address: Option<String>,
    pub ip_addresses: Vec<String>,
    pub question: Option<VirtualMachineQuestionInfo>,
    /// Names of every snapshot in the tree.
    pub snapshot_names: Vec<String>,
    /// The key the VM's home files are encrypted with (`config.keyId`).
    pub key_id: Option<CryptoKeyId>,
}

impl VmInfo {
    pub fn from_content(o: &ObjectContent) -> VmInfo {
        let s = |p: &str| o.str(p).map(str::to_owned);
        let extra_config = o
            .node("config.extraConfig")
            .map(|n| {
                n.children
                    .iter()
                    .filter_map(|ov| Some((ov.child_text("key")?.to_owned(), ov.child_text("value")?.to_owned())))
                    .collect()
            })
            .unwrap_or_default();
        let mut ip_addresses: Vec<String> = o
            .node("guest.net")
            .map(|n| {
                n.children
                    .iter()
                    .flat_map(|nic| nic.children_named("ipAddress").map(|ip| ip.text().trim().to_owned()))
                    .filter(|ip| !ip.is_empty())
                    .collect()
            })
            .unwrap_or_default();
        ip_addresses.dedup();
        VmInfo {
            moref: Some(o.obj.clone()),
            name: s("name").unwrap_or_default(),
            guest_id: s("config.guestId"),
            num_cpus: o.i64("config.hardware.numCPU"),
            num_cores_per_socket: o.i64("config.hardware.numCoresPerSocket"),
            memory_mb: o.i64("config.hardware.memoryMB"),
            devices: o.node("config.hardware.device").map(devices_from_node).unwrap_or_default(),
            firmware: s("config.firmware"),
            efi_secure_boot: o
                .node("config.bootOptions")
                .and_then(|b| b.child_text("efiSecureBootEnabled"))
                .map(|t| t.trim() == "true"),
            version: s("config.version"),
            annotation: s("config.annotation"),
            extra_config,
            uuid: s("config.uuid"),
            instance_uuid: s("config.instanceUuid"),
            vm_path_name: s("config.files.vmPathName"),
            template: o.bool("config.template").unwrap_or(false),
            cpu_hot_add: o.bool("config.cpuHotAddEnabled"),
            memory_hot_add: o.bool("config.memoryHotAddEnabled"),
            power_state: s("runtime.powerState").unwrap_or_default(),
            host: o.moref("runtime.host"),
            resource_pool: o.moref("resourcePool"),
            parent_vapp: o.moref("parentVApp"),
            datastores: o.morefs("datastore"),
            folder: o.moref("parent"),
            ip_address: s("guest.ipAddress").filter(|ip| !ip.is_empty()),
            ip_addresses,
            question: o.node("runtime.question").and_then(question_from_node),
            snapshot_names: o.node("snapshot").map(snapshot_names).unwrap_or_default(),
            key_id: o.node("config.keyId").map(CryptoKeyId::from_node),
        }
    }

    pub fn is_powered_on(&self) -> bool {
        self.power_state == "poweredOn"
    }

    pub fn has_tpm(&self) -> bool {
        self.tpm().is_some()
    }

    /// The VM's virtual TPM (a VM holds at most one).
    pub fn tpm(&self) -> Option<&VirtualDevice> {
        self.devices.iter().find(|d| d.is_tpm())
    }

    /// The key provider the VM's home files are encrypted with, if any.
    pub fn key_provider(&self) -> Option<&str> {
        self.key_id.as_ref().and_then(|k| k.provider_id.as_deref())
    }
}

pub(crate) fn question_from_node(q: &XmlNode) -> Option<VirtualMachineQuestionInfo> {
    let id = q.child_text("id")?.to_owned();
    let choice = q.child("choice");
    let choices = choice
        .map(|c| {
            c.children_named("choiceInfo")
                .map(|ci| {
                    (
                        ci.child_text("key").unwrap_or_default().to_owned(),
                        ci.child_text("label").unwrap_or_default().to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    let default_index = choice.and_then(|c| c.child_text("defaultIndex")).and_then(|t| t.trim().parse::<usize>().ok());
    Some(VirtualMachineQuestionInfo {
        id,
        text: q.child_text("text").unwrap_or_default().to_owned(),
        choices,
        default_index,
    })
}

/// Names in a `VirtualMachineSnapshotInfo` tree (depth-bounded).
fn snapshot_names(snap: &XmlNode) -> Vec<String> {
    fn walk(n: &XmlNode, depth: usize, out: &mut Vec<String>) {
        if depth > 64 {
            return;
        }
        for t in n.children_named("rootSnapshotList").chain(n.children_named("childSnapshotList")) {
            if let Some(name) = t.child_text("name") {
                out.push(name.to_owned());
            }
            walk(t, depth + 1, out);
        }
    }
    let mut out = Vec::new();
    walk(snap, 0, &mut out);
    out
}

/// Where a clone goes and what it becomes.
#[derive(Debug, Clone, Default)]
pub struct CloneSpec {
    pub name: String,
    pub folder: ManagedObjectReference,
    pub pool: Option<ManagedObjectReference>,
    pub datastore: Option<ManagedObjectReference>,
    pub host: Option<ManagedObjectReference>,
    /// Share the source's disks through a delta disk on its current snapshot.
    pub linked: bool,
    pub config: Option<VirtualMachineConfigSpec>,
    /// `copy` or `replace` (VirtualMachineCloneSpec.tpmProvisionPolicy).
    pub tpm_provision_policy: Option<String>,
}

/// Where a relocation moves a VM to (`VirtualMachineRelocateSpec`).
#[derive(Debug, Clone, Default)]
pub struct RelocateSpec {
    pub folder: Option<ManagedObjectReference>,
    pub datastore: Option<ManagedObjectReference>,
    pub disk_move_type: Option<String>,
    pub pool: Option<ManagedObjectReference>,
    pub host: Option<ManagedObjectReference>,
}

impl RelocateSpec {
    pub fn to_xml(&self, tag: &str) -> String {
        let m = |m: &Option<ManagedObjectReference>, t: &str| m.as_ref().map(|m| m.to_xml(t)).unwrap_or_default();
        format!(
            "<{tag}>{}{}{}{}{}</{tag}>",
            m(&self.folder, "folder"),
            m(&self.datastore, "datastore"),
            self.disk_move_type
                .as_ref()
                .map(|d| format!("<diskMoveType>{}</diskMoveType>", escape(d)))
                .unwrap_or_default(),
            m(&self.pool, "pool"),
            m(&self.host, "host"),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vi::core::mo_type::MoType;
    use crate::vi::core::xml;

    #[test]
    fn questions_and_snapshots_are_read() {
        let q = xml::parse(
            br#"<q><id>1</id><text>Did you move it?</text><choice><choiceInfo><key>0</key><label>Cancel</label></choiceInfo><choiceInfo><key>1</key><label>I moved it</label></choiceInfo><defaultIndex>1</defaultIndex></choice></q>"#,
        )
        .unwrap();
        let q = question_from_node(&q).unwrap();
        assert_eq!(q.text, "Did you move it?");
        assert_eq!(q.default_index, Some(1));
        assert_eq!(q.choices[1], ("1".to_owned(), "I moved it".to_owned()));

        let s = xml::parse(
            br#"<s><rootSnapshotList><name>a</name><childSnapshotList><name>b</name></childSnapshotList></rootSnapshotList></s>"#,
        )
        .unwrap();
        assert_eq!(snapshot_names(&s), vec!["a", "b"]);
    }

    #[test]
    fn relocate_spec_in_wsdl_order() {
        let r = RelocateSpec {
            folder: None,
            datastore: Some(MoType::Datastore.moref("ds-1")),
            disk_move_type: Some("createNewChildDiskBacking".into()),
            pool: Some(MoType::ResourcePool.moref("rp-1")),
            host: Some(MoType::HostSystem.moref("h-1")),
        };
        let x = r.to_xml("location");
        let pos = |s: &str| x.find(s).unwrap_or(usize::MAX);
        assert!(
            pos("<datastore") < pos("<diskMoveType>")
                && pos("<diskMoveType>") < pos("<pool")
                && pos("<pool") < pos("<host")
        );
    }
}
