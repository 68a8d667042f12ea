//! `vi_vm`: a virtual machine, from scratch or cloned, through its whole
//! life: create, read (one batched call), update in place, power, migrate,
//! destroy, import.
use crate::vi::FaultKind;
use crate::vi::MoType;
use std::time::{Duration, Instant};

use async_trait::async_trait;

mod customize;
mod devices;
mod lost_create;
mod moved_from_vsphere;
mod plan;
mod read;
mod resolve;
mod schema;
mod state;
mod tpm;
mod update;
mod vapp_member;

use self::state::State;
use crate::plugin::{ApplyError, AttrPath, Diags, MoveSource, Plan, Resource, Schema, Value};
use crate::rules::hardware_version::HardwareVersion;
use crate::rules::object_name::NameKind;
use crate::rules::provider_config::parse_duration;
use crate::rules::tpm::TpmPolicy;
use crate::shared::Meta;
use crate::shared::diag::vi_diag;
use crate::shared::lookup::{self, datacenter_of, vm_folder};
use crate::shared::moved_from_vsphere as moved;
use crate::shared::tpm::catalog_deploy::deploy_tpm_policy;
use crate::shared::tpm::device as tpm_device;
use crate::shared::{name_checks, references};
use crate::vi::OvfDeploySpec;
use crate::vi::core::task::deadline_after;
use crate::vi::object::vapp::pool_ref;
use crate::vi::object::vm::{CloneSpec, VM_PROPS, VmInfo};
use crate::vi::object::vm_recover::new_instance_uuid;
use crate::vi::object::vm_spec::VirtualMachineConfigSpec;
use crate::vi::{ManagedObjectReference, ViError};

pub struct Vm;

/// A deadline from a `timeouts` entry (default 30 minutes).
fn deadline(t: Option<&Value<String>>) -> Instant {
    let d = t.and_then(Value::get).and_then(|s| parse_duration(s).ok()).unwrap_or(Duration::from_secs(30 * 60));
    deadline_after(d)
}

/// Reads a VM through the batcher; None when it no longer exists.
async fn read_info(meta: &Meta, id: &str) -> Result<Option<VmInfo>, ViError> {
    let o = meta.batcher.retrieve_one(MoType::VirtualMachine.moref(id), VM_PROPS).await?;
    Ok(if o.is_missing_object() { None } else { Some(VmInfo::from_content(&o)) })
}

/// Reads a VM directly (apply needs the freshest view, not a shared batch).
async fn read_now(meta: &Meta, vm: &ManagedObjectReference) -> Result<VmInfo, Diags> {
    let objs = meta
        .client
        .retrieve(std::slice::from_ref(vm), VM_PROPS)
        .await
        .map_err(|e| vi_diag(&e, "reading the VM", None))?;
    objs.first()
        .filter(|o| !o.is_missing_object())
        .map(VmInfo::from_content)
        .ok_or_else(|| Diags::error("VM not found", format!("{} no longer exists", vm.value)))
}

/// The configuration-level spec: everything but devices.
fn base_spec(want: &State) -> VirtualMachineConfigSpec {
    let mut spec = VirtualMachineConfigSpec {
        name: want.name.get().cloned(),
        guest_id: want.guest_id.get().cloned(),
        annotation: want.annotation.get().cloned(),
        num_cpus: want.num_cpus.get().copied(),
        num_cores_per_socket: want.num_cores_per_socket.get().copied(),
        memory_mb: want.memory.get().copied(),
        memory_hot_add_enabled: want.memory_hot_add_enabled.get().copied(),
        cpu_hot_add_enabled: want.cpu_hot_add_enabled.get().copied(),
        firmware: want.firmware.get().cloned(),
        efi_secure_boot_enabled: want.efi_secure_boot.get().copied(),
        extra_config: want
            .extra_config
            .get()
            .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
            .unwrap_or_default(),
        ..Default::default()
    };
    spec.extra_config.extend(devices::mac_check_settings(want));
    spec.extra_config.extend(label_settings(want));
    spec
}

/// extraConfig entries that keep each disk's label with the VM.
fn label_settings(s: &State) -> Vec<(String, String)> {
    s.disk
        .iter()
        .filter_map(|d| Some((crate::shared::vm_facts::disk_label_key(*d.unit_number.get()?), d.label.get()?.clone())))
        .collect()
}

