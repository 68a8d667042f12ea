//! The data objects a vApp is created, configured and cloned with:
//! `ResourceConfigSpec` (CPU and memory allocation), `VAppConfigSpec`
//! (product, IP assignment, OVF environment transports, child entity
//! settings) and `VAppCloneSpec`. Each writes its XML in WSDL order (vCenter
//! rejects elements out of order) and the `*Info` halves read back from
//! property values.
use crate::vi::core::types::ManagedObjectReference;
use crate::vi::core::xml::{XmlNode, escape};

fn text_el(name: &str, v: &Option<String>) -> String {
    v.as_ref().map(|v| format!("<{name}>{}</{name}>", escape(v))).unwrap_or_default()
}

fn num_el(name: &str, v: Option<i64>) -> String {
    v.map(|v| format!("<{name}>{v}</{name}>")).unwrap_or_default()
}

fn bool_el(name: &str, v: Option<bool>) -> String {
    v.map(|v| format!("<{name}>{v}</{name}>")).unwrap_or_default()
}

fn child_i64(n: &XmlNode, name: &str) -> Option<i64> {
    n.child_text(name).and_then(|t| t.trim().parse().ok())
}

fn child_bool(n: &XmlNode, name: &str) -> Option<bool> {
    match n.child_text(name)?.trim() {
        "true" | "1" => Some(true),
        "false" | "0" => Some(false),
        _ => None,
    }
}

/// Text of a child, `None` when absent or empty (vSphere writes unset
/// strings as empty elements).
fn child_string(n: &XmlNode, name: &str) -> Option<String> {
    n.child_text(name).map(str::trim).filter(|t| !t.is_empty()).map(str::to_owned)
}

/// `SharesInfo`: a share level, and the share count (only chosen freely
/// with level `custom`; vSphere derives it for the other levels).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharesInfo {
    pub shares: i64,
    /// `low`, `normal`, `high` or `custom`.
    pub level: String,
}

/// `ResourceAllocationInfo`: how much CPU (MHz) or memory (MB) a pool or
/// vApp is guaranteed, may use, and its share of contention.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResourceAllocationInfo {
    pub reservation: Option<i64>,
    pub expandable_reservation: Option<bool>,
    /// `-1` is unlimited.
    pub limit: Option<i64>,
    pub shares: Option<SharesInfo>,
}

impl ResourceAllocationInfo {
    pub fn to_xml(&self, tag: &str) -> String {
        let shares = self
            .shares
            .as_ref()
            .map(|s| format!("<shares><shares>{}</shares><level>{}</level></shares>", s.shares, escape(&s.level)))
            .unwrap_or_default();
        format!(
            "<{tag}>{}{}{}{shares}</{tag}>",
            num_el("reservation", self.reservation),
            bool_el("expandableReservation", self.expandable_reservation),
            num_el("limit", self.limit),
        )
    }

    pub fn from_node(n: &XmlNode) -> Self {
        ResourceAllocationInfo {
            reservation: child_i64(n, "reservation"),
            expandable_reservation: child_bool(n, "expandableReservation"),
            limit: child_i64(n, "limit"),
            shares: n.child("shares").map(|s| SharesInfo {
                shares: child_i64(s, "shares").unwrap_or(0),
                level: s.child_text("level").unwrap_or_default().trim().to_owned(),
            }),
        }
    }
}

/// `ResourceConfigSpec`: CPU and memory allocation together (both are
/// required elements of the type, so both are always written).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ResourceConfigSpec {
    pub cpu_allocation: ResourceAllocationInfo,
    pub memory_allocation: ResourceAllocationInfo,
}

impl ResourceConfigSpec {
    pub fn to_xml(&self, tag: &str) -> String {
        format!(
            "<{tag}>{}{}</{tag}>",
            self.cpu_allocation.to_xml("cpuAllocation"),
            self.memory_allocation.to_xml("memoryAllocation")
        )
    }
}

