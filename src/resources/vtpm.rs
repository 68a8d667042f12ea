//! `vi_vtpm`: a virtual TPM on a VM managed elsewhere (imported, or cloned
//! by another team's module). The prerequisites are checked at plan when
//! `vm_id` is known then, else at the start of create, before anything
//! changes; create and destroy are one ReconfigVM_Task each; read makes
//! sure the device is really there.
use crate::vi::FaultKind;
use crate::vi::MoType;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::plugin::{ApplyError, AttrPath, Attribute as A, Block, Diags, Plan, Resource, Schema, Type, Value};
use crate::shared::Meta;
use crate::shared::diag::vi_diag;
use crate::shared::tpm::checks::{self as tpm_checks, Overlay, Subject};
use crate::shared::tpm::device::{self as tpm_device, TpmView};
use crate::vi::ManagedObjectReference;
use crate::vi::object::vm::{VM_PROPS, VmInfo};
use crate::vi::object::vm_spec::VirtualMachineConfigSpec;

pub struct Vtpm;

#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct State {
    pub id: Value<String>,
    pub vm_id: Value<String>,
    pub key_provider_id: Value<String>,
    pub device_key: Value<i64>,
    pub endorsement_key_certificates_present: Value<bool>,
}

fn schema() -> Schema {
    Schema::new(
        Block::new(
            "A virtual TPM 2.0 device on an existing VM managed elsewhere (imported, or cloned by another \
             module). For a VM this configuration creates, use the `vtpm` block of `vi_vm` instead. The VM must be \
             powered off, without snapshots, with EFI firmware, hardware version 14 or later and a 64-bit guest OS, \
             and vCenter needs a key provider: checked at plan when `vm_id` is known then, else before anything \
             changes at apply.",
        )
        .attr(A::computed("id", Type::String, "The VM's managed object id (a VM holds at most one vTPM)."))
        .attr(
            A::required(
                "vm_id",
                Type::String,
                "The VM to add the vTPM to (`vm-42`). A change moves the vTPM: the \
                 old one is removed, a new one added.",
            )
            .force_new(),
        )
        .attr(
            A::optional_computed(
                "key_provider_id",
                Type::String,
                "Key provider to encrypt the VM's home files with (a vTPM needs them encrypted). Default: vCenter's \
                 default key provider. Reports the provider the VM is encrypted with; a VM already encrypted keeps \
                 its provider. A change replaces the vTPM.",
            )
            .force_new(),
        )
        .attr(A::computed("device_key", Type::Number, "vSphere's key of the `VirtualTPM` device."))
        .attr(A::computed(
            "endorsement_key_certificates_present",
            Type::Bool,
            "Whether vSphere has issued the vTPM's endorsement key certificates.",
        )),
    )
}

fn vm_not_found(id: &str) -> Diags {
    Diags::error_at(AttrPath::attr("vm_id"), "VM not found", format!("no VM has the id {id:?}"))
}

/// The state of the vTPM on `info`; `None` when it has none.
fn to_state(info: &VmInfo, vm_id: &str) -> Option<State> {
    let tpm = info.tpm()?;
    Some(State {
        id: Value::known(vm_id.to_owned()),
        vm_id: Value::known(vm_id.to_owned()),
        key_provider_id: Value::from_option(info.key_provider().map(str::to_owned)),
        device_key: Value::known(tpm.key),
        endorsement_key_certificates_present: Value::known(!tpm.endorsement_key_certificate.is_empty()),
    })
}

/// The prerequisites for adding a vTPM to the VM in `view`. `replacing`:
/// the VM's current vTPM goes first (a replacement on the same VM).
fn add_check(meta: &Meta, view: &TpmView, vm_id: &str, key_provider_id: &Value<String>, replacing: bool) -> Diags {
    let Some(vm) = &view.vm else { return vm_not_found(vm_id) };
    let Some(mut facts) = tpm_checks::facts(Some(vm), &Overlay::default()) else { return Diags::none() };
    facts.has_tpm &= !replacing;
    let entities: Vec<ManagedObjectReference> = vm.host.iter().cloned().collect();
    let providers = tpm_checks::key_providers(view.providers.as_deref(), key_provider_id, &entities);
    let errors = tpm_checks::add_errors(&facts, &providers, Some(meta.client.api_version()));
    tpm_checks::diags(&errors, &Subject::OtherVm { vm_id: vm_id.to_owned() })
}

fn remove_check(vm: &VmInfo, vm_id: &str) -> Diags {
    let facts = tpm_checks::live_facts(vm);
    tpm_checks::diags(&tpm_checks::remove_errors(&facts), &Subject::OtherVm { vm_id: vm_id.to_owned() })
}

