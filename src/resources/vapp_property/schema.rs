//! The schema of `vi_vapp_property`: vSphere's `VAppPropertyInfo`, with the
//! value split into `value` and, for password types, `sensitive_value` or
//! its write-only form `sensitive_value_wo`.
use crate::plugin::{Attribute as A, Block, Schema, Type};

pub fn schema() -> Schema {
    Schema::new(
        Block::new(
            "One vApp property of a VM or vApp: added, edited and removed on its own, whether or not an OVF \
             defined it. Values are checked against the property's type at plan.",
        )
        .attr(A::computed("id", Type::String, "`<target_id>:<key>`."))
        .attr(
            A::required(
                "target_id",
                Type::String,
                "The VM (`vm-42`, e.g. `vi_vm.id`) or vApp (`resgroup-v12`) holding the property. Its vApp options \
                 are turned on when they are off, with the `com.vmware.guestInfo` OVF environment transport when a \
                 VM has none.",
            )
            .force_new(),
        )
        .attr(A::optional_computed(
            "key",
            Type::Number,
            "vSphere's integer key, unique within the target (0 to 2147483647). Default: the next free key, \
             chosen at apply. A change re-keys the property in place.",
        ))
        .attr(A::required(
            "property_id",
            Type::String,
            "The property's name (vSphere's `id`), without white-space. `[class_id.]property_id[.instance_id]` \
             must be unique within the target; it is the key the guest sees in the OVF environment.",
        ))
        .attr(A::optional("category", Type::String, "The category the property is shown under."))
        .attr(A::optional("label", Type::String, "The name shown for the property."))
        .attr(A::optional("description", Type::String, "A description of the property."))
        .attr(A::optional("class_id", Type::String, "The property's class, without white-space."))
        .attr(A::optional("instance_id", Type::String, "The property's instance, without white-space."))
        .attr(A::optional("type_reference", Type::String, "Extra data for the type, as vSphere defines it."))
        .attr(
            A::optional(
                "user_configurable",
                Type::Bool,
                "Whether users may change the value in vSphere. Properties with `false` (system properties, often \
                 from an OVF) are managed like any other once this says `false`.",
            )
            .default(true),
        )
        .attr(
            A::optional(
                "type",
                Type::String,
                "The value's type: `string`, `string(x..)`, `string(..y)`, `string(x..y)`, \
                 `string[\"a\", \"b\"]`, `int`, `int(x..y)`, `real`, `real(x..y)`, `boolean`, `password`, \
                 `password(x..)`, `password(..y)`, `password(x..y)`, `expression`, `ip`, `ip:<network>` or \
                 `${ip:<network>}`.",
            )
            .default("string"),
        )
        .attr(A::optional(
            "default_value",
            Type::String,
            "The value used while `value` is empty; must fit `type`. For `expression`, the expression. vSphere \
             reads a password type's default back empty, so it is kept as configured.",
        ))
        .attr(A::optional(
            "value",
            Type::String,
            "The value, which must fit `type`. Not for password types: use `sensitive_value`.",
        ))
        .attr(
            A::optional(
                "sensitive_value",
                Type::String,
                "The value of a password-typed property, which must fit `type`; kept out of plan output and logs, \
                 but stored in the state (in plain text, as every value is). vSphere reads it back empty, so it is \
                 kept as configured (a change made outside Terraform is not seen). With Terraform 1.11+ or \
                 OpenTofu 1.11+ prefer `sensitive_value_wo`, which never reaches the state; Terraform 1.0 to 1.10 \
                 and older OpenTofu need this one.",
            )
            .sensitive(),
        )
        .attr(
            A::optional(
                "sensitive_value_wo",
                Type::String,
                "Write-only form of `sensitive_value` (Terraform 1.11+, OpenTofu 1.11+): the value of a \
                 password-typed property, checked against `type` at plan, sent to vSphere when the property is \
                 created and whenever `sensitive_value_wo_version` changes, and never stored in a plan or the \
                 state. Excludes `sensitive_value`.",
            )
            .write_only(),
        )
        .attr(A::optional(
            "sensitive_value_wo_version",
            Type::Number,
            "Any number, kept in state: change it to send `sensitive_value_wo` to vSphere again (a new value alone \
             is not seen, since no value is kept to compare with). Needs `sensitive_value_wo`.",
        )),
    )
}
