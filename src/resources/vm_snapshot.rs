//! `vi_vm_snapshot`: a snapshot of a VM. Renamed and re-described in place;
//! destroyed with or without the snapshots taken after it.
use crate::vi::FaultKind;
use crate::vi::MoType;
use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::plugin::{ApplyError, Attribute as A, Block, Diags, MoveSource, Resource, Schema, Type, Value};
use crate::shared::Meta;
use crate::shared::diag::vi_diag;
use crate::shared::moved_from_vsphere as moved;
use crate::vi::object::snapshot::{VirtualMachineSnapshotTree, snapshot_trees};

mod lost_create;
mod moved_from_vsphere;

#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct State {
    id: Value<String>,
    vm_id: Value<String>,
    name: Value<String>,
    description: Value<String>,
    memory: Value<bool>,
    quiesce: Value<bool>,
    remove_children: Value<bool>,
    create_time: Value<String>,
}

pub struct VmSnapshot;

/// The VM's snapshots, through the read batcher.
async fn trees(meta: &Meta, vm_id: &str) -> Result<Option<Vec<VirtualMachineSnapshotTree>>, Diags> {
    let o = meta
        .batcher
        .retrieve_one(MoType::VirtualMachine.moref(vm_id), &["snapshot"])
        .await
        .map_err(|e| vi_diag(&e, "reading snapshots", None))?;
    if o.is_missing_object() {
        return Ok(None);
    }
    Ok(Some(o.node("snapshot").map(snapshot_trees).unwrap_or_default()))
}

fn state_of(t: &VirtualMachineSnapshotTree, vm_id: &str, prior: &State) -> State {
    State {
        id: Value::known(t.snapshot.value.clone()),
        vm_id: Value::known(vm_id.to_owned()),
        name: Value::known(t.name.clone()),
        description: Value::known(t.description.clone()),
        // What vSphere reports (the power state captured) cannot tell a
        // memory snapshot from a plain one everywhere: keep the choice made.
        memory: if prior.memory.is_known() { prior.memory.clone() } else { Value::known(t.state == "poweredOn") },
        quiesce: if prior.quiesce.is_known() { prior.quiesce.clone() } else { Value::known(t.quiesced) },
        remove_children: prior.remove_children.clone(),
        create_time: Value::known(t.create_time.clone()),
    }
}

/// The VM a snapshot belongs to (its `vm` property); `None` when the
/// snapshot is gone.
async fn snapshot_vm(meta: &Meta, snapshot: &str) -> Result<Option<String>, Diags> {
    let o = meta
        .batcher
        .retrieve_one(MoType::VirtualMachineSnapshot.moref(snapshot), &["vm"])
        .await
        .map_err(|e| vi_diag(&e, "reading the snapshot's VM", None))?;
    Ok(o.moref("vm").map(|vm| vm.value))
}

#[async_trait]
impl Resource<Meta> for VmSnapshot {
    type State = State;