/// Only what differs between two states, so a reconfigure touches nothing
/// else (and an unchanged VM gets no task at all).
fn changed_spec(have: &State, want: &State) -> VirtualMachineConfigSpec {
    fn pick<T: Clone + PartialEq>(a: &Value<T>, b: &Value<T>) -> Option<T> {
        if a == b { None } else { b.get().cloned() }
    }
    let mut extra: Vec<(String, String)> = Vec::new();
    let old = have.extra_config.get().cloned().unwrap_or_default();
    let new = want.extra_config.get().cloned().unwrap_or_default();
    for (k, v) in &new {
        if old.get(k) != Some(v) {
            extra.push((k.clone(), v.clone()));
        }
    }
    for k in old.keys().filter(|k| !new.contains_key(*k)) {
        // An empty value removes the key.
        extra.push((k.clone(), String::new()));
    }
    let old_checks = devices::mac_check_settings(have);
    for kv in devices::mac_check_settings(want) {
        if !old_checks.contains(&kv) {
            extra.push(kv);
        }
    }
    let (old_labels, new_labels) = (label_settings(have), label_settings(want));
    for kv in &new_labels {
        if !old_labels.contains(kv) {
            extra.push(kv.clone());
        }
    }
    for (k, _) in old_labels.iter().filter(|(k, _)| !new_labels.iter().any(|(n, _)| n == k)) {
        extra.push((k.clone(), String::new()));
    }
    VirtualMachineConfigSpec {
        name: pick(&have.name, &want.name),
        guest_id: pick(&have.guest_id, &want.guest_id),
        annotation: if have.annotation == want.annotation {
            None
        } else {
            Some(want.annotation.get().cloned().unwrap_or_default())
        },
        num_cpus: pick(&have.num_cpus, &want.num_cpus),
        num_cores_per_socket: pick(&have.num_cores_per_socket, &want.num_cores_per_socket),
        memory_mb: pick(&have.memory, &want.memory),
        memory_hot_add_enabled: pick(&have.memory_hot_add_enabled, &want.memory_hot_add_enabled),
        cpu_hot_add_enabled: pick(&have.cpu_hot_add_enabled, &want.cpu_hot_add_enabled),
        firmware: pick(&have.firmware, &want.firmware),
        efi_secure_boot_enabled: pick(&have.efi_secure_boot, &want.efi_secure_boot),
        extra_config: extra,
        ..Default::default()
    }
}

/// The state of `info`, with what lives outside the VM (its vApp start
/// settings) read too.
async fn read_full(meta: &Meta, info: &VmInfo, prior: &State) -> Result<State, Diags> {
    let mut state = read::to_state(info, prior);
    if let Some(vm) = &info.moref {
        vapp_member::read_back(meta, vm, &mut state)
            .await
            .map_err(|e| vi_diag(&e, "reading the VM's vApp start settings", Some(AttrPath::attr("vapp_start"))))?;
    }
    Ok(state)
}

/// A state whose start order vSphere has not yet been asked to set.
fn without_start_order(s: &State) -> State {
    let mut s = s.clone();
    if let Some(v) = &mut s.vapp_start
        && v.order.is_unknown()
    {
        v.order = Value::Null;
    }
    s
}

/// The API form of a hardware version the plan checked (`vmx-07`, `vmx-19`).
fn vmx(version: i64) -> String {
    HardwareVersion::new(version).map(HardwareVersion::to_vmx).unwrap_or_else(|_| format!("vmx-{version}"))
}

/// A clone or deployment has its source's hardware version: upgraded (the
/// VM is still off) when the configuration asks for a newer one, refused
/// when it asks for an older one, which no VM can go back to.
async fn hardware_version_of_copy(
    meta: &Meta,
    vm: &ManagedObjectReference,
    live: &VmInfo,
    want: &State,
    dl: Instant,
) -> Result<(), Diags> {
    let Some(to) = want.hardware_version.get().and_then(|v| HardwareVersion::new(*v).ok()) else { return Ok(()) };
    let Some(from) = live.version.as_deref().and_then(HardwareVersion::from_vim) else { return Ok(()) };
    if to < from {
        return Err(Diags::error_at(
            AttrPath::attr("hardware_version"),
            "Hardware version lower than the source's",
            format!(
                "the source has hardware version {from}, and a VM's hardware version cannot be lowered; ask for {from} or later"
            ),
        ));
    }
    if to > from {
        meta.client.vm(vm).upgrade_hardware(&to.to_vmx(), Some(dl)).await.map_err(|e| {
            vi_diag(&e, "upgrading the copy's hardware version", Some(AttrPath::attr("hardware_version")))
        })?;
    }
    Ok(())
}

