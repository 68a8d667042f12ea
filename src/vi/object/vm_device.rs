//! `VirtualDevice` and the backings the provider manages (disks, NICs,
//! SCSI controllers, CD-ROMs), read from and written to vim25 XML.
//!
//! One flat struct instead of vim25's class tree: the provider touches a
//! handful of fields, and writing them back must follow the WSDL's element
//! order, which `to_xml` does per kind.
use crate::vi::core::types::ManagedObjectReference;
use crate::vi::core::xml::{XmlNode, escape};

/// A device backing, by vim25 type.
/// The device type of a virtual TPM.
pub const VIRTUAL_TPM: &str = "VirtualTPM";

#[derive(Debug, Clone, PartialEq, Default)]
pub enum Backing {
    #[default]
    None,
    /// `VirtualDiskFlatVer2BackingInfo`.
    DiskFlat {
        file_name: String,
        datastore: Option<ManagedObjectReference>,
        disk_mode: String,
        thin_provisioned: Option<bool>,
        uuid: Option<String>,
    },
    /// `VirtualEthernetCardNetworkBackingInfo`: a standard port group.
    Network { device_name: String, network: Option<ManagedObjectReference> },
    /// `VirtualEthernetCardDistributedVirtualPortBackingInfo`.
    DvPort { switch_uuid: String, portgroup_key: String },
    /// `VirtualEthernetCardOpaqueNetworkBackingInfo`.
    OpaqueNetwork { network_id: String, network_type: String },
    /// `VirtualCdromIsoBackingInfo`.
    Iso { file_name: String, datastore: Option<ManagedObjectReference> },
    /// `VirtualCdromRemotePassthroughBackingInfo`: an empty client drive.
    CdromRemote,
    /// Any other backing, by xsi:type; read only.
    Other(String),
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Connectable {
    pub start_connected: bool,
    pub allow_guest_control: bool,
    pub connected: bool,
}

/// A virtual device (`VirtualDevice` and the subclasses the provider uses).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct VirtualDevice {
    /// The vim25 type, e.g. `VirtualDisk`, `VirtualVmxnet3`,
    /// `ParaVirtualSCSIController`, `VirtualCdrom`.
    pub kind: String,
    /// Device key; negative for devices a spec adds.
    pub key: i64,
    pub label: Option<String>,
    pub backing: Backing,
    pub connectable: Option<Connectable>,
    pub controller_key: Option<i64>,
    pub unit_number: Option<i64>,
    /// Controllers: bus number.
    pub bus_number: Option<i64>,
    /// Disks: capacity.
    pub capacity_kb: Option<i64>,
    /// NICs: `manual`, `generated` or `assigned`.
    pub address_type: Option<String>,
    pub mac_address: Option<String>,
    /// vTPMs: the endorsement key certificates (base64 DER), read only.
    pub endorsement_key_certificate: Vec<String>,
}

const SCSI_CONTROLLERS: &[&str] = &[
    "VirtualBusLogicController",
    "VirtualLsiLogicController",
    "VirtualLsiLogicSASController",
    "ParaVirtualSCSIController",
];
const ETHERNET_CARDS: &[&str] = &[
    "VirtualE1000",
    "VirtualE1000e",
    "VirtualPCNet32",
    "VirtualVmxnet",
    "VirtualVmxnet2",
    "VirtualVmxnet3",
    "VirtualSriovEthernetCard",
];

impl VirtualDevice {
    pub fn is_disk(&self) -> bool {
        self.kind == "VirtualDisk"
    }
    pub fn is_nic(&self) -> bool {
        ETHERNET_CARDS.contains(&self.kind.as_str())
    }
    pub fn is_scsi_controller(&self) -> bool {
        SCSI_CONTROLLERS.contains(&self.kind.as_str())
    }
    pub fn is_cdrom(&self) -> bool {
        self.kind == "VirtualCdrom"
    }
    pub fn is_ide_controller(&self) -> bool {
        self.kind == "VirtualIDEController"
    }
    pub fn is_tpm(&self) -> bool {
        self.kind == VIRTUAL_TPM
    }

    /// A new virtual TPM device with the (negative, temporary) `key`.
    pub fn new_tpm(key: i64) -> VirtualDevice {
        VirtualDevice { kind: VIRTUAL_TPM.into(), key, ..Default::default() }
    }