    fn type_name(&self) -> &'static str {
        "vi_vm_snapshot"
    }

    fn validate(&self, config: &State) -> Diags {
        crate::shared::name_checks::name(&config.name, crate::rules::object_name::NameKind::Other)
    }

    fn schema(&self) -> Schema {
        Schema::new(
            Block::new(
                "A snapshot of a virtual machine. While a VM has snapshots, vSphere refuses to add or remove its \
                 virtual TPM; `vi_vm` and `vi_vtpm` say so at plan.",
            )
            .attr(A::computed("id", Type::String, "Managed object id of the snapshot (`snapshot-12`)."))
            .attr(A::required("vm_id", Type::String, "The VM (`vi_vm.id`).").force_new())
            .attr(A::required("name", Type::String, "Name of the snapshot; renamed in place."))
            .attr(A::optional("description", Type::String, "Description; changed in place.").default(""))
            .attr(A::optional("memory", Type::Bool, "Include the running VM's memory.").default(false).force_new())
            .attr(
                A::optional("quiesce", Type::Bool, "Quiesce the guest's file systems first (needs VMware Tools).")
                    .default(false)
                    .force_new(),
            )
            .attr(
                A::optional(
                    "remove_children",
                    Type::Bool,
                    "On destroy, also remove the snapshots taken after this one (else they are kept and re-parented).",
                )
                .default(false),
            )
            .attr(A::computed(
                "create_time",
                Type::String,
                "When the snapshot was taken. For a snapshot whose create lost its answer (recorded tainted, \
                 without an id, until the next refresh finds it), when the provider asked for it.",
            )),
        )
    }

    async fn create(&self, meta: &Meta, want: State) -> Result<State, ApplyError<State>> {
        let vm_id = want.vm_id.require("vm_id")?.to_owned();
        // The server's clock before the call: what tells this snapshot from
        // older ones of the same name should the call lose its answer.
        let asked_at = meta.client.current_time().await.map_err(|e| vi_diag(&e, "reading the server's clock", None))?;
        let snap = match meta
            .client
            .vm(&MoType::VirtualMachine.moref(&vm_id))
            .create_snapshot(
                want.name.require("name")?,
                want.description.as_deref().unwrap_or_default(),
                want.memory.get() == Some(&true),
                want.quiesce.get() == Some(&true),
                None,
            )
            .await
        {
            Ok(snap) => snap,
            Err(e) if e.outcome_unknown() => {
                let mut diags = vi_diag(&e, "taking the snapshot", None);
                diags.push(Diags::error("The snapshot may have been taken", lost_create::MAY_EXIST));
                return Err(ApplyError { diags, partial: Some(lost_create::pending(&want, &asked_at)) });
            }
            Err(e) => return Err(vi_diag(&e, "taking the snapshot", None).into()),
        };
        let partial = State { id: Value::known(snap.value.clone()), create_time: Value::Null, ..want.clone() };
        let found = trees(meta, &vm_id).await.map_err(|d| ApplyError { diags: d, partial: Some(partial.clone()) })?;
        match found.unwrap_or_default().iter().find(|t| t.snapshot == snap) {
            Some(t) => Ok(state_of(t, &vm_id, &want)),
            None => Err(ApplyError {
                diags: Diags::error(
                    "Snapshot not found",
                    format!("{} was created but the VM does not list it", snap.value),
                ),
                partial: Some(partial),
            }),
        }
    }

    async fn read(&self, meta: &Meta, current: State) -> Result<Option<State>, Diags> {
        // A snapshot whose create lost its answer is looked for here.
        let Some(id) = lost_create::locate(meta, &current).await? else { return Ok(None) };
        let Some(vm_id) = current.vm_id.get() else { return Ok(None) };
        let Some(trees) = trees(meta, vm_id).await? else { return Ok(None) };
        Ok(trees.iter().find(|t| t.snapshot.value == id).map(|t| state_of(t, vm_id, &current)))
    }

    async fn update(&self, meta: &Meta, prior: State, want: State) -> Result<State, ApplyError<State>> {
        let id = lost_create::locate(meta, &prior).await?.ok_or_else(|| {
            Diags::error(
                "Snapshot not found",
                "the snapshot whose create lost its answer does not exist; refresh, then apply",
            )
        })?;
        if prior.name != want.name || prior.description != want.description {
            meta.client
                .snapshot(&MoType::VirtualMachineSnapshot.moref(id.clone()))
                .rename(want.name.require("name")?, want.description.as_deref().unwrap_or_default())
                .await
                .map_err(|e| ApplyError {
                    diags: vi_diag(&e, "renaming the snapshot", None),
                    partial: Some(prior.clone()),
                })?;
        }
        Ok(State { id: Value::known(id), create_time: prior.create_time.clone(), ..want })
    }

    async fn delete(&self, meta: &Meta, prior: State) -> Result<(), Diags> {
        // A pending snapshot (its create lost its answer) may exist after all.
        let Some(id) = lost_create::locate(meta, &prior).await? else { return Ok(()) };
        let snap = MoType::VirtualMachineSnapshot.moref(id);
        match meta.client.snapshot(&snap).remove(prior.remove_children.get() == Some(&true), None).await {
            Ok(()) => Ok(()),
            // Already gone (removed by hand, or with its parent).
            Err(e) if e.is_fault(FaultKind::ManagedObjectNotFound) => Ok(()),
            Err(e) => Err(vi_diag(&e, "removing the snapshot", None)),
        }
    }

    /// `vm-42:snapshot-7` or `vm-42:<snapshot name>`.
    async fn import(&self, meta: &Meta, id: &str) -> Result<State, Diags> {
        let Some((vm_id, which)) = id.split_once(':') else {
            return Err(Diags::error(
                "Invalid import id",
                "use `<vm id>:<snapshot id or name>`, e.g. `vm-42:snapshot-7`",
            ));
        };
        let trees = trees(meta, vm_id)
            .await?
            .ok_or_else(|| Diags::error("VM not found", format!("no VM has the id {vm_id:?}")))?;
        let matches: Vec<&VirtualMachineSnapshotTree> =
            trees.iter().filter(|t| t.snapshot.value == which || t.name == which).collect();
        match matches.as_slice() {
            [t] => Ok(state_of(t, vm_id, &State::default())),
            [] => Err(Diags::error("Snapshot not found", format!("{vm_id} has no snapshot {which:?}"))),
            _ => Err(Diags::error(
                "Ambiguous snapshot",
                format!("{vm_id} has several snapshots named {which:?}; import by id"),
            )),
        }
    }

    fn identity_attributes(&self) -> &'static [(&'static str, &'static str)] {
        &[
            ("vm_id", "Managed object id of the VM (`vm-42`)."),
            ("id", "Managed object id of the snapshot (`snapshot-7`)."),
        ]
    }

    fn import_id(&self, identity: &[String]) -> String {
        identity.join(":")
    }

    /// The VM (`vm_id`) is left for `complete_moved` to find.
    async fn move_from(&self, source: &MoveSource<'_>, state: serde_json::Value) -> Result<(State, Diags), Diags> {
        use moved_from_vsphere::SOURCE;
        moved::accept("vi_vm_snapshot", &SOURCE, source)?;
        let (state, dropped) =
            moved_from_vsphere::map(source.schema_version, &state).map_err(|e| moved::error(&SOURCE, &e))?;
        Ok((state, moved::dropped_warning("vi_vm_snapshot", &SOURCE, &dropped)))
    }

    /// The vSphere provider named the VM by UUID: the snapshot says whose
    /// it is.
    async fn complete_moved(&self, meta: &Meta, state: State) -> Result<State, Diags> {
        let Some(id) = state.id.get() else { return Ok(state) };
        let vm = snapshot_vm(meta, id).await?;
        Ok(State { vm_id: Value::from_option(vm), ..state })
    }
}