fn apply_err(e: &ViError, what: &str, partial: Option<State>) -> ApplyError<State> {
    ApplyError { diags: vi_diag(e, what, None), partial }
}

impl Vm {
    /// After the VM exists every failure returns its id, so Terraform taints
    /// it instead of orphaning it.
    async fn finish_create(
        &self,
        meta: &Meta,
        vm: &ManagedObjectReference,
        want: &State,
    ) -> Result<State, ApplyError<State>> {
        let partial = |s: &State| State { id: Value::known(vm.value.clone()), ..s.clone() };
        let dl = deadline(want.timeouts.as_ref().map(|t| &t.create));
        // The guest is customized at its first power-on, so before it.
        let customizing = customize::prepare(meta, vm, want, dl)
            .await
            .map_err(|d| ApplyError { diags: d, partial: Some(partial(&without_start_order(want))) })?;
        // Start settings before power-on: the vApp knows the VM from then on.
        vapp_member::apply(meta, vm, want)
            .await
            .map_err(|d| ApplyError { diags: d, partial: Some(partial(&without_start_order(want))) })?;
        if want.powered_on() {
            meta.client
                .vm(vm)
                .power_on(meta.auto_answer, Some(dl))
                .await
                .map_err(|e| apply_err(&e, "powering on the new VM", Some(partial(want))))?;
            if let Some(pending) = &customizing {
                customize::wait(meta, vm, pending, dl, || Some(partial(want))).await?;
            }
            self.wait_for_ip(meta, vm, want).await;
        }
        let info = read_now(meta, vm).await.map_err(|d| ApplyError { diags: d, partial: Some(partial(want)) })?;
        let state =
            read_full(meta, &info, want).await.map_err(|d| ApplyError { diags: d, partial: Some(partial(want)) })?;
        tpm::verify(&info, None, want).map_err(|d| ApplyError { diags: d, partial: Some(state.clone()) })?;
        Ok(state)
    }

    async fn wait_for_ip(&self, meta: &Meta, vm: &ManagedObjectReference, want: &State) {
        let secs = want.wait_for_ip_timeout.get().copied().unwrap_or(0);
        if secs > 0 {
            let wait = Duration::from_secs(u64::try_from(secs).unwrap_or(0));
            match meta.client.vm(vm).wait_for_ip(wait).await {
                Ok(Some(ip)) => tracing::info!(vm = %vm, ip = %ip, "guest reported an IP address"),
                Ok(None) => tracing::warn!(vm = %vm, secs, "no IP address reported within wait_for_ip_timeout"),
                Err(e) => tracing::warn!(vm = %vm, error = %e, "waiting for an IP address failed"),
            }
        }
    }

