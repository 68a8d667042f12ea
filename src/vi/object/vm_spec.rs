//! `VirtualMachineConfigSpec` and `VirtualDeviceConfigSpec`: what
//! CreateVM_Task, CloneVM_Task and ReconfigVM_Task are given.
use crate::vi::core::xml::escape;
use crate::vi::object::crypto::CryptoSpec;
use crate::vi::object::vapp_config::VmConfigSpec;
use crate::vi::object::vm_device::VirtualDevice;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeviceOperation {
    Add,
    Edit,
    Remove,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileOperation {
    Create,
    Destroy,
}

#[derive(Debug, Clone, PartialEq)]
pub struct VirtualDeviceConfigSpec {
    pub operation: DeviceOperation,
    pub file_operation: Option<FileOperation>,
    pub device: VirtualDevice,
}

impl VirtualDeviceConfigSpec {
    pub fn add(device: VirtualDevice) -> Self {
        VirtualDeviceConfigSpec { operation: DeviceOperation::Add, file_operation: None, device }
    }
    pub fn create(device: VirtualDevice) -> Self {
        VirtualDeviceConfigSpec { operation: DeviceOperation::Add, file_operation: Some(FileOperation::Create), device }
    }
    pub fn edit(device: VirtualDevice) -> Self {
        VirtualDeviceConfigSpec { operation: DeviceOperation::Edit, file_operation: None, device }
    }
    pub fn remove(device: VirtualDevice, destroy_file: bool) -> Self {
        VirtualDeviceConfigSpec {
            operation: DeviceOperation::Remove,
            file_operation: destroy_file.then_some(FileOperation::Destroy),
            device,
        }
    }

    fn to_xml(&self) -> String {
        let op = match self.operation {
            DeviceOperation::Add => "add",
            DeviceOperation::Edit => "edit",
            DeviceOperation::Remove => "remove",
        };
        let fop = match self.file_operation {
            Some(FileOperation::Create) => "<fileOperation>create</fileOperation>",
            Some(FileOperation::Destroy) => "<fileOperation>destroy</fileOperation>",
            None => "",
        };
        format!(
            "<deviceChange xsi:type=\"VirtualDeviceConfigSpec\"><operation>{op}</operation>{fop}{}</deviceChange>",
            self.device.to_xml("device")
        )
    }
}

/// The fields of `VirtualMachineConfigSpec` the provider sets; `None`
/// leaves a setting as it is.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VirtualMachineConfigSpec {
    pub name: Option<String>,
    /// `vmx-19`.
    pub version: Option<String>,
    /// Set at create so a VM whose create lost its answer can be found.
    pub instance_uuid: Option<String>,
    pub guest_id: Option<String>,
    pub annotation: Option<String>,
    /// `files.vmPathName`, e.g. `[LocalDS_0]`.
    pub vm_path_name: Option<String>,
    pub num_cpus: Option<i64>,
    pub num_cores_per_socket: Option<i64>,
    pub memory_mb: Option<i64>,
    pub memory_hot_add_enabled: Option<bool>,
    pub cpu_hot_add_enabled: Option<bool>,
    pub device_change: Vec<VirtualDeviceConfigSpec>,
    /// `extraConfig` entries; an empty value removes the key.
    pub extra_config: Vec<(String, String)>,
    pub efi_secure_boot_enabled: Option<bool>,
    /// vApp options: property changes and OVF environment transports.
    /// Setting it on a VM without vApp options turns them on.
    pub vapp_config: Option<VmConfigSpec>,
    /// `bios` or `efi`.
    pub firmware: Option<String>,
    /// An encryption change (a vTPM needs the VM's home files encrypted).
    pub crypto: Option<CryptoSpec>,
}

impl VirtualMachineConfigSpec {
    pub fn is_empty(&self) -> bool {
        *self == VirtualMachineConfigSpec::default()
    }

