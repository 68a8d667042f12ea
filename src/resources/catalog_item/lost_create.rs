//! A catalog item create or capture whose answer was lost
//! ([`crate::shared::lost_create`]). A library holds one item of a name, so
//! it is looked for there by name.
use super::state::State;
use crate::plugin::{ApplyError, Diags};
use crate::shared::diag::library_diag;
use crate::shared::lost_create::{id_or_find, settle};
use crate::vi::{LibraryClient, ViError};

/// The error for a failed create or capture (`diags` say what failed),
/// with the item as partial state when it may exist.
pub(super) async fn failed(lib: &LibraryClient, err: &ViError, mut diags: Diags, want: &State) -> ApplyError<State> {
    let looked_for = format!("an item named {:?} in the catalog", want.name.as_deref().unwrap_or_default());
    let id = settle(err, &mut diags, "catalog item", &looked_for, find(lib, want)).await;
    ApplyError { diags, partial: id.map(|id| State { id, ..want.clone() }) }
}

async fn find(lib: &LibraryClient, state: &State) -> Result<Option<String>, ViError> {
    let (Some(catalog), Some(name)) = (state.catalog_id.get(), state.name.get()) else { return Ok(None) };
    Ok(lib.find_items(catalog, name).await?.into_iter().next())
}

/// The id of the item `state` stands for; a pending one (no id) is looked
/// for by name in its catalog. `None` when it does not exist.
pub(super) async fn locate(lib: &LibraryClient, state: &State) -> Result<Option<String>, Diags> {
    id_or_find(&state.id, find(lib, state))
        .await
        .map_err(|e| library_diag(&e, "looking for the catalog item whose create lost its answer", Some("name")))
}
