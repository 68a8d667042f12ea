//! An in-place change of a VM, step by step in the order vSphere needs:
//! migrate (the VM may run), stop if the change needs it, upgrade the
//! hardware, reconfigure (removing a vTPM before and adding one after the
//! settings it depends on), start again, set the vApp start settings, read
//! back. A step that fails hands back the state as it then stands: before
//! the power-on the prior one, from the power-on on the planned one.
use std::time::{Duration, Instant};

use super::state::State;
use super::vapp_member;
use super::{TpmAdd, Vm, apply_err, changed_spec, deadline, devices, plan, read_full, read_now, resolve, tpm};
use crate::plugin::{ApplyError, Diags, Value};
use crate::shared::Meta;
use crate::vi::object::crypto::KmipClusterInfo;
use crate::vi::object::vapp::pool_ref;
use crate::vi::object::vm::{RelocateSpec, VmInfo};
use crate::vi::{ManagedObjectReference, MoType, ViError};

pub(super) struct Change<'a> {
    vm_resource: &'a Vm,
    meta: &'a Meta,
    id: String,
    vm: ManagedObjectReference,
    prior: &'a State,
    want: &'a State,
    deadline: Instant,
}

impl<'a> Change<'a> {
    pub(super) fn new(vm_resource: &'a Vm, meta: &'a Meta, id: String, prior: &'a State, want: &'a State) -> Self {
        Change {
            vm_resource,
            meta,
            vm: MoType::VirtualMachine.moref(&id),
            id,
            prior,
            want,
            deadline: deadline(want.timeouts.as_ref().map(|t| &t.update)),
        }
    }

    /// `s` with the VM's id: what a failed step hands back.
    fn keep(&self, s: &State) -> Option<State> {
        Some(State { id: Value::known(self.id.clone()), ..s.clone() })
    }

    fn failed(&self, e: &ViError, what: &str, s: &State) -> ApplyError<State> {
        apply_err(e, what, self.keep(s))
    }

    fn refused(&self, diags: Diags, s: &State) -> ApplyError<State> {
        ApplyError { diags, partial: self.keep(s) }
    }

    pub(super) async fn run(self) -> Result<State, ApplyError<State>> {
        let (prior, want) = (self.prior, self.want);
        // A vTPM change is checked again on fresh facts before anything moves.
        let key_providers = if prior.vtpm != want.vtpm {
            tpm::update_at_apply(self.meta, &self.vm, prior, want).await?
        } else {
            Vec::new()
        };
        self.migrate().await?;
        let live = read_now(self.meta, &self.vm).await.map_err(|d| self.refused(d, prior))?;
        let cycle = !plan::power_cycle_reasons(prior, want).is_empty();
        let running = live.is_powered_on();
        if running && (cycle || !want.powered_on()) {
            self.stop().await?;
        }
        self.upgrade_hardware().await?;
        let tpm_change = self.reconfigure(&live, &key_providers).await?;
        if want.powered_on() && (!running || cycle) {
            self.start().await?;
        }
        self.vapp_start().await?;
        self.read_back(tpm_change).await
    }

    /// Host, pool and datastore move with the VM running. Into or out of a
    /// vApp the pool changes with MoveIntoResourcePool (RelocateVM_Task
    /// does not take a vApp everywhere — vcsim's).
    async fn migrate(&self) -> Result<(), ApplyError<State>> {
        let (prior, want) = (self.prior, self.want);
        let new_pool = match prior.resource_pool_id != want.resource_pool_id {
            true => Some(pool_ref(want.resource_pool_id.require("resource_pool_id")?)),
            false => None,
        };
        let vapp_move =
            new_pool.is_some() && (vapp_member::vapp_of(prior).is_some() || vapp_member::vapp_of(want).is_some());
        if let Some(pool) = new_pool.as_ref().filter(|_| vapp_move) {
            self.meta
                .client
                .move_into_resource_pool(pool, std::slice::from_ref(&self.vm))
                .await
                .map_err(|e| self.failed(&e, "moving the VM to its vApp or pool", prior))?;
        }
        let host_moves = want.host_id.is_known() && prior.host_id != want.host_id;
        let datastore_moves = prior.datastore_id != want.datastore_id;
        if (new_pool.is_some() && !vapp_move) || host_moves || datastore_moves {
            let spec = RelocateSpec {
                pool: new_pool.filter(|_| !vapp_move),
                host: want.host_id.get().filter(|_| host_moves).map(|h| MoType::HostSystem.moref(h)),
                datastore: want.datastore_id.get().filter(|_| datastore_moves).map(|d| MoType::Datastore.moref(d)),
                ..Default::default()
            };
            self.meta
                .client
                .vm(&self.vm)
                .relocate(&spec, Some(self.deadline))
                .await
                .map_err(|e| self.failed(&e, "migrating the VM", prior))?;
        }
        Ok(())
    }