/// `VAppProductInfo`: what the vApp is, as shown in vSphere's summary.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VAppProductInfo {
    pub key: i64,
    pub class_id: Option<String>,
    pub instance_id: Option<String>,
    pub name: Option<String>,
    pub vendor: Option<String>,
    pub version: Option<String>,
    pub full_version: Option<String>,
    pub vendor_url: Option<String>,
    pub product_url: Option<String>,
    pub app_url: Option<String>,
}

impl VAppProductInfo {
    pub fn to_xml(&self, tag: &str) -> String {
        format!(
            "<{tag}><key>{}</key>{}{}{}{}{}{}{}{}{}</{tag}>",
            self.key,
            text_el("classId", &self.class_id),
            text_el("instanceId", &self.instance_id),
            text_el("name", &self.name),
            text_el("vendor", &self.vendor),
            text_el("version", &self.version),
            text_el("fullVersion", &self.full_version),
            text_el("vendorUrl", &self.vendor_url),
            text_el("productUrl", &self.product_url),
            text_el("appUrl", &self.app_url),
        )
    }

    pub fn from_node(n: &XmlNode) -> Self {
        VAppProductInfo {
            key: child_i64(n, "key").unwrap_or(0),
            class_id: child_string(n, "classId"),
            instance_id: child_string(n, "instanceId"),
            name: child_string(n, "name"),
            vendor: child_string(n, "vendor"),
            version: child_string(n, "version"),
            full_version: child_string(n, "fullVersion"),
            vendor_url: child_string(n, "vendorUrl"),
            product_url: child_string(n, "productUrl"),
            app_url: child_string(n, "appUrl"),
        }
    }
}

/// One change to the product list (`VAppProductSpec`, an `ArrayUpdateSpec`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VAppProductSpec {
    Add(VAppProductInfo),
    /// Replaces the product with the same key.
    Edit(VAppProductInfo),
    /// Removes the product with this key.
    Remove(i64),
}

impl VAppProductSpec {
    fn to_xml(&self) -> String {
        match self {
            VAppProductSpec::Add(info) => {
                format!("<product><operation>add</operation>{}</product>", info.to_xml("info"))
            }
            VAppProductSpec::Edit(info) => {
                format!("<product><operation>edit</operation>{}</product>", info.to_xml("info"))
            }
            // removeKey is xsd:anyType: the value needs its type.
            VAppProductSpec::Remove(key) => format!(
                "<product><operation>remove</operation><removeKey xsi:type=\"xsd:int\">{key}</removeKey></product>"
            ),
        }
    }
}

/// `VAppIPAssignmentInfo`: which IP schemes and protocols the guest
/// software supports, and which ones this deployment uses.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VAppIPAssignmentInfo {
    /// `dhcp`, `ovfenv`.
    pub supported_allocation_scheme: Vec<String>,
    /// `dhcpPolicy`, `transientPolicy`, `fixedPolicy` or `fixedAllocatedPolicy`.
    pub ip_allocation_policy: Option<String>,
    /// `IPv4`, `IPv6`.
    pub supported_ip_protocol: Vec<String>,
    /// `IPv4` or `IPv6`; one of `supported_ip_protocol`.
    pub ip_protocol: Option<String>,
}

impl VAppIPAssignmentInfo {
    /// As a spec: an empty list leaves that list as it is.
    pub fn to_xml(&self, tag: &str) -> String {
        let list = |name: &str, items: &[String]| -> String {
            items.iter().map(|i| format!("<{name}>{}</{name}>", escape(i))).collect()
        };
        format!(
            "<{tag}>{}{}{}{}</{tag}>",
            list("supportedAllocationScheme", &self.supported_allocation_scheme),
            text_el("ipAllocationPolicy", &self.ip_allocation_policy),
            list("supportedIpProtocol", &self.supported_ip_protocol),
            text_el("ipProtocol", &self.ip_protocol),
        )
    }

