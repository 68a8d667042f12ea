//! The schema and state of `vi_customization_spec`. Names follow the
//! vSphere provider's `vsphere_guest_os_customization`.
use serde::{Deserialize, Serialize};

use crate::plugin::{Attribute as A, Block, NestedBlock, Schema, Type, Value};
use crate::shared::customization::model::SpecFields;
use crate::shared::customization::schema::spec_attributes;

#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct State {
    pub id: Value<String>,
    pub name: Value<String>,
    pub r#type: Value<String>,
    pub description: Value<String>,
    pub change_version: Value<String>,
    pub last_update_time: Value<String>,
    #[serde(default)]
    pub spec: Option<SpecFields>,
}

pub fn schema() -> Schema {
    Schema::new(
        Block::new(
            "A guest customization specification stored in vCenter (its Customization Specification Manager), for \
             `vi_vm`'s `clone.customization_spec` and for anyone deploying by hand. Changed in place; renamed in \
             place. Imported by name.",
        )
        .attr(A::computed("id", Type::String, "The specification's name (vCenter keys specifications by name)."))
        .attr(A::required("name", Type::String, "Name, unique in vCenter. Renamed in place."))
        .attr(A::optional_computed(
            "type",
            Type::String,
            "`Linux` or `Windows`. Follows from the `spec` block (`linux_options` is Linux; `windows_options` or \
             `windows_sysprep_text` is Windows); when given, it must agree (checked at plan).",
        ))
        .attr(A::optional("description", Type::String, "Free text shown in vCenter.").default(""))
        .attr(A::computed(
            "change_version",
            Type::String,
            "vCenter's version of the specification; an update names it, so a change made outside Terraform since \
             the last refresh is not overwritten unseen.",
        ))
        .attr(A::computed("last_update_time", Type::String, "When vCenter last stored the specification."))
        .block(
            NestedBlock::single(
                "spec",
                spec_attributes(Block::new(
                    "The specification (required), with the same arguments as `vi_vm`'s `clone.customize` (without `timeout`). \
                     Checked at plan by the same rules, except those that need a VM (guest family, interface count), \
                     which `vi_vm` checks when it uses the specification. Secrets are never read back from vCenter \
                     (it may hold them encrypted): state keeps the configured ones.",
                )),
            ),
        ),
    )
}