    /// A guest shutdown, powered off after `shutdown_wait_timeout`.
    async fn stop(&self) -> Result<(), ApplyError<State>> {
        let secs = u64::try_from(self.want.shutdown_wait_timeout.get().copied().unwrap_or(180)).unwrap_or(180);
        self.meta
            .client
            .vm(&self.vm)
            .shutdown(Duration::from_secs(secs), Some(self.deadline))
            .await
            .map_err(|e| self.failed(&e, "shutting the VM down", self.prior))
    }

    /// Only upwards: a downgrade is a replacement, planned as such.
    async fn upgrade_hardware(&self) -> Result<(), ApplyError<State>> {
        let (Some(from), Some(to)) = (self.prior.hardware_version.get(), self.want.hardware_version.get()) else {
            return Ok(());
        };
        if to <= from {
            return Ok(());
        }
        self.meta
            .client
            .vm(&self.vm)
            .upgrade_hardware(&super::vmx(*to), Some(self.deadline))
            .await
            .map_err(|e| self.failed(&e, "upgrading the VM's hardware", self.prior))
    }

    /// Settings and devices in one reconfigure; a vTPM removed before it
    /// (firmware may change after) and added after it (it needs EFI).
    async fn reconfigure(
        &self,
        live: &VmInfo,
        key_providers: &[KmipClusterInfo],
    ) -> Result<Option<tpm::TpmChange>, ApplyError<State>> {
        let (prior, want) = (self.prior, self.want);
        let resolved = resolve::resolve(self.meta, want).await.map_err(|d| self.refused(d, prior))?;
        let mut spec = changed_spec(prior, want);
        spec.device_change = devices::diff(live, prior, want, &resolved)
            .map_err(|e| self.refused(Diags::error("Cannot change the VM's devices", e), prior))?;
        let tpm_change = tpm::change(prior.vtpm.is_some(), live.has_tpm(), want);
        if tpm_change == Some(tpm::TpmChange::Remove) {
            self.vm_resource.remove_tpm(self.meta, &self.vm, live, Some(self.deadline), self.keep(prior)).await?;
        }
        if !spec.is_empty() {
            self.meta
                .client
                .vm(&self.vm)
                .reconfigure(&spec, Some(self.deadline))
                .await
                .map_err(|e| self.failed(&e, "reconfiguring the VM", prior))?;
        }
        if tpm_change == Some(tpm::TpmChange::Add) {
            let add =
                TpmAdd { live: Some(live), key_providers, deadline: Some(self.deadline), partial: self.keep(prior) };
            self.vm_resource.add_tpm(self.meta, &self.vm, want, add).await?;
        }
        Ok(tpm_change)
    }

    async fn start(&self) -> Result<(), ApplyError<State>> {
        self.meta
            .client
            .vm(&self.vm)
            .power_on(self.meta.auto_answer, Some(self.deadline))
            .await
            .map_err(|e| self.failed(&e, "powering the VM on", self.want))?;
        self.vm_resource.wait_for_ip(self.meta, &self.vm, self.want).await;
        Ok(())
    }

    /// The VM's start order and actions in its vApp, when they (or its
    /// pool) changed.
    async fn vapp_start(&self) -> Result<(), ApplyError<State>> {
        let (prior, want) = (self.prior, self.want);
        if want.vapp_start.is_none()
            || (prior.vapp_start == want.vapp_start && prior.resource_pool_id == want.resource_pool_id)
        {
            return Ok(());
        }
        vapp_member::apply(self.meta, &self.vm, want)
            .await
            .map_err(|d| self.refused(d, &State { vapp_start: prior.vapp_start.clone(), ..want.clone() }))
    }

    async fn read_back(&self, tpm_change: Option<tpm::TpmChange>) -> Result<State, ApplyError<State>> {
        let want = self.want;
        let info = read_now(self.meta, &self.vm).await.map_err(|d| self.refused(d, want))?;
        let state = read_full(self.meta, &info, want).await.map_err(|d| self.refused(d, want))?;
        tpm::verify(&info, tpm_change, want).map_err(|d| ApplyError { diags: d, partial: Some(state.clone()) })?;
        Ok(state)
    }
}