/// A vTPM add whose outcome cannot be known (its answer, or the read-back,
/// was lost). A vTPM is known by its VM, and a VM holds one at most, so
/// there is never a second copy to fear: the state records it — untainted,
/// with a warning, since replacing a vTPM would discard its keys — and the
/// next refresh reads the VM and keeps it, or drops it so the next apply
/// adds it.
fn unsure(vm_id: &str, want: &State, why: &str) -> ApplyError<State> {
    ApplyError {
        diags: Diags::warning_at(
            AttrPath::attr("vm_id"),
            "The vTPM may not have been added",
            format!(
                "The answer about adding the vTPM to {vm_id} was lost ({why}). The resource is recorded; the next \
                 plan or refresh reads the VM: if it has no vTPM the resource leaves the state and the next apply \
                 adds it."
            ),
        ),
        partial: Some(State { vm_id: Value::known(vm_id.to_owned()), ..want.clone() }),
    }
}

#[async_trait]
impl Resource<Meta> for Vtpm {
    type State = State;

    fn type_name(&self) -> &'static str {
        "vi_vtpm"
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, config: &State) -> Diags {
        match config.key_provider_id.get() {
            Some(id) if id.is_empty() => Diags::error_at(
                AttrPath::attr("key_provider_id"),
                "Empty key provider id",
                "key_provider_id must not be empty; leave it unset to use vCenter's default key provider",
            ),
            _ => Diags::none(),
        }
    }

    async fn plan(&self, meta: Option<&Meta>, p: &mut Plan<State>) -> Diags {
        let Some(vm_id) = p.planned.vm_id.get().cloned() else {
            return Diags::none(); // checked at the start of create instead
        };
        let Some(meta) = meta else { return Diags::none() };
        let replacing_on = match &p.prior {
            None => None,
            Some(prior) if prior.vm_id != p.planned.vm_id || prior.key_provider_id != p.planned.key_provider_id => {
                prior.vm_id.get().cloned()
            }
            // Nothing of the device changes.
            Some(_) => return Diags::none(),
        };
        let old = replacing_on.as_ref().filter(|old| **old != vm_id).map(|old| MoType::VirtualMachine.moref(old));
        let view = match tpm_device::read(meta, Some(&MoType::VirtualMachine.moref(&vm_id)), true, false).await {
            Ok(v) => v,
            Err(e) => return vi_diag(&e, "reading the VM and key providers", Some(AttrPath::attr("vm_id"))),
        };
        // The configured value: the planned one is unknown when it is left out.
        let mut d = add_check(meta, &view, &vm_id, &p.config.key_provider_id, replacing_on.as_deref() == Some(&vm_id));
        // Moving the vTPM: the old VM must let it go too.
        if let (Some(old_ref), Some(old_id)) = (old, &replacing_on) {
            match tpm_device::read(meta, Some(&old_ref), false, false).await {
                Ok(TpmView { vm: Some(vm), .. }) => d.push(remove_check(&vm, old_id)),
                Ok(_) => {}
                Err(e) => d.push(vi_diag(&e, "reading the VM the vTPM leaves", Some(AttrPath::attr("vm_id")))),
            }
        }
        d
    }

    async fn create(&self, meta: &Meta, want: State) -> Result<State, ApplyError<State>> {
        let vm_id = want.vm_id.require("vm_id")?.to_owned();
        let vm = MoType::VirtualMachine.moref(&vm_id);
        // The same check as at plan, on fresh facts, before anything changes.
        let view = tpm_device::read(meta, Some(&vm), true, true)
            .await
            .map_err(|e| vi_diag(&e, "reading the VM and key providers", Some(AttrPath::attr("vm_id"))))?;
        // Everything configured is known at apply: unknown means left out.
        let requested = want.key_provider_id.clone().or_unknown_as(Value::Null);
        let _ = add_check(meta, &view, &vm_id, &requested, false).into_result()?;
        let providers = view.providers.unwrap_or_default();
        let (device, crypto) =
            tpm_device::add_spec(meta, view.vm.as_ref(), want.key_provider_id.as_deref(), &providers).await?;
        let spec = VirtualMachineConfigSpec { device_change: vec![device], crypto, ..Default::default() };
        if let Err(e) = meta.client.vm(&vm).reconfigure(&spec, None).await {
            if e.outcome_unknown() {
                return Err(unsure(&vm_id, &want, &e.to_string()));
            }
            return Err(vi_diag(&e, "adding the vTPM", None).into());
        }
        let info = match read_vm_now(meta, &vm).await {
            Ok(info) => info.ok_or_else(|| vm_not_found(&vm_id))?,
            Err(d) => {
                let why = d.0.iter().map(|x| format!("{}: {}", x.summary, x.detail)).collect::<Vec<_>>().join("; ");
                return Err(unsure(&vm_id, &want, &why));
            }
        };
        // vSphere can accept the change and still not attach the device.
        to_state(&info, &vm_id).ok_or_else(|| {
            Diags::error(
                "vTPM not attached",
                format!("vSphere accepted the change to {vm_id} but the VM has no vTPM afterwards"),
            )
            .into()
        })
    }

    async fn read(&self, meta: &Meta, current: State) -> Result<Option<State>, Diags> {
        let Some(vm_id) = current.vm_id.get().cloned() else { return Ok(None) };
        let o = match meta.batcher.retrieve_one(MoType::VirtualMachine.moref(&vm_id), VM_PROPS).await {
            Ok(o) => o,
            Err(e) if e.is_fault(FaultKind::ManagedObjectNotFound) => return Ok(None),
            Err(e) => return Err(vi_diag(&e, "reading the VM", None)),
        };
        if o.is_missing_object() {
            return Ok(None);
        }
        // No device (removed outside Terraform, or never attached): gone,
        // so the next plan adds it again.
        Ok(to_state(&VmInfo::from_content(&o), &vm_id))
    }

    async fn update(&self, meta: &Meta, _prior: State, want: State) -> Result<State, ApplyError<State>> {
        // Every setting forces a new vTPM; an update only refreshes.
        let vm_id = want.vm_id.require("vm_id")?.to_owned();
        let info =
            read_vm_now(meta, &MoType::VirtualMachine.moref(&vm_id)).await?.ok_or_else(|| vm_not_found(&vm_id))?;
        to_state(&info, &vm_id).ok_or_else(|| Diags::error("vTPM not found", format!("{vm_id} has no vTPM")).into())
    }

    async fn delete(&self, meta: &Meta, prior: State) -> Result<(), Diags> {
        let Some(vm_id) = prior.vm_id.get().cloned() else { return Ok(()) };
        let vm = MoType::VirtualMachine.moref(&vm_id);
        // Already gone, with its VM or by hand: nothing to remove.
        let Some(info) = read_vm_now(meta, &vm).await? else { return Ok(()) };
        let Some(change) = tpm_device::remove_spec(&info) else { return Ok(()) };
        let _ = remove_check(&info, &vm_id).into_result()?;
        let spec = VirtualMachineConfigSpec { device_change: vec![change], ..Default::default() };
        meta.client.vm(&vm).reconfigure(&spec, None).await.map_err(|e| vi_diag(&e, "removing the vTPM", None))?;
        match read_vm_now(meta, &vm).await? {
            Some(after) if after.has_tpm() => Err(Diags::error(
                "vTPM not removed",
                format!("vSphere accepted the change to {vm_id} but the VM still has a vTPM"),
            )),
            _ => Ok(()),
        }
    }

    async fn import(&self, meta: &Meta, id: &str) -> Result<State, Diags> {
        let info = read_vm_now(meta, &MoType::VirtualMachine.moref(id)).await?.ok_or_else(|| {
            Diags::error("VM not found", format!("no VM has the id {id:?}; import a vi_vtpm by its VM's id"))
        })?;
        to_state(&info, id).ok_or_else(|| Diags::error("No vTPM", format!("VM {id} has no vTPM to import")))
    }

    fn identity_attributes(&self) -> &'static [(&'static str, &'static str)] {
        &[("vm_id", "Managed object id of the VM the vTPM belongs to (`vm-42`).")]
    }
}

