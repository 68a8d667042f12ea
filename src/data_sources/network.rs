//! `data "vi_network"`: a standard network, distributed port group or
//! opaque network, by name.
use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::plugin::{Attribute, Block, DataSource, Diags, Schema, Type, Value};
use crate::shared::Meta;
use crate::shared::lookup;
use crate::shared::lookup::DcFolder;
use crate::vi::MoType;

#[derive(Serialize, Deserialize)]
pub struct State {
    name: Value<String>,
    datacenter_id: Value<String>,
    id: Value<String>,
    r#type: Value<String>,
    accessible: Value<bool>,
}

pub struct NetworkData;

#[async_trait]
impl DataSource<Meta> for NetworkData {
    type State = State;

    fn type_name(&self) -> &'static str {
        "vi_network"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            Block::new("Looks up a network (standard port group, distributed port group or opaque network) by name.")
                .attr(Attribute::required(
                    "name",
                    Type::String,
                    "Name of the network, e.g. `VM Network` or `DC0_DVPG0`, or its inventory path (as the vSphere \
                     provider takes it): absolute (`/DC0/network/VM Network`) or relative to the datacenter's \
                     network folder.",
                ))
                .attr(lookup::datacenter_id_attribute_for_paths())
                .attr(Attribute::computed(
                    "id",
                    Type::String,
                    "Managed object id of the network (`network-7`, `dvportgroup-11`).",
                ))
                .attr(Attribute::computed(
                    "type",
                    Type::String,
                    "Managed object type: `Network`, `DistributedVirtualPortgroup` or `OpaqueNetwork`.",
                ))
                .attr(Attribute::computed(
                    "accessible",
                    Type::Bool,
                    "Whether the network is accessible from at least one host.",
                )),
        )
    }

    async fn read(&self, meta: &Meta, config: State) -> Result<State, Diags> {
        let name = config.name.get().cloned().unwrap_or_default();
        let (o, dc) = lookup::by_name_or_path(
            meta,
            config.datacenter_id.as_deref(),
            DcFolder::Network,
            MoType::Network,
            &["Network", "DistributedVirtualPortgroup", "OpaqueNetwork"],
            "network",
            &name,
            &["name", "summary.accessible"],
        )
        .await?;
        Ok(State {
            id: Value::known(o.obj.value.clone()),
            datacenter_id: Value::known(dc.moref.value.clone()),
            r#type: Value::known(o.obj.kind.clone()),
            accessible: Value::from_option(o.bool("summary.accessible")),
            name: config.name,
        })
    }
}
