//! What [`super::parse_ovf`] extracts from a descriptor. Names follow the
//! DMTF OVF envelope (DSP0243) and VMware's `vmw:` extensions; strings are
//! kept as written (trimmed), so callers such as the vApp property rules see
//! exactly what the descriptor says.

/// A parsed OVF descriptor.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OvfDescriptor {
    /// OVF envelope major version: 1 (`…/ovf/envelope/1`) or 2.
    pub ovf_version: u8,
    /// `References/File`.
    pub references: Vec<FileRef>,
    /// `DiskSection/Disk`.
    pub disks: Vec<DiskDesc>,
    /// `NetworkSection/Network`.
    pub networks: Vec<Network>,
    /// `DeploymentOptionSection/Configuration`.
    pub deployment_options: Vec<DeploymentOption>,
    /// True when the content is a `VirtualSystemCollection` (a vApp);
    /// its virtual systems, nested collections included, are flattened
    /// into `virtual_systems` in document order.
    pub is_collection: bool,
    /// The collections themselves (outermost first), with their own
    /// product sections (vApp-level properties).
    pub collections: Vec<VirtualSystemCollection>,
    pub virtual_systems: Vec<VirtualSystem>,
}

impl OvfDescriptor {
    /// The `References/File` with this `ovf:id`.
    pub fn file(&self, id: &str) -> Option<&FileRef> {
        self.references.iter().find(|f| f.id == id)
    }

    /// The `DiskSection/Disk` with this `ovf:diskId`.
    pub fn disk(&self, disk_id: &str) -> Option<&DiskDesc> {
        self.disks.iter().find(|d| d.disk_id == disk_id)
    }

    /// The deployment option hardware is summarised for: the one marked
    /// `ovf:default="true"`, else the first; `None` without options.
    pub fn default_deployment_option(&self) -> Option<&DeploymentOption> {
        self.deployment_options.iter().find(|o| o.default).or_else(|| self.deployment_options.first())
    }
}

/// `References/File`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileRef {
    pub id: String,
    pub href: String,
    /// `ovf:size` in bytes, when given.
    pub size: Option<u64>,
    /// `ovf:compression` (`gzip`), when given.
    pub compression: Option<String>,
    /// `ovf:chunkSize`: the file is split into `href.000000000`, … parts.
    pub chunk_size: Option<u64>,
}

/// `DiskSection/Disk`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DiskDesc {
    pub disk_id: String,
    /// `ovf:fileRef`; `None` for a disk created empty at deploy time.
    pub file_ref: Option<String>,
    /// `ovf:capacity` × `ovf:capacityAllocationUnits`; `None` when the
    /// capacity is a property reference (see `capacity_property`).
    pub capacity_bytes: Option<u64>,
    /// The key in `ovf:capacity="${key}"`: the size comes from a property.
    pub capacity_property: Option<String>,
    /// `ovf:format`, e.g. `…/vmdk.html#streamOptimized`.
    pub format: Option<String>,
    /// `ovf:populatedSize` in bytes, when given.
    pub populated_size: Option<u64>,
}

/// `NetworkSection/Network`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Network {
    pub name: String,
    pub description: Option<String>,
}

/// `DeploymentOptionSection/Configuration`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeploymentOption {
    pub id: String,
    pub label: Option<String>,
    pub description: Option<String>,
    pub default: bool,
}

/// `VirtualSystemCollection` (a vApp): its identity and vApp-level sections.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VirtualSystemCollection {
    pub id: String,
    pub name: Option<String>,
    /// The enclosing collection's id, for nested collections.
    pub parent_id: Option<String>,
    pub products: Vec<ProductSection>,
    pub vservice_dependencies: Vec<VServiceDependency>,
}

