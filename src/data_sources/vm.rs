//! `data "vi_vm"`: an existing virtual machine or template, found by name,
//! inventory path or uuid, with what a clone or an import needs to know
//! about it (guest, firmware, hardware, disks, NICs, vTPM). One batched read.
use std::collections::BTreeMap;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::plugin::{AttrPath, Attribute as A, Block, DataSource, Diags, Schema, Type, Value};
use crate::rules::device_models::NicModel;
use crate::rules::hardware_version::HardwareVersion;
use crate::shared::Meta;
use crate::shared::lookup;
use crate::shared::vm_facts::{disk_label_key, network_id_of, nics, power_state, scsi_disks, scsi_type};
use crate::vi::ManagedObjectReference;
use crate::vi::MoType;
use crate::vi::object::vm::{VM_PROPS, VmInfo};
use crate::vi::object::vm_device::Backing;

#[derive(Serialize, Deserialize, Default)]
pub struct State {
    name: Value<String>,
    path: Value<String>,
    uuid: Value<String>,
    moid: Value<String>,
    folder: Value<String>,
    datacenter_id: Value<String>,
    id: Value<String>,
    instance_uuid: Value<String>,
    template: Value<bool>,
    guest_id: Value<String>,
    num_cpus: Value<i64>,
    num_cores_per_socket: Value<i64>,
    memory: Value<i64>,
    firmware: Value<String>,
    efi_secure_boot: Value<bool>,
    hardware_version: Value<i64>,
    scsi_type: Value<String>,
    annotation: Value<String>,
    power_state: Value<String>,
    resource_pool_id: Value<String>,
    host_id: Value<String>,
    datastore_id: Value<String>,
    vmx_path: Value<String>,
    default_ip_address: Value<String>,
    guest_ip_addresses: Value<Vec<String>>,
    vtpm: Value<bool>,
    key_provider_id: Value<String>,
    disks: Value<Vec<Disk>>,
    network_interfaces: Value<Vec<Nic>>,
}

#[derive(Serialize, Deserialize)]
struct Disk {
    label: Option<String>,
    size: Option<i64>,
    thin_provisioned: Option<bool>,
    unit_number: Option<i64>,
    path: Option<String>,
}

#[derive(Serialize, Deserialize)]
struct Nic {
    network_id: Option<String>,
    adapter_type: Option<String>,
    mac_address: Option<String>,
}

pub struct VmData;

fn object(fields: &[(&str, Type)]) -> Type {
    Type::Object(fields.iter().map(|(k, t)| ((*k).to_owned(), t.clone())).collect::<BTreeMap<_, _>>())
}

const KB_PER_GB: i64 = 1024 * 1024;

#[async_trait]
impl DataSource<Meta> for VmData {
    type State = State;