    async fn create_from_scratch(&self, meta: &Meta, want: &State) -> Result<State, ApplyError<State>> {
        // The vTPM prerequisites again, on fresh facts, before anything exists.
        let key_providers = match &want.vtpm {
            Some(_) => Some(tpm::scratch_at_apply(meta, want).await?),
            None => None,
        };
        let pool = pool_ref(want.resource_pool_id.require("resource_pool_id")?);
        let dc = datacenter_of(meta, &pool, "resource_pool_id").await?;
        let folder = vm_folder(meta, &dc, want.folder.as_deref()).await?;
        let ds_id = want.datastore_id.require("datastore_id")?;
        let ds_name = resolve::datastore_name(meta, ds_id, AttrPath::attr("datastore_id")).await?;
        let resolved = resolve::resolve(meta, want).await?;
        let mut spec = base_spec(want);
        spec.vm_path_name = Some(format!("[{ds_name}]"));
        spec.version = want.hardware_version.get().map(|v| vmx(*v));
        spec.device_change =
            devices::for_create(want, &resolved).map_err(|e| Diags::error("Cannot build the VM's devices", e))?;
        let host = want.host_id.get().map(|h| MoType::HostSystem.moref(h));
        let dl = deadline(want.timeouts.as_ref().map(|t| &t.create));
        let uuid = new_instance_uuid();
        spec.instance_uuid = Some(uuid.clone());
        let vm = match meta.client.folder(&folder).create_vm(&spec, &pool, host.as_ref(), Some(dl)).await {
            Ok(vm) => vm,
            Err(e) => return Err(lost_create::failed(meta, &e, &uuid, want, "creating the VM").await),
        };
        tracing::info!(vm = %vm, "VM created");
        // The vTPM goes on the new VM before it first powers on, in its own
        // reconfigure like every other vTPM the provider adds (a key made
        // beforehand is not honoured by every CreateVM_Task — vcsim's).
        if let Some(kps) = &key_providers {
            let partial = State { id: Value::known(vm.value.clone()), ..want.clone() };
            self.add_tpm(
                meta,
                &vm,
                want,
                TpmAdd { live: None, key_providers: kps, deadline: Some(dl), partial: Some(partial) },
            )
            .await?;
        }
        self.finish_create(meta, &vm, want).await
    }

    async fn create_by_clone(&self, meta: &Meta, want: &State) -> Result<State, ApplyError<State>> {
        let Some(cl) = &want.clone else {
            return Err(Diags::error("No clone block", "internal: clone expected").into());
        };
        let source_id = cl.source_id.require("source_id")?;
        let source = MoType::VirtualMachine.moref(source_id);
        let pool_id = want.resource_pool_id.require("resource_pool_id")?;
        // The TPM policy and vTPM prerequisites again, on fresh facts.
        let (facts, policy) = tpm::clone_at_apply(meta, want, source_id, pool_id).await?;
        let pool = facts.pool.clone();
        let dc = datacenter_of(meta, &pool, "resource_pool_id").await?;
        let folder = vm_folder(meta, &dc, want.folder.as_deref()).await?;
        let mut config = base_spec(want);
        config.name = None;
        let uuid = new_instance_uuid();
        config.instance_uuid = Some(uuid.clone());
        let spec = CloneSpec {
            name: want.name.require("name")?.to_owned(),
            folder,
            pool: Some(pool),
            datastore: want.datastore_id.get().map(|d| MoType::Datastore.moref(d)),
            host: want.host_id.get().map(|h| MoType::HostSystem.moref(h)),
            linked: cl.linked_clone.get() == Some(&true),
            config: Some(config),
            tpm_provision_policy: policy.and_then(|p| p.send).map(|p| p.to_string()),
        };
        let dl = deadline(want.timeouts.as_ref().map(|t| &t.create));
        let vm = match meta.client.vm(&source).clone_vm(&spec, Some(dl)).await {
            Ok(vm) => vm,
            Err(e) => return Err(lost_create::failed(meta, &e, &uuid, want, "cloning the VM").await),
        };
        tracing::info!(vm = %vm, source = %source, "VM cloned");
        let partial = State { id: Value::known(vm.value.clone()), ..want.clone() };
        let live = self.conform(meta, &vm, want, dl, &partial, "clone").await?;
        // A vTPM copied from the source is kept; one is added if asked for.
        if tpm::change(false, live.has_tpm(), want) == Some(tpm::TpmChange::Add) {
            let kps = facts.providers.unwrap_or_default();
            let add =
                TpmAdd { live: Some(&live), key_providers: &kps, deadline: Some(dl), partial: Some(partial.clone()) };
            self.add_tpm(meta, &vm, want, add).await?;
        }
        self.finish_create(meta, &vm, want).await
    }

