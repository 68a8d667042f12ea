//! The facts' attributes, as both schemas carry them. Every list is
//! computed, so its elements are plain objects (no nested blocks); each
//! description names the object's fields, which the generated docs do not
//! list on their own.
use std::collections::BTreeMap;

use crate::plugin::{Attribute as A, Block, Type};

fn object(fields: &[(&str, Type)]) -> Type {
    Type::Object(fields.iter().map(|(k, t)| ((*k).to_owned(), t.clone())).collect::<BTreeMap<_, _>>())
}

fn strings() -> Type {
    Type::list(Type::String)
}

fn property() -> Type {
    object(&[
        ("key", Type::String),
        ("class_id", Type::String),
        ("instance_id", Type::String),
        ("full_key", Type::String),
        ("virtual_system_id", Type::String),
        ("type", Type::String),
        ("ovf_type", Type::String),
        ("label", Type::String),
        ("description", Type::String),
        ("category", Type::String),
        ("default_value", Type::String),
        ("user_configurable", Type::Bool),
        ("password", Type::Bool),
    ])
}

fn vservice_dependency() -> Type {
    object(&[
        ("id", Type::String),
        ("type", Type::String),
        ("name", Type::String),
        ("description", Type::String),
        ("required", Type::Bool),
        ("virtual_system_id", Type::String),
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
                ("controller_subtype", Type::String),
                ("bus_number", Type::Number),
                ("unit_number", Type::Number),
            ])),
        ),
        ("vapp_properties", Type::list(property())),
        ("vservice_dependencies", Type::list(vservice_dependency())),
    ])
}

const PROPERTY_FIELDS: &str = "`key`, `class_id`, `instance_id`, `full_key` (`[class.]key[.instance]`, the name in \
     the OVF environment), `virtual_system_id` (null for the vApp's own), `type` (the vSphere type, e.g. \
     `string(1..63)`, `int(1..1024)`, `string[\"a\", \"b\"]`, `password(8..)`, `ip:VM Network`; as written when it \
     does not translate), `ovf_type` (as written), `label`, `description`, `category`, `default_value` (in \
     vSphere's spelling, `True` for OVF's `true`; always null for passwords), `user_configurable`, `password`";

const DEPENDENCY_FIELDS: &str = "`id`, `type`, `name`, `description`, `required` (a VM with a required dependency \
     does not power on until it is bound), `virtual_system_id` (null for the vApp's own)";

/// Adds the facts' attributes to `block`.
pub fn with_fact_attributes(block: Block) -> Block {
    block
        .attr(A::computed("ovf_version", Type::Number, "OVF envelope major version: `1` or `2`."))
        .attr(A::computed(
            "is_vapp",
            Type::Bool,
            "Whether the package is a vApp (`VirtualSystemCollection`) rather than a single virtual machine.",
        ))
        .attr(A::computed("has_tpm", Type::Bool, "Whether any virtual system has a virtual TPM."))
        .attr(A::computed(
            "transports",
            strings(),
            "OVF environment transports any virtual system asks for, each once: `iso` (a CD-ROM image), \
             `com.vmware.guestInfo` (through VMware Tools).",
        ))
        .attr(A::computed(
            "networks",
            Type::list(object(&[("name", Type::String), ("description", Type::String)])),
            "The logical networks the package's NICs connect to (`NetworkSection`): the names to map to vSphere \
             networks at deploy. Fields: `name`, `description`.",
        ))
        .attr(A::computed(
            "disks",
            Type::list(object(&[
                ("disk_id", Type::String),
                ("file_id", Type::String),
                ("file_href", Type::String),
                ("capacity_bytes", Type::Number),
                ("capacity_property", Type::String),
                ("format", Type::String),
                ("populated_size", Type::Number),
            ])),
            "Virtual disks (`DiskSection`). Fields: `disk_id`, `file_id` (the `files` entry; null for a disk \
             created empty), `file_href` (that file's name), `capacity_bytes` (null when a property sets it), \
             `capacity_property` (that property's key), `format`, `populated_size`.",
        ))
        .attr(A::computed(
            "files",
            Type::list(object(&[
                ("id", Type::String),
                ("href", Type::String),
                ("size", Type::Number),
                ("compression", Type::String),
            ])),
            "Files the descriptor references (`References`). Fields: `id`, `href`, `size` in bytes, `compression`.",
        ))
        .attr(A::computed(
            "deployment_options",
            Type::list(object(&[
                ("id", Type::String),
                ("label", Type::String),
                ("description", Type::String),
                ("default", Type::Bool),
            ])),
            "Deployment options (`DeploymentOptionSection`). Fields: `id`, `label`, `description`, `default`.",
        ))
        .attr(A::computed(
            "virtual_systems",
            Type::list(virtual_system()),
            "Every virtual machine (`VirtualSystem`), nested vApps flattened, in document order; hardware is that \
             of the default deployment option. Fields: `id`, `name`, `annotation`, `guest_id` (the vSphere guest \
             id, from `vmw:osType`), `num_cpus`, `cores_per_socket`, `memory_mb`, `firmware` (`bios` / `efi`), \
             `secure_boot`, `hardware_version` (`vmx-19`), `has_tpm`, `transports` (the \
             `VirtualHardwareSection`'s `ovf:transport`), `network_interface` (list of `adapter_type`, \
             `network`), `disks` (list of `disk_id`, `capacity_bytes`, `controller` (`ide`, `scsi`, `sata`, \
             `nvme`), `controller_subtype` (the controller's `ResourceSubType` as written, e.g. `lsilogic`), \
             `bus_number`, `unit_number`), `vapp_properties` and `vservice_dependencies` (the virtual system's \
             own, fields as in the top-level lists).",
        ))
        .attr(A::computed(
            "vapp_properties",
            Type::list(property()),
            &format!(
                "Every vApp property (`ProductSection/Property`) in the package: the vApp's own, then each virtual \
                 system's (also listed in its `virtual_systems` entry). Fields: {PROPERTY_FIELDS}."
            ),
        ))
        .attr(A::computed(
            "vservice_dependencies",
            Type::list(vservice_dependency()),
            &format!(
                "Every vService dependency (`vmw:vServiceDependencySection`), such as the vCenter Extension \
                 vService (`com.vmware.vservice.extension`): the vApp's own, then each virtual system's. Fields: \
                 {DEPENDENCY_FIELDS}."
            ),
        ))
}