    fn type_name(&self) -> &'static str {
        "vi_vm"
    }

    fn schema(&self) -> Schema {
        let disk = object(&[
            ("label", Type::String),
            ("size", Type::Number),
            ("thin_provisioned", Type::Bool),
            ("unit_number", Type::Number),
            ("path", Type::String),
        ]);
        let nic =
            object(&[("network_id", Type::String), ("adapter_type", Type::String), ("mac_address", Type::String)]);
        Schema::new(
            Block::new(
                "Looks up a virtual machine or template by name, inventory path, uuid or managed object id. \
                 Exactly one of `name`, `path`, `uuid` and `moid`.",
            )
            .attr(A::optional_computed(
                "name",
                Type::String,
                "Name of the VM or template; must be unique in the datacenter (or in `folder`). As in the vSphere \
                 provider, a path relative to the datacenter's VM folder works here too (`templates/base`).",
            ))
            .attr(A::optional_computed(
                "path",
                Type::String,
                "Inventory path: absolute (`/DC0/vm/templates/base`) or relative to the datacenter's VM folder \
                 (`templates/base`).",
            ))
            .attr(A::optional_computed(
                "uuid",
                Type::String,
                "BIOS uuid (`config.uuid`) or instance uuid (`config.instanceUuid`) of the VM.",
            ))
            .attr(A::optional_computed(
                "moid",
                Type::String,
                "Managed object id of the VM (`vm-42`), as the vSphere provider's `moid`; same as `id`.",
            ))
            .attr(A::optional(
                "folder",
                Type::String,
                "With `name`: the folder the VM is in, relative to the datacenter's VM folder (`apps/web`) or \
                 absolute (`/DC0/vm/apps/web`), as the vSphere provider's `folder`.",
            ))
            .attr(lookup::datacenter_id_attribute())
            .attr(A::computed("id", Type::String, "Managed object id of the VM (`vm-42`): `vi_vm.clone.source_id`."))
            .attr(A::computed("instance_uuid", Type::String, "vCenter's instance uuid of the VM."))
            .attr(A::computed("template", Type::Bool, "Whether this is a template rather than a VM."))
            .attr(A::computed("guest_id", Type::String, "Guest OS identifier, e.g. `otherLinux64Guest`."))
            .attr(A::computed("num_cpus", Type::Number, "Number of virtual CPUs."))
            .attr(A::computed("num_cores_per_socket", Type::Number, "Cores per virtual socket."))
            .attr(A::computed("memory", Type::Number, "Memory in MB."))
            .attr(A::computed("firmware", Type::String, "`bios` or `efi`."))
            .attr(A::computed("efi_secure_boot", Type::Bool, "Whether UEFI secure boot is on."))
            .attr(A::computed("hardware_version", Type::Number, "Virtual hardware version, e.g. `19` for `vmx-19`."))
            .attr(A::computed(
                "scsi_type",
                Type::String,
                "Model of the first SCSI controller (`lsilogic`, `pvscsi`, …); null when there is none.",
            ))
            .attr(A::computed("annotation", Type::String, "The VM's notes."))
            .attr(A::computed("power_state", Type::String, "`on`, `off` or `suspended`."))
            .attr(A::computed("resource_pool_id", Type::String, "Id of the resource pool or vApp the VM is in."))
            .attr(A::computed("host_id", Type::String, "Id of the host the VM runs on."))
            .attr(A::computed("datastore_id", Type::String, "Id of the first datastore the VM uses."))
            .attr(A::computed("vmx_path", Type::String, "Datastore path of the VM's `.vmx` file."))
            .attr(A::computed("default_ip_address", Type::String, "IP address VMware Tools reports first, if any."))
            .attr(A::computed("guest_ip_addresses", Type::list(Type::String), "Every IP address VMware Tools reports."))
            .attr(A::computed("vtpm", Type::Bool, "Whether the VM has a virtual TPM."))
            .attr(A::computed(
                "key_provider_id",
                Type::String,
                "Key provider the VM is encrypted with, when it is encrypted.",
            ))
            .attr(A::computed(
                "disks",
                Type::list(disk),
                "SCSI disks by bus and unit: `label` (as `vi_vm` set it, else `diskN`), `size` (GB, rounded up), \
                 `thin_provisioned`, `unit_number`, `path` (datastore path of the `.vmdk`).",
            ))
            .attr(A::computed(
                "network_interfaces",
                Type::list(nic),
                "NICs in device order: `network_id` (network, distributed port group key or opaque network id), \
                 `adapter_type` (`vmxnet3`, `e1000e`, …), `mac_address`.",
            )),
        )
    }

    fn validate(&self, c: &State) -> Diags {
        let set = [
            ("name", !c.name.is_null()),
            ("path", !c.path.is_null()),
            ("uuid", !c.uuid.is_null()),
            ("moid", !c.moid.is_null()),
        ];
        let given: Vec<&str> = set.iter().filter(|(_, s)| *s).map(|(n, _)| *n).collect();
        let one_of = "one of `name`, `path`, `uuid` and `moid`";
        let d = match given.as_slice() {
            [_] => Diags::none(),
            [] => Diags::error_at(AttrPath::attr("name"), "Missing attribute", format!("set {one_of}")),
            [first, rest @ ..] => Diags::error_at(
                AttrPath::attr(rest.first().copied().unwrap_or(first)),
                "Conflicting attributes",
                format!("set only {one_of} (this configuration sets {})", given.join(", ")),
            ),
        };
        if !d.has_errors() && !c.folder.is_null() && c.name.is_null() {
            return Diags::error_at(
                AttrPath::attr("folder"),
                "Folder without a name",
                "`folder` narrows a lookup by `name`; `path`, `uuid` and `moid` name one VM already",
            );
        }
        d
    }

    async fn read(&self, meta: &Meta, config: State) -> Result<State, Diags> {
        let dc = lookup::datacenter(meta, config.datacenter_id.as_deref(), "datacenter_id").await?;
        let vm_folder = format!("{}/vm", dc.path);
        let vm = match (config.name.get(), config.path.get(), config.uuid.get()) {
            _ if config.moid.get().is_some() => {
                MoType::VirtualMachine.moref(config.moid.get().map(String::as_str).unwrap_or_default())
            }
            (_, _, Some(uuid)) => find_by_uuid(meta, &dc.moref, uuid).await?,
            (Some(name), None, None) if name.contains('/') || config.folder.get().is_some() => {
                let path = match config.folder.get() {
                    Some(f) => format!("{}/{}", f.trim_end_matches('/'), name.trim_start_matches('/')),
                    None => name.clone(),
                };
                lookup::by_path_at(meta, &path, &vm_folder, &["VirtualMachine"], "virtual machine", &["name"], "name")
                    .await?
                    .obj
            }
            (_, Some(path), None) => {
                lookup::by_path(meta, path, &vm_folder, &["VirtualMachine"], "virtual machine", &["name"]).await?.obj
            }
            (Some(name), None, None) => {
                lookup::by_name(meta, &dc, MoType::VirtualMachine, "virtual machine", name, &["name", "parent"])
                    .await?
                    .obj
            }
            (None, None, None) => {
                return Err(Diags::error_at(
                    AttrPath::attr("name"),
                    "Missing attribute",
                    "set `name`, `path` or `uuid`",
                ));
            }
        };
        let o = meta
            .client
            .retrieve(std::slice::from_ref(&vm), VM_PROPS)
            .await
            .map_err(|e| crate::shared::diag::vi_diag(&e, "reading the virtual machine", None))?
            .into_iter()
            .find(|o| !o.is_missing_object())
            .ok_or_else(|| match config.moid.get() {
                Some(id) => Diags::error_at(
                    AttrPath::attr("moid"),
                    "Virtual machine not found",
                    format!("no virtual machine has the id {id:?}"),
                ),
                None => Diags::error("Virtual machine not found", format!("{} vanished while being read", vm.value)),
            })?;
        let info = VmInfo::from_content(&o);
        let path = lookup::inventory_path(meta, &o).await?;
        let mut state = to_state(&info, format!("/{path}"), &dc.moref.value);
        // A name given as a path stays as written.
        if config.name.get().is_some() {
            state.name = config.name;
        }
        state.folder = config.folder;
        Ok(state)
    }
}