    /// The spec as `<tag>…</tag>`, elements in WSDL order (vCenter checks it).
    pub fn to_xml(&self, tag: &str) -> String {
        let mut x = format!("<{tag}>");
        let s = |x: &mut String, name: &str, v: &Option<String>| {
            if let Some(v) = v {
                *x += &format!("<{name}>{}</{name}>", escape(v));
            }
        };
        let n = |x: &mut String, name: &str, v: Option<i64>| {
            if let Some(v) = v {
                *x += &format!("<{name}>{v}</{name}>");
            }
        };
        let b = |x: &mut String, name: &str, v: Option<bool>| {
            if let Some(v) = v {
                *x += &format!("<{name}>{v}</{name}>");
            }
        };
        s(&mut x, "name", &self.name);
        s(&mut x, "version", &self.version);
        s(&mut x, "instanceUuid", &self.instance_uuid);
        s(&mut x, "guestId", &self.guest_id);
        s(&mut x, "annotation", &self.annotation);
        if let Some(p) = &self.vm_path_name {
            x += &format!("<files><vmPathName>{}</vmPathName></files>", escape(p));
        }
        n(&mut x, "numCPUs", self.num_cpus);
        n(&mut x, "numCoresPerSocket", self.num_cores_per_socket);
        n(&mut x, "memoryMB", self.memory_mb);
        b(&mut x, "memoryHotAddEnabled", self.memory_hot_add_enabled);
        b(&mut x, "cpuHotAddEnabled", self.cpu_hot_add_enabled);
        for d in &self.device_change {
            x += &d.to_xml();
        }
        for (k, v) in &self.extra_config {
            x += &format!(
                "<extraConfig xsi:type=\"OptionValue\"><key>{}</key><value xsi:type=\"xsd:string\">{}</value></extraConfig>",
                escape(k),
                escape(v)
            );
        }
        if let Some(sb) = self.efi_secure_boot_enabled {
            x += &format!("<bootOptions><efiSecureBootEnabled>{sb}</efiSecureBootEnabled></bootOptions>");
        }
        if let Some(v) = &self.vapp_config {
            x += &v.to_xml("vAppConfig", Some("VmConfigSpec"));
        }
        s(&mut x, "firmware", &self.firmware);
        if let Some(c) = &self.crypto {
            x += &c.to_xml("crypto");
        }
        x += &format!("</{tag}>");
        x
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn elements_follow_wsdl_order_and_escape() {
        let spec = VirtualMachineConfigSpec {
            name: Some("a<b".into()),
            memory_mb: Some(1024),
            num_cpus: Some(2),
            firmware: Some("efi".into()),
            instance_uuid: Some("4c4c4544-0000-4000-8000-000000000001".into()),
            guest_id: Some("otherGuest".into()),
            extra_config: vec![("guestinfo.x".into(), "1&2".into())],
            efi_secure_boot_enabled: Some(true),
            vapp_config: Some(VmConfigSpec::default()),
            crypto: Some(CryptoSpec::Encrypt(crate::vi::object::crypto::CryptoKeyId::default())),
            device_change: vec![VirtualDeviceConfigSpec::create(VirtualDevice {
                kind: "VirtualDisk".into(),
                key: -1,
                ..Default::default()
            })],
            ..Default::default()
        };
        let x = spec.to_xml("spec");
        assert!(x.contains("<name>a&lt;b</name>"));
        assert!(x.contains("1&amp;2"));
        let pos = |s: &str| x.find(s).unwrap_or(usize::MAX);
        assert!(pos("<name>") < pos("<instanceUuid>"));
        assert!(pos("<instanceUuid>") < pos("<guestId>"));
        assert!(pos("<guestId>") < pos("<numCPUs>"));
        assert!(pos("<numCPUs>") < pos("<memoryMB>"));
        assert!(pos("<memoryMB>") < pos("<deviceChange"));
        assert!(pos("<deviceChange") < pos("<extraConfig"));
        assert!(pos("<extraConfig") < pos("<bootOptions>"));
        assert!(pos("<bootOptions>") < pos("<vAppConfig xsi:type=\"VmConfigSpec\">"));
        assert!(pos("<vAppConfig") < pos("<firmware>"));
        assert!(pos("<firmware>") < pos("<crypto"));
        assert!(x.contains("<operation>add</operation><fileOperation>create</fileOperation>"));
    }

    #[test]
    fn default_spec_is_empty() {
        assert!(VirtualMachineConfigSpec::default().is_empty());
        assert_eq!(VirtualMachineConfigSpec::default().to_xml("spec"), "<spec></spec>");
    }
}