    /// Reads one `<VirtualDevice xsi:type=…>` element.
    pub fn from_node(n: &XmlNode) -> Option<VirtualDevice> {
        let int = |name: &str| n.child_text(name).and_then(|t| t.trim().parse::<i64>().ok());
        let kind = n.xsi_type()?.to_owned();
        Some(VirtualDevice {
            key: int("key")?,
            label: n.child("deviceInfo").and_then(|d| d.child_text("label")).map(str::to_owned),
            backing: n.child("backing").map(backing_from_node).unwrap_or_default(),
            connectable: n.child("connectable").map(|c| {
                let b = |name: &str| c.child_text(name).is_some_and(|t| t.trim() == "true");
                Connectable {
                    start_connected: b("startConnected"),
                    allow_guest_control: b("allowGuestControl"),
                    connected: b("connected"),
                }
            }),
            controller_key: int("controllerKey"),
            unit_number: int("unitNumber"),
            bus_number: int("busNumber"),
            capacity_kb: int("capacityInKB"),
            address_type: n.child_text("addressType").map(str::to_owned),
            mac_address: n.child_text("macAddress").map(str::to_owned),
            endorsement_key_certificate: n
                .children_named("endorsementKeyCertificate")
                .map(|c| c.text().trim().to_owned())
                .filter(|c| !c.is_empty())
                .collect(),
            kind,
        })
    }

    /// The device as the body of `<device xsi:type=…>`, in WSDL order.
    pub fn to_xml(&self, tag: &str) -> String {
        let mut x = format!("<{tag} xsi:type=\"{}\"><key>{}</key>", escape(&self.kind), self.key);
        if let Some(l) = &self.label {
            x += &format!("<deviceInfo><label>{}</label><summary>{}</summary></deviceInfo>", escape(l), escape(l));
        }
        x += &backing_xml(&self.backing);
        if let Some(c) = &self.connectable {
            x += &format!(
                "<connectable><startConnected>{}</startConnected><allowGuestControl>{}</allowGuestControl><connected>{}</connected></connectable>",
                c.start_connected, c.allow_guest_control, c.connected
            );
        }
        if let Some(k) = self.controller_key {
            x += &format!("<controllerKey>{k}</controllerKey>");
        }
        if let Some(u) = self.unit_number {
            x += &format!("<unitNumber>{u}</unitNumber>");
        }
        if self.is_scsi_controller() {
            x += &format!("<busNumber>{}</busNumber><sharedBus>noSharing</sharedBus>", self.bus_number.unwrap_or(0));
        } else if let Some(b) = self.bus_number {
            x += &format!("<busNumber>{b}</busNumber>");
        }
        if let Some(kb) = self.capacity_kb {
            // Both forms: newer vSphere (and vcsim) read the byte count, and
            // a stale one would win over the KB count.
            x += &format!(
                "<capacityInKB>{kb}</capacityInKB><capacityInBytes>{}</capacityInBytes>",
                kb.saturating_mul(1024)
            );
        }
        if let Some(a) = &self.address_type {
            x += &format!("<addressType>{}</addressType>", escape(a));
        }
        if let Some(m) = &self.mac_address {
            x += &format!("<macAddress>{}</macAddress>", escape(m));
        }
        x += &format!("</{tag}>");
        x
    }
}

fn backing_from_node(b: &XmlNode) -> Backing {
    let text = |name: &str| b.child_text(name).unwrap_or_default().to_owned();
    let moref = |name: &str| b.child(name).and_then(ManagedObjectReference::from_node);
    match b.xsi_type().unwrap_or_default() {
        "VirtualDiskFlatVer2BackingInfo" => Backing::DiskFlat {
            file_name: text("fileName"),
            datastore: moref("datastore"),
            disk_mode: text("diskMode"),
            thin_provisioned: b.child_text("thinProvisioned").map(|t| t.trim() == "true"),
            uuid: b.child_text("uuid").map(str::to_owned),
        },
        "VirtualEthernetCardNetworkBackingInfo" => {
            Backing::Network { device_name: text("deviceName"), network: moref("network") }
        }
        "VirtualEthernetCardDistributedVirtualPortBackingInfo" => {
            let port = b.child("port");
            let p = |name: &str| port.and_then(|p| p.child_text(name)).unwrap_or_default().to_owned();
            Backing::DvPort { switch_uuid: p("switchUuid"), portgroup_key: p("portgroupKey") }
        }
        "VirtualEthernetCardOpaqueNetworkBackingInfo" => {
            Backing::OpaqueNetwork { network_id: text("opaqueNetworkId"), network_type: text("opaqueNetworkType") }
        }
        "VirtualCdromIsoBackingInfo" => Backing::Iso { file_name: text("fileName"), datastore: moref("datastore") },
        "VirtualCdromRemotePassthroughBackingInfo" | "VirtualCdromRemoteAtapiBackingInfo" => Backing::CdromRemote,
        other => Backing::Other(other.to_owned()),
    }
}

fn opt_moref(m: &Option<ManagedObjectReference>, tag: &str) -> String {
    m.as_ref().map(|m| m.to_xml(tag)).unwrap_or_default()
}

