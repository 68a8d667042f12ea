//! vApp options of a VM or a vApp: the properties (`VAppPropertyInfo`) and
//! OVF environment transports read from `VmConfigInfo` (a VM's
//! `config.vAppConfig`, a vApp's `vAppConfig`), and the `VmConfigSpec` that
//! adds, edits and removes properties (through `ReconfigVM_Task` for a VM,
//! `UpdateVAppConfig` for a vApp).
use crate::vi::core::fault::FaultKind;
use crate::vi::core::mo_type::MoType;
use std::fmt;
use std::time::Instant;

use tracing::info;

use crate::vi::core::client::Client;
use crate::vi::core::error::ViError;
use crate::vi::core::types::{ManagedObjectReference, ObjectContent};
use crate::vi::core::xml::{XmlNode, escape};
use crate::vi::object::vm_spec::VirtualMachineConfigSpec;

/// What a read of a VM needs for its vApp options.
pub const VM_VAPP_PROPS: &[&str] = &["config.vAppConfig"];
/// What a read of a vApp needs for its vApp options.
pub const VAPP_VAPP_PROPS: &[&str] = &["vAppConfig"];

/// The transport that hands a guest its OVF environment through VMware Tools
/// (`guestinfo.ovfEnv`); unlike `iso` it needs no CD-ROM drive.
pub const GUESTINFO_TRANSPORT: &str = "com.vmware.guestInfo";

/// What kind of object a VM-or-vApp id names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VAppTargetKind {
    VirtualMachine,
    VirtualApp,
    /// A plain resource pool (`resgroup-N`): it has no vApp options.
    ResourcePool,
}

/// Tells a vApp from a VM by its id: vCenter names vApps `resgroup-v…` and
/// plain resource pools `resgroup-…`; anything else is taken for a VM
/// (`vm-42`, or a bare number on ESXi).
pub fn target_kind(id: &str) -> VAppTargetKind {
    if id.starts_with("resgroup-v") {
        VAppTargetKind::VirtualApp
    } else if id.starts_with("resgroup-") {
        VAppTargetKind::ResourcePool
    } else {
        VAppTargetKind::VirtualMachine
    }
}

/// The reference for a VM or vApp id, `None` for a plain resource pool.
pub fn target_ref(id: &str) -> Option<ManagedObjectReference> {
    match target_kind(id) {
        VAppTargetKind::VirtualMachine => Some(MoType::VirtualMachine.moref(id)),
        VAppTargetKind::VirtualApp => Some(MoType::VirtualApp.moref(id)),
        VAppTargetKind::ResourcePool => None,
    }
}

/// The property paths that hold `target`'s vApp options.
pub fn vapp_props(target: &ManagedObjectReference) -> &'static [&'static str] {
    if target.is(MoType::VirtualApp) { VAPP_VAPP_PROPS } else { VM_VAPP_PROPS }
}

/// One vApp property. Every field but `key` is optional in the API.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct VAppPropertyInfo {
    pub key: i64,
    pub class_id: Option<String>,
    pub instance_id: Option<String>,
    /// The property's name.
    pub id: Option<String>,
    pub category: Option<String>,
    pub label: Option<String>,
    pub r#type: Option<String>,
    pub type_reference: Option<String>,
    pub user_configurable: Option<bool>,
    pub default_value: Option<String>,
    pub value: Option<String>,
    pub description: Option<String>,
}

impl VAppPropertyInfo {
    /// Whether the property's values are secret (a `password` type).
    pub fn is_password(&self) -> bool {
        self.r#type.as_deref().is_some_and(|t| t.starts_with("password"))
    }

    /// Reads a `VAppPropertyInfo` element; `None` without a usable key.
    pub fn from_node(node: &XmlNode) -> Option<Self> {
        let key = node.child_text("key")?.trim().parse().ok()?;
        let s = |name: &str| node.child_text(name).map(str::to_owned);
        Some(VAppPropertyInfo {
            key,
            class_id: s("classId"),
            instance_id: s("instanceId"),
            id: s("id"),
            category: s("category"),
            label: s("label"),
            r#type: s("type"),
            type_reference: s("typeReference"),
            user_configurable: node.child_text("userConfigurable").and_then(|t| match t.trim() {
                "true" | "1" => Some(true),
                "false" | "0" => Some(false),
                _ => None,
            }),
            default_value: s("defaultValue"),
            value: s("value"),
            description: s("description"),
        })
    }

