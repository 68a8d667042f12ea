//! `data "vi_host"`: an ESXi host by name or inventory path, with the
//! resource pool VMs placed on it use.
use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::plugin::{AttrPath, Attribute, Block, DataSource, Diags, Schema, Type, Value};
use crate::shared::Meta;
use crate::shared::lookup;
use crate::shared::lookup::DcFolder;
use crate::vi::ManagedObjectReference;
use crate::vi::MoType;
use crate::vi::ObjectContent;

#[derive(Serialize, Deserialize)]
pub struct State {
    name: Value<String>,
    path: Value<String>,
    datacenter_id: Value<String>,
    id: Value<String>,
    compute_resource_id: Value<String>,
    resource_pool_id: Value<String>,
    connection_state: Value<String>,
    power_state: Value<String>,
    maintenance_mode: Value<bool>,
    version: Value<String>,
    cpu_cores: Value<i64>,
    memory_size: Value<i64>,
}

pub struct HostData;

const PROPS: &[&str] = &[
    "name",
    "parent",
    "runtime.connectionState",
    "runtime.powerState",
    "runtime.inMaintenanceMode",
    "summary.config.product.version",
    "summary.hardware.numCpuCores",
    "summary.hardware.memorySize",
];

#[async_trait]
impl DataSource<Meta> for HostData {
    type State = State;

    fn type_name(&self) -> &'static str {
        "vi_host"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            Block::new(
                "Looks up an ESXi host by name or by inventory path: at most one of `name` and `path`; neither \
                 finds the only host of the datacenter.",
            )
            .attr(Attribute::optional_computed(
                "name",
                Type::String,
                "Name of the host as vCenter shows it. As in the vSphere provider, a path works here too: \
                 `DC0_C0/DC0_C0_H0` (relative to the datacenter's host folder) or absolute.",
            ))
            .attr(Attribute::optional_computed(
                "path",
                Type::String,
                "Inventory path: absolute (`/DC0/host/DC0_C0/DC0_C0_H0`) or relative to the datacenter's host \
                     folder (`DC0_C0/DC0_C0_H0`).",
            ))
            .attr(lookup::datacenter_id_attribute_for_paths())
            .attr(Attribute::computed("id", Type::String, "Managed object id of the host (`host-21`)."))
            .attr(Attribute::computed(
                "compute_resource_id",
                Type::String,
                "Id of the cluster or standalone compute resource holding the host.",
            ))
            .attr(Attribute::computed(
                "resource_pool_id",
                Type::String,
                "Id of the root resource pool of that compute resource: where VMs on this host go.",
            ))
            .attr(Attribute::computed(
                "connection_state",
                Type::String,
                "`connected`, `disconnected` or `notResponding`.",
            ))
            .attr(Attribute::computed(
                "power_state",
                Type::String,
                "`poweredOn`, `poweredOff`, `standBy` or `unknown`.",
            ))
            .attr(Attribute::computed("maintenance_mode", Type::Bool, "Whether the host is in maintenance mode."))
            .attr(Attribute::computed("version", Type::String, "ESXi version, e.g. `8.0.1`."))
            .attr(Attribute::computed("cpu_cores", Type::Number, "Number of physical CPU cores."))
            .attr(Attribute::computed("memory_size", Type::Number, "Physical memory in bytes.")),
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
        Diags::none()
    }

    async fn read(&self, meta: &Meta, config: State) -> Result<State, Diags> {
        let dc_id = config.datacenter_id.as_deref();
        let (o, dc) = match (config.name.get(), config.path.get()) {
            (_, Some(path)) => {
                let dc = lookup::datacenter(meta, dc_id, "datacenter_id").await?;
                (lookup::by_path(meta, path, &format!("{}/host", dc.path), &["HostSystem"], "host", PROPS).await?, dc)
            }
            (Some(name), None) => {
                lookup::by_name_or_path(
                    meta,
                    dc_id,
                    DcFolder::Host,
                    MoType::HostSystem,
                    &["HostSystem"],
                    "host",
                    name,
                    PROPS,
                )
                .await?
            }
            (None, None) => {
                let dc = lookup::datacenter(meta, dc_id, "datacenter_id").await?;
                (only_host(meta, &dc).await?, dc)
            }
        };
        let parent: Option<ManagedObjectReference> = o.moref("parent");
        let pool = match &parent {
            Some(p) => meta
                .client
                .retrieve(std::slice::from_ref(p), &["resourcePool"])
                .await
                .map_err(|e| crate::shared::diag::vi_diag(&e, "reading the host's compute resource", None))?
                .into_iter()
                .next()
                .and_then(|c| c.moref("resourcePool")),
            None => None,
        };
        let path = lookup::inventory_path(meta, &o).await?;
        Ok(State {
            // A name given as a path stays as written.
            name: match config.name.get() {
                Some(n) => Value::known(n.clone()),
                None => Value::from_option(o.str("name").map(str::to_owned)),
            },
            path: Value::known(format!("/{path}")),
            datacenter_id: Value::known(dc.moref.value.clone()),
            id: Value::known(o.obj.value.clone()),
            compute_resource_id: Value::from_option(parent.map(|p| p.value)),
            resource_pool_id: Value::from_option(pool.map(|p| p.value)),
            connection_state: Value::from_option(o.str("runtime.connectionState").map(str::to_owned)),
            power_state: Value::from_option(o.str("runtime.powerState").map(str::to_owned)),
            maintenance_mode: Value::from_option(o.bool("runtime.inMaintenanceMode")),
            version: Value::from_option(o.str("summary.config.product.version").map(str::to_owned)),
            cpu_cores: Value::from_option(o.i64("summary.hardware.numCpuCores")),
            memory_size: Value::from_option(o.i64("summary.hardware.memorySize")),
        })
    }
}

/// The datacenter's one host, for a lookup without `name` or `path` (the
/// vSphere provider allows it when there is only one).
async fn only_host(meta: &Meta, dc: &lookup::Datacenter) -> Result<ObjectContent, Diags> {
    let mut hosts = meta
        .client
        .list_by_type(&dc.moref, MoType::HostSystem.name(), PROPS)
        .await
        .map_err(|e| crate::shared::diag::vi_diag(&e, "listing hosts", None))?;
    match hosts.len() {
        1 => hosts.pop().ok_or_else(|| Diags::error("No host", "the datacenter's host vanished")),
        n => Err(Diags::error_at(
            AttrPath::attr("name"),
            "Which host?",
            format!(
                "datacenter {:?} has {n} hosts ({}); set `name` or `path`",
                dc.path,
                hosts.iter().map(|h| h.str("name").unwrap_or("?")).collect::<Vec<_>>().join(", ")
            ),
        )),
    }
}