/// Reads a VM directly (apply needs the freshest view); `None` when gone.
async fn read_vm_now(meta: &Meta, vm: &ManagedObjectReference) -> Result<Option<VmInfo>, Diags> {
    let objs = match meta.client.retrieve(std::slice::from_ref(vm), VM_PROPS).await {
        Ok(o) => o,
        Err(e) if e.is_fault(FaultKind::ManagedObjectNotFound) => return Ok(None),
        Err(e) => return Err(vi_diag(&e, "reading the VM", None)),
    };
    Ok(objs.first().filter(|o| !o.is_missing_object()).map(VmInfo::from_content))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plugin::resource;
    use crate::vi::object::vm_device::VirtualDevice;

    #[test]
    fn state_matches_schema() {
        resource(Vtpm).self_check().unwrap();
    }

    #[test]
    fn state_reports_the_device_or_nothing() {
        let mut vm = VmInfo::default();
        assert_eq!(to_state(&vm, "vm-1"), None);
        vm.devices.push(VirtualDevice {
            kind: crate::vi::object::vm_device::VIRTUAL_TPM.into(),
            key: 11000,
            endorsement_key_certificate: vec!["MIIB".into()],
            ..Default::default()
        });
        vm.key_id = Some(crate::vi::object::crypto::CryptoKeyId { key_id: "k".into(), provider_id: Some("kp".into()) });
        let s = to_state(&vm, "vm-1").unwrap();
        assert_eq!(s.device_key, Value::known(11000));
        assert_eq!(s.endorsement_key_certificates_present, Value::known(true));
        assert_eq!(s.key_provider_id, Value::known("kp".to_owned()));
        assert_eq!(s.id, s.vm_id);
    }
}