    /// The property as `<tag>…</tag>`, in WSDL order; `None` fields are left
    /// out, `Some("")` is sent (an edit clears the field with it).
    pub fn to_xml(&self, tag: &str) -> String {
        fn text(x: &mut String, name: &str, v: &Option<String>) {
            if let Some(v) = v {
                *x += &format!("<{name}>{}</{name}>", escape(v));
            }
        }
        let mut x = format!("<{tag}><key>{}</key>", self.key);
        text(&mut x, "classId", &self.class_id);
        text(&mut x, "instanceId", &self.instance_id);
        text(&mut x, "id", &self.id);
        text(&mut x, "category", &self.category);
        text(&mut x, "label", &self.label);
        text(&mut x, "type", &self.r#type);
        text(&mut x, "typeReference", &self.type_reference);
        if let Some(b) = self.user_configurable {
            x += &format!("<userConfigurable>{b}</userConfigurable>");
        }
        text(&mut x, "defaultValue", &self.default_value);
        text(&mut x, "value", &self.value);
        text(&mut x, "description", &self.description);
        x += &format!("</{tag}>");
        x
    }
}

/// Password values never reach a log through `{:?}`.
impl fmt::Debug for VAppPropertyInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secret = |v: &Option<String>| match v {
            Some(_) if self.is_password() => Some("(sensitive)".to_owned()),
            other => other.clone(),
        };
        f.debug_struct("VAppPropertyInfo")
            .field("key", &self.key)
            .field("class_id", &self.class_id)
            .field("instance_id", &self.instance_id)
            .field("id", &self.id)
            .field("category", &self.category)
            .field("label", &self.label)
            .field("type", &self.r#type)
            .field("type_reference", &self.type_reference)
            .field("user_configurable", &self.user_configurable)
            .field("default_value", &secret(&self.default_value))
            .field("value", &secret(&self.value))
            .field("description", &self.description)
            .finish()
    }
}

/// `ArrayUpdateOperation`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArrayUpdateOperation {
    Add,
    Edit,
    Remove,
}

impl ArrayUpdateOperation {
    fn as_str(self) -> &'static str {
        match self {
            ArrayUpdateOperation::Add => "add",
            ArrayUpdateOperation::Edit => "edit",
            ArrayUpdateOperation::Remove => "remove",
        }
    }
}

/// `VAppPropertySpec`: one change to a property list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VAppPropertySpec {
    pub operation: ArrayUpdateOperation,
    /// The key of the property to remove.
    pub remove_key: Option<i64>,
    pub info: Option<VAppPropertyInfo>,
}

impl VAppPropertySpec {
    pub fn add(info: VAppPropertyInfo) -> Self {
        VAppPropertySpec { operation: ArrayUpdateOperation::Add, remove_key: None, info: Some(info) }
    }

    pub fn edit(info: VAppPropertyInfo) -> Self {
        VAppPropertySpec { operation: ArrayUpdateOperation::Edit, remove_key: None, info: Some(info) }
    }

    /// Removes by `removeKey`, which is what vSphere reads; `info` carries
    /// the key as well because vcsim finds the property through `info.key`
    /// (and fails without it), while vCenter ignores `info` on remove.
    pub fn remove(key: i64) -> Self {
        VAppPropertySpec {
            operation: ArrayUpdateOperation::Remove,
            remove_key: Some(key),
            info: Some(VAppPropertyInfo { key, ..VAppPropertyInfo::default() }),
        }
    }

    fn to_xml(&self) -> String {
        let mut x = format!("<property><operation>{}</operation>", self.operation.as_str());
        if let Some(k) = self.remove_key {
            // removeKey is xsd:anyType: the type must be spelled out.
            x += &format!("<removeKey xsi:type=\"xsd:int\">{k}</removeKey>");
        }
        if let Some(info) = &self.info {
            x += &info.to_xml("info");
        }
        x += "</property>";
        x
    }
}

/// The fields of `VmConfigSpec` the provider sets. It is also the whole of
/// the `VAppConfigSpec` the provider sends for a vApp (the vApp-only fields
/// stay unset, so they are left as they are).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VmConfigSpec {
    pub property: Vec<VAppPropertySpec>,
    /// Replaces the list of transports when not empty.
    pub ovf_environment_transport: Vec<String>,
}

impl VmConfigSpec {
    pub fn is_empty(&self) -> bool {
        self.property.is_empty() && self.ovf_environment_transport.is_empty()
    }

    /// The spec as `<tag>…</tag>` in WSDL order, with `xsi:type` when the
    /// element's declared type is a base type (`VirtualMachineConfigSpec.vAppConfig`
    /// is declared `VmConfigSpec` but read polymorphically).
    pub fn to_xml(&self, tag: &str, xsi_type: Option<&str>) -> String {
        let mut x = match xsi_type {
            Some(t) => format!("<{tag} xsi:type=\"{}\">", escape(t)),
            None => format!("<{tag}>"),
        };
        for p in &self.property {
            x += &p.to_xml();
        }
        for t in &self.ovf_environment_transport {
            x += &format!("<ovfEnvironmentTransport>{}</ovfEnvironmentTransport>", escape(t));
        }
        x += &format!("</{tag}>");
        x
    }
}

