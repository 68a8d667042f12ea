//! The subset of vim25 data objects the client itself needs, named as in
//! the vSphere API reference, decoded from the XML DOM.

use std::collections::BTreeMap;
use std::fmt;

use crate::vi::core::error::ViError;
use crate::vi::core::xml::{XmlNode, escape};

/// A reference to a server-side managed object (`vm-42`, `datastore-17`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ManagedObjectReference {
    /// The managed object type (the XML `type` attribute), e.g. `VirtualMachine`.
    pub kind: String,
    /// The id, e.g. `vm-42`.
    pub value: String,
}

impl ManagedObjectReference {
    pub fn new(kind: impl Into<String>, value: impl Into<String>) -> Self {
        ManagedObjectReference { kind: kind.into(), value: value.into() }
    }

    /// `<tag type="Kind">value</tag>`, escaped, for request bodies.
    pub fn to_xml(&self, tag: &str) -> String {
        format!("<{tag} type=\"{}\">{}</{tag}>", escape(&self.kind), escape(&self.value))
    }

    /// Reads a MoRef element (`<returnval type="Folder">group-d1</returnval>`).
    pub fn from_node(node: &XmlNode) -> Option<Self> {
        let kind = node.attr("type")?;
        let value = node.text().trim();
        if kind.is_empty() || value.is_empty() {
            return None;
        }
        Some(ManagedObjectReference::new(kind, value))
    }
}

impl fmt::Display for ManagedObjectReference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.value)
    }
}

/// `AboutInfo`: what the server says it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AboutInfo {
    pub name: String,
    pub full_name: String,
    pub vendor: String,
    pub version: String,
    pub build: String,
    pub os_type: String,
    /// `VirtualCenter` or `HostAgent`.
    pub api_type: String,
    pub api_version: String,
    pub instance_uuid: Option<String>,
}

impl AboutInfo {
    pub fn from_node(node: &XmlNode) -> Self {
        let s = |name: &str| node.child_text(name).unwrap_or_default().to_string();
        AboutInfo {
            name: s("name"),
            full_name: s("fullName"),
            vendor: s("vendor"),
            version: s("version"),
            build: s("build"),
            os_type: s("osType"),
            api_type: s("apiType"),
            api_version: s("apiVersion"),
            instance_uuid: node.child_text("instanceUuid").map(str::to_string),
        }
    }

    /// True for vCenter, false for a standalone ESXi host.
    pub fn is_vcenter(&self) -> bool {
        self.api_type == "VirtualCenter"
    }
}

/// `ServiceContent`: the root references of the service. The managers the
/// client cannot work without are required; the rest are optional because
/// ESXi or older releases may lack them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ServiceContent {
    pub about: AboutInfo,
    pub root_folder: ManagedObjectReference,
    pub property_collector: ManagedObjectReference,
    pub view_manager: ManagedObjectReference,
    pub search_index: ManagedObjectReference,
    pub session_manager: ManagedObjectReference,
    pub file_manager: Option<ManagedObjectReference>,
    pub virtual_disk_manager: Option<ManagedObjectReference>,
    pub ovf_manager: Option<ManagedObjectReference>,
    pub custom_fields_manager: Option<ManagedObjectReference>,
    pub crypto_manager: Option<ManagedObjectReference>,
    pub setting: Option<ManagedObjectReference>,
    pub user_directory: Option<ManagedObjectReference>,
    pub authorization_manager: Option<ManagedObjectReference>,
    pub perf_manager: Option<ManagedObjectReference>,
    pub event_manager: Option<ManagedObjectReference>,
    pub task_manager: Option<ManagedObjectReference>,
    pub extension_manager: Option<ManagedObjectReference>,
    pub customization_spec_manager: Option<ManagedObjectReference>,
    pub license_manager: Option<ManagedObjectReference>,
    pub dv_switch_manager: Option<ManagedObjectReference>,
    pub storage_resource_manager: Option<ManagedObjectReference>,
    pub guest_operations_manager: Option<ManagedObjectReference>,
    pub v_storage_object_manager: Option<ManagedObjectReference>,
    pub certificate_manager: Option<ManagedObjectReference>,
}

