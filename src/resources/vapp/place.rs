//! Where a vApp goes: the datacenter of its pool and the VM folder; and,
//! for an import, the folder path relative to the datacenter's VM folder.
use crate::data_sources::lookup::{self, vi_diag};
use crate::plugin::{AttrPath, Diags, Value};
use crate::provider::Meta;
use crate::vi::ManagedObjectReference;

/// The datacenter an object lives in, by walking its parents.
pub async fn datacenter_of(meta: &Meta, obj: &ManagedObjectReference) -> Result<lookup::Datacenter, Diags> {
    let mut cur = obj.clone();
    for _ in 0..64 {
        if cur.kind == "Datacenter" {
            return lookup::datacenter(meta, Some(&cur.value), "resource_pool_id").await;
        }
        let objs = meta
            .client
            .retrieve(std::slice::from_ref(&cur), &["parent"])
            .await
            .map_err(|e| vi_diag(&e, "finding the datacenter", Some(AttrPath::attr("resource_pool_id"))))?;
        let Some(parent) = objs.first().and_then(|o| o.moref("parent")) else { break };
        cur = parent;
    }
    Err(Diags::error_at(
        AttrPath::attr("resource_pool_id"),
        "No datacenter",
        format!("{} is not inside a datacenter (or does not exist)", obj.value),
    ))
}

/// `folder` under the datacenter's VM folder, or that folder itself.
pub async fn vm_folder(
    meta: &Meta,
    dc: &lookup::Datacenter,
    folder: Option<&str>,
) -> Result<ManagedObjectReference, Diags> {
    match folder.map(|f| f.trim_matches('/')).filter(|f| !f.is_empty()) {
        Some(f) => {
            let path = format!("{}/vm/{f}", dc.path);
            meta.client
                .find_by_inventory_path(&path)
                .await
                .map_err(|e| vi_diag(&e, "finding the folder", Some(AttrPath::attr("folder"))))?
                .filter(|m| m.kind == "Folder")
                .ok_or_else(|| {
                    Diags::error_at(AttrPath::attr("folder"), "Folder not found", format!("no folder at {path:?}"))
                })
        }
        None => dc
            .vm_folder
            .clone()
            .ok_or_else(|| Diags::error("No VM folder", format!("datacenter {:?} has no VM folder", dc.path))),
    }
}

/// The vApp's folder relative to its datacenter's VM folder; null for that
/// folder itself (so a configuration without `folder` matches).
pub async fn folder_of(meta: &Meta, parent_folder: Option<&ManagedObjectReference>) -> Result<Value<String>, Diags> {
    let Some(folder) = parent_folder else { return Ok(Value::Null) };
    let objs = meta
        .client
        .retrieve(std::slice::from_ref(folder), &["name", "parent"])
        .await
        .map_err(|e| vi_diag(&e, "reading the folder", None))?;
    let Some(o) = objs.into_iter().find(|o| !o.is_missing_object()) else { return Ok(Value::Null) };
    let path = lookup::inventory_path(meta, &o).await?;
    // "DC0/vm/apps/web" → "apps/web".
    Ok(match path.split_once("/vm/") {
        Some((_, rel)) => Value::known(rel.to_owned()),
        None => Value::Null,
    })
}