/// The parts of `VmConfigInfo` the provider reads.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct VmConfigInfo {
    pub property: Vec<VAppPropertyInfo>,
    pub ovf_environment_transport: Vec<String>,
}

impl VmConfigInfo {
    pub fn from_node(node: &XmlNode) -> Self {
        VmConfigInfo {
            property: node.children_named("property").filter_map(VAppPropertyInfo::from_node).collect(),
            ovf_environment_transport: node
                .children_named("ovfEnvironmentTransport")
                .map(|t| t.text().trim().to_owned())
                .filter(|t| !t.is_empty())
                .collect(),
        }
    }
}

/// What one read of a VM or vApp says about its vApp options.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VAppOptions {
    /// The VM or vApp does not exist (any more).
    TargetMissing,
    /// A VM whose vApp options are off (`config.vAppConfig` unset).
    Disabled,
    Enabled(VmConfigInfo),
}

impl VAppOptions {
    /// Reads what [`vapp_props`] retrieved for the object.
    pub fn from_content(o: &ObjectContent) -> Self {
        if o.is_missing_object() {
            return VAppOptions::TargetMissing;
        }
        match o.node(vapp_props(&o.obj).first().copied().unwrap_or_default()) {
            Some(node) => VAppOptions::Enabled(VmConfigInfo::from_node(node)),
            None => VAppOptions::Disabled,
        }
    }

    /// The properties (none when the options are off).
    pub fn properties(&self) -> &[VAppPropertyInfo] {
        match self {
            VAppOptions::Enabled(c) => &c.property,
            _ => &[],
        }
    }

    /// The property with `key`, if there is one.
    pub fn property(&self, key: i64) -> Option<&VAppPropertyInfo> {
        self.properties().iter().find(|p| p.key == key)
    }
}

impl Client {
    /// Reads the vApp options of a VM or vApp.
    pub async fn vapp_options(&self, target: &ManagedObjectReference) -> Result<VAppOptions, ViError> {
        match self.retrieve(std::slice::from_ref(target), vapp_props(target)).await {
            Ok(objs) => Ok(objs.first().map_or(VAppOptions::TargetMissing, VAppOptions::from_content)),
            Err(e) if e.is_fault(FaultKind::ManagedObjectNotFound) => Ok(VAppOptions::TargetMissing),
            Err(e) => Err(e),
        }
    }

