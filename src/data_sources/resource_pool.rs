//! `data "vi_resource_pool"`: a resource pool by name or inventory path.
use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::plugin::{AttrPath, Attribute, Block, DataSource, Diags, Schema, Type, Value};
use crate::shared::Meta;
use crate::shared::lookup;
use crate::vi::MoType;

#[derive(Serialize, Deserialize)]
pub struct State {
    name: Value<String>,
    path: Value<String>,
    datacenter_id: Value<String>,
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
            Block::new("Looks up a resource pool by name or by inventory path. Exactly one of `name` and `path`.")
                .attr(Attribute::optional_computed(
                    "name",
                    Type::String,
                    "Name of the pool; must be unique in the datacenter.",
                ))
                .attr(Attribute::optional_computed(
                    "path",
                    Type::String,
                    "Inventory path: absolute from the root (`/DC0/host/DC0_C0/Resources`) or relative to the \
                     datacenter's host folder (`DC0_C0/Resources`).",
                ))
                .attr(lookup::datacenter_id_attribute())
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
        lookup::exactly_one_of(&c.name, &c.path, "name", "path")
    }

    async fn read(&self, meta: &Meta, config: State) -> Result<State, Diags> {
        let dc = lookup::datacenter(meta, config.datacenter_id.as_deref(), "datacenter_id").await?;
        let o = match (config.name.get(), config.path.get()) {
            (_, Some(path)) => {
                lookup::by_path(
                    meta,
                    path,
                    &format!("{}/host", dc.path),
                    &["ResourcePool", "VirtualApp"],
                    "resource pool",
                    PROPS,
                )
                .await?
            }
            (Some(name), None) => {
                lookup::by_name(meta, &dc, MoType::ResourcePool, "resource pool", name, PROPS).await?
            }
            (None, None) => {
                return Err(Diags::error_at(AttrPath::attr("name"), "Missing name or path", "set `name` or `path`"));
            }
        };
        let path = lookup::inventory_path(meta, &o).await?;
        Ok(State {
            name: Value::from_option(o.str("name").map(str::to_owned)),
            path: Value::known(format!("/{path}")),
            datacenter_id: Value::known(dc.moref.value.clone()),
            id: Value::known(o.obj.value.clone()),
            owner_id: Value::from_option(o.moref("owner").map(|m| m.value)),
            parent_id: Value::from_option(o.moref("parent").map(|m| m.value)),
        })
    }
}