async fn find_by_uuid(meta: &Meta, dc: &ManagedObjectReference, uuid: &str) -> Result<ManagedObjectReference, Diags> {
    let attr = || AttrPath::attr("uuid");
    for instance in [false, true] {
        let found = meta
            .client
            .find_vm_by_uuid(Some(dc), uuid, instance)
            .await
            .map_err(|e| crate::shared::diag::vi_diag(&e, "finding the virtual machine by uuid", Some(attr())))?;
        if let Some(vm) = found {
            return Ok(vm);
        }
    }
    Err(Diags::error_at(
        attr(),
        "Virtual machine not found",
        format!("no VM in datacenter {} has the BIOS or instance uuid {uuid:?}", dc.value),
    ))
}

fn to_state(info: &VmInfo, path: String, dc_id: &str) -> State {
    let s = |v: &Option<String>| Value::from_option(v.clone());
    let disks = scsi_disks(info)
        .into_iter()
        .enumerate()
        .map(|(i, d)| {
            let (file, thin) = match &d.backing {
                Backing::DiskFlat { file_name, thin_provisioned, .. } => (Some(file_name.clone()), *thin_provisioned),
                _ => (None, None),
            };
            Disk {
                label: d
                    .unit_number
                    .and_then(|u| info.extra_config.get(&disk_label_key(u)).cloned())
                    .or_else(|| Some(format!("disk{i}"))),
                size: d.capacity_kb.map(|kb| (kb + KB_PER_GB - 1) / KB_PER_GB),
                thin_provisioned: thin,
                unit_number: d.unit_number,
                path: file,
            }
        })
        .collect();
    let network_interfaces = nics(info)
        .into_iter()
        .map(|n| Nic {
            network_id: network_id_of(n),
            adapter_type: NicModel::from_vim_type(&n.kind).map(|m| m.name().to_owned()),
            mac_address: n.mac_address.clone(),
        })
        .collect();
    let scsi_type = scsi_type(info);
    let power_state = power_state(info);
    let id = |m: &Option<ManagedObjectReference>| Value::from_option(m.as_ref().map(|m| m.value.clone()));
    State {
        name: Value::known(info.name.clone()),
        path: Value::known(path),
        uuid: s(&info.uuid),
        datacenter_id: Value::known(dc_id.to_owned()),
        id: id(&info.moref),
        moid: id(&info.moref),
        folder: Value::Null,
        instance_uuid: s(&info.instance_uuid),
        template: Value::known(info.template),
        guest_id: s(&info.guest_id),
        num_cpus: Value::from_option(info.num_cpus),
        num_cores_per_socket: Value::known(info.num_cores_per_socket.unwrap_or(1)),
        memory: Value::from_option(info.memory_mb),
        firmware: Value::known(info.firmware.clone().unwrap_or_else(|| "bios".to_owned())),
        efi_secure_boot: Value::known(info.efi_secure_boot.unwrap_or(false)),
        hardware_version: Value::from_option(
            info.version.as_deref().and_then(HardwareVersion::from_vim).map(|v| i64::from(v.number())),
        ),
        scsi_type: Value::from_option(scsi_type),
        annotation: s(&info.annotation.clone().filter(|a| !a.is_empty())),
        power_state: Value::known(power_state.to_owned()),
        resource_pool_id: id(&info.resource_pool),
        host_id: id(&info.host),
        datastore_id: Value::from_option(info.datastores.first().map(|m| m.value.clone())),
        vmx_path: s(&info.vm_path_name),
        default_ip_address: s(&info.ip_address),
        guest_ip_addresses: Value::known(info.ip_addresses.clone()),
        vtpm: Value::known(info.has_tpm()),
        key_provider_id: Value::from_option(info.key_provider().map(str::to_owned)),
        disks: Value::known(disks),
        network_interfaces: Value::known(network_interfaces),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plugin::DataSource;

    fn config(name: bool, path: bool, uuid: bool) -> State {
        let v = |on: bool| if on { Value::known("x".to_owned()) } else { Value::Null };
        State { name: v(name), path: v(path), uuid: v(uuid), ..State::default() }
    }

    #[test]
    fn moid_counts_as_a_lookup_and_folder_needs_a_name() {
        let by_moid = State { moid: Value::known("vm-42".into()), ..State::default() };
        assert!(!VmData.validate(&by_moid).has_errors());
        let both = State { moid: Value::known("vm-42".into()), ..config(true, false, false) };
        assert!(format!("{:?}", VmData.validate(&both)).contains("name, moid"));
        let folder_uuid = State { folder: Value::known("apps".into()), ..config(false, false, true) };
        assert!(format!("{:?}", VmData.validate(&folder_uuid)).contains("narrows a lookup by `name`"));
        let folder_name = State { folder: Value::known("apps".into()), ..config(true, false, false) };
        assert!(!VmData.validate(&folder_name).has_errors());
    }

    #[test]
    fn exactly_one_lookup_attribute() {
        assert!(!VmData.validate(&config(true, false, false)).has_errors());
        assert!(!VmData.validate(&config(false, false, true)).has_errors());
        let none = VmData.validate(&config(false, false, false));
        assert!(none.has_errors() && format!("{none:?}").contains("set one of"), "{none:?}");
        let two = VmData.validate(&config(true, false, true));
        assert!(two.has_errors() && format!("{two:?}").contains("name, uuid"), "{two:?}");
    }
}