    pub fn from_node(n: &XmlNode) -> Self {
        let list = |name: &str| -> Vec<String> {
            n.children_named(name).map(|c| c.text().trim().to_owned()).filter(|t| !t.is_empty()).collect()
        };
        VAppIPAssignmentInfo {
            supported_allocation_scheme: list("supportedAllocationScheme"),
            ip_allocation_policy: child_string(n, "ipAllocationPolicy"),
            supported_ip_protocol: list("supportedIpProtocol"),
            ip_protocol: child_string(n, "ipProtocol"),
        }
    }
}

/// `VAppEntityConfigInfo`: how one child of a vApp (a VM or a nested vApp)
/// takes part in the vApp's start and stop sequence.
///
/// - `start_order`: children start from the lowest order up (equal orders
///   start together) and stop in reverse; 0 or higher.
/// - `start_delay` / `stop_delay`: seconds to wait before the next child
///   (the stop delay only counts with `stop_action = "guestShutdown"`).
/// - `waiting_for_guest`: go on to the next child once VMware Tools report
///   a heartbeat instead of after the delay (VMs only).
/// - `start_action`: `none` or `powerOn`; `stop_action`: `none`,
///   `powerOff`, `guestShutdown` or `suspend`. `none` leaves the child out
///   of the vApp's automatic start or stop.
///
/// `None` fields are left as they are by `UpdateVAppConfig`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VAppEntityConfigInfo {
    /// The child: a `VirtualMachine` or `VirtualApp` reference.
    pub key: Option<ManagedObjectReference>,
    pub tag: Option<String>,
    pub start_order: Option<i64>,
    pub start_delay: Option<i64>,
    pub waiting_for_guest: Option<bool>,
    pub start_action: Option<String>,
    pub stop_delay: Option<i64>,
    pub stop_action: Option<String>,
}

impl VAppEntityConfigInfo {
    pub fn to_xml(&self, tag: &str) -> String {
        format!(
            "<{tag}>{}{}{}{}{}{}{}{}</{tag}>",
            self.key.as_ref().map(|k| k.to_xml("key")).unwrap_or_default(),
            text_el("tag", &self.tag),
            num_el("startOrder", self.start_order),
            num_el("startDelay", self.start_delay),
            bool_el("waitingForGuest", self.waiting_for_guest),
            text_el("startAction", &self.start_action),
            num_el("stopDelay", self.stop_delay),
            text_el("stopAction", &self.stop_action),
        )
    }

    pub fn from_node(n: &XmlNode) -> Self {
        VAppEntityConfigInfo {
            key: n.child("key").and_then(ManagedObjectReference::from_node),
            tag: child_string(n, "tag"),
            start_order: child_i64(n, "startOrder"),
            start_delay: child_i64(n, "startDelay"),
            waiting_for_guest: child_bool(n, "waitingForGuest"),
            start_action: child_string(n, "startAction"),
            stop_delay: child_i64(n, "stopDelay"),
            stop_action: child_string(n, "stopAction"),
        }
    }
}

/// How `ovfEnvironmentTransport` is changed by a spec.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum TransportChange {
    /// Left as it is (the element is not written).
    #[default]
    Keep,
    /// Replaced by this list; an empty list clears the transports (written
    /// as the single empty element vSphere reads as "clear").
    Set(Vec<String>),
}

/// The fields of `VAppConfigSpec` the provider sets; defaults change
/// nothing.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VAppConfigSpec {
    pub product: Vec<VAppProductSpec>,
    pub ip_assignment: Option<VAppIPAssignmentInfo>,
    pub ovf_environment_transport: TransportChange,
    pub entity_config: Vec<VAppEntityConfigInfo>,
    pub annotation: Option<String>,
}

impl VAppConfigSpec {
    pub fn is_empty(&self) -> bool {
        *self == VAppConfigSpec::default()
    }

