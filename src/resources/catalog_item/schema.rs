//! The schema of `vi_catalog_item`.
use std::collections::BTreeMap;

use crate::plugin::{Attribute as A, Block, Schema, Type};

fn object(fields: &[(&str, Type)]) -> Type {
    Type::Object(fields.iter().map(|(k, t)| ((*k).to_owned(), t.clone())).collect::<BTreeMap<_, _>>())
}

fn strings() -> Type {
    Type::list(Type::String)
}

fn property() -> Type {
    object(&[
        ("id", Type::String),
        ("key", Type::String),
        ("class_id", Type::String),
        ("instance_id", Type::String),
        ("type", Type::String),
        ("label", Type::String),
        ("description", Type::String),
        ("category", Type::String),
        ("default_value", Type::String),
        ("user_configurable", Type::Bool),
        ("password", Type::Bool),
    ])
}

fn virtual_system() -> Type {
    object(&[
        ("id", Type::String),
        ("name", Type::String),
        ("annotation", Type::String),
        ("guest_id", Type::String),
        ("num_cpus", Type::Number),
        ("cores_per_socket", Type::Number),
        ("memory_mb", Type::Number),
        ("firmware", Type::String),
        ("secure_boot", Type::Bool),
        ("hardware_version", Type::String),
        ("has_tpm", Type::Bool),
        ("transports", strings()),
        ("network_interface", Type::list(object(&[("adapter_type", Type::String), ("network", Type::String)]))),
        (
            "disks",
            Type::list(object(&[
                ("disk_id", Type::String),
                ("capacity_bytes", Type::Number),
                ("controller", Type::String),
                ("controller_type", Type::String),
                ("bus_number", Type::Number),
                ("unit_number", Type::Number),
            ])),
        ),
        ("vapp_properties", Type::list(property())),
        (
            "vservice_dependencies",
            Type::list(object(&[
                ("id", Type::String),
                ("type", Type::String),
                ("name", Type::String),
                ("description", Type::String),
                ("required", Type::Bool),
            ])),
        ),
    ])
}

/// The schema version of the stored state. 1: in `virtual_systems`,
/// `network_interfaces` became `network_interface` and `properties` became
/// `vapp_properties`, the names `vi_vm` and `data "vi_ovf"` use.
pub const SCHEMA_VERSION: i64 = 1;

pub fn schema() -> Schema {
    Schema::new(
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
        ))
        .attr(A::computed("has_tpm", Type::Bool, "Whether any virtual system in the template has a virtual TPM."))
        .attr(A::computed(
            "is_vapp",
            Type::Bool,
            "Whether the template is a vApp (a `VirtualSystemCollection`) rather than a single VM.",
        ))
        .attr(A::computed(
            "networks",
            Type::list(object(&[("name", Type::String), ("description", Type::String)])),
            "The OVF's networks (`NetworkSection`), each with `name` and `description`: the names to map to \
             vSphere networks at deploy.",
        ))
        .attr(A::computed(
            "disks",
            Type::list(object(&[
                ("disk_id", Type::String),
                ("file", Type::String),
                ("capacity_bytes", Type::Number),
                ("capacity_property", Type::String),
                ("format", Type::String),
            ])),
            "The OVF's disks (`DiskSection`): `disk_id`, `file` (null for a disk created empty), \
             `capacity_bytes` (null when a property sets it: `capacity_property`), `format`.",
        ))
        .attr(A::computed(
            "deployment_options",
            Type::list(object(&[
                ("id", Type::String),
                ("label", Type::String),
                ("description", Type::String),
                ("default", Type::Bool),
            ])),
            "The OVF's deployment options (`DeploymentOptionSection`): `id`, `label`, `description`, `default`.",
        ))
        .attr(A::computed(
            "virtual_systems",
            Type::list(virtual_system()),
            "Each VM in the template: `id`, `name`, `annotation`, `guest_id`, `num_cpus`, `cores_per_socket`, \
             `memory_mb`, `firmware`, `secure_boot`, `hardware_version`, `has_tpm`, `transports` (OVF environment \
             transports: `iso`, `com.vmware.guestInfo`), `network_interface` (`adapter_type`, `network`), `disks` \
             (`disk_id`, `capacity_bytes`, `controller`, `controller_type`, `bus_number`, `unit_number`), \
             `vapp_properties` (the VM's own, as in the top-level `vapp_properties`) and `vservice_dependencies` (`id`, `type`, `name`, \
             `description`, `required`). Hardware is that of the default deployment option.",
        ))
        .attr(A::computed(
            "vapp_properties",
            Type::list(property()),
            "vApp-level properties of a vApp template (`ProductSection`s of its collections): `id` \
             (`class.key.instance`), `key`, `class_id`, `instance_id`, `type` (vSphere's type form, e.g. \
             `int(1..10)`), `label`, `description`, `category`, `default_value` (null for passwords), \
             `user_configurable`, `password`.",
        )),
    )
    .with_version(SCHEMA_VERSION)
}
