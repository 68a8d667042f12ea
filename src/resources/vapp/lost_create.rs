//! A vApp create or copy whose answer was lost (reset, timeout, 5xx, a
//! copy task that outlived its deadline): the vApp may exist. vSphere
//! allows one vApp of a name among a pool's children, so it is looked for
//! there by name. Found, its id goes to Terraform (recorded tainted); not
//! found or not askable, the state records it *pending* — no id, tainted —
//! and the next refresh finds it (the plan replaces it) or proves it absent
//! (dropped, created again). Never a second copy.
use super::state::State;
use crate::plugin::{ApplyError, AttrPath, Diags, Value};
use crate::shared::Meta;
use crate::shared::diag::vi_diag;
use crate::vi::object::vapp::pool_ref;
use crate::vi::object::vm_recover::outcome_unknown;
use crate::vi::{ManagedObjectReference, ViError};

/// The error for a failed create or copy, with the vApp as partial state
/// when it may exist.
pub(super) async fn failed(meta: &Meta, err: &ViError, want: &State, what: &str) -> ApplyError<State> {
    let mut diags = vi_diag(err, what, None);
    if !outcome_unknown(err) {
        return ApplyError { diags, partial: None };
    }
    let found = find(meta, want).await;
    let partial = match found {
        Ok(Some(vapp)) => {
            tracing::warn!(vapp = %vapp, "the vApp exists although its create call failed; recording it");
            diags.push(Diags::error(
                "The vApp was created although the call failed",
                format!(
                    "The answer to the call was lost, but vApp {} exists. It is recorded in the state as tainted, \
                     so the next apply replaces it; nothing is left behind.",
                    vapp.value
                ),
            ));
            State { id: Value::known(vapp.value), ..want.clone() }
        }
        Ok(None) | Err(_) => {
            tracing::warn!("the vApp may exist although its create call failed; recording it as pending");
            diags.push(Diags::error(
                "The vApp may have been created",
                format!(
                    "The answer to the call was lost and vSphere could not show the vApp yet, so it may exist. It \
                     is recorded in the state as tainted, without an id. The next plan or refresh looks for a vApp \
                     named {:?} in the resource pool: one found is replaced, and if there is none the vApp is \
                     created. Nothing is created twice.",
                    want.name.as_deref().unwrap_or_default()
                ),
            ));
            State { id: Value::Null, ..want.clone() }
        }
    };
    ApplyError { diags, partial: Some(partial) }
}

/// The vApp named as `state` says among its pool's children.
async fn find(meta: &Meta, state: &State) -> Result<Option<ManagedObjectReference>, ViError> {
    let (Some(pool), Some(name)) = (state.resource_pool_id.get(), state.name.get()) else { return Ok(None) };
    meta.client.find_child_vapp(&pool_ref(pool), name).await
}

/// The id of the vApp `state` stands for; a pending one (no id: its create
/// lost its answer) is looked for by name in its pool. `None` when it does
/// not exist; an error when vSphere cannot be asked.
pub(super) async fn locate(meta: &Meta, state: &State) -> Result<Option<String>, Diags> {
    if let Some(id) = state.id.get() {
        return Ok(Some(id.clone()));
    }
    let found = find(meta, state)
        .await
        .map_err(|e| vi_diag(&e, "looking for the vApp whose create lost its answer", Some(AttrPath::attr("name"))))?;
    match &found {
        Some(v) => tracing::info!(vapp = %v, "the vApp whose create lost its answer exists; it is in state now"),
        None => tracing::info!("the vApp whose create lost its answer does not exist; it will be created"),
    }
    Ok(found.map(|m| m.value))
}
