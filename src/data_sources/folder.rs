//! `data "vi_folder"`: an inventory folder by path.
use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::plugin::{Attribute, Block, DataSource, Diags, Schema, Type, Value};
use crate::shared::Meta;
use crate::shared::lookup;

#[derive(Serialize, Deserialize)]
pub struct State {
    path: Value<String>,
    datacenter_id: Value<String>,
    id: Value<String>,
    name: Value<String>,
    r#type: Value<String>,
    parent_id: Value<String>,
}

pub struct FolderData;

/// What a folder holds, from its `childType`, in the words the vSphere
/// provider uses for folder types.
fn folder_type(child_types: &[&str]) -> &'static str {
    let has = |t: &str| child_types.contains(&t);
    if has("Datacenter") {
        "datacenter"
    } else if has("VirtualMachine") {
        "vm"
    } else if has("ComputeResource") || has("HostSystem") {
        "host"
    } else if has("Datastore") {
        "datastore"
    } else if has("Network") {
        "network"
    } else {
        "other"
    }
}

#[async_trait]
impl DataSource<Meta> for FolderData {
    type State = State;

    fn type_name(&self) -> &'static str {
        "vi_folder"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            Block::new("Looks up an inventory folder by path.")
                .attr(Attribute::required(
                    "path",
                    Type::String,
                    "Inventory path: absolute from the root (`/DC0/vm/apps`) or relative to the datacenter (`vm/apps`).",
                ))
                .attr(Attribute::optional_computed(
                    "datacenter_id",
                    Type::String,
                    "Datacenter a relative `path` starts from (`vi_datacenter.id`). Default: the provider's datacenter.",
                ))
                .attr(Attribute::computed("id", Type::String, "Managed object id of the folder (`group-v4`)."))
                .attr(Attribute::computed("name", Type::String, "Name of the folder."))
                .attr(Attribute::computed("type", Type::String, "What the folder holds: `vm`, `host`, `datastore`, `network` or `datacenter`."))
                .attr(Attribute::computed("parent_id", Type::String, "Id of the parent folder or datacenter.")),
        )
    }

    async fn read(&self, meta: &Meta, config: State) -> Result<State, Diags> {
        let path = config.path.get().cloned().unwrap_or_default();
        let props = ["name", "childType", "parent"];
        let (o, dc_id) = if path.starts_with('/') {
            let o = lookup::by_path(meta, &path, "", &["Folder"], "folder", &props).await?;
            (o, config.datacenter_id.get().cloned())
        } else {
            let dc = lookup::datacenter(meta, config.datacenter_id.as_deref(), "datacenter_id").await?;
            let o = lookup::by_path(meta, &path, &dc.path, &["Folder"], "folder", &props).await?;
            (o, Some(dc.moref.value.clone()))
        };
        Ok(State {
            id: Value::known(o.obj.value.clone()),
            name: Value::from_option(o.str("name").map(str::to_owned)),
            r#type: Value::known(folder_type(&o.strs("childType")).to_owned()),
            parent_id: Value::from_option(o.moref("parent").map(|m| m.value)),
            datacenter_id: Value::from_option(dc_id),
            path: config.path,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folder_types_follow_child_types() {
        assert_eq!(folder_type(&["Folder", "VirtualMachine", "VirtualApp"]), "vm");
        assert_eq!(folder_type(&["Folder", "ComputeResource"]), "host");
        assert_eq!(folder_type(&["Folder", "Datacenter"]), "datacenter");
        assert_eq!(folder_type(&["Folder", "Network", "DistributedVirtualSwitch"]), "network");
        assert_eq!(folder_type(&["Folder", "Datastore", "StoragePod"]), "datastore");
        assert_eq!(folder_type(&[]), "other");
    }
}
