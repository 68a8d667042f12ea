//! The schema of `vi_catalog_item`: the item, its source, and the shared
//! OVF facts of its template.
use crate::plugin::{Attribute as A, Block, Schema, Type};
use crate::shared::ovf_facts::schema::with_fact_attributes;

/// The schema version of the stored state. 1: in `virtual_systems`,
/// `network_interfaces` became `network_interface` and `properties` became
/// `vapp_properties`, the names `vi_vm` and `data "vi_ovf"` use. 2: the
/// facts became the shared OVF facts, `data "vi_ovf"`'s too (see
/// `upgrade`).
pub const SCHEMA_VERSION: i64 = 2;

pub fn schema() -> Schema {
    Schema::new(with_fact_attributes(
        Block::new(
            "A catalog item: an OVF template in a `vi_catalog`, uploaded from a local `.ovf` or `.ova` or captured \
             from an existing VM or vApp. Exposes what deploying it needs: its id, the OVF facts and the TPM policy \
             an instantiation gets.",
        )
        .attr(A::computed("id", Type::String, "The library item's id (a UUID)."))
        .attr(A::required("catalog_id", Type::String, "The catalog (`vi_catalog.id`) the item lives in.").force_new())
        .attr(A::required("name", Type::String, "Item name, unique in its catalog. Renamed in place."))
        .attr(A::optional("description", Type::String, "Free text shown in vSphere. Changed in place.").default(""))
        .attr(A::optional(
            "source_file",
            Type::String,
            "A local `.ovf` (its referenced files beside it) or `.ova` to upload, streamed. Relative paths are \
             relative to the directory Terraform runs in; use `path.module`. Checked at plan: the descriptor must \
             parse and every file it references must be there. A change of content (see `source_sha256`) replaces \
             the item; a new path to the same content does not. One of `source_file`, `source_vm_id`, \
             `source_vapp_id`.",
        ))
        .attr(
            A::optional(
                "source_vm_id",
                Type::String,
                "Capture this VM (`vi_vm.id`, `vm-42`) as the template. One of `source_file`, `source_vm_id`, \
                 `source_vapp_id`.",
            )
            .force_new(),
        )
        .attr(
            A::optional(
                "source_vapp_id",
                Type::String,
                "Capture this vApp (`resgroup-v12`) as the template. One of `source_file`, `source_vm_id`, \
                 `source_vapp_id`.",
            )
            .force_new(),
        )
        .attr(
            A::optional(
                "tpm_provisioning",
                Type::String,
                "For a captured template only: what instantiating it later does with a virtual TPM, `copy` (the \
                 source's TPM secrets) or `replace` (a new TPM). Recorded with the item; default `copy`. A change \
                 captures again.",
            )
            .force_new(),
        )
        .attr(A::computed(
            "source_sha256",
            Type::String,
            "For `source_file`: SHA-256 over the lines `<sha256 of file> <name>`, one per uploaded file (descriptor, \
             referenced files, manifest), computed at plan. Changes when any of them changes.",
        ))
        .attr(A::computed(
            "instantiate_tpm",
            Type::String,
            "What deploying this template does with a virtual TPM: `replace` for an uploaded OVF/OVA, the chosen \
             `tpm_provisioning` for a capture. Null when vCenter is older than 7.0 (no vTPM support).",
        )),
    ))
    .with_version(SCHEMA_VERSION)
}
