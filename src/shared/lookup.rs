//! Finding inventory objects by name, path or id, with errors that say what
//! was searched and where. Shared by data sources and resources.
use super::Meta;
use super::diag::vi_diag;
use crate::plugin::{AttrPath, Attribute, Diags, Type, Value};
use crate::vi::FaultKind;
use crate::vi::MoType;
use crate::vi::{ManagedObjectReference, ObjectContent, ViError};

/// A datacenter and the folders under it.
#[derive(Debug, Clone)]
pub struct Datacenter {
    pub moref: ManagedObjectReference,
    pub name: String,
    /// Inventory path from the root folder, e.g. `DC0` or `f1/DC1`.
    pub path: String,
    pub vm_folder: Option<ManagedObjectReference>,
    pub host_folder: Option<ManagedObjectReference>,
    pub datastore_folder: Option<ManagedObjectReference>,
    pub network_folder: Option<ManagedObjectReference>,
}

const DC_PROPS: &[&str] = &["name", "parent", "vmFolder", "hostFolder", "datastoreFolder", "networkFolder"];

/// The datacenter named by `id`, else the provider's default, else the only
/// one there is.
pub async fn datacenter(meta: &Meta, id: Option<&str>, id_attr: &str) -> Result<Datacenter, Diags> {
    let client = &meta.client;
    if let Some(id) = id {
        let moref = MoType::Datacenter.moref(id);
        let objs = client
            .retrieve(std::slice::from_ref(&moref), DC_PROPS)
            .await
            .map_err(|e| vi_diag(&e, "reading the datacenter", Some(AttrPath::attr(id_attr))))?;
        return match objs.into_iter().find(|o| !o.is_missing_object()) {
            Some(o) => from_content(meta, o).await,
            None => Err(Diags::error_at(
                AttrPath::attr(id_attr),
                "Datacenter not found",
                format!("no datacenter has the id {id:?}"),
            )),
        };
    }
    if let Some(path) = meta.datacenter.as_deref() {
        return datacenter_named(meta, path, None).await;
    }
    let all = all_datacenters(meta).await?;
    match all.len() {
        1 => match all.into_iter().next() {
            Some(o) => from_content(meta, o).await,
            None => Err(Diags::error("No datacenter", "vSphere has no datacenter")),
        },
        0 => Err(Diags::error("No datacenter", "vSphere has no datacenter to look objects up in")),
        _ => Err(Diags::error_at(
            AttrPath::attr(id_attr),
            "Which datacenter?",
            format!(
                "vSphere has {} datacenters ({}); set `{id_attr}` here or `datacenter` in the provider block",
                all.len(),
                names(&all)
            ),
        )),
    }
}

/// The datacenter at inventory path `path` (e.g. `DC0`, `f1/DC1`), else the
/// one datacenter named `path` anywhere.
pub async fn datacenter_named(meta: &Meta, path: &str, attr: Option<AttrPath>) -> Result<Datacenter, Diags> {
    let client = &meta.client;
    let path = path.trim_matches('/');
    if let Some(moref) = client
        .find_by_inventory_path(path)
        .await
        .map_err(|e| vi_diag(&e, "finding the datacenter", attr.clone()))?
        .filter(|m| m.is(MoType::Datacenter))
    {
        let objs = client
            .retrieve(&[moref], DC_PROPS)
            .await
            .map_err(|e| vi_diag(&e, "reading the datacenter", attr.clone()))?;
        if let Some(o) = objs.into_iter().find(|o| !o.is_missing_object()) {
            return from_content(meta, o).await;
        }
    }
    let all = all_datacenters(meta).await?;
    let matches: Vec<_> = all.into_iter().filter(|o| o.str("name") == Some(path)).collect();
    match one(matches, "datacenter", path, "the inventory") {
        Ok(o) => from_content(meta, o).await,
        Err(msg) => Err(match attr {
            Some(p) => Diags::error_at(p, "Datacenter not found", msg),
            None => Diags::error("Provider datacenter not found", format!("{msg} (from the provider's `datacenter`)")),
        }),
    }
}

/// The datacenter an object lives in, found by walking its parents (one
/// call per level); errors point at `attr`, the attribute that named `obj`.
pub async fn datacenter_of(meta: &Meta, obj: &ManagedObjectReference, attr: &str) -> Result<Datacenter, Diags> {
    // An object never changes datacenter (a move across is a new object).
    meta.lookups.datacenter_of.get_or_try(obj, || find_datacenter_of(meta, obj, attr)).await
}