    /// Brings a VM that a clone or a deployment made (with its source's
    /// settings and devices) to what the configuration asks for; returns the
    /// VM as it was before. `what` names the VM in errors.
    async fn conform(
        &self,
        meta: &Meta,
        vm: &ManagedObjectReference,
        want: &State,
        dl: Instant,
        partial: &State,
        what: &str,
    ) -> Result<VmInfo, ApplyError<State>> {
        let fail = |d: Diags| ApplyError { diags: d, partial: Some(partial.clone()) };
        let live = read_now(meta, vm).await.map_err(fail)?;
        hardware_version_of_copy(meta, vm, &live, want, dl).await.map_err(fail)?;
        let have = read::to_state(&live, want);
        let resolved = resolve::resolve(meta, want).await.map_err(fail)?;
        // Settings too: not every vSphere applies a clone spec's config.
        let mut spec = changed_spec(&have, want);
        spec.device_change = devices::diff(&live, &have, want, &resolved)
            .map_err(|e| fail(Diags::error(format!("Cannot match the {what}'s devices to the configuration"), e)))?;
        if !spec.is_empty() {
            meta.client
                .vm(vm)
                .reconfigure(&spec, Some(dl))
                .await
                .map_err(|e| apply_err(&e, &format!("adjusting the {what}'s devices"), Some(partial.clone())))?;
        }
        Ok(live)
    }

    /// Deploys the catalog item as the VM (vAPI `vcenter.ovf.library_item`
    /// deploy), applies the TPM policy the rules allow, then conforms it.
    async fn create_from_catalog(&self, meta: &Meta, want: &State) -> Result<State, ApplyError<State>> {
        let Some(ci) = &want.catalog_item else {
            return Err(Diags::error("No catalog_item block", "internal: catalog_item expected").into());
        };
        let block = AttrPath::attr("catalog_item");
        let item_id = ci.item_id.require("item_id")?;
        // The TPM rules again, on the item as it is now.
        let policy = deploy_tpm_policy(meta, item_id, ci.tpm_provisioning.as_deref(), &block).await?;
        let pool_id = want.resource_pool_id.require("resource_pool_id")?;
        let pool = pool_ref(pool_id);
        let dc = datacenter_of(meta, &pool, "resource_pool_id").await?;
        let folder = vm_folder(meta, &dc, want.folder.as_deref()).await?;
        let name = want.name.require("name")?.to_owned();
        let path = lost_create::deploy_path_in(&dc.path, want);
        // vSphere refuses a second VM of the same name in a folder; saying so
        // first also keeps a failed deploy from claiming that VM below.
        if let Some(there) =
            meta.client.find_by_inventory_path(&path).await.map_err(|e| vi_diag(&e, "checking the VM's name", None))?
        {
            return Err(Diags::error_at(
                AttrPath::attr("name"),
                "Name taken",
                format!("{path} already exists ({}); pick another name or folder", there.value),
            )
            .into());
        }
        let lib = meta.library().await.map_err(|e| vi_diag(&e, "logging in to the content library API", None))?;
        let spec = OvfDeploySpec {
            name: Some(name.clone()),
            annotation: want.annotation.get().cloned(),
            resource_pool_id: pool_id.to_owned(),
            folder_id: Some(folder.value.clone()),
            host_id: want.host_id.get().cloned(),
            datastore_id: want.datastore_id.get().cloned(),
            network_mappings: Vec::new(),
            accept_all_eula: true,
        };
        let vm = match lib.deploy_ovf_item(item_id, &spec).await {
            Ok(vm) if vm.is(MoType::VirtualMachine) => vm,
            Ok(other) => {
                return Err(Diags::error_at(
                    block.then("item_id"),
                    "The item is not a VM template",
                    format!(
                        "deploying {item_id} made {} {}, not a virtual machine; use vi_vapp for it",
                        other.kind, other.value
                    ),
                )
                .into());
            }
            // The deploy may have made the VM before failing: find it by
            // its place and name, so it is in state (tainted), not orphaned.
            Err(e) => return Err(lost_create::deploy_failed(meta, &e, &path, want).await),
        };
        tracing::info!(vm = %vm, item = item_id, "VM deployed from the catalog");
        let dl = deadline(want.timeouts.as_ref().map(|t| &t.create));
        let partial = State { id: Value::known(vm.value.clone()), ..want.clone() };
        if policy == Some(TpmPolicy::Replace) {
            tpm_device::replace_copied(meta, std::slice::from_ref(&vm), dl)
                .await
                .map_err(|e| apply_err(&e, "replacing the deployed VM's TPM", Some(partial.clone())))?;
        }
        let live = self.conform(meta, &vm, want, dl, &partial, "deployed VM").await?;
        if tpm::change(false, live.has_tpm(), want) == Some(tpm::TpmChange::Add) {
            let unmanaged = State { vtpm: None, ..want.clone() };
            let kps = tpm::update_at_apply(meta, &vm, &unmanaged, want)
                .await
                .map_err(|d| ApplyError { diags: d, partial: Some(partial.clone()) })?;
            let live =
                read_now(meta, &vm).await.map_err(|d| ApplyError { diags: d, partial: Some(partial.clone()) })?;
            let add =
                TpmAdd { live: Some(&live), key_providers: &kps, deadline: Some(dl), partial: Some(partial.clone()) };
            self.add_tpm(meta, &vm, want, add).await?;
        }
        self.finish_create(meta, &vm, want).await
    }
}

