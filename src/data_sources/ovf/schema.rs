//! The schema of `data "vi_ovf"`. Every list is computed, so its elements
//! are plain objects (no nested blocks); each description names the
//! object's fields, which the generated docs do not list on their own.
use std::collections::BTreeMap;

use crate::plugin::{Attribute as A, Block, Schema, Type};

fn object(fields: &[(&str, Type)]) -> Type {
    Type::Object(fields.iter().map(|(k, t)| ((*k).to_owned(), t.clone())).collect::<BTreeMap<_, _>>())
}

fn strings() -> Type {
    Type::list(Type::String)
}

pub fn virtual_system_type() -> Type {
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
                ("controller_type", Type::String),
                ("unit_number", Type::Number),
            ])),
        ),
    ])
}

pub fn property_type() -> Type {
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

pub fn schema() -> Schema {
    Schema::new(
        Block::new(
            "What a local OVF descriptor (`.ovf`) or OVA package (`.ova`) holds and asks for, read without \
             contacting vSphere: virtual systems and their hardware, networks, disks, files, vApp properties \
             (types checked), OVF environment transports, vService dependencies and virtual TPMs.",
        )
        .attr(A::required(
            "path",
            Type::String,
            "Local `.ovf` or `.ova` file. Which one it is is told by content, not by name.",
        ))
        .attr(A::computed(
            "name",
            Type::String,
            "The package's name: the vApp's (`VirtualSystemCollection`) name or id, else the first virtual system's \
             name or id.",
        ))
        .attr(A::computed("ovf_version", Type::Number, "OVF envelope major version: `1` or `2`."))
        .attr(A::computed(
            "is_vapp",
            Type::Bool,
            "Whether the package is a vApp (`VirtualSystemCollection`) rather than a single virtual machine.",
        ))
        .attr(A::computed(
            "virtual_systems",
            Type::list(virtual_system_type()),
            "Every virtual machine (`VirtualSystem`), nested vApps flattened, in document order. Fields: `id`, \
             `name`, `annotation`, `guest_id` (the vSphere guest id, from `vmw:osType`), `num_cpus`, \
             `cores_per_socket`, `memory_mb`, `firmware` (`bios` / `efi`), `secure_boot`, `hardware_version` \
             (`vmx-19`), `has_tpm`, `transports` (the `VirtualHardwareSection`'s `ovf:transport`: `iso`, \
             `com.vmware.guestInfo`), `network_interface` (list of `adapter_type`, `network`) and `disks` (list of \
             `disk_id`, `capacity_bytes`, `controller_type` (`ide`, `scsi`, `sata`, `nvme`), `unit_number`).",
        ))
        .attr(A::computed(
            "networks",
            Type::list(object(&[("name", Type::String), ("description", Type::String)])),
            "The logical networks the package's NICs connect to (`NetworkSection`). Fields: `name`, `description`.",
        ))
        .attr(A::computed(
            "disks",
            Type::list(object(&[
                ("disk_id", Type::String),
                ("file_id", Type::String),
                ("capacity_bytes", Type::Number),
                ("capacity_property", Type::String),
                ("format", Type::String),
                ("populated_size", Type::Number),
            ])),
            "Virtual disks (`DiskSection`). Fields: `disk_id`, `file_id` (null for a disk created empty), \
             `capacity_bytes` (null when a property sets it), `capacity_property` (that property's key), `format`, \
             `populated_size`.",
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
            "vapp_properties",
            Type::list(property_type()),
            "vApp properties (`ProductSection/Property`) of the vApp and of every virtual system. Fields: `key`, \
             `class_id`, `instance_id`, `full_key` (`[class.]key[.instance]`, the name in the OVF environment), \
             `virtual_system_id` (null for the vApp's own), `type` (the vSphere type, e.g. `string(1..63)`, \
             `int(1..1024)`, `string[\"a\", \"b\"]`, `password(8..)`, `ip:VM Network`), `ovf_type` (as written), \
             `label`, `description`, `category`, `default_value` (always null for passwords), \
             `user_configurable`, `password`. A type vSphere cannot take is an error; a default value that does \
             not fit its type is a warning.",
        ))
        .attr(A::computed(
            "vservice_dependencies",
            Type::list(object(&[
                ("id", Type::String),
                ("type", Type::String),
                ("name", Type::String),
                ("description", Type::String),
                ("required", Type::Bool),
                ("virtual_system_id", Type::String),
            ])),
            "vService dependencies (`vmw:vServiceDependencySection`), such as the vCenter Extension vService \
             (`com.vmware.vservice.extension`). Fields: `id`, `type`, `name`, `description`, `required` (a VM \
             with a required dependency does not power on until it is bound), `virtual_system_id` (null for the \
             vApp's own).",
        ))
        .attr(A::computed("has_tpm", Type::Bool, "Whether any virtual system has a virtual TPM."))
        .attr(A::computed(
            "transports",
            strings(),
            "OVF environment transports any virtual system asks for, each once: `iso` (a CD-ROM image), \
             `com.vmware.guestInfo` (through VMware Tools).",
        )),
    )
}