async fn find_datacenter_of(meta: &Meta, obj: &ManagedObjectReference, attr: &str) -> Result<Datacenter, Diags> {
    let mut cur = obj.clone();
    for _ in 0..64 {
        if cur.is(MoType::Datacenter) {
            return datacenter(meta, Some(&cur.value), attr).await;
        }
        let objs = meta
            .client
            .retrieve(std::slice::from_ref(&cur), &["parent"])
            .await
            .map_err(|e| vi_diag(&e, "finding the datacenter", Some(AttrPath::attr(attr))))?;
        let Some(parent) = objs.first().and_then(|o| o.moref("parent")) else { break };
        cur = parent;
    }
    Err(Diags::error_at(AttrPath::attr(attr), "No datacenter", format!("{} is not inside a datacenter", obj.value)))
}

async fn all_datacenters(meta: &Meta) -> Result<Vec<ObjectContent>, Diags> {
    let root = meta.client.service_content().root_folder.clone();
    meta.client
        .list_by_type(&root, MoType::Datacenter.name(), DC_PROPS)
        .await
        .map_err(|e| vi_diag(&e, "listing datacenters", None))
}

async fn from_content(meta: &Meta, o: ObjectContent) -> Result<Datacenter, Diags> {
    let name = o.str("name").unwrap_or_default().to_owned();
    let path = inventory_path(meta, &o).await?;
    Ok(Datacenter {
        moref: o.obj.clone(),
        name,
        path,
        vm_folder: o.moref("vmFolder"),
        host_folder: o.moref("hostFolder"),
        datastore_folder: o.moref("datastoreFolder"),
        network_folder: o.moref("networkFolder"),
    })
}

/// Inventory path of an object whose `name` and `parent` are in `o`, walking
/// up the parents until the root folder (one call per level; datacenters
/// rarely sit deeper than a folder or two).
pub async fn inventory_path(meta: &Meta, o: &ObjectContent) -> Result<String, Diags> {
    let root = &meta.client.service_content().root_folder;
    let mut parts = vec![o.str("name").unwrap_or_default().to_owned()];
    let mut parent = o.moref("parent");
    let mut depth = 0;
    while let Some(p) = parent.filter(|p| p != root) {
        depth += 1;
        if depth > 64 {
            break;
        }
        let objs = meta
            .client
            .retrieve(&[p], &["name", "parent"])
            .await
            .map_err(|e| vi_diag(&e, "reading an inventory path", None))?;
        let Some(po) = objs.into_iter().next() else { break };
        parts.push(po.str("name").unwrap_or_default().to_owned());
        parent = po.moref("parent");
    }
    parts.reverse();
    Ok(parts.join("/"))
}

/// `folder` under the datacenter's VM folder, or that folder itself.
pub async fn vm_folder(meta: &Meta, dc: &Datacenter, folder: Option<&str>) -> Result<ManagedObjectReference, Diags> {
    match folder.map(|f| f.trim_matches('/')).filter(|f| !f.is_empty()) {
        Some(f) => {
            let path = format!("{}/vm/{f}", dc.path);
            let find = || async {
                meta.client
                    .find_by_inventory_path(&path)
                    .await
                    .map_err(|e| vi_diag(&e, "finding the folder", Some(AttrPath::attr("folder"))))?
                    .filter(|m| m.is(MoType::Folder))
                    .ok_or_else(|| {
                        Diags::error_at(AttrPath::attr("folder"), "Folder not found", format!("no folder at {path:?}"))
                    })
            };
            meta.lookups.vm_folder.get_or_try(&(dc.path.clone(), f.to_owned()), find).await
        }
        None => dc
            .vm_folder
            .clone()
            .ok_or_else(|| Diags::error("No VM folder", format!("datacenter {:?} has no VM folder", dc.path))),
    }
}

/// The vApp's folder relative to its datacenter's VM folder; null for that
/// folder itself (so a configuration without `folder` matches).
pub async fn relative_vm_folder(
    meta: &Meta,
    parent_folder: Option<&ManagedObjectReference>,
) -> Result<Value<String>, Diags> {
    let Some(folder) = parent_folder else { return Ok(Value::Null) };
    let objs = meta
        .client
        .retrieve(std::slice::from_ref(folder), &["name", "parent"])
        .await
        .map_err(|e| vi_diag(&e, "reading the folder", None))?;
    let Some(o) = objs.into_iter().find(|o| !o.is_missing_object()) else { return Ok(Value::Null) };
    let path = inventory_path(meta, &o).await?;
    // "DC0/vm/apps/web" → "apps/web".
    Ok(match path.split_once("/vm/") {
        Some((_, rel)) => Value::known(rel.to_owned()),
        None => Value::Null,
    })
}