/// `VirtualSystem`: one VM.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VirtualSystem {
    /// `ovf:id`.
    pub id: String,
    /// `Name`.
    pub name: Option<String>,
    /// The id of the innermost `VirtualSystemCollection` around it.
    pub collection_id: Option<String>,
    /// `AnnotationSection/Annotation`.
    pub annotation: Option<String>,
    pub os_type: Option<OsType>,
    pub hardware: HardwareSummary,
    /// `ovf:transport` of the chosen `VirtualHardwareSection`, split on
    /// whitespace: `iso` (OVF environment on a CD-ROM), `com.vmware.guestInfo`
    /// (through VMware Tools).
    pub transports: Vec<String>,
    pub products: Vec<ProductSection>,
    pub vservice_dependencies: Vec<VServiceDependency>,
}

/// `OperatingSystemSection`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OsType {
    /// `ovf:id`: the CIM operating system number (e.g. 94 for Ubuntu 64-bit).
    pub id: Option<u32>,
    /// `vmw:osType`: the vSphere guest id (e.g. `ubuntu64Guest`).
    pub vmw_os_type: Option<String>,
    /// `ovf:version`.
    pub version: Option<String>,
    /// `Description`.
    pub description: Option<String>,
}

/// A summary of one `VirtualHardwareSection` (the first whose
/// `VirtualSystemType` names a `vmx-` family, else the first), counting only
/// items that apply to the default deployment option.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HardwareSummary {
    /// Processor item (`ResourceType` 3) `VirtualQuantity`.
    pub num_cpus: Option<u32>,
    /// `vmw:CoresPerSocket` of the processor item.
    pub cores_per_socket: Option<u32>,
    /// Memory item (`ResourceType` 4), in MiB (rounded up if the units do
    /// not divide evenly).
    pub memory_mb: Option<u64>,
    /// `vmw:Config` key `firmware` (`bios` / `efi`), as written.
    pub firmware: Option<String>,
    /// `vmw:Config` key `bootOptions.efiSecureBootEnabled`.
    pub secure_boot: Option<bool>,
    /// `System/vssd:VirtualSystemType`, e.g. `vmx-19` (may list several).
    pub hardware_version: Option<String>,
    pub nics: Vec<Nic>,
    pub disks: Vec<VirtualDisk>,
    /// Storage controllers (IDE, SCSI, SATA, NVMe) in document order.
    pub controllers: Vec<Controller>,
    /// A virtual TPM item: `ResourceType` 1 with `ResourceSubType`
    /// `vmware.vtpm`, as vSphere 7/8 and Workstation export it.
    pub has_tpm: bool,
    /// Section-level `vmw:Config` key/value pairs, in document order.
    pub vmw_config: Vec<(String, String)>,
}

impl HardwareSummary {
    /// The SCSI controllers (`ResourceType` 6).
    pub fn scsi_controllers(&self) -> impl Iterator<Item = &Controller> {
        self.controllers.iter().filter(|c| c.kind == ControllerKind::Scsi)
    }
}

/// An Ethernet adapter item (`ResourceType` 10).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Nic {
    /// `ResourceSubType` as written: `VmxNet3`, `E1000`, `E1000e`, …
    pub adapter_type: Option<String>,
    /// `Connection`: a `NetworkSection` network name.
    pub network_name: Option<String>,
}

/// A disk drive item (`ResourceType` 17).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VirtualDisk {
    /// From `HostResource` `ovf:/disk/<id>`; `None` for a new empty disk
    /// sized by the item itself.
    pub disk_id: Option<String>,
    /// From the `DiskSection` entry, or the item's own
    /// `VirtualQuantity` × `AllocationUnits` for a new empty disk.
    pub capacity_bytes: Option<u64>,
    /// The controller named by `Parent`.
    pub controller: Option<Controller>,
    /// `AddressOnParent`.
    pub unit_number: Option<u32>,
}

/// A storage controller item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Controller {
    /// `InstanceID`.
    pub instance_id: String,
    pub kind: ControllerKind,
    /// `ResourceSubType` as written: `lsilogic`, `VirtualSCSI`,
    /// `vmware.sata.ahci`, `vmware.nvme.controller`, …
    pub sub_type: Option<String>,
    /// `Address`: the bus number.
    pub bus_number: Option<u32>,
}

