//! A vApp create or copy whose answer was lost ([`crate::shared::lost_create`]).
//! vSphere allows one vApp of a name among a pool's children, so it is
//! looked for there by name.
use super::state::State;
use crate::plugin::{ApplyError, AttrPath, Diags};
use crate::shared::Meta;
use crate::shared::diag::vi_diag;
use crate::shared::lost_create::{id_or_find, settle};
use crate::vi::ViError;
use crate::vi::object::vapp::pool_ref;

/// The error for a failed create or copy, with the vApp as partial state
/// when it may exist.
pub(super) async fn failed(meta: &Meta, err: &ViError, want: &State, what: &str) -> ApplyError<State> {
    let mut diags = vi_diag(err, what, None);
    let looked_for = format!("a vApp named {:?} in the resource pool", want.name.as_deref().unwrap_or_default());
    let id = settle(err, &mut diags, "vApp", &looked_for, find(meta, want)).await;
    ApplyError { diags, partial: id.map(|id| State { id, ..want.clone() }) }
}

/// The vApp named as `state` says among its pool's children.
async fn find(meta: &Meta, state: &State) -> Result<Option<String>, ViError> {
    let (Some(pool), Some(name)) = (state.resource_pool_id.get(), state.name.get()) else { return Ok(None) };
    Ok(meta.client.find_child_vapp(&pool_ref(pool), name).await?.map(|m| m.value))
}

/// The id of the vApp `state` stands for; a pending one (no id: its create
/// lost its answer) is looked for by name in its pool. `None` when it does
/// not exist; an error when vSphere cannot be asked.
pub(super) async fn locate(meta: &Meta, state: &State) -> Result<Option<String>, Diags> {
    id_or_find(&state.id, find(meta, state))
        .await
        .map_err(|e| vi_diag(&e, "looking for the vApp whose create lost its answer", Some(AttrPath::attr("name"))))
}
