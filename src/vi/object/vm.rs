//! Virtual machines: what one batched read tells about a VM (`VmInfo`),
//! and the calls that create, change, power and destroy it.
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use tracing::{debug, info};

use crate::vi::core::client::Client;
use crate::vi::core::error::ViError;
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

fn question_from_node(q: &XmlNode) -> Option<VirtualMachineQuestionInfo> {
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

impl Client {
    /// Folder.CreateVM_Task; returns the new VM.
    pub async fn create_vm(
        &self,
        folder: &ManagedObjectReference,
        spec: &VirtualMachineConfigSpec,
        pool: &ManagedObjectReference,
        host: Option<&ManagedObjectReference>,
        deadline: Option<Instant>,
    ) -> Result<ManagedObjectReference, ViError> {
        let args = format!(
            "{}{}{}",
            spec.to_xml("config"),
            pool.to_xml("pool"),
            host.map(|h| h.to_xml("host")).unwrap_or_default()
        );
        let out = self.run_task("CreateVM_Task", folder, &args, deadline).await?;
        out.moref().ok_or_else(|| ViError::Decode("CreateVM_Task returned no VM".into()))
    }

    /// VirtualMachine.CloneVM_Task; returns the new VM.
    pub async fn clone_vm(
        &self,
        source: &ManagedObjectReference,
        spec: &CloneSpec,
        deadline: Option<Instant>,
    ) -> Result<ManagedObjectReference, ViError> {
        let mut snapshot = String::new();
        let mut location = RelocateSpec {
            folder: None,
            datastore: spec.datastore.clone(),
            disk_move_type: None,
            pool: spec.pool.clone(),
            host: spec.host.clone(),
        };
        if spec.linked {
            let objs = self.retrieve(std::slice::from_ref(source), &["snapshot.currentSnapshot"]).await?;
            let current =
                objs.first().and_then(|o| o.moref("snapshot.currentSnapshot")).ok_or_else(|| ViError::Fault {
                    kind: "InvalidState".into(),
                    message: format!("a linked clone needs a snapshot on {source}, and it has none"),
                })?;
            location.disk_move_type = Some("createNewChildDiskBacking".into());
            snapshot = current.to_xml("snapshot");
        }
        let body = format!(
            "{}<template>false</template>{}<powerOn>false</powerOn>{snapshot}{}",
            location.to_xml("location"),
            spec.config.as_ref().map(|c| c.to_xml("config")).unwrap_or_default(),
            spec.tpm_provision_policy
                .as_ref()
                .map(|p| format!("<tpmProvisionPolicy>{}</tpmProvisionPolicy>", escape(p)))
                .unwrap_or_default(),
        );
        let args = format!("{}<name>{}</name><spec>{body}</spec>", spec.folder.to_xml("folder"), escape(&spec.name));
        let out = self.run_task("CloneVM_Task", source, &args, deadline).await?;
        out.moref().ok_or_else(|| ViError::Decode("CloneVM_Task returned no VM".into()))
    }

    pub async fn reconfigure_vm(
        &self,
        vm: &ManagedObjectReference,
        spec: &VirtualMachineConfigSpec,
        deadline: Option<Instant>,
    ) -> Result<(), ViError> {
        info!(vm = %vm, devices = spec.device_change.len(), "reconfiguring VM");
        self.run_task("ReconfigVM_Task", vm, &spec.to_xml("spec"), deadline).await.map(|_| ())
    }

    pub async fn relocate_vm(
        &self,
        vm: &ManagedObjectReference,
        spec: &RelocateSpec,
        deadline: Option<Instant>,
    ) -> Result<(), ViError> {
        self.run_task("RelocateVM_Task", vm, &spec.to_xml("spec"), deadline).await.map(|_| ())
    }

    pub async fn upgrade_vm_hardware(
        &self,
        vm: &ManagedObjectReference,
        version: &str,
        deadline: Option<Instant>,
    ) -> Result<(), ViError> {
        let args = format!("<version>{}</version>", escape(version));
        self.run_task("UpgradeVM_Task", vm, &args, deadline).await.map(|_| ())
    }

    /// Powers the VM on. A blocking question is answered with its default
    /// choice when `auto_answer`, else the power-on fails with its text.
    pub async fn power_on_vm(
        &self,
        vm: &ManagedObjectReference,
        auto_answer: bool,
        deadline: Option<Instant>,
    ) -> Result<(), ViError> {
        let task = self.start_task("PowerOnVM_Task", vm, "", deadline).await?;
        let mut delay = Duration::from_millis(50);
        loop {
            let objs = self
                .retrieve_by_type(
                    &[task.clone(), vm.clone()],
                    &[("Task", &["info.state", "info.error"]), ("VirtualMachine", &["runtime.question"])],
                    None,
                )
                .await?;
            let (t, v) = (objs.first(), objs.get(1));
            if let Some("success" | "error") = t.and_then(|t| t.str("info.state")) {
                return self.wait_for_task(&task, deadline).await.map(|_| ());
            }
            if let Some(q) = v.and_then(|v| v.node("runtime.question")).and_then(question_from_node) {
                self.handle_question(vm, &q, auto_answer).await?;
            }
            if deadline.is_some_and(|d| Instant::now() + delay > d) {
                return Err(ViError::TaskTimeout { task: task.value.clone(), what: "power on".into() });
            }
            tokio::time::sleep(delay).await;
            delay = (delay * 2).min(Duration::from_secs(1));
        }
    }

    /// Answers (or refuses) a question the VM is blocked on.
    pub async fn handle_question(
        &self,
        vm: &ManagedObjectReference,
        q: &VirtualMachineQuestionInfo,
        auto_answer: bool,
    ) -> Result<(), ViError> {
        let choice = q.default_index.and_then(|i| q.choices.get(i)).or(q.choices.first());
        match (auto_answer, choice) {
            (true, Some((key, label))) => {
                info!(vm = %vm, question = %q.text, answer = %label, "answering VM question with its default choice");
                let args =
                    format!("<questionId>{}</questionId><answerChoice>{}</answerChoice>", escape(&q.id), escape(key));
                self.invoke("AnswerVM", vm, &args).await.map(|_| ())
            }
            _ => Err(ViError::Fault {
                kind: "VmQuestion".into(),
                message: format!(
                    "VM {vm} is waiting for an answer to: {:?} (choices: {}); answer it in vSphere, or set auto_answer = true on the provider to pick the default",
                    q.text,
                    q.choices.iter().map(|(_, l)| l.as_str()).collect::<Vec<_>>().join(", ")
                ),
            }),
        }
    }

    pub async fn power_off_vm(&self, vm: &ManagedObjectReference, deadline: Option<Instant>) -> Result<(), ViError> {
        self.run_task("PowerOffVM_Task", vm, "", deadline).await.map(|_| ())
    }

    /// Asks the guest to shut down and waits up to `wait` for it; then (or
    /// when the guest cannot be asked, e.g. no VMware Tools) powers it off.
    pub async fn shutdown_vm(
        &self,
        vm: &ManagedObjectReference,
        wait: Duration,
        deadline: Option<Instant>,
    ) -> Result<(), ViError> {
        if let Err(e) = self.invoke("ShutdownGuest", vm, "").await {
            debug!(vm = %vm, error = %e, "guest shutdown refused; powering off");
            return self.power_off_vm(vm, deadline).await;
        }
        let until = crate::vi::core::task::deadline_after(wait);
        while Instant::now() < until {
            let objs = self.retrieve(std::slice::from_ref(vm), &["runtime.powerState"]).await?;
            if objs.first().and_then(|o| o.str("runtime.powerState")) == Some("poweredOff") {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        self.power_off_vm(vm, deadline).await
    }

    pub async fn destroy_vm(&self, vm: &ManagedObjectReference, deadline: Option<Instant>) -> Result<(), ViError> {
        self.run_task("Destroy_Task", vm, "", deadline).await.map(|_| ())
    }

    /// Polls until the guest reports an IP address or `wait` passes.
    pub async fn wait_for_ip(&self, vm: &ManagedObjectReference, wait: Duration) -> Result<Option<String>, ViError> {
        let until = crate::vi::core::task::deadline_after(wait);
        loop {
            let objs = self.retrieve(std::slice::from_ref(vm), &["guest.ipAddress"]).await?;
            if let Some(ip) = objs.first().and_then(|o| o.str("guest.ipAddress")).filter(|ip| !ip.is_empty()) {
                return Ok(Some(ip.to_owned()));
            }
            if Instant::now() >= until {
                return Ok(None);
            }
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
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
