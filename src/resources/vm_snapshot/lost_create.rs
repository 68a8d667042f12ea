//! A snapshot whose CreateSnapshot_Task lost its answer (reset, timeout,
//! 5xx, a task that outlived its deadline): it may exist. Snapshot names
//! need not be unique, so the provider asks the server's clock before the
//! call; a snapshot of that name taken since then is the one. Until it is
//! found, the state records it *pending* — no id, tainted, `create_time`
//! holding when it was asked for — and the next refresh finds it (the plan
//! replaces it) or proves it absent (dropped, taken again).
use super::{State, trees};
use crate::plugin::{AttrPath, Diags, Value};
use crate::shared::Meta;
use crate::vi::core::datetime::epoch_seconds;
use crate::vi::object::snapshot::VirtualMachineSnapshotTree;

/// Allowed difference between vCenter's clock (which answered
/// CurrentTime) and the host's (which stamps the snapshot).
const CLOCK_SKEW_SECS: i64 = 120;

/// A pending snapshot: what identifies it once it is found.
pub(super) fn pending(want: &State, asked_at: &str) -> State {
    State { id: Value::Null, create_time: Value::known(asked_at.to_owned()), ..want.clone() }
}

pub(super) const MAY_EXIST: &str = "The answer to the call was lost, so the snapshot may exist. It is recorded in the \
     state as tainted, without an id; the next plan or refresh looks for a snapshot of that name taken since the call: \
     one found is replaced, and if there is none it is taken again. Nothing is taken twice.";

/// The snapshots among `trees` that a pending `state` may stand for.
fn candidates<'a>(trees: &'a [VirtualMachineSnapshotTree], state: &State) -> Vec<&'a VirtualMachineSnapshotTree> {
    let since = state.create_time.get().and_then(|t| epoch_seconds(t)).map(|t| t - CLOCK_SKEW_SECS);
    trees
        .iter()
        .filter(|t| state.name.get() == Some(&t.name))
        .filter(|t| match (since, epoch_seconds(&t.create_time)) {
            (Some(since), Some(at)) => at >= since,
            // Without both times nothing can be told apart: claim nothing.
            _ => false,
        })
        .collect()
}

/// The id of the snapshot `state` stands for; a pending one is looked for
/// among its VM's snapshots. `None` when it does not exist (nor its VM).
pub(super) async fn locate(meta: &Meta, state: &State) -> Result<Option<String>, Diags> {
    if let Some(id) = state.id.get() {
        return Ok(Some(id.clone()));
    }
    let Some(vm_id) = state.vm_id.get() else { return Ok(None) };
    let Some(trees) = trees(meta, vm_id).await? else { return Ok(None) };
    match candidates(&trees, state).as_slice() {
        [] => {
            tracing::info!(vm = %vm_id, "the snapshot whose create lost its answer does not exist; it will be taken");
            Ok(None)
        }
        [one] => {
            tracing::info!(snapshot = %one.snapshot, "the snapshot whose create lost its answer exists");
            Ok(Some(one.snapshot.value.clone()))
        }
        many => Err(Diags::error_at(
            AttrPath::attr("name"),
            "Cannot tell which snapshot was taken",
            format!(
                "the call that took this snapshot lost its answer, and {vm_id} has {} snapshots named {:?} taken \
                 since then ({}); remove this resource from the state and import the right one (`vm:snapshot-id`)",
                many.len(),
                state.name.as_deref().unwrap_or_default(),
                many.iter().map(|t| t.snapshot.value.as_str()).collect::<Vec<_>>().join(", ")
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vi::MoType;

    fn tree(id: &str, name: &str, at: &str) -> VirtualMachineSnapshotTree {
        VirtualMachineSnapshotTree {
            snapshot: MoType::VirtualMachineSnapshot.moref(id),
            name: name.into(),
            create_time: at.into(),
            ..Default::default()
        }
    }

    #[test]
    fn only_a_snapshot_of_the_name_taken_since_the_call_is_claimed() {
        let trees = [
            tree("snapshot-1", "base", "2026-12-07T10:00:00Z"),
            tree("snapshot-2", "base", "2026-12-07T14:30:01.5Z"),
            tree("snapshot-3", "other", "2026-12-07T14:30:02Z"),
        ];
        let state = State {
            name: Value::known("base".into()),
            create_time: Value::known("2026-12-07T14:30:00Z".into()),
            ..State::default()
        };
        let found: Vec<_> = candidates(&trees, &state).iter().map(|t| t.snapshot.value.clone()).collect();
        assert_eq!(found, ["snapshot-2"]);
        // Within the allowed clock skew, before the call, still counts.
        let early = State { create_time: Value::known("2026-12-07T14:31:00Z".into()), ..state.clone() };
        assert_eq!(candidates(&trees, &early).len(), 1);
        let later = State { create_time: Value::known("2026-12-07T15:00:00Z".into()), ..state.clone() };
        assert!(candidates(&trees, &later).is_empty());
        let unknown = State { create_time: Value::Null, ..state };
        assert!(candidates(&trees, &unknown).is_empty(), "no time, no claim");
    }
}
