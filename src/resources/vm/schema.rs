//! The schema of `vi_vm`. Names follow `vsphere_virtual_machine` where the
//! concept is the same, so configurations move over with few edits.
use crate::plugin::{Attribute as A, Block, NestedBlock, Schema, Type};
use crate::shared::customization::schema::spec_attributes;

pub fn schema() -> Schema {
    Schema::new(
        Block::new(
            "A virtual machine: created from scratch or cloned, updated in place wherever vSphere allows, \
             powered on or off as asked, and destroyed (powered off first).",
        )
        .attr(A::computed("id", Type::String, "Managed object id of the VM (`vm-42`)."))
        .attr(A::required("name", Type::String, "Name of the VM; renaming is done in place."))
        .attr(A::optional_computed(
            "resource_pool_id",
            Type::String,
            "Resource pool the VM runs in (`vi_resource_pool.id`, `vi_host.resource_pool_id`). Give this or \
             `vapp_id`; with `vapp_id` it reports the vApp (a vApp is the resource pool of its VMs). A change \
             migrates the VM in place.",
        ))
        .attr(A::optional_computed(
            "vapp_id",
            Type::String,
            "vApp the VM belongs to (`vi_vapp.id`), instead of `resource_pool_id`: the VM is created in the vApp \
             and runs in its resources. A change moves the VM to the other vApp in place (its vTPM, if any, is \
             moved with it: the TPM rule for a move is copy). Reports the vApp when the VM's pool is one.",
        ))
        .attr(A::optional_computed(
            "datastore_id",
            Type::String,
            "Datastore for the VM's files and disks (`vi_datastore.id`). Required unless cloning; a change migrates \
             the VM's storage in place.",
        ))
        .attr(A::optional_computed(
            "host_id",
            Type::String,
            "ESXi host to run on (`vi_host.id`); chosen by vSphere when unset. A change migrates the VM in place.",
        ))
        .attr(
            A::optional(
                "folder",
                Type::String,
                "VM folder, as a path relative to the datacenter's VM folder (`apps/web`). Default: the datacenter's \
                 VM folder.",
            )
            .force_new(),
        )
        .attr(
            A::optional(
                "guest_id",
                Type::String,
                "Guest OS identifier, e.g. `otherLinux64Guest`, `windows2019srv_64Guest`.",
            )
            .default("otherGuest64"),
        )
        .attr(A::optional("num_cpus", Type::Number, "Number of virtual CPUs.").default(1i64))
        .attr(
            A::optional(
                "num_cores_per_socket",
                Type::Number,
                "Cores per virtual socket; `num_cpus` must be a multiple of it.",
            )
            .default(1i64),
        )
        .attr(A::optional("memory", Type::Number, "Memory in MB, a multiple of 4.").default(1024i64))
        .attr(A::optional("cpu_hot_add_enabled", Type::Bool, "Allow adding vCPUs while the VM runs.").default(false))
        .attr(
            A::optional("memory_hot_add_enabled", Type::Bool, "Allow adding memory while the VM runs.").default(false),
        )
        .attr(A::optional("firmware", Type::String, "`bios` or `efi`.").default("bios"))
        .attr(
            A::optional(
                "efi_secure_boot",
                Type::Bool,
                "UEFI secure boot; needs `firmware = \"efi\"` and hardware version 13 or later.",
            )
            .default(false),
        )
        .attr(A::optional_computed(
            "hardware_version",
            Type::Number,
            "Virtual hardware version, e.g. `19`. Upgraded in place (VM powered off, with `reboot_allowed`); a \
             lower version forces a new VM. Default: the newest the host supports.",
        ))
        .attr(
            A::optional(
                "scsi_type",
                Type::String,
                "SCSI controller model: `pvscsi`, `lsilogic`, `lsisas1068` or `buslogic`. Default: `pvscsi` for a VM \
                 made from scratch; a clone or a catalog deployment keeps its source's.",
            )
            .default("pvscsi")
            .force_new(),
        )
        .attr(A::optional("annotation", Type::String, "Notes shown in vSphere."))
        .attr(A::optional(
            "extra_config",
            Type::map(Type::String),
            "Advanced settings (`extraConfig`), e.g. `guestinfo.*` keys. Only the keys set here are managed.",
        ))
        .attr(A::optional("power_state", Type::String, "`on` or `off`.").default("on"))
        .attr(
            A::optional(
                "reboot_allowed",
                Type::Bool,
                "Allow the provider to shut the VM down and start it again when a change needs it (CPU or memory \
             without hot-add, firmware, guest OS, hardware version). When false, such a change on a running VM \
             fails at plan.",
            )
            .default(false),
        )
        .attr(
            A::optional(
                "shutdown_wait_timeout",
                Type::Number,
                "Seconds to wait for a guest shutdown before powering off.",
            )
            .default(180i64),
        )
        .attr(
            A::optional(
                "wait_for_ip_timeout",
                Type::Number,
                "Seconds to wait for the guest to report an IP address after create or power-on; `0` does not wait. \
             Never waits during refresh.",
            )
            .default(0i64),
        )
        .attr(A::computed(
            "uuid",
            Type::String,
            "The VM's BIOS UUID. Known after apply when a power-on may answer a \"moved or copied\" question (`auto_answer`).",
        ))
        .attr(A::computed("instance_uuid", Type::String, "The VM's vCenter instance UUID."))
        .attr(A::computed(
            "default_ip_address",
            Type::String,
            "The guest's primary IP address, when VMware Tools reports one.",
        ))
        .attr(A::computed("guest_ip_addresses", Type::list(Type::String), "Every IP address the guest reports."))
        .attr(A::computed("vmx_path", Type::String, "Path of the VM's configuration file (`[ds] vm/vm.vmx`)."))
        .attr(A::computed(
            "vtpm_present",
            Type::Bool,
            "Whether the VM has a virtual TPM device (whether or not this configuration manages it).",
        ))
        .attr(A::computed(
            "imported",
            Type::Bool,
            "Whether the VM came into this state by `terraform import`. vSphere does not keep how a VM was made, \
             so after an import a `clone` or `catalog_item` block is taken as written instead of forcing a new VM.",
        ))
        .block(disk_block())
        .block(nic_block())
        .block(cdrom_block())
        .block(vtpm_block())
        .block(clone_block())
        .block(catalog_item_block())
        .block(vapp_start_block())
        .block(timeouts_block()),
    )
}