/// What a controller item is, from its `ResourceType` (and, for type 20,
/// its `ResourceSubType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ControllerKind {
    /// `ResourceType` 5.
    Ide,
    /// `ResourceType` 6.
    Scsi,
    /// `ResourceType` 20 with an AHCI / SATA sub-type.
    Sata,
    /// `ResourceType` 20 with an NVMe sub-type.
    Nvme,
}

/// `ProductSection`: product identity and its vApp properties.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ProductSection {
    /// `ovf:class`: the property key prefix.
    pub class: Option<String>,
    /// `ovf:instance`: the property key suffix.
    pub instance: Option<String>,
    pub product: Option<String>,
    pub vendor: Option<String>,
    pub version: Option<String>,
    pub full_version: Option<String>,
    pub product_url: Option<String>,
    pub vendor_url: Option<String>,
    pub app_url: Option<String>,
    pub properties: Vec<OvfProperty>,
}

/// `ProductSection/Property`: one vApp property.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OvfProperty {
    /// `ovf:key`.
    pub key: String,
    /// The section's `ovf:class` (vSphere's `classId`).
    pub class_id: Option<String>,
    /// The section's `ovf:instance` (vSphere's `instanceId`).
    pub instance_id: Option<String>,
    /// `ovf:type` exactly as written: a CIM type (`string`, `uint16`,
    /// `boolean`, `real64`, …) or, in hand-written descriptors, a vSphere
    /// type (`int`, `ip`). See [`OvfProperty::vsphere_type`].
    pub type_: String,
    /// `ovf:qualifiers` as written: `MinLen(1),MaxLen(64)`,
    /// `MinValue(1) MaxValue(10)`, `ValueMap{"a","b"}`.
    pub qualifiers: Option<String>,
    /// `vmw:qualifiers` as written: `Ip`, `Ip("VM Network")`, …
    pub vmw_qualifiers: Option<String>,
    /// `ovf:userConfigurable` (default false).
    pub user_configurable: bool,
    /// `ovf:value`.
    pub default_value: Option<String>,
    /// `ovf:password` (default false).
    pub password: bool,
    pub label: Option<String>,
    pub description: Option<String>,
    /// The text of the nearest `Category` element before the property.
    pub category: Option<String>,
    /// `Value` children: per-deployment-option values.
    pub configuration_values: Vec<PropertyConfigurationValue>,
}

impl OvfProperty {
    /// The fully qualified id vSphere and the OVF environment use:
    /// `[class.]key[.instance]`.
    pub fn full_key(&self) -> String {
        let mut k = String::new();
        if let Some(c) = &self.class_id {
            k.push_str(c);
            k.push('.');
        }
        k.push_str(&self.key);
        if let Some(i) = &self.instance_id {
            k.push('.');
            k.push_str(i);
        }
        k
    }
}

/// `Property/Value`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PropertyConfigurationValue {
    pub value: String,
    /// `ovf:configuration`: the deployment option(s) it applies to.
    pub configuration: Option<String>,
}

/// `vmw:vServiceDependencySection`: the VM depends on a vService (such as
/// the vCenter Extension vService, `com.vmware.vservice.extension`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VServiceDependency {
    /// `vmw:id`.
    pub id: String,
    /// `vmw:Type`.
    pub type_: String,
    /// `vmw:Name`.
    pub name: Option<String>,
    /// `vmw:Description`.
    pub description: Option<String>,
    /// `ovf:required` (default true, as for every OVF section). When true
    /// the VM cannot power on unless the dependency is bound.
    pub required: bool,
    /// `vmw:Annotations/vmw:Providers/vmw:Provider`: providers an exporting
    /// vCenter recorded as able to satisfy the dependency.
    pub providers: Vec<VServiceProvider>,
}

/// `vmw:Provider`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VServiceProvider {
    pub name: String,
    pub description: Option<String>,
    pub validation_result: Option<String>,
    pub validation_message: Option<String>,
}
