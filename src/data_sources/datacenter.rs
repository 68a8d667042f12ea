//! `data "vi_datacenter"`: a datacenter by name, or the provider's default.
use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::plugin::{AttrPath, Attribute, Block, DataSource, Diags, Schema, Type, Value};
use crate::shared::Meta;
use crate::shared::lookup;

#[derive(Serialize, Deserialize)]
pub struct State {
    id: Value<String>,
    name: Value<String>,
    path: Value<String>,
    vm_folder_id: Value<String>,
    host_folder_id: Value<String>,
    datastore_folder_id: Value<String>,
    network_folder_id: Value<String>,
}

pub struct DatacenterData;

fn id(m: Option<crate::vi::ManagedObjectReference>) -> Value<String> {
    Value::from_option(m.map(|m| m.value))
}

#[async_trait]
impl DataSource<Meta> for DatacenterData {
    type State = State;

    fn type_name(&self) -> &'static str {
        "vi_datacenter"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            Block::new(
                "Looks up a datacenter. Without `name`, the provider's `datacenter`, or the only datacenter there is.",
            )
            .attr(Attribute::optional_computed(
                "name",
                Type::String,
                "Name (or inventory path, e.g. `folder/DC1`) of the datacenter.",
            ))
            .attr(Attribute::computed("id", Type::String, "Managed object id of the datacenter (`datacenter-2`)."))
            .attr(Attribute::computed("path", Type::String, "Inventory path of the datacenter from the root folder."))
            .attr(Attribute::computed("vm_folder_id", Type::String, "Id of the datacenter's virtual machine folder."))
            .attr(Attribute::computed(
                "host_folder_id",
                Type::String,
                "Id of the datacenter's host and cluster folder.",
            ))
            .attr(Attribute::computed("datastore_folder_id", Type::String, "Id of the datacenter's datastore folder."))
            .attr(Attribute::computed(
                "network_folder_id",
                Type::String,
                "Id of the datacenter's network folder.",
            )),
        )
    }

    async fn read(&self, meta: &Meta, config: State) -> Result<State, Diags> {
        let dc = match config.name.get() {
            Some(name) => lookup::datacenter_named(meta, name, Some(AttrPath::attr("name"))).await?,
            None => lookup::datacenter(meta, None, "name").await?,
        };
        Ok(State {
            id: Value::known(dc.moref.value.clone()),
            name: Value::known(dc.name.clone()),
            path: Value::known(dc.path.clone()),
            vm_folder_id: id(dc.vm_folder),
            host_folder_id: id(dc.host_folder),
            datastore_folder_id: id(dc.datastore_folder),
            network_folder_id: id(dc.network_folder),
        })
    }
}
