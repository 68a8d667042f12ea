//! `data "vi_resource_pool"`: a resource pool by name or inventory path.
use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::plugin::{AttrPath, Attribute, Block, DataSource, Diags, Schema, Type, Value};
use crate::shared::Meta;
use crate::shared::diag::vi_diag;
use crate::shared::lookup;
use crate::shared::lookup::DcFolder;
use crate::vi::MoType;
use crate::vi::ObjectContent;
use crate::vi::object::vapp::pool_ref;

#[derive(Serialize, Deserialize)]
pub struct State {
    name: Value<String>,
    path: Value<String>,
    datacenter_id: Value<String>,
    parent_resource_pool_id: Value<String>,
    id: Value<String>,
    owner_id: Value<String>,
    parent_id: Value<String>,
}

pub struct ResourcePoolData;

const PROPS: &[&str] = &["name", "owner", "parent"];

#[async_trait]
impl DataSource<Meta> for ResourcePoolData {
    type State = State;

    fn type_name(&self) -> &'static str {
        "vi_resource_pool"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            Block::new(
                "Looks up a resource pool by name or by inventory path: at most one of `name` and `path`; neither \
                 finds the root pool of the datacenter's only host or cluster (a lone ESXi host's, say).",
            )
            .attr(Attribute::optional_computed(
                "name",
                Type::String,
                "Name of the pool; must be unique in the datacenter (or among the children of \
                     `parent_resource_pool_id`). As in the vSphere provider, a path works here too: \
                     `DC0_C0/Resources` (relative to the datacenter's host folder) or absolute.",
            ))
            .attr(Attribute::optional_computed(
                "path",
                Type::String,
                "Inventory path: absolute from the root (`/DC0/host/DC0_C0/Resources`) or relative to the \
                     datacenter's host folder (`DC0_C0/Resources`).",
            ))
            .attr(lookup::datacenter_id_attribute_for_paths())
            .attr(Attribute::optional(
                "parent_resource_pool_id",
                Type::String,
                "Look `name` up among the direct children of this pool or vApp (`vi_resource_pool.id`); `name` \
                     is then a plain name, not a path.",
            ))
            .attr(Attribute::computed("id", Type::String, "Managed object id of the pool (`resgroup-22`)."))
            .attr(Attribute::computed(
                "owner_id",
                Type::String,
                "Id of the cluster or host (compute resource) owning the pool.",
            ))
            .attr(Attribute::computed(
                "parent_id",
                Type::String,
                "Id of the parent pool, vApp or compute resource.",
            )),
        )
    }

    fn validate(&self, c: &State) -> Diags {
        if !c.name.is_null() && !c.path.is_null() {
            return Diags::error_at(
                AttrPath::attr("path"),
                "Conflicting attributes",
                "set only one of `name` and `path`",
            );
        }
        if c.parent_resource_pool_id.is_null() {
            return Diags::none();
        }
        let parent = || AttrPath::attr("parent_resource_pool_id");
        if !c.path.is_null() {
            return Diags::error_at(
                parent(),
                "Conflicting attributes",
                "`parent_resource_pool_id` goes with `name`, not with `path`",
            );
        }
        match c.name.get() {
            None => Diags::error_at(
                parent(),
                "Missing attribute",
                "`parent_resource_pool_id` needs the `name` of the child pool",
            ),
            Some(n) if n.contains('/') => Diags::error_at(
                AttrPath::attr("name"),
                "Path with a parent pool",
                format!(
                    "with `parent_resource_pool_id`, `name` is the plain name of a child pool; {n:?} is a path \
                     (drop `parent_resource_pool_id` to look the path up)"
                ),
            ),
            _ => Diags::none(),
        }
    }

    async fn read(&self, meta: &Meta, config: State) -> Result<State, Diags> {
        let dc_id = config.datacenter_id.as_deref();
        let (o, dc) = match (config.name.get(), config.path.get(), config.parent_resource_pool_id.get()) {
            (_, Some(path), _) => {
                let dc = lookup::datacenter(meta, dc_id, "datacenter_id").await?;
                let o = lookup::by_path(
                    meta,
                    path,
                    &format!("{}/host", dc.path),
                    &["ResourcePool", "VirtualApp"],
                    "resource pool",
                    PROPS,
                )
                .await?;
                (o, dc)
            }
            (Some(name), None, Some(parent)) => {
                let o = child_pool(meta, parent, name).await?;
                let dc = match dc_id {
                    Some(id) => lookup::datacenter(meta, Some(id), "datacenter_id").await?,
                    None => lookup::datacenter_of(meta, &o.obj, "parent_resource_pool_id").await?,
                };
                (o, dc)
            }
            (Some(name), None, None) => {
                lookup::by_name_or_path(
                    meta,
                    dc_id,
                    DcFolder::Host,
                    MoType::ResourcePool,
                    &["ResourcePool", "VirtualApp"],
                    "resource pool",
                    name,
                    PROPS,
                )
                .await?
            }
            (None, None, _) => {
                let dc = lookup::datacenter(meta, dc_id, "datacenter_id").await?;
                (only_root_pool(meta, &dc).await?, dc)
            }
        };
        let path = lookup::inventory_path(meta, &o).await?;
        Ok(State {
            // A name given as a path stays as written.
            name: match config.name.get() {
                Some(n) => Value::known(n.clone()),
                None => Value::from_option(o.str("name").map(str::to_owned)),
            },
            parent_resource_pool_id: config.parent_resource_pool_id,
            path: Value::known(format!("/{path}")),
            datacenter_id: Value::known(dc.moref.value.clone()),
            id: Value::known(o.obj.value.clone()),
            owner_id: Value::from_option(o.moref("owner").map(|m| m.value)),
            parent_id: Value::from_option(o.moref("parent").map(|m| m.value)),
        })
    }
}

