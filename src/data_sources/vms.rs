//! `data "vi_vms"`: the VMs in a datacenter that match a few filters, as
//! parallel lists of ids and names, for bulk adoption with
//! `import { for_each = … }`. One container-view listing, whatever the
//! number of VMs.
use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::plugin::{AttrPath, Attribute as A, Block, DataSource, Diags, Schema, Type, Value};
use crate::rules::vm_filter::{Candidate, PowerStateFilter, VmFilter, VmFilterError, name_regex};
use crate::shared::Meta;
use crate::shared::diag::vi_diag;
use crate::shared::lookup;
use crate::vi::MoType;
use crate::vi::object::vapp::pool_kind;

#[derive(Serialize, Deserialize)]
pub struct State {
    folder: Value<String>,
    resource_pool_id: Value<String>,
    name_regex: Value<String>,
    power_state: Value<String>,
    datacenter_id: Value<String>,
    ids: Value<Vec<String>>,
    names: Value<Vec<String>>,
}

pub struct VmsData;

const PROPS: &[&str] = &["name", "parent", "resourcePool", "runtime.powerState", "config.template"];

fn filter_diag(attr: &str, e: &VmFilterError) -> Diags {
    Diags::error_at(AttrPath::attr(attr), format!("Invalid {attr}"), e.to_string())
}

#[async_trait]
impl DataSource<Meta> for VmsData {
    type State = State;

    fn type_name(&self) -> &'static str {
        "vi_vms"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            Block::new(
                "Lists the virtual machines of a datacenter that match every filter given (none: all of them), \
                 templates excepted. `ids` and `names` are in the same order, by name then id.",
            )
            .attr(A::optional(
                "folder",
                Type::String,
                "Only VMs directly in this folder (not in its subfolders), as a path relative to the datacenter's \
                 VM folder, like `vi_vm.folder` (`apps/web`).",
            ))
            .attr(A::optional(
                "resource_pool_id",
                Type::String,
                "Only VMs in this resource pool or vApp (`vi_resource_pool.id`), not in its child pools.",
            ))
            .attr(A::optional(
                "name_regex",
                Type::String,
                "Only VMs whose name matches this regular expression anywhere (`^web-` for a prefix); RE2 syntax, \
                 as in the vSphere provider.",
            ))
            .attr(A::optional("power_state", Type::String, "Only VMs in this power state: `on`, `off` or `suspended`."))
            .attr(lookup::datacenter_id_attribute())
            .attr(A::computed("ids", Type::list(Type::String), "Managed object ids of the VMs (`vm-42`)."))
            .attr(A::computed(
                "names",
                Type::list(Type::String),
                "Names of the VMs, in the order of `ids`.",
            )),
        )
    }

    fn validate(&self, c: &State) -> Diags {
        let mut d = Diags::none();
        if let Some(r) = c.name_regex.get()
            && let Err(e) = name_regex(r)
        {
            d.push(filter_diag("name_regex", &e));
        }
        if let Some(p) = c.power_state.get()
            && let Err(e) = PowerStateFilter::parse(p)
        {
            d.push(filter_diag("power_state", &e));
        }
        d
    }

    async fn read(&self, meta: &Meta, config: State) -> Result<State, Diags> {
        let mut filter = VmFilter {
            name: config
                .name_regex
                .get()
                .map(|r| name_regex(r))
                .transpose()
                .map_err(|e| filter_diag("name_regex", &e))?,
            power_state: config
                .power_state
                .get()
                .map(|p| PowerStateFilter::parse(p))
                .transpose()
                .map_err(|e| filter_diag("power_state", &e))?,
            ..VmFilter::default()
        };
        let dc = lookup::datacenter(meta, config.datacenter_id.as_deref(), "datacenter_id").await?;
        let container = match config.folder.get() {
            Some(f) => {
                let folder = lookup::vm_folder(meta, &dc, Some(f)).await?;
                filter.folder_id = Some(folder.value.clone());
                folder
            }
            None => dc.moref.clone(),
        };
        if let Some(pool) = config.resource_pool_id.get() {
            // A mistyped pool id would list nothing and adopt nothing: say so.
            let exists = lookup::object_exists(meta, pool_kind(pool), pool)
                .await
                .map_err(|e| vi_diag(&e, "reading the resource pool", Some(AttrPath::attr("resource_pool_id"))))?;
            if !exists {
                return Err(Diags::error_at(
                    AttrPath::attr("resource_pool_id"),
                    "Resource pool not found",
                    format!("no resource pool or vApp has the id {pool:?}"),
                ));
            }
            filter.resource_pool_id = Some(pool.clone());
        }
        let listed = meta
            .client
            .list_by_type(&container, MoType::VirtualMachine.name(), PROPS)
            .await
            .map_err(|e| vi_diag(&e, "listing virtual machines", None))?;
        let candidates = listed
            .iter()
            .filter(|o| !o.is_missing_object())
            .map(|o| Candidate {
                id: o.obj.value.clone(),
                name: o.str("name").unwrap_or_default().to_owned(),
                folder_id: o.moref("parent").filter(|p| p.is(MoType::Folder)).map(|p| p.value),
                resource_pool_id: o.moref("resourcePool").map(|p| p.value),
                power_state: o.str("runtime.powerState").unwrap_or_default().to_owned(),
                template: o.bool("config.template").unwrap_or(false),
            })
            .collect();
        let (ids, names) = filter.select(candidates).into_iter().unzip();
        Ok(State {
            datacenter_id: Value::known(dc.moref.value.clone()),
            ids: Value::known(ids),
            names: Value::known(names),
            ..config
        })
    }
}
