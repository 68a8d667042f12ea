//! Handles on managed objects, with their operations: a `VirtualMachine`
//! (clone, reconfigure, relocate, upgrade, power, destroy, wait for an IP)
//! and a `Folder` (create a VM in it). A handle borrows the client and
//! holds the object's reference, so a caller names the object once:
//! `client.vm(&id).power_on(..)`.
use std::time::{Duration, Instant};

use tracing::{debug, info};

use super::vm::{CloneSpec, RelocateSpec, VirtualMachineQuestionInfo, question_from_node};
use super::vm_spec::VirtualMachineConfigSpec;
use crate::vi::core::client::Client;
use crate::vi::core::error::ViError;
use crate::vi::core::types::ManagedObjectReference;
use crate::vi::core::xml::escape;

/// A VirtualMachine and its operations.
pub struct VirtualMachine<'c> {
    pub(crate) client: &'c Client,
    pub(crate) moref: ManagedObjectReference,
}

/// A Folder and the VMs it creates.
pub struct Folder<'c> {
    client: &'c Client,
    moref: ManagedObjectReference,
}

impl Client {
    /// A handle on the VM `vm`.
    pub fn vm(&self, vm: &ManagedObjectReference) -> VirtualMachine<'_> {
        VirtualMachine { client: self, moref: vm.clone() }
    }

    /// A handle on the folder `folder`.
    pub fn folder(&self, folder: &ManagedObjectReference) -> Folder<'_> {
        Folder { client: self, moref: folder.clone() }
    }
}

impl Folder<'_> {
    /// Folder.CreateVM_Task; returns the new VM.
    pub async fn create_vm(
        &self,
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
        let out = self.client.run_task("CreateVM_Task", &self.moref, &args, deadline).await?;
        out.moref().ok_or_else(|| ViError::Decode("CreateVM_Task returned no VM".into()))
    }
}

impl VirtualMachine<'_> {
    /// The VM's reference.
    pub fn moref(&self) -> &ManagedObjectReference {
        &self.moref
    }

    /// VirtualMachine.CloneVM_Task; returns the new VM.
    pub async fn clone_vm(
        &self,
        spec: &CloneSpec,
        deadline: Option<Instant>,
    ) -> Result<ManagedObjectReference, ViError> {
        let source = &self.moref;
        let mut snapshot = String::new();
        let mut location = RelocateSpec {
            folder: None,
            datastore: spec.datastore.clone(),
            disk_move_type: None,
            pool: spec.pool.clone(),
            host: spec.host.clone(),
        };
        if spec.linked {
            let objs = self.client.retrieve(std::slice::from_ref(source), &["snapshot.currentSnapshot"]).await?;
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
        let out = self.client.run_task("CloneVM_Task", source, &args, deadline).await?;
        out.moref().ok_or_else(|| ViError::Decode("CloneVM_Task returned no VM".into()))
    }

    /// VirtualMachine.ReconfigVM_Task.
    pub async fn reconfigure(&self, spec: &VirtualMachineConfigSpec, deadline: Option<Instant>) -> Result<(), ViError> {
        info!(vm = %self.moref, devices = spec.device_change.len(), "reconfiguring VM");
        self.client.run_task("ReconfigVM_Task", &self.moref, &spec.to_xml("spec"), deadline).await.map(|_| ())
    }

    /// VirtualMachine.RelocateVM_Task.
    pub async fn relocate(&self, spec: &RelocateSpec, deadline: Option<Instant>) -> Result<(), ViError> {
        self.client.run_task("RelocateVM_Task", &self.moref, &spec.to_xml("spec"), deadline).await.map(|_| ())
    }

    /// VirtualMachine.UpgradeVM_Task to `version` (`vmx-19`).
    pub async fn upgrade_hardware(&self, version: &str, deadline: Option<Instant>) -> Result<(), ViError> {
        let args = format!("<version>{}</version>", escape(version));
        self.client.run_task("UpgradeVM_Task", &self.moref, &args, deadline).await.map(|_| ())
    }

    /// Powers the VM on. A blocking question is answered with its default
    /// choice when `auto_answer`, else the power-on fails with its text.
    pub async fn power_on(&self, auto_answer: bool, deadline: Option<Instant>) -> Result<(), ViError> {
        let vm = &self.moref;
        let task = self.client.start_task("PowerOnVM_Task", vm, "", deadline).await?;
        // A power-on blocked by a question keeps its task running: the
        // question is looked for only once the task takes a while.
        let mut look_after = Duration::from_millis(500);
        loop {
            let pause = Instant::now() + look_after;
            if self.client.wait_for_task_until(&task, deadline, Some(pause)).await?.is_some() {
                return Ok(());
            }
            let objs = self.client.retrieve(std::slice::from_ref(vm), &["runtime.question"]).await?;
            if let Some(q) = objs.first().and_then(|v| v.node("runtime.question")).and_then(question_from_node) {
                self.handle_question(&q, auto_answer).await?;
            }
            look_after = (look_after * 2).min(Duration::from_secs(5));
        }
    }

    /// Answers (or refuses) a question the VM is blocked on.
    pub async fn handle_question(&self, q: &VirtualMachineQuestionInfo, auto_answer: bool) -> Result<(), ViError> {
        let vm = &self.moref;
        let choice = q.default_index.and_then(|i| q.choices.get(i)).or(q.choices.first());
        match (auto_answer, choice) {
            (true, Some((key, label))) => {
                info!(vm = %vm, question = %q.text, answer = %label, "answering VM question with its default choice");
                let args =
                    format!("<questionId>{}</questionId><answerChoice>{}</answerChoice>", escape(&q.id), escape(key));
                self.client.invoke("AnswerVM", vm, &args).await.map(|_| ())
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

    /// VirtualMachine.PowerOffVM_Task.
    pub async fn power_off(&self, deadline: Option<Instant>) -> Result<(), ViError> {
        self.client.run_task("PowerOffVM_Task", &self.moref, "", deadline).await.map(|_| ())
    }

    /// Asks the guest to shut down and waits up to `wait` for it; then (or
    /// when the guest cannot be asked, e.g. no VMware Tools) powers it off.
    pub async fn shutdown(&self, wait: Duration, deadline: Option<Instant>) -> Result<(), ViError> {
        let vm = &self.moref;
        if let Err(e) = self.client.invoke("ShutdownGuest", vm, "").await {
            debug!(vm = %vm, error = %e, "guest shutdown refused; powering off");
            return self.power_off(deadline).await;
        }
        let until = crate::vi::core::task::deadline_after(wait);
        while Instant::now() < until {
            let objs = self.client.retrieve(std::slice::from_ref(vm), &["runtime.powerState"]).await?;
            if objs.first().and_then(|o| o.str("runtime.powerState")) == Some("poweredOff") {
                return Ok(());
            }
            tokio::time::sleep(Duration::from_millis(500)).await;
        }
        self.power_off(deadline).await
    }

    /// VirtualMachine.Destroy_Task.
    pub async fn destroy(&self, deadline: Option<Instant>) -> Result<(), ViError> {
        self.client.run_task("Destroy_Task", &self.moref, "", deadline).await.map(|_| ())
    }

    /// Polls until the guest reports an IP address or `wait` passes.
    pub async fn wait_for_ip(&self, wait: Duration) -> Result<Option<String>, ViError> {
        let until = crate::vi::core::task::deadline_after(wait);
        loop {
            let objs = self.client.retrieve(std::slice::from_ref(&self.moref), &["guest.ipAddress"]).await?;
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
