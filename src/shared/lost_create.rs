//! What every resource does after a create whose answer was lost (reset,
//! timeout, 5xx, a task past its deadline): the object may exist. It is
//! looked for by what identifies it; found, its id is recorded (Terraform
//! taints it, the next apply replaces it); not found — the server silent
//! or the task still queued — it is recorded *pending*, with no id, and
//! the next refresh finds it or proves it absent. Never a second copy.
use std::future::Future;

use crate::plugin::{Diags, Value};
use crate::vi::ViError;

/// After a create that failed with `err`: `None` when the server refused
/// it (nothing was made). Otherwise looks with `find` and returns the id to
/// record — known when found, null for a pending object — having said in
/// `diags` which it was. `kind` names the object (`vApp`), `looked_for`
/// what the next refresh looks for (`a vApp named "web" in its pool`).
pub async fn settle(
    err: &ViError,
    diags: &mut Diags,
    kind: &str,
    looked_for: &str,
    find: impl Future<Output = Result<Option<String>, ViError>>,
) -> Option<Value<String>> {
    if !err.outcome_unknown() {
        return None;
    }
    Some(match find.await {
        Ok(Some(id)) => {
            tracing::warn!(kind, id = %id, "the object exists although its create call failed; recording it");
            diags.push(Diags::error(
                format!("The {kind} was created although the call failed"),
                format!(
                    "The answer to the call was lost, but {kind} {id} exists. It is recorded in the state as \
                     tainted, so the next apply replaces it; nothing is left behind."
                ),
            ));
            Value::known(id)
        }
        Ok(None) | Err(_) => {
            tracing::warn!(kind, "the object may exist although its create call failed; recording it as pending");
            diags.push(Diags::error(
                format!("The {kind} may have been created"),
                format!(
                    "The answer to the call was lost and vSphere could not show the {kind} yet, so it may exist. \
                     It is recorded in the state as tainted, without an id. The next plan or refresh looks for \
                     {looked_for}: one found is replaced, and if there is none the {kind} is created. Nothing is \
                     created twice."
                ),
            ));
            Value::Null
        }
    })
}

/// The id `state_id` records, or for a pending object (no id) what `find`
/// finds; `None` when there is none.
pub async fn id_or_find(
    state_id: &Value<String>,
    find: impl Future<Output = Result<Option<String>, ViError>>,
) -> Result<Option<String>, ViError> {
    match state_id.get() {
        Some(id) => Ok(Some(id.clone())),
        None => {
            let found = find.await?;
            match &found {
                Some(id) => tracing::info!(id = %id, "the object whose create lost its answer exists"),
                None => tracing::info!("the object whose create lost its answer does not exist; it will be created"),
            }
            Ok(found)
        }
    }
}