/// The direct child of pool (or vApp) `parent` named `name`: the parent's
/// child list, then their names (two reads).
async fn child_pool(meta: &Meta, parent: &str, name: &str) -> Result<ObjectContent, Diags> {
    let attr = || AttrPath::attr("parent_resource_pool_id");
    let parent_ref = pool_ref(parent);
    let found = meta
        .client
        .retrieve(std::slice::from_ref(&parent_ref), &["resourcePool"])
        .await
        .map_err(|e| vi_diag(&e, "reading the parent resource pool", Some(attr())))?;
    let Some(p) = found.into_iter().find(|o| !o.is_missing_object()) else {
        return Err(Diags::error_at(
            attr(),
            "Resource pool not found",
            format!("no resource pool or vApp has the id {parent:?}"),
        ));
    };
    let children = p.morefs("resourcePool");
    let objs = if children.is_empty() {
        Vec::new()
    } else {
        meta.client
            .retrieve(&children, PROPS)
            .await
            .map_err(|e| vi_diag(&e, "reading child resource pools", Some(attr())))?
    };
    let matches = objs.into_iter().filter(|o| !o.is_missing_object() && o.str("name") == Some(name)).collect();
    lookup::one(matches, "resource pool", name, &format!("resource pool {parent}"))
        .map_err(|m| Diags::error_at(AttrPath::attr("name"), "Resource pool not found", m))
}

/// The root pool of the datacenter's one compute resource (host or
/// cluster), for a lookup without `name` or `path`: what the vSphere
/// provider returns on a lone ESXi host.
async fn only_root_pool(meta: &Meta, dc: &lookup::Datacenter) -> Result<ObjectContent, Diags> {
    let computes = meta
        .client
        .list_by_type(&dc.moref, MoType::ComputeResource.name(), &["name", "resourcePool"])
        .await
        .map_err(|e| vi_diag(&e, "listing hosts and clusters", None))?;
    let pool = match computes.as_slice() {
        [one] => one.moref("resourcePool"),
        _ => None,
    };
    let Some(pool) = pool else {
        return Err(Diags::error_at(
            AttrPath::attr("name"),
            "Which resource pool?",
            format!(
                "datacenter {:?} has {} hosts and clusters ({}); set `name` or `path`, e.g. `<cluster>/Resources`",
                dc.path,
                computes.len(),
                computes.iter().map(|c| c.str("name").unwrap_or("?")).collect::<Vec<_>>().join(", ")
            ),
        ));
    };
    let objs =
        meta.client.retrieve(&[pool], PROPS).await.map_err(|e| vi_diag(&e, "reading the root resource pool", None))?;
    objs.into_iter()
        .find(|o| !o.is_missing_object())
        .ok_or_else(|| Diags::error("Resource pool not found", "the root resource pool vanished while being read"))
}