    /// `VmConfigSpec` fields first (product, property, ipAssignment, eula,
    /// ovfSection, ovfEnvironmentTransport), then the vApp's own.
    pub fn to_xml(&self, tag: &str) -> String {
        let mut x = format!("<{tag}>");
        for p in &self.product {
            x += &p.to_xml();
        }
        if let Some(ip) = &self.ip_assignment {
            x += &ip.to_xml("ipAssignment");
        }
        match &self.ovf_environment_transport {
            TransportChange::Keep => {}
            TransportChange::Set(list) if list.is_empty() => x += "<ovfEnvironmentTransport></ovfEnvironmentTransport>",
            TransportChange::Set(list) => {
                for t in list {
                    x += &format!("<ovfEnvironmentTransport>{}</ovfEnvironmentTransport>", escape(t));
                }
            }
        }
        for e in &self.entity_config {
            x += &e.to_xml("entityConfig");
        }
        x += &text_el("annotation", &self.annotation);
        x += &format!("</{tag}>");
        x
    }
}

/// `VAppCloneSpec`: where a clone goes and with which resources.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VAppCloneSpec {
    /// Datastore for the cloned VMs.
    pub location: ManagedObjectReference,
    pub host: Option<ManagedObjectReference>,
    pub resource_spec: Option<ResourceConfigSpec>,
    /// VM folder of the clone (root vApps only).
    pub vm_folder: Option<ManagedObjectReference>,
}

