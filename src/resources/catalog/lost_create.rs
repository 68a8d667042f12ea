//! A content library create whose answer was lost
//! ([`crate::shared::lost_create`]). vCenter keeps library names unique,
//! so it is looked for by name.
use super::State;
use crate::plugin::{ApplyError, Diags};
use crate::shared::diag::library_diag;
use crate::shared::lost_create::{id_or_find, settle};
use crate::vi::{LibraryClient, ViError};

/// The error for a failed create (`diags` say what failed), with the
/// library as partial state when it may exist.
pub(super) async fn failed(lib: &LibraryClient, err: &ViError, mut diags: Diags, want: &State) -> ApplyError<State> {
    let looked_for = format!("a content library named {:?}", want.name.as_deref().unwrap_or_default());
    let id = settle(err, &mut diags, "catalog", &looked_for, find(lib, want)).await;
    ApplyError { diags, partial: id.map(|id| State { id, ..want.clone() }) }
}

async fn find(lib: &LibraryClient, state: &State) -> Result<Option<String>, ViError> {
    let Some(name) = state.name.get() else { return Ok(None) };
    Ok(lib.find_libraries(name).await?.into_iter().next())
}

/// The id of the library `state` stands for; a pending one (no id) is
/// looked for by name. `None` when it does not exist.
pub(super) async fn locate(lib: &LibraryClient, state: &State) -> Result<Option<String>, Diags> {
    id_or_find(&state.id, find(lib, state))
        .await
        .map_err(|e| library_diag(&e, "looking for the catalog whose create lost its answer", Some("name")))
}