    /// Applies `spec` to a VM (`ReconfigVM_Task` with `vAppConfig`, which
    /// also turns its vApp options on) or a vApp (`UpdateVAppConfig`).
    pub async fn update_vapp_options(
        &self,
        target: &ManagedObjectReference,
        spec: &VmConfigSpec,
        deadline: Option<Instant>,
    ) -> Result<(), ViError> {
        info!(target = %target, changes = spec.property.len(), "updating vApp options");
        match target.kind.as_str() {
            "VirtualMachine" => {
                let vm_spec = VirtualMachineConfigSpec { vapp_config: Some(spec.clone()), ..Default::default() };
                self.vm(target).reconfigure(&vm_spec, deadline).await
            }
            "VirtualApp" => self.invoke("UpdateVAppConfig", target, &spec.to_xml("spec", None)).await.map(|_| ()),
            other => Err(ViError::Config(format!("{target} is a {other}, which has no vApp options"))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vi::core::xml::parse;

    fn full() -> VAppPropertyInfo {
        VAppPropertyInfo {
            key: 7,
            class_id: Some("vami".into()),
            instance_id: Some("VM_1".into()),
            id: Some("ip0".into()),
            category: Some("Net & co".into()),
            label: Some("IP".into()),
            r#type: Some("ip".into()),
            type_reference: Some("ref".into()),
            user_configurable: Some(false),
            default_value: Some("10.0.0.1".into()),
            value: Some("10.0.0.2".into()),
            description: Some("<d>".into()),
        }
    }

    #[test]
    fn target_kinds_follow_vcenter_ids() {
        assert_eq!(target_kind("vm-42"), VAppTargetKind::VirtualMachine);
        assert_eq!(target_kind("12"), VAppTargetKind::VirtualMachine);
        assert_eq!(target_kind("resgroup-v59"), VAppTargetKind::VirtualApp);
        assert_eq!(target_kind("resgroup-8"), VAppTargetKind::ResourcePool);
        assert_eq!(target_ref("resgroup-v59").map(|r| r.kind), Some("VirtualApp".to_owned()));
        assert_eq!(target_ref("resgroup-8"), None);
        assert_eq!(vapp_props(&MoType::VirtualMachine.moref("vm-1")), VM_VAPP_PROPS);
        assert_eq!(vapp_props(&MoType::VirtualApp.moref("resgroup-v1")), VAPP_VAPP_PROPS);
    }

    #[test]
    fn property_info_in_wsdl_order_round_trips() {
        let x = full().to_xml("info");
        let order = [
            "<key>",
            "<classId>",
            "<instanceId>",
            "<id>",
            "<category>",
            "<label>",
            "<type>",
            "<typeReference>",
            "<userConfigurable>",
            "<defaultValue>",
            "<value>",
            "<description>",
        ];
        let pos: Vec<usize> = order.iter().map(|t| x.find(t).unwrap_or(usize::MAX)).collect();
        assert!(pos.windows(2).all(|w| w[0] < w[1]), "{x}");
        assert!(x.contains("Net &amp; co") && x.contains("&lt;d&gt;"), "{x}");
        assert_eq!(VAppPropertyInfo::from_node(&parse(x.as_bytes()).unwrap()), Some(full()));

        let bare = VAppPropertyInfo { key: 3, value: Some(String::new()), ..Default::default() };
        assert_eq!(bare.to_xml("info"), "<info><key>3</key><value></value></info>");
    }

    #[test]
    fn specs_carry_operation_remove_key_and_info() {
        let spec = VmConfigSpec {
            property: vec![VAppPropertySpec::add(full()), VAppPropertySpec::edit(full()), VAppPropertySpec::remove(4)],
            ovf_environment_transport: vec![GUESTINFO_TRANSPORT.into()],
        };
        let x = spec.to_xml("vAppConfig", Some("VmConfigSpec"));
        assert!(x.starts_with("<vAppConfig xsi:type=\"VmConfigSpec\"><property><operation>add</operation><info>"));
        assert!(x.contains(
            "<property><operation>remove</operation><removeKey xsi:type=\"xsd:int\">4</removeKey><info><key>4</key></info></property>"
        ));
        assert!(x.ends_with("<ovfEnvironmentTransport>com.vmware.guestInfo</ovfEnvironmentTransport></vAppConfig>"));
        assert!(x.find("<property>") < x.find("<ovfEnvironmentTransport>"));
        assert!(VmConfigSpec::default().is_empty());
        assert_eq!(VmConfigSpec::default().to_xml("spec", None), "<spec></spec>");
    }

    #[test]
    fn vapp_options_from_a_vm_a_vapp_and_nothing() {
        let doc = |obj: &str, path: &str, val: &str| {
            format!(
                r#"<objects xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">{obj}<propSet><name>{path}</name><val xsi:type="VmConfigInfo">{val}</val></propSet></objects>"#
            )
        };
        let val = "<property><key>0</key><id>a</id><type>password</type><value>s3cret</value></property>\
                   <property><key>x</key></property><property><key>5</key><id>b</id><userConfigurable>true</userConfigurable></property>\
                   <ipAssignment></ipAssignment><ovfEnvironmentTransport>iso</ovfEnvironmentTransport>";
        let vm = doc(r#"<obj type="VirtualMachine">vm-1</obj>"#, "config.vAppConfig", val);
        let oc = ObjectContent::from_node(&parse(vm.as_bytes()).unwrap()).unwrap();
        let opts = VAppOptions::from_content(&oc);
        let VAppOptions::Enabled(info) = &opts else { panic!("{opts:?}") };
        assert_eq!(info.property.iter().map(|p| p.key).collect::<Vec<_>>(), [0, 5], "a bad key is skipped");
        assert_eq!(info.ovf_environment_transport, ["iso"]);
        assert_eq!(opts.property(5).and_then(|p| p.user_configurable), Some(true));
        assert!(opts.property(0).is_some_and(VAppPropertyInfo::is_password));
        assert!(!format!("{opts:?}").contains("s3cret"), "password values stay out of Debug");

        let vapp = doc(r#"<obj type="VirtualApp">resgroup-v1</obj>"#, "vAppConfig", "<annotation>x</annotation>");
        let oc = ObjectContent::from_node(&parse(vapp.as_bytes()).unwrap()).unwrap();
        assert_eq!(VAppOptions::from_content(&oc), VAppOptions::Enabled(VmConfigInfo::default()));

        let off = r#"<objects><obj type="VirtualMachine">vm-1</obj></objects>"#;
        let oc = ObjectContent::from_node(&parse(off.as_bytes()).unwrap()).unwrap();
        assert_eq!(VAppOptions::from_content(&oc), VAppOptions::Disabled);
        assert!(VAppOptions::Disabled.properties().is_empty());
        let gone = ObjectContent::not_found(MoType::VirtualMachine.moref("vm-9"));
        assert_eq!(VAppOptions::from_content(&gone), VAppOptions::TargetMissing);
    }
}