impl VAppCloneSpec {
    pub fn to_xml(&self, tag: &str) -> String {
        format!(
            "<{tag}>{}{}{}{}</{tag}>",
            self.location.to_xml("location"),
            self.host.as_ref().map(|h| h.to_xml("host")).unwrap_or_default(),
            self.resource_spec.as_ref().map(|r| r.to_xml("resourceSpec")).unwrap_or_default(),
            self.vm_folder.as_ref().map(|f| f.to_xml("vmFolder")).unwrap_or_default(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vi::core::mo_type::MoType;
    use crate::vi::core::xml::parse;

    fn order(x: &str, names: &[&str]) {
        let pos: Vec<usize> = names.iter().map(|n| x.find(n).unwrap_or_else(|| panic!("{n} missing in {x}"))).collect();
        assert!(pos.windows(2).all(|w| w[0] < w[1]), "not in WSDL order {names:?}: {x}");
    }

    fn alloc() -> ResourceAllocationInfo {
        ResourceAllocationInfo {
            reservation: Some(10),
            expandable_reservation: Some(true),
            limit: Some(-1),
            shares: Some(SharesInfo { shares: 0, level: "normal".into() }),
        }
    }

    #[test]
    fn allocation_in_wsdl_order_and_back() {
        let x = alloc().to_xml("cpuAllocation");
        order(&x, &["<reservation>", "<expandableReservation>", "<limit>", "<shares><shares>", "<level>"]);
        assert_eq!(ResourceAllocationInfo::from_node(&parse(x.as_bytes()).unwrap()), alloc());
        let spec = ResourceConfigSpec { cpu_allocation: alloc(), memory_allocation: alloc() };
        order(&spec.to_xml("resSpec"), &["<cpuAllocation>", "<memoryAllocation>"]);
    }

    #[test]
    fn product_round_trips_and_escapes() {
        let p = VAppProductInfo {
            key: 0,
            name: Some("Web & DB".into()),
            vendor: Some("ACME".into()),
            version: Some("1.0".into()),
            full_version: Some("1.0.3".into()),
            vendor_url: Some("https://acme.example".into()),
            product_url: Some("https://acme.example/web".into()),
            ..Default::default()
        };
        let x = p.to_xml("info");
        assert!(x.contains("Web &amp; DB"), "{x}");
        order(&x, &["<key>", "<name>", "<vendor>", "<version>", "<fullVersion>", "<vendorUrl>", "<productUrl>"]);
        assert_eq!(VAppProductInfo::from_node(&parse(x.as_bytes()).unwrap()), p);
    }

    #[test]
    fn config_spec_order_and_transport_clearing() {
        let spec = VAppConfigSpec {
            product: vec![VAppProductSpec::Remove(3), VAppProductSpec::Add(VAppProductInfo::default())],
            ip_assignment: Some(VAppIPAssignmentInfo {
                supported_allocation_scheme: vec!["dhcp".into()],
                ip_allocation_policy: Some("dhcpPolicy".into()),
                supported_ip_protocol: vec!["IPv4".into()],
                ip_protocol: Some("IPv4".into()),
            }),
            ovf_environment_transport: TransportChange::Set(vec!["iso".into(), "com.vmware.guestInfo".into()]),
            entity_config: vec![VAppEntityConfigInfo {
                key: Some(MoType::VirtualMachine.moref("vm-1")),
                start_order: Some(2),
                ..Default::default()
            }],
            annotation: Some("a".into()),
        };
        let x = spec.to_xml("configSpec");
        order(
            &x,
            &[
                "<operation>remove</operation><removeKey xsi:type=\"xsd:int\">3</removeKey>",
                "<operation>add</operation>",
                "<ipAssignment><supportedAllocationScheme>",
                "<ipAllocationPolicy>",
                "<supportedIpProtocol>",
                "<ipProtocol>",
                "<ovfEnvironmentTransport>iso",
                "<ovfEnvironmentTransport>com.vmware.guestInfo",
                "<entityConfig>",
                "<annotation>",
            ],
        );
        let clear = VAppConfigSpec { ovf_environment_transport: TransportChange::Set(vec![]), ..Default::default() };
        assert_eq!(clear.to_xml("spec"), "<spec><ovfEnvironmentTransport></ovfEnvironmentTransport></spec>");
        assert!(VAppConfigSpec::default().is_empty());
        assert_eq!(VAppConfigSpec::default().to_xml("spec"), "<spec></spec>");
    }

    #[test]
    fn entity_config_in_wsdl_order_and_back() {
        let e = VAppEntityConfigInfo {
            key: Some(MoType::VirtualMachine.moref("vm-42")),
            tag: Some("db".into()),
            start_order: Some(1),
            start_delay: Some(120),
            waiting_for_guest: Some(true),
            start_action: Some("powerOn".into()),
            stop_delay: Some(60),
            stop_action: Some("guestShutdown".into()),
        };
        let x = e.to_xml("entityConfig");
        order(
            &x,
            &[
                "<key type=\"VirtualMachine\">vm-42</key>",
                "<tag>",
                "<startOrder>",
                "<startDelay>",
                "<waitingForGuest>",
                "<startAction>",
                "<stopDelay>",
                "<stopAction>",
            ],
        );
        assert_eq!(VAppEntityConfigInfo::from_node(&parse(x.as_bytes()).unwrap()), e);
        // Unset fields are not written, so UpdateVAppConfig leaves them.
        let partial = VAppEntityConfigInfo { start_order: Some(3), ..Default::default() };
        assert_eq!(partial.to_xml("e"), "<e><startOrder>3</startOrder></e>");
    }

    #[test]
    fn ip_assignment_reads_lists_and_skips_empties() {
        let n = parse(b"<ipAssignment><supportedIpProtocol>IPv4</supportedIpProtocol><supportedIpProtocol>IPv6</supportedIpProtocol><ipProtocol>IPv6</ipProtocol><ipAllocationPolicy></ipAllocationPolicy></ipAssignment>").unwrap();
        let ip = VAppIPAssignmentInfo::from_node(&n);
        assert_eq!(ip.supported_ip_protocol, vec!["IPv4", "IPv6"]);
        assert_eq!(ip.ip_protocol.as_deref(), Some("IPv6"));
        assert_eq!(ip.ip_allocation_policy, None);
        assert!(ip.supported_allocation_scheme.is_empty());
    }

    #[test]
    fn clone_spec_in_wsdl_order() {
        let s = VAppCloneSpec {
            location: MoType::Datastore.moref("datastore-1"),
            host: Some(MoType::HostSystem.moref("host-1")),
            resource_spec: Some(ResourceConfigSpec { cpu_allocation: alloc(), memory_allocation: alloc() }),
            vm_folder: Some(MoType::Folder.moref("group-v3")),
        };
        order(&s.to_xml("spec"), &["<location", "<host", "<resourceSpec>", "<vmFolder"]);
    }
}
