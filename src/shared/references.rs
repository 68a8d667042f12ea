//! Checks at plan that the objects a configuration names by id exist:
//! a `host_id`, `datastore_id`, `network_id` or `resource_pool_id` that
//! does not was otherwise found only at apply, after other objects were
//! made. A plan's references go through the read batcher together, so they
//! share one RetrievePropertiesEx with each other and with the checks of
//! the plans Terraform runs alongside (a hundred new VMs cost a handful of
//! calls, not a hundred).
use std::collections::HashSet;

use crate::plugin::{AttrPath, Diags, Value};
use crate::shared::Meta;
use crate::vi::ManagedObjectReference;
use crate::vi::MoType;

/// One id to check, the attribute it came from, and the managed object
/// types it may be (an id alone does not say, e.g. for networks).
pub struct Reference {
    pub path: AttrPath,
    pub id: String,
    pub kinds: &'static [MoType],
    /// What it is, for the message: "host", "datastore"…
    pub what: &'static str,
}

pub const HOST: &[MoType] = &[MoType::HostSystem];
pub const DATASTORE: &[MoType] = &[MoType::Datastore];
pub const POOL: &[MoType] = &[MoType::ResourcePool, MoType::VirtualApp];
pub const NETWORK: &[MoType] = &[MoType::Network, MoType::DistributedVirtualPortgroup, MoType::OpaqueNetwork];

/// A reference when the attribute's value is known and differs from the
/// prior state's (an unchanged id was checked when it was planned, and
/// read since: no call for a plan that changes nothing).
pub fn changed(
    path: AttrPath,
    now: &Value<String>,
    before: Option<&Value<String>>,
    kinds: &'static [MoType],
    what: &'static str,
) -> Option<Reference> {
    let id = now.get()?;
    if before.and_then(Value::get) == Some(id) || id.is_empty() {
        return None;
    }
    Some(Reference { path, id: id.clone(), kinds, what })
}

/// One error per reference whose object does not exist (or is not of one
/// of its kinds). Makes no call when there is nothing to check; a failed
/// read is logged and left to apply, which reports it on the spot.
pub async fn check(meta: &Meta, refs: &[Reference]) -> Diags {
    if refs.is_empty() {
        return Diags::none();
    }
    // Each id under every type it may be: a reference of the wrong type is
    // reported missing, as an object that does not exist is.
    let objs: HashSet<ManagedObjectReference> =
        refs.iter().flat_map(|r| r.kinds.iter().map(|k| k.moref(r.id.clone()))).collect();
    // An object found once in this process is not asked about again: a
    // hundred VMs planned one at a time on one datastore ask once.
    let (mut exists, objs): (HashSet<ManagedObjectReference>, HashSet<ManagedObjectReference>) = {
        let known: HashSet<ManagedObjectReference> =
            objs.iter().filter(|o| meta.lookups.exists.get(o).is_some()).cloned().collect();
        let rest = objs.difference(&known).cloned().collect();
        (known, rest)
    };
    if refs.iter().all(|r| r.kinds.iter().any(|k| exists.contains(&k.moref(r.id.clone())))) {
        return Diags::none();
    }
    // All queued at once, so they go out in the same batch.
    let reads: Vec<_> = objs
        .into_iter()
        .map(|o| {
            let batcher = std::sync::Arc::clone(&meta.batcher);
            tokio::spawn(async move { batcher.retrieve_one(o, &["name"]).await })
        })
        .collect();
    for read in reads {
        match read.await {
            Ok(Ok(o)) if !o.is_missing_object() => {
                meta.lookups.exists.put(o.obj.clone(), ());
                exists.insert(o.obj);
            }
            Ok(Ok(_)) => {}
            Ok(Err(e)) => {
                tracing::warn!(error = %e, "checking the referenced objects at plan failed; apply will check them");
                return Diags::none();
            }
            Err(e) => {
                tracing::warn!(error = %e, "checking the referenced objects at plan was interrupted");
                return Diags::none();
            }
        }
    }
    let mut d = Diags::none();
    for r in refs {
        if r.kinds.iter().any(|k| exists.contains(&k.moref(r.id.clone()))) {
            continue;
        }
        d.push(Diags::error_at(
            r.path.clone(),
            format!("No such {}", r.what),
            format!(
                "no {} has the id {:?} (a {} is expected here)",
                r.what,
                r.id,
                r.kinds.iter().map(|k| k.name()).collect::<Vec<_>>().join(" or ")
            ),
        ));
    }
    d
}