/// What adding a vTPM needs besides the VM and its configuration.
struct TpmAdd<'a> {
    /// The VM as it is (None right after a create from scratch).
    live: Option<&'a VmInfo>,
    key_providers: &'a [crate::vi::object::crypto::KmipClusterInfo],
    deadline: Option<Instant>,
    /// The state to hand back should it fail.
    partial: Option<State>,
}

impl Vm {
    /// Adds the vTPM (with the encryption it needs) in its own reconfigure,
    /// after the settings it depends on (firmware) are in place.
    async fn add_tpm(
        &self,
        meta: &Meta,
        vm: &ManagedObjectReference,
        want: &State,
        add: TpmAdd<'_>,
    ) -> Result<(), ApplyError<State>> {
        let TpmAdd { live, key_providers, deadline, partial } = add;
        let explicit = want.vtpm.as_ref().and_then(|v| v.key_provider_id.get()).map(String::as_str);
        let (device, crypto) = tpm_device::add_spec(meta, live, explicit, key_providers)
            .await
            .map_err(|d| ApplyError { diags: d, partial: partial.clone() })?;
        let spec = VirtualMachineConfigSpec { device_change: vec![device], crypto, ..Default::default() };
        meta.client.vm(vm).reconfigure(&spec, deadline).await.map_err(|e| apply_err(&e, "adding the vTPM", partial))
    }

    /// Removes the vTPM in its own reconfigure, before settings it holds in
    /// place (firmware) change.
    async fn remove_tpm(
        &self,
        meta: &Meta,
        vm: &ManagedObjectReference,
        live: &VmInfo,
        dl: Option<Instant>,
        partial: Option<State>,
    ) -> Result<(), ApplyError<State>> {
        let Some(change) = tpm_device::remove_spec(live) else { return Ok(()) };
        let spec = VirtualMachineConfigSpec { device_change: vec![change], ..Default::default() };
        meta.client.vm(vm).reconfigure(&spec, dl).await.map_err(|e| apply_err(&e, "removing the vTPM", partial))
    }
}

#[async_trait]
impl Resource<Meta> for Vm {
    type State = State;