impl ServiceContent {
    /// Decodes the `returnval` of RetrieveServiceContent.
    pub fn from_node(node: &XmlNode) -> Result<Self, ViError> {
        let opt = |name: &str| node.child(name).and_then(ManagedObjectReference::from_node);
        let req =
            |name: &str| opt(name).ok_or_else(|| ViError::Decode(format!("ServiceContent has no {name} reference")));
        let about = node
            .child("about")
            .map(AboutInfo::from_node)
            .ok_or_else(|| ViError::Decode("ServiceContent has no about".into()))?;
        Ok(ServiceContent {
            about,
            root_folder: req("rootFolder")?,
            property_collector: req("propertyCollector")?,
            view_manager: req("viewManager")?,
            search_index: req("searchIndex")?,
            session_manager: req("sessionManager")?,
            file_manager: opt("fileManager"),
            virtual_disk_manager: opt("virtualDiskManager"),
            ovf_manager: opt("ovfManager"),
            custom_fields_manager: opt("customFieldsManager"),
            crypto_manager: opt("cryptoManager"),
            setting: opt("setting"),
            user_directory: opt("userDirectory"),
            authorization_manager: opt("authorizationManager"),
            perf_manager: opt("perfManager"),
            event_manager: opt("eventManager"),
            task_manager: opt("taskManager"),
            extension_manager: opt("extensionManager"),
            customization_spec_manager: opt("customizationSpecManager"),
            license_manager: opt("licenseManager"),
            dv_switch_manager: opt("dvSwitchManager"),
            storage_resource_manager: opt("storageResourceManager"),
            guest_operations_manager: opt("guestOperationsManager"),
            v_storage_object_manager: opt("vStorageObjectManager"),
            certificate_manager: opt("certificateManager"),
        })
    }
}

/// `UserSession`, as returned by Login.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserSession {
    pub key: String,
    pub user_name: String,
}

impl UserSession {
    pub fn from_node(node: &XmlNode) -> Result<Self, ViError> {
        let key = node.child_text("key").ok_or_else(|| ViError::Decode("UserSession has no key".into()))?;
        Ok(UserSession { key: key.to_string(), user_name: node.child_text("userName").unwrap_or_default().to_string() })
    }
}

/// The fault kind recorded in `ObjectContent::missing` for an object that
/// no longer exists.
pub const MISSING_OBJECT: &str = "ManagedObjectNotFound";

/// `ObjectContent`: the properties retrieved for one object.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectContent {
    pub obj: ManagedObjectReference,
    /// Property path as requested → its `<val>` element.
    pub props: BTreeMap<String, XmlNode>,
    /// `(path, fault kind)` for properties the server could not return. An
    /// object that does not exist (any more) has one entry with an empty path
    /// and kind [`MISSING_OBJECT`].
    pub missing: Vec<(String, String)>,
}

impl ObjectContent {
    /// Decodes one `<objects>` element of a RetrieveResult.
    pub fn from_node(node: &XmlNode) -> Result<Self, ViError> {
        let obj = node
            .child("obj")
            .and_then(ManagedObjectReference::from_node)
            .ok_or_else(|| ViError::Decode("ObjectContent has no obj".into()))?;
        let mut props = BTreeMap::new();
        for p in node.children_named("propSet") {
            let Some(name) = p.child_text("name") else {
                continue;
            };
            // A property without <val> is unset; treat it as absent.
            if let Some(val) = p.child("val") {
                props.insert(name.to_string(), val.clone());
            }
        }
        let mut missing = Vec::new();
        for m in node.children_named("missingSet") {
            let path = m.child_text("path").unwrap_or_default().to_string();
            let kind = m
                .child("fault")
                .and_then(|f| f.child("fault"))
                .map(|f| f.xsi_type().unwrap_or(&f.name).to_string())
                .unwrap_or_default();
            missing.push((path, kind));
        }
        Ok(ObjectContent { obj, props, missing })
    }

    /// An entry for an object the server no longer knows.
    pub fn not_found(obj: ManagedObjectReference) -> Self {
        ObjectContent { obj, props: BTreeMap::new(), missing: vec![(String::new(), MISSING_OBJECT.to_string())] }
    }

    /// True when the object itself does not exist (any more).
    pub fn is_missing_object(&self) -> bool {
        self.missing.iter().any(|(path, kind)| path.is_empty() && kind == MISSING_OBJECT)
    }

    /// The value at `path`: either a requested property path itself, or a
    /// path below one (`"summary.config.name"` when `"summary"` or
    /// `"summary.config"` was retrieved).
    pub fn node(&self, path: &str) -> Option<&XmlNode> {
        if let Some(v) = self.props.get(path) {
            return Some(v);
        }
        // Longest retrieved prefix first, so "a.b" wins over "a".
        let mut cut = path.len();
        while let Some(dot) = path.get(..cut).and_then(|p| p.rfind('.')) {
            let (prefix, rest) = (path.get(..dot)?, path.get(dot + 1..)?);
            if let Some(v) = self.props.get(prefix) {
                return v.descend(rest);
            }
            cut = dot;
        }
        None
    }

    /// The text of a string-like property.
    pub fn str(&self, path: &str) -> Option<&str> {
        self.node(path).map(XmlNode::text)
    }

    /// An integer property (`xsd:int`, `xsd:long`, `xsd:short`, …).
    pub fn i64(&self, path: &str) -> Option<i64> {
        self.str(path).and_then(|s| s.trim().parse().ok())
    }