fn disk_block() -> NestedBlock {
    NestedBlock::list(
        "disk",
        Block::new(
            "A virtual disk on the SCSI controller, in order. Growing is done in place; shrinking is refused at plan.",
        )
        .attr(A::required("label", Type::String, "Your name for the disk (vSphere does not store it)."))
        .attr(A::required("size", Type::Number, "Size in GB."))
        .attr(
            A::optional("thin_provisioned", Type::Bool, "Thin provisioning; fixed once the disk exists.").default(true),
        )
        .attr(A::optional_computed(
            "unit_number",
            Type::Number,
            "SCSI unit number (0–15, not 7). Default: the disk's position.",
        ))
        .attr(A::computed("path", Type::String, "Datastore path of the disk's file."))
        .attr(A::computed("uuid", Type::String, "The disk's UUID."))
        .attr(A::computed("key", Type::Number, "vSphere's device key.")),
    )
}

fn nic_block() -> NestedBlock {
    NestedBlock::list(
        "network_interface",
        Block::new("A network adapter, in order.")
            .attr(A::required(
                "network_id",
                Type::String,
                "Network to connect to (`vi_network.id`): a standard port group, distributed port group or opaque network.",
            ))
            .attr(A::optional("adapter_type", Type::String, "`vmxnet3`, `e1000e`, `e1000`, `vmxnet2` or `vlance`.").default("vmxnet3"))
            .attr(A::optional_computed(
                "mac_address",
                Type::String,
                "Static MAC address in VMware's manual range `00:50:56:00:00:00`–`00:50:56:3f:ff:ff`. Generated by \
                 vSphere when unset. On an imported VM, an address vSphere generated stays unset here (so generated \
                 configuration does not pin it); `data \"vi_vm\"` reports it.",
            ))
            .attr(A::optional(
                "mac_address_check",
                Type::Bool,
                "Set to false to allow a MAC address outside VMware's ranges (sets `ethernetN.checkMACAddress`).",
            ).default(true))
            .attr(A::computed("key", Type::Number, "vSphere's device key.")),
    )
}

fn cdrom_block() -> NestedBlock {
    NestedBlock::single(
        "cdrom",
        Block::new(
            "A CD-ROM drive with an ISO image from a datastore (e.g. one uploaded with `vi_datastore_upload`). Give \
             `datastore_id` and `path`, or `datastore_path`.",
        )
        .attr(A::optional_computed("datastore_id", Type::String, "Datastore holding the ISO."))
        .attr(A::optional_computed("path", Type::String, "Path of the ISO on that datastore (`iso/linuxkit.iso`)."))
        .attr(A::optional_computed("datastore_path", Type::String, "The ISO as `[datastore] dir/file.iso`.")),
    )
}

fn vtpm_block() -> NestedBlock {
    NestedBlock::single(
        "vtpm",
        Block::new(
            "A virtual TPM 2.0 device. Needs `firmware = \"efi\"`, `hardware_version` 14 or later, a 64-bit \
             `guest_id`, no snapshots and a key provider registered with vCenter, all checked at plan. Adding or \
             removing it on an existing VM is done in place with the VM powered off: a running VM is shut down and \
             started again only with `reboot_allowed = true`, else the plan fails.",
        )
        .attr(A::optional_computed(
            "key_provider_id",
            Type::String,
            "Key provider to encrypt the VM's home files with (a vTPM needs them encrypted). Default: vCenter's \
             default key provider. Reports the provider the VM is encrypted with; it cannot change while the vTPM \
             exists.",
        )),
    )
}

