//! A catalog item create or capture whose answer was lost (reset, timeout,
//! 5xx): the item may exist. A library holds one item of a name, so it is
//! looked for there by name. Not findable during the apply, the state
//! records it *pending* — no id, tainted — and the next refresh finds it
//! (the plan replaces it) or proves it absent (dropped, created again).
use super::state::State;
use crate::plugin::{ApplyError, Diags, Value};
use crate::shared::diag::library_diag;
use crate::vi::object::vm_recover::outcome_unknown;
use crate::vi::{LibraryClient, ViError};

/// The error for a failed create or capture (`diags` already say what
/// failed), with the item as partial state when it may exist.
pub(super) async fn failed(lib: &LibraryClient, err: &ViError, diags: Diags, want: &State) -> ApplyError<State> {
    if !outcome_unknown(err) {
        return ApplyError { diags, partial: None };
    }
    let mut diags = diags;
    let partial = match find(lib, want).await {
        Ok(Some(id)) => {
            tracing::warn!(item = %id, "the catalog item exists although its create call failed; recording it");
            State { id: Value::known(id), ..want.clone() }
        }
        Ok(None) | Err(_) => {
            diags.push(Diags::error(
                "The catalog item may have been created",
                format!(
                    "The answer to the call was lost, so an item named {:?} may exist in the catalog. It is \
                     recorded in the state as tainted, without an id; the next plan or refresh looks for it: an \
                     item found is replaced, and if there is none it is created. Nothing is created twice.",
                    want.name.as_deref().unwrap_or_default()
                ),
            ));
            State { id: Value::Null, ..want.clone() }
        }
    };
    ApplyError { diags, partial: Some(partial) }
}

async fn find(lib: &LibraryClient, state: &State) -> Result<Option<String>, ViError> {
    let (Some(catalog), Some(name)) = (state.catalog_id.get(), state.name.get()) else { return Ok(None) };
    Ok(lib.find_items(catalog, name).await?.into_iter().next())
}

/// The id of the item `state` stands for; a pending one (no id) is looked
/// for by name in its catalog. `None` when it does not exist.
pub(super) async fn locate(lib: &LibraryClient, state: &State) -> Result<Option<String>, Diags> {
    if let Some(id) = state.id.get() {
        return Ok(Some(id.clone()));
    }
    find(lib, state)
        .await
        .map_err(|e| library_diag(&e, "looking for the catalog item whose create lost its answer", Some("name")))
}