    fn type_name(&self) -> &'static str {
        "vi_vm"
    }

    fn schema(&self) -> Schema {
        schema::schema()
    }

    fn validate(&self, config: &State) -> Diags {
        let mut d = plan::validate(config);
        d.push(name_checks::name(&config.name, NameKind::Inventory));
        d.push(name_checks::extra_config(&config.extra_config));
        d.push(vapp_member::validate(config));
        d.push(customize::validate(config));
        d
    }

    async fn plan(&self, meta: Option<&Meta>, p: &mut Plan<State>) -> Diags {
        vapp_member::refine(p);
        let mut d = plan::refine(p);
        plan::uuid_after_power_on(p, meta.map(|m| m.auto_answer));
        // Again for values that were unknown at validation.
        d.push(name_checks::name(&p.config.name, NameKind::Inventory));
        d.push(name_checks::extra_config(&p.config.extra_config));
        if let Some(meta) = meta {
            d.push(references::check(meta, &plan::references(p)).await);
        }
        d.push(tpm::plan(meta, p).await);
        d.push(customize::plan(meta, p).await);
        d
    }

    async fn create(&self, meta: &Meta, want: State) -> Result<State, ApplyError<State>> {
        if want.catalog_item.is_some() {
            self.create_from_catalog(meta, &want).await
        } else if want.clone.is_some() {
            self.create_by_clone(meta, &want).await
        } else {
            self.create_from_scratch(meta, &want).await
        }
    }

    async fn read(&self, meta: &Meta, current: State) -> Result<Option<State>, Diags> {
        // A VM whose create lost its answer is looked for here.
        let Some(id) = lost_create::locate(meta, &current).await? else { return Ok(None) };
        match read_info(meta, &id).await {
            Ok(Some(info)) => read_full(meta, &info, &current).await.map(Some),
            // Deleted outside Terraform: drop it from state, plan re-creates.
            Ok(None) => Ok(None),
            Err(e) if e.is_fault(FaultKind::ManagedObjectNotFound) => Ok(None),
            Err(e) => Err(vi_diag(&e, "reading the VM", None)),
        }
    }

    async fn update(&self, meta: &Meta, prior: State, want: State) -> Result<State, ApplyError<State>> {
        // A pending VM (its create lost its answer) that was untainted
        // without a refresh: find it first.
        let id = lost_create::locate(meta, &prior).await?.ok_or_else(|| {
            Diags::error("VM not found", "the VM whose create lost its answer does not exist; refresh, then apply")
        })?;
        update::Change::new(self, meta, id, &prior, &want).run().await
    }

    async fn delete(&self, meta: &Meta, prior: State) -> Result<(), Diags> {
        // A pending VM (its create lost its answer) may exist after all.
        let Some(id) = lost_create::locate(meta, &prior).await? else { return Ok(()) };
        let id = &id;
        let vm = MoType::VirtualMachine.moref(id);
        let dl = deadline(prior.timeouts.as_ref().map(|t| &t.delete));
        let handle = meta.client.vm(&vm);
        let power_off = || async {
            match handle.power_off(Some(dl)).await {
                // Off already (or gone, which the destroy then says).
                Err(e) if e.is_fault(FaultKind::InvalidPowerState) || e.is_fault(FaultKind::ManagedObjectNotFound) => {
                    Ok(())
                }
                r => r.map_err(|e| vi_diag(&e, "powering the VM off", None)),
            }
        };
        // The refresh before a destroy read the power state: a VM found
        // running is powered off without another read; one powered on
        // since is refused by Destroy_Task, then powered off.
        if prior.power_state.as_deref() != Some("off") {
            power_off().await?;
        }
        let mut result = handle.destroy(Some(dl)).await;
        if result.as_ref().is_err_and(|e| e.is_fault(FaultKind::InvalidPowerState)) {
            power_off().await?;
            result = handle.destroy(Some(dl)).await;
        }
        match result {
            Ok(()) => Ok(()),
            // Already gone: nothing to destroy.
            Err(e) if e.is_fault(FaultKind::ManagedObjectNotFound) => Ok(()),
            Err(e) if lost_create::destroyed(meta, &e, &vm).await => Ok(()),
            Err(e) => Err(vi_diag(&e, "destroying the VM", None)),
        }
    }

    async fn import(&self, meta: &Meta, id: &str) -> Result<State, Diags> {
        let vm = if id.contains('/') {
            meta.client
                .find_by_inventory_path(id.trim_start_matches('/'))
                .await
                .map_err(|e| vi_diag(&e, "finding the VM", None))?
                .filter(|m| m.is(MoType::VirtualMachine))
                .ok_or_else(|| Diags::error("VM not found", format!("no VM at inventory path {id:?}")))?
        } else {
            MoType::VirtualMachine.moref(id)
        };
        let info = read_now(meta, &vm).await?;
        let mut state = read::to_state(&info, &State::default());
        state.folder = lookup::relative_vm_folder(meta, info.folder.as_ref()).await?;
        state.imported = Value::known(true);
        Ok(state)
    }

    fn identity_attributes(&self) -> &'static [(&'static str, &'static str)] {
        &[("id", "Managed object id of the VM (`vm-42`).")]
    }

    async fn move_from(&self, source: &MoveSource<'_>, state: serde_json::Value) -> Result<(State, Diags), Diags> {
        use moved_from_vsphere::SOURCE;
        moved::accept("vi_vm", &SOURCE, source)?;
        let (state, dropped) =
            moved_from_vsphere::map(source.schema_version, &state).map_err(|e| moved::error(&SOURCE, &e))?;
        Ok((state, moved::dropped_warning("vi_vm", &SOURCE, &dropped)))
    }
}