    /// A boolean property (`true`/`false`/`1`/`0`, as xsd:boolean allows).
    pub fn bool(&self, path: &str) -> Option<bool> {
        match self.str(path)?.trim() {
            "true" | "1" => Some(true),
            "false" | "0" => Some(false),
            _ => None,
        }
    }

    /// A ManagedObjectReference property.
    pub fn moref(&self, path: &str) -> Option<ManagedObjectReference> {
        self.node(path).and_then(ManagedObjectReference::from_node)
    }

    /// An `ArrayOfManagedObjectReference` property (empty when unset).
    pub fn morefs(&self, path: &str) -> Vec<ManagedObjectReference> {
        let Some(node) = self.node(path) else {
            return Vec::new();
        };
        if node.children.is_empty() {
            // A single MoRef where an array was expected: be forgiving.
            return ManagedObjectReference::from_node(node).into_iter().collect();
        }
        node.children.iter().filter_map(ManagedObjectReference::from_node).collect()
    }

    /// An `ArrayOfString` (or any array of simple values) property.
    pub fn strs(&self, path: &str) -> Vec<&str> {
        self.node(path).map(|n| n.children.iter().map(XmlNode::text).collect()).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vi::core::mo_type::MoType;
    use crate::vi::core::xml::parse;

    #[test]
    fn moref_xml_and_display() {
        let m = MoType::VirtualMachine.moref("vm-42");
        assert_eq!(m.to_string(), "vm-42");
        assert_eq!(m.to_xml("_this"), "<_this type=\"VirtualMachine\">vm-42</_this>");
        let evil = ManagedObjectReference::new("a\"b", "<x>");
        assert_eq!(evil.to_xml("obj"), "<obj type=\"a&quot;b\">&lt;x&gt;</obj>");
        let node = parse(evil.to_xml("obj").as_bytes()).unwrap();
        assert_eq!(ManagedObjectReference::from_node(&node), Some(evil));
    }

    fn sample() -> ObjectContent {
        let doc = br#"<objects xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<obj type="VirtualMachine">vm-62</obj>
<propSet><name>name</name><val xsi:type="xsd:string">DC0_H0_VM0</val></propSet>
<propSet><name>config.hardware.numCPU</name><val xsi:type="xsd:int">2</val></propSet>
<propSet><name>config.template</name><val xsi:type="xsd:boolean">false</val></propSet>
<propSet><name>parent</name><val type="Folder" xsi:type="ManagedObjectReference">group-4</val></propSet>
<propSet><name>datastore</name><val xsi:type="ArrayOfManagedObjectReference"><ManagedObjectReference type="Datastore">datastore-1</ManagedObjectReference><ManagedObjectReference type="Datastore">datastore-2</ManagedObjectReference></val></propSet>
<propSet><name>summary.config</name><val xsi:type="VirtualMachineConfigSummary"><name>x</name><memorySizeMB>32</memorySizeMB></val></propSet>
<propSet><name>tags</name><val xsi:type="ArrayOfString"><string>a</string><string>b</string></val></propSet>
<missingSet><path>bogus</path><fault><fault xsi:type="InvalidProperty"><name>bogus</name></fault></fault></missingSet>
</objects>"#;
        ObjectContent::from_node(&parse(doc).unwrap()).unwrap()
    }

    #[test]
    fn object_content_getters() {
        let oc = sample();
        assert_eq!(oc.obj, MoType::VirtualMachine.moref("vm-62"));
        assert_eq!(oc.str("name"), Some("DC0_H0_VM0"));
        assert_eq!(oc.i64("config.hardware.numCPU"), Some(2));
        assert_eq!(oc.bool("config.template"), Some(false));
        assert_eq!(oc.moref("parent"), Some(MoType::Folder.moref("group-4")));
        assert_eq!(oc.morefs("datastore").len(), 2);
        assert_eq!(oc.morefs("parent").len(), 1);
        assert!(oc.morefs("nothing").is_empty());
        assert_eq!(oc.i64("summary.config.memorySizeMB"), Some(32));
        assert_eq!(oc.str("summary.config.name"), Some("x"));
        assert_eq!(oc.str("summary.config.nope"), None);
        assert_eq!(oc.strs("tags"), vec!["a", "b"]);
        assert_eq!(oc.i64("name"), None);
        assert_eq!(oc.bool("name"), None);
        assert_eq!(oc.missing, vec![("bogus".to_string(), "InvalidProperty".to_string())]);
        assert!(!oc.is_missing_object());
        assert!(ObjectContent::not_found(oc.obj.clone()).is_missing_object());
    }

    #[test]
    fn service_content_requires_core_refs() {
        let doc = br#"<returnval><about><name>n</name><apiVersion>7.0</apiVersion><apiType>HostAgent</apiType></about>
<rootFolder type="Folder">ha-folder-root</rootFolder></returnval>"#;
        let err = ServiceContent::from_node(&parse(doc).unwrap()).unwrap_err();
        assert!(err.to_string().contains("propertyCollector"), "{err}");
    }
}