fn clone_block() -> NestedBlock {
    NestedBlock::single(
        "clone",
        Block::new("Create the VM as a clone of a VM or template. Used at creation only; a change forces a new VM.")
            .attr(A::required("source_id", Type::String, "VM or template to clone (`vm-42`)."))
            .attr(
                A::optional(
                    "linked_clone",
                    Type::Bool,
                    "Share the source's disks through a delta disk on its current snapshot.",
                )
                .default(false),
            )
            .attr(A::optional(
                "tpm_provisioning",
                Type::String,
                "For a source with a virtual TPM: `copy` its TPM secrets or `replace` them with new ones. Checked \
                 at plan against the vCenter version (`replace` needs vCenter 8 unless the source is a template). \
                 Default: copy.",
            ))
            .block(customize_block())
            .block(named_spec_block()),
    )
    .creation_only()
}

fn customize_block() -> NestedBlock {
    NestedBlock::single(
        "customize",
        spec_attributes(
            Block::new(
                "Guest customization: the new VM's guest gets its own host name, addresses, DNS, time zone and (Windows)                  sysprep run with a domain join. Applied with `CustomizeVM_Task` before the VM first powers on; the                  apply then waits for vSphere's CustomizationSucceeded or CustomizationFailed event and reports a                  failure with vSphere's reason (the VM is kept, tainted). Every rule vSphere would only enforce in the                  guest (names, time zones, addresses against prefixes and gateways, one setting per network                  interface, the guest family) is checked at plan. vSphere customizes only at deployment: a later                  change is recorded without touching the guest (the plan says so in a warning) and forces no new VM.                  Conflicts with `customization_spec`.",
            )
            .attr(
                A::optional(
                    "timeout",
                    Type::Number,
                    "Minutes to wait for the customization's outcome after power-on (also bounded by                      `timeouts.create`); `0` does not wait.",
                )
                .default(10i64),
            ),
        ),
    )
    .deployment_only()
}

fn named_spec_block() -> NestedBlock {
    NestedBlock::single(
        "customization_spec",
        Block::new(
            "Guest customization by a specification stored in vCenter (`vi_customization_spec`), instead of              `customize`. Checked at plan: the specification exists, suits the guest family and has one setting per              network interface. Like `customize`, used at deployment only.",
        )
        .attr(A::required(
            "id",
            Type::String,
            "Name of the specification in vCenter (`vi_customization_spec.id`).",
        ))
        .attr(
            A::optional(
                "timeout",
                Type::Number,
                "Minutes to wait for the customization's outcome after power-on; `0` does not wait.",
            )
            .default(10i64),
        ),
    )
    .deployment_only()
}

fn catalog_item_block() -> NestedBlock {
    NestedBlock::single(
        "catalog_item",
        Block::new(
            "Create the VM by deploying an OVF template from a catalog (`vi_catalog_item`), then bring its \
             hardware to this configuration. Used at creation only; a change forces a new VM. Conflicts with \
             `clone`.",
        )
        .attr(A::required("item_id", Type::String, "The catalog item to deploy (`vi_catalog_item.id`)."))
        .attr(A::optional(
            "tpm_provisioning",
            Type::String,
            "For a template with a virtual TPM: `copy` its TPM secrets or `replace` them with new ones. Checked at \
             plan against how the item came to be (an uploaded OVF is always `replace`; a captured item does what \
             its capture chose; an item made elsewhere allows both). Default: what the item's `instantiate_tpm` \
             says.",
        ))
        .block(customize_block())
        .block(named_spec_block()),
    )
    .creation_only()
}

fn vapp_start_block() -> NestedBlock {
    NestedBlock::single(
        "vapp_start",
        Block::new(
            "How the VM starts and stops with its vApp (needs `vapp_id`), set through the vApp's entity \
             configuration after the VM is created or moved, and read back from it.",
        )
        .attr(A::optional_computed(
            "order",
            Type::Number,
            "Start order, 0 or higher: lower orders start first (equal orders together) and stop last. Default: \
             the one vSphere assigns.",
        ))
        .attr(A::optional("start_delay", Type::Number, "Seconds to wait after starting the VM.").default(120i64))
        .attr(
            A::optional(
                "stop_delay",
                Type::Number,
                "Seconds to wait after stopping the VM (counts with `stop_action = \"guestShutdown\"`).",
            )
            .default(120i64),
        )
        .attr(A::optional("start_action", Type::String, "`none` or `powerOn`.").default("powerOn"))
        .attr(
            A::optional("stop_action", Type::String, "`none`, `powerOff`, `guestShutdown` or `suspend`.")
                .default("powerOff"),
        )
        .attr(
            A::optional(
                "wait_for_guest",
                Type::Bool,
                "Go on with the next VM once VMware Tools report a heartbeat, not after `start_delay`.",
            )
            .default(false),
        ),
    )
}

fn timeouts_block() -> NestedBlock {
    NestedBlock::single(
        "timeouts",
        Block::new("Bounds on waiting for vSphere tasks, as durations (`30m`, `1h`). A task still running at the deadline is reported with its id.")
            .attr(A::optional("create", Type::String, "For create (clone, power-on, wait for IP). Default `30m`."))
            .attr(A::optional("update", Type::String, "For updates. Default `30m`."))
            .attr(A::optional("delete", Type::String, "For power-off and destroy. Default `30m`.")),
    )
}