/// Exactly one object, or a message naming what was searched and where.
pub fn one(mut matches: Vec<ObjectContent>, what: &str, name: &str, place: &str) -> Result<ObjectContent, String> {
    match matches.len() {
        1 => matches.pop().ok_or_else(|| format!("no {what} named {name:?} in {place}")),
        0 => Err(format!("no {what} named {name:?} in {place}")),
        n => Err(format!(
            "{n} objects of type {what} are named {name:?} in {place} ({}); use a path or an id to pick one",
            matches.iter().map(|o| o.obj.value.as_str()).collect::<Vec<_>>().join(", ")
        )),
    }
}

fn names(objs: &[ObjectContent]) -> String {
    objs.iter().map(|o| o.str("name").unwrap_or("?")).collect::<Vec<_>>().join(", ")
}

/// Objects of `kind` under the datacenter, filtered by `name`: one
/// container-view read, then exactly one match or an error on `name`.
pub async fn by_name(
    meta: &Meta,
    dc: &Datacenter,
    kind: MoType,
    what: &str,
    name: &str,
    props: &[&str],
) -> Result<ObjectContent, Diags> {
    let objs = meta
        .client
        .list_by_type(&dc.moref, kind.name(), props)
        .await
        .map_err(|e| vi_diag(&e, &format!("listing {what}s"), Some(AttrPath::attr("name"))))?;
    let matches = objs.into_iter().filter(|o| o.str("name") == Some(name)).collect();
    one(matches, what, name, &format!("datacenter {:?}", dc.path))
        .map_err(|m| Diags::error_at(AttrPath::attr("name"), format!("{} not found", capitalise(what)), m))
}

/// Resolves an inventory path: absolute when it starts with `/`, else
/// relative to `base` (a folder path under the datacenter, e.g. `DC0/host`).
pub async fn by_path(
    meta: &Meta,
    path: &str,
    base: &str,
    kinds: &[&str],
    what: &str,
    props: &[&str],
) -> Result<ObjectContent, Diags> {
    by_path_at(meta, path, base, kinds, what, props, "path").await
}

/// [`by_path`], with errors on attribute `attr_name`.
pub async fn by_path_at(
    meta: &Meta,
    path: &str,
    base: &str,
    kinds: &[&str],
    what: &str,
    props: &[&str],
    attr_name: &str,
) -> Result<ObjectContent, Diags> {
    let full = if let Some(abs) = path.strip_prefix('/') {
        abs.trim_end_matches('/').to_owned()
    } else {
        format!("{}/{}", base.trim_matches('/'), path.trim_matches('/'))
    };
    let attr = || AttrPath::attr(attr_name);
    let found = meta
        .client
        .find_by_inventory_path(&full)
        .await
        .map_err(|e| vi_diag(&e, &format!("finding {what} {full:?}"), Some(attr())))?;
    let Some(moref) = found else {
        return Err(Diags::error_at(
            attr(),
            format!("{} not found", capitalise(what)),
            format!("nothing at inventory path {full:?}"),
        ));
    };
    if !kinds.contains(&moref.kind.as_str()) {
        return Err(Diags::error_at(
            attr(),
            format!("Not a {what}"),
            format!("{full:?} is a {} ({}), not a {what}", moref.kind, moref.value),
        ));
    }
    let objs = meta
        .client
        .retrieve(&[moref], props)
        .await
        .map_err(|e| vi_diag(&e, &format!("reading {what} {full:?}"), Some(attr())))?;
    objs.into_iter().find(|o| !o.is_missing_object()).ok_or_else(|| {
        Diags::error_at(
            attr(),
            format!("{} not found", capitalise(what)),
            format!("{full:?} vanished while being read"),
        )
    })
}

/// Which of a datacenter's folders a relative path in `name` starts from.
#[derive(Debug, Clone, Copy)]
pub enum DcFolder {
    Vm,
    Host,
    Datastore,
    Network,
}