fn backing_xml(b: &Backing) -> String {
    match b {
        Backing::None | Backing::Other(_) => String::new(),
        Backing::DiskFlat { file_name, datastore, disk_mode, thin_provisioned, uuid } => format!(
            "<backing xsi:type=\"VirtualDiskFlatVer2BackingInfo\"><fileName>{}</fileName>{}<diskMode>{}</diskMode>{}{}</backing>",
            escape(file_name),
            opt_moref(datastore, "datastore"),
            escape(if disk_mode.is_empty() { "persistent" } else { disk_mode }),
            thin_provisioned.map(|t| format!("<thinProvisioned>{t}</thinProvisioned>")).unwrap_or_default(),
            uuid.as_ref().map(|u| format!("<uuid>{}</uuid>", escape(u))).unwrap_or_default(),
        ),
        Backing::Network { device_name, network } => format!(
            "<backing xsi:type=\"VirtualEthernetCardNetworkBackingInfo\"><deviceName>{}</deviceName>{}</backing>",
            escape(device_name),
            opt_moref(network, "network")
        ),
        Backing::DvPort { switch_uuid, portgroup_key } => format!(
            "<backing xsi:type=\"VirtualEthernetCardDistributedVirtualPortBackingInfo\"><port><switchUuid>{}</switchUuid><portgroupKey>{}</portgroupKey></port></backing>",
            escape(switch_uuid),
            escape(portgroup_key)
        ),
        Backing::OpaqueNetwork { network_id, network_type } => format!(
            "<backing xsi:type=\"VirtualEthernetCardOpaqueNetworkBackingInfo\"><opaqueNetworkId>{}</opaqueNetworkId><opaqueNetworkType>{}</opaqueNetworkType></backing>",
            escape(network_id),
            escape(network_type)
        ),
        Backing::Iso { file_name, datastore } => format!(
            "<backing xsi:type=\"VirtualCdromIsoBackingInfo\"><fileName>{}</fileName>{}</backing>",
            escape(file_name),
            opt_moref(datastore, "datastore")
        ),
        Backing::CdromRemote => "<backing xsi:type=\"VirtualCdromRemotePassthroughBackingInfo\"><deviceName></deviceName><exclusive>false</exclusive></backing>".to_owned(),
    }
}

/// Reads `config.hardware.device` (an `ArrayOfVirtualDevice`).
pub fn devices_from_node(n: &XmlNode) -> Vec<VirtualDevice> {
    n.children.iter().filter_map(VirtualDevice::from_node).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vi::core::mo_type::MoType;
    use crate::vi::core::xml;

    #[test]
    fn a_disk_survives_write_then_read() {
        let d = VirtualDevice {
            kind: "VirtualDisk".into(),
            key: -101,
            label: Some("disk0".into()),
            backing: Backing::DiskFlat {
                file_name: "[LocalDS_0] vm/vm.vmdk".into(),
                datastore: Some(MoType::Datastore.moref("datastore-1")),
                disk_mode: "persistent".into(),
                thin_provisioned: Some(true),
                uuid: None,
            },
            controller_key: Some(-100),
            unit_number: Some(1),
            capacity_kb: Some(1024 * 1024),
            ..Default::default()
        };
        let doc =
            format!("<r xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">{}</r>", d.to_xml("VirtualDevice"));
        let root = xml::parse(doc.as_bytes()).unwrap();
        let back = devices_from_node(&root);
        assert_eq!(back, vec![d]);
    }

    #[test]
    fn nic_fields_come_in_wsdl_order() {
        let n = VirtualDevice {
            kind: "VirtualVmxnet3".into(),
            key: -200,
            backing: Backing::DvPort { switch_uuid: "u".into(), portgroup_key: "dvportgroup-1".into() },
            connectable: Some(Connectable { start_connected: true, allow_guest_control: true, connected: false }),
            address_type: Some("manual".into()),
            mac_address: Some("00:50:56:00:00:01".into()),
            ..Default::default()
        };
        let x = n.to_xml("device");
        let pos = |s: &str| x.find(s).unwrap_or(usize::MAX);
        assert!(pos("<key>") < pos("<backing") && pos("<backing") < pos("<connectable>"));
        assert!(pos("<connectable>") < pos("<addressType>") && pos("<addressType>") < pos("<macAddress>"));
        assert!(n.is_nic() && !n.is_disk());
    }

    #[test]
    fn unknown_devices_without_key_are_skipped() {
        let doc = br#"<r xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><VirtualDevice xsi:type="VirtualKeyboard"><key>600</key></VirtualDevice><VirtualDevice xsi:type="X"></VirtualDevice></r>"#;
        let devs = devices_from_node(&xml::parse(doc).unwrap());
        assert_eq!(devs.len(), 1);
        assert_eq!(devs[0].kind, "VirtualKeyboard");
    }
}
