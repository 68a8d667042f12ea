//! The schema of `vi_vapp`. Allocation names follow
//! `vsphere_vapp_container`, so configurations move over with few edits.
use crate::plugin::{Attribute as A, Block, NestedBlock, Schema, Type};

pub fn schema() -> Schema {
    let mut block = Block::new(
        "A vSphere vApp: a resource pool with a product description, an OVF environment, IP settings and a start \
         order over its VMs. Created empty or cloned from another vApp, updated in place, powered on or off as a \
         unit, and destroyed with its VMs.",
    )
    .attr(A::computed("id", Type::String, "Managed object id of the vApp (`resgroup-v42`)."))
    .attr(A::required("name", Type::String, "Name of the vApp; renaming is done in place."))
    .attr(A::required(
        "resource_pool_id",
        Type::String,
        "Resource pool or vApp the vApp sits in (`data.vi_resource_pool.x.id`, `vi_vapp.x.id`). A change moves \
         the vApp in place.",
    ))
    .attr(
        A::optional(
            "folder",
            Type::String,
            "VM folder, as a path relative to the datacenter's VM folder (`apps/web`). Only for a vApp that is not \
             inside another vApp. Default: the datacenter's VM folder. A change forces a new vApp.",
        )
        .force_new(),
    );
    for (prefix, what, unit) in [("cpu", "CPU", "MHz"), ("memory", "memory", "MB")] {
        block = block
            .attr(
                A::optional(
                    &format!("{prefix}_share_level"),
                    Type::String,
                    &format!(
                        "Share level for {what} contention: `low`, `normal`, `high` or `custom` (then set \
                         `{prefix}_shares`)."
                    ),
                )
                .default("normal"),
            )
            .attr(A::optional_computed(
                &format!("{prefix}_shares"),
                Type::Number,
                &format!(
                    "Number of {what} shares; set only with `{prefix}_share_level = \"custom\"` (vSphere derives \
                     it for the other levels)."
                ),
            ))
            .attr(
                A::optional(
                    &format!("{prefix}_reservation"),
                    Type::Number,
                    &format!("Guaranteed {what} in {unit}; at most `{prefix}_limit` when that is set."),
                )
                .default(0i64),
            )
            .attr(
                A::optional(
                    &format!("{prefix}_expandable"),
                    Type::Bool,
                    &format!("Whether the {what} reservation may borrow from the parent pool."),
                )
                .default(true),
            )
            .attr(
                A::optional(
                    &format!("{prefix}_limit"),
                    Type::Number,
                    &format!("Most {what} the vApp may use, in {unit}; `-1` is unlimited."),
                )
                .default(-1i64),
            );
    }
    block = block
        .attr(A::optional_computed(
            "ovf_environment_transport",
            Type::list(Type::String),
            "How the OVF environment (vApp properties) reaches the guests: `iso`, `com.vmware.guestInfo`, or \
             both. Unset: left as vSphere has it; `[]` clears it.",
        ))
        .attr(A::optional_computed(
            "ip_protocol",
            Type::String,
            "IP protocol the vApp uses: `IPv4` or `IPv6`. Unset: left as vSphere has it.",
        ))
        .attr(A::optional_computed(
            "ip_allocation_policy",
            Type::String,
            "How the vApp's VMs get IP addresses: `dhcpPolicy`, `transientPolicy` (from an IP pool at each \
             power-on), `fixedPolicy` (set by hand) or `fixedAllocatedPolicy` (from an IP pool, kept). Unset: left \
             as vSphere has it.",
        ))
        .attr(A::optional_computed(
            "power_state",
            Type::String,
            "`on` or `off`. Powering the vApp on starts its VMs in their start order (each VM's `vapp_start` \
             settings); powering it off stops them in reverse order by their stop actions. Unset: the vApp's power \
             is left as it is.",
        ))
        .block(product_block())
        .block(clone_block())
        .block(timeouts_block());
    Schema::new(block)
}

fn product_block() -> NestedBlock {
    NestedBlock::single(
        "product",
        Block::new("What the vApp is, as shown in vSphere's vApp summary (the vApp's first product entry).")
            .attr(A::optional("name", Type::String, "Product name."))
            .attr(A::optional("vendor", Type::String, "Vendor name."))
            .attr(A::optional("version", Type::String, "Short version, e.g. `1.2`."))
            .attr(A::optional("full_version", Type::String, "Full version, e.g. `1.2.3 build 4567`."))
            .attr(A::optional("vendor_url", Type::String, "The vendor's web address."))
            .attr(A::optional("product_url", Type::String, "The product's web address.")),
    )
}

fn clone_block() -> NestedBlock {
    NestedBlock::single(
        "clone",
        Block::new(
            "Create the vApp as a copy of another vApp and its VMs (`CloneVApp_Task`). Used at creation only; a \
             change forces a new vApp.",
        )
        .attr(A::required("source_id", Type::String, "The vApp to copy (`resgroup-v42`)."))
        .attr(A::optional(
            "datastore_id",
            Type::String,
            "Datastore for the copied VMs. Default: the first datastore the source vApp uses.",
        ))
        .attr(A::optional(
            "tpm_provisioning",
            Type::String,
            "For VMs with a virtual TPM: `copy` their TPM secrets or `replace` them with new ones. Follows the \
             \"copy a vApp\" rule (stopped or powered-on source): vCenter 7 allows only `copy`, vCenter 8 both. \
             Checked at plan against the vCenter version.",
        )),
    )
    .force_new()
}

fn timeouts_block() -> NestedBlock {
    NestedBlock::single(
        "timeouts",
        Block::new(
            "Bounds on waiting for vSphere tasks, as durations (`30m`, `1h`). A task still running at the deadline \
             is reported with its id.",
        )
        .attr(A::optional("create", Type::String, "For create (clone, power-on). Default `30m`."))
        .attr(A::optional("update", Type::String, "For updates (rename, power). Default `30m`."))
        .attr(A::optional("delete", Type::String, "For power-off and destroy. Default `30m`.")),
    )
}