impl DcFolder {
    fn name(self) -> &'static str {
        match self {
            DcFolder::Vm => "vm",
            DcFolder::Host => "host",
            DcFolder::Datastore => "datastore",
            DcFolder::Network => "network",
        }
    }
}

/// What the vSphere provider accepts in `name` ("a name or path"), for
/// configurations migrated from it: with a `/`, an inventory path, absolute
/// from the root when it starts with `/` (then the datacenter is the one the
/// object is in, unless `datacenter_id` names one), else relative to the
/// datacenter's `folder`; without, a name unique in the datacenter. Errors
/// point at `name`.
#[allow(clippy::too_many_arguments)]
pub async fn by_name_or_path(
    meta: &Meta,
    dc_id: Option<&str>,
    folder: DcFolder,
    kind: MoType,
    kinds: &[&str],
    what: &str,
    name: &str,
    props: &[&str],
) -> Result<(ObjectContent, Datacenter), Diags> {
    if name.starts_with('/') {
        let o = by_path_at(meta, name, "", kinds, what, props, "name").await?;
        let dc = match dc_id {
            Some(id) => datacenter(meta, Some(id), "datacenter_id").await?,
            None => datacenter_of(meta, &o.obj, "name").await?,
        };
        return Ok((o, dc));
    }
    let dc = datacenter(meta, dc_id, "datacenter_id").await?;
    let o = if name.contains('/') {
        by_path_at(meta, name, &format!("{}/{}", dc.path, folder.name()), kinds, what, props, "name").await?
    } else {
        by_name(meta, &dc, kind, what, name, props).await?
    };
    Ok((o, dc))
}

/// The optional `datacenter_id` every lookup by name or relative path takes.
pub fn datacenter_id_attribute() -> Attribute {
    Attribute::optional_computed(
        "datacenter_id",
        Type::String,
        "Datacenter to search (`vi_datacenter.id`). Default: the provider's datacenter.",
    )
}

/// `datacenter_id` for lookups whose `name` may be an absolute path.
pub fn datacenter_id_attribute_for_paths() -> Attribute {
    Attribute::optional_computed(
        "datacenter_id",
        Type::String,
        "Datacenter to search (`vi_datacenter.id`). Default: the provider's datacenter; with an absolute path in \
         `name`, the datacenter the object is in.",
    )
}

/// Plan-time check for two alternative attributes: exactly one must be set
/// (unknown counts as set, since it will be).
pub fn exactly_one_of<A, B>(a: &Value<A>, b: &Value<B>, a_name: &str, b_name: &str) -> Diags {
    match (a.is_null(), b.is_null()) {
        (false, false) => Diags::error_at(
            AttrPath::attr(b_name),
            "Conflicting attributes",
            format!("set only one of `{a_name}` and `{b_name}`"),
        ),
        (true, true) => Diags::error_at(
            AttrPath::attr(a_name),
            "Missing attribute",
            format!("set one of `{a_name}` and `{b_name}`"),
        ),
        _ => Diags::none(),
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
}

/// Whether the managed object `kind`/`id` exists (one batched read).
pub async fn object_exists(meta: &Meta, kind: MoType, id: &str) -> Result<bool, ViError> {
    match meta.batcher.retrieve_one(kind.moref(id), &["name"]).await {
        Ok(o) => Ok(!o.is_missing_object()),
        Err(e) if e.is_fault(FaultKind::ManagedObjectNotFound) => Ok(false),
        Err(e) => Err(e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn oc(id: &str) -> ObjectContent {
        ObjectContent::not_found(MoType::Datastore.moref(id))
    }

    #[test]
    fn one_names_every_candidate_when_ambiguous() {
        let e = one(vec![oc("datastore-1"), oc("datastore-2")], "datastore", "ds", "datacenter \"DC0\"").unwrap_err();
        assert!(e.contains("datastore-1") && e.contains("datastore-2") && e.contains("DC0"), "{e}");
        let e = one(vec![], "datastore", "ds", "datacenter \"DC0\"").unwrap_err();
        assert!(e.contains("no datastore named \"ds\""), "{e}");
        assert_eq!(one(vec![oc("datastore-3")], "datastore", "ds", "x").unwrap().obj.value, "datastore-3");
    }

    #[test]
    fn capitalise_first_letter() {
        assert_eq!(capitalise("resource pool"), "Resource pool");
        assert_eq!(capitalise(""), "");
    }
}
