//! `data "vi_datastore"`: a datastore by name, with its capacity and free space.
use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::plugin::{AttrPath, Attribute, Block, DataSource, Diags, Schema, Type, Value};
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
    capacity: Value<i64>,
    free_space: Value<i64>,
    url: Value<String>,
    accessible: Value<bool>,
}

pub struct DatastoreData;

const PROPS: &[&str] =
    &["name", "summary.type", "summary.capacity", "summary.freeSpace", "summary.url", "summary.accessible"];

#[async_trait]
impl DataSource<Meta> for DatastoreData {
    type State = State;

    fn type_name(&self) -> &'static str {
        "vi_datastore"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            Block::new("Looks up a datastore by name in a datacenter.")
                .attr(Attribute::optional_computed(
                    "name",
                    Type::String,
                    "Name of the datastore, or its inventory path (as the vSphere provider takes it): absolute \
                     (`/DC0/datastore/LocalDS_0`) or relative to the datacenter's datastore folder (`nfs/ds1`). \
                     Default: `VI_DATASTORE`, `GOVC_DATASTORE`, then LinuxKit's `VCDATASTORE`.",
                ))
                .attr(lookup::datacenter_id_attribute_for_paths())
                .attr(Attribute::computed("id", Type::String, "Managed object id of the datastore (`datastore-17`)."))
                .attr(Attribute::computed("type", Type::String, "File system type: `VMFS`, `NFS`, `vsan`, `OTHER`, …"))
                .attr(Attribute::computed("capacity", Type::Number, "Capacity in bytes."))
                .attr(Attribute::computed("free_space", Type::Number, "Free space in bytes."))
                .attr(Attribute::computed("url", Type::String, "The datastore's URL, e.g. `ds:///vmfs/volumes/…/`."))
                .attr(Attribute::computed("accessible", Type::Bool, "Whether the datastore is accessible.")),
        )
    }

    async fn read(&self, meta: &Meta, config: State) -> Result<State, Diags> {
        let name = match config.name.get().filter(|n| !n.is_empty()).or(meta.datastore.as_ref()) {
            Some(n) => n.clone(),
            None => {
                return Err(Diags::error_at(
                    AttrPath::attr("name"),
                    "No datastore name",
                    "set `name`, or VI_DATASTORE, GOVC_DATASTORE or VCDATASTORE in the provider's environment",
                ));
            }
        };
        let (o, dc) = lookup::by_name_or_path(
            meta,
            config.datacenter_id.as_deref(),
            DcFolder::Datastore,
            MoType::Datastore,
            &["Datastore"],
            "datastore",
            &name,
            PROPS,
        )
        .await?;
        Ok(State {
            id: Value::known(o.obj.value.clone()),
            datacenter_id: Value::known(dc.moref.value.clone()),
            r#type: Value::from_option(o.str("summary.type").map(str::to_owned)),
            capacity: Value::from_option(o.i64("summary.capacity")),
            free_space: Value::from_option(o.i64("summary.freeSpace")),
            url: Value::from_option(o.str("summary.url").map(str::to_owned)),
            accessible: Value::from_option(o.bool("summary.accessible")),
            name: Value::known(name),
        })
    }
}
