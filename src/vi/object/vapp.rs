//! vApps (`VirtualApp`): what one read tells about a vApp (`VAppInfo`), and
//! the calls that create, configure, power, clone, move and destroy it, and
//! that set how each child VM starts and stops with it.
//!
//! A vApp is a resource pool with a product description, an OVF
//! environment, IP settings and a start order over its children; its
//! managed object ids look like `resgroup-v42`.
use std::time::Instant;

use tracing::info;

use crate::vi::core::client::Client;
use crate::vi::core::error::ViError;
use crate::vi::core::mo_type::MoType;
use crate::vi::core::types::{ManagedObjectReference, ObjectContent};
use crate::vi::core::xml::escape;
use crate::vi::object::vapp_spec::{
    ResourceAllocationInfo, ResourceConfigSpec, VAppCloneSpec, VAppConfigSpec, VAppEntityConfigInfo,
    VAppIPAssignmentInfo, VAppProductInfo,
};

/// Every property `VAppInfo` needs, read in one call.
pub const VAPP_PROPS: &[&str] = &[
    "name",
    "parent",
    "parentFolder",
    "parentVApp",
    "config.cpuAllocation",
    "config.memoryAllocation",
    "vAppConfig",
    "summary.vAppState",
    "vm",
];

/// The managed object type of a pool id: vCenter gives vApps ids of the
/// form `resgroup-v42`, plain pools `resgroup-42` (ESXi: `ha-root-pool`).
pub fn pool_kind(id: &str) -> MoType {
    if id.starts_with("resgroup-v") { MoType::VirtualApp } else { MoType::ResourcePool }
}

/// A reference to a pool or vApp by its id.
pub fn pool_ref(id: &str) -> ManagedObjectReference {
    pool_kind(id).moref(id)
}

/// What one read tells about a vApp.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VAppInfo {
    pub moref: ManagedObjectReference,
    pub name: String,
    /// The resource pool or vApp it sits in.
    pub parent: Option<ManagedObjectReference>,
    /// Its VM folder; set for a root vApp only (not for one inside a vApp).
    pub parent_folder: Option<ManagedObjectReference>,
    pub parent_vapp: Option<ManagedObjectReference>,
    pub cpu_allocation: ResourceAllocationInfo,
    pub memory_allocation: ResourceAllocationInfo,
    pub products: Vec<VAppProductInfo>,
    pub ip_assignment: VAppIPAssignmentInfo,
    pub ovf_environment_transport: Vec<String>,
    /// Start/stop settings per child, keyed by the child's reference.
    pub entity_config: Vec<VAppEntityConfigInfo>,
    pub annotation: Option<String>,
    /// `summary.vAppState`: `started`, `stopped`, `starting` or `stopping`;
    /// `None` when the server does not report it (vcsim).
    pub vapp_state: Option<String>,
    /// Child VMs.
    pub vms: Vec<ManagedObjectReference>,
}

impl VAppInfo {
    pub fn from_content(o: &ObjectContent) -> VAppInfo {
        let cfg = o.node("vAppConfig");
        let list = |name: &str| -> Vec<String> {
            cfg.map(|c| c.children_named(name).map(|t| t.text().trim().to_owned()).filter(|t| !t.is_empty()).collect())
                .unwrap_or_default()
        };
        VAppInfo {
            moref: o.obj.clone(),
            name: o.str("name").unwrap_or_default().to_owned(),
            parent: o.moref("parent"),
            parent_folder: o.moref("parentFolder"),
            parent_vapp: o.moref("parentVApp"),
            cpu_allocation: o.node("config.cpuAllocation").map(ResourceAllocationInfo::from_node).unwrap_or_default(),
            memory_allocation: o
                .node("config.memoryAllocation")
                .map(ResourceAllocationInfo::from_node)
                .unwrap_or_default(),
            products: cfg
                .map(|c| c.children_named("product").map(VAppProductInfo::from_node).collect())
                .unwrap_or_default(),
            ip_assignment: cfg
                .and_then(|c| c.child("ipAssignment"))
                .map(VAppIPAssignmentInfo::from_node)
                .unwrap_or_default(),
            ovf_environment_transport: list("ovfEnvironmentTransport"),
            entity_config: cfg
                .map(|c| c.children_named("entityConfig").map(VAppEntityConfigInfo::from_node).collect())
                .unwrap_or_default(),
            annotation: cfg
                .and_then(|c| c.child_text("annotation"))
                .map(str::trim)
                .filter(|a| !a.is_empty())
                .map(str::to_owned),
            vapp_state: o.str("summary.vAppState").map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned),
            vms: o.morefs("vm"),
        }
    }

    /// The vApp's own product: the one with the lowest key (further
    /// entries describe components).
    pub fn product(&self) -> Option<&VAppProductInfo> {
        self.products.iter().min_by_key(|p| p.key)
    }

    /// The start/stop settings of one child, when vSphere has any.
    pub fn entity_config_for(&self, child: &ManagedObjectReference) -> Option<&VAppEntityConfigInfo> {
        self.entity_config.iter().find(|e| e.key.as_ref().is_some_and(|k| k.value == child.value))
    }
}

/// A child VM and its `runtime.powerState`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChildPower {
    pub vm: ManagedObjectReference,
    /// `poweredOn`, `poweredOff` or `suspended`.
    pub power_state: String,
}

impl Client {
    /// Reads a vApp; `None` when it does not exist (any more).
    pub async fn read_vapp(&self, vapp: &ManagedObjectReference) -> Result<Option<VAppInfo>, ViError> {
        let objs = self.retrieve(std::slice::from_ref(vapp), VAPP_PROPS).await?;
        Ok(objs.first().filter(|o| !o.is_missing_object()).map(VAppInfo::from_content))
    }

    /// The power state of each child VM, in the order given.
    pub async fn child_power_states(&self, vms: &[ManagedObjectReference]) -> Result<Vec<ChildPower>, ViError> {
        let objs = self.retrieve(vms, &["runtime.powerState"]).await?;
        Ok(objs
            .iter()
            .filter(|o| !o.is_missing_object())
            .map(|o| ChildPower {
                vm: o.obj.clone(),
                power_state: o.str("runtime.powerState").unwrap_or_default().to_owned(),
            })
            .collect())
    }

    /// ResourcePool.CreateVApp (also on a vApp, for a nested one); returns
    /// the new vApp. `vm_folder` places a root vApp in a VM folder (the
    /// datacenter's VM folder when `None`); it must be `None` inside a vApp.
    pub async fn create_vapp(
        &self,
        parent: &ManagedObjectReference,
        name: &str,
        res_spec: &ResourceConfigSpec,
        config_spec: &VAppConfigSpec,
        vm_folder: Option<&ManagedObjectReference>,
    ) -> Result<ManagedObjectReference, ViError> {
        let args = format!(
            "<name>{}</name>{}{}{}",
            escape(name),
            res_spec.to_xml("resSpec"),
            config_spec.to_xml("configSpec"),
            vm_folder.map(|f| f.to_xml("vmFolder")).unwrap_or_default()
        );
        let resp = self.invoke("CreateVApp", parent, &args).await?;
        let vapp = resp
            .child("returnval")
            .and_then(ManagedObjectReference::from_node)
            .ok_or_else(|| ViError::Decode("CreateVApp returned no vApp".into()))?;
        info!(vapp = %vapp, parent = %parent, "vApp created");
        Ok(vapp)
    }

    /// The vApp named `name` among the children of `parent` (a resource
    /// pool or vApp), where vSphere keeps vApp names unique.
    pub async fn find_child_vapp(
        &self,
        parent: &ManagedObjectReference,
        name: &str,
    ) -> Result<Option<ManagedObjectReference>, ViError> {
        let objs = self.retrieve(std::slice::from_ref(parent), &["resourcePool"]).await?;
        let children: Vec<ManagedObjectReference> = objs
            .first()
            .map(|o| o.morefs("resourcePool"))
            .unwrap_or_default()
            .into_iter()
            .filter(|c| c.is(MoType::VirtualApp))
            .collect();
        if children.is_empty() {
            return Ok(None);
        }
        let named = self.retrieve(&children, &["name"]).await?;
        Ok(named.into_iter().find(|o| !o.is_missing_object() && o.str("name") == Some(name)).map(|o| o.obj))
    }

    /// VirtualApp.UpdateVAppConfig: product, IP settings, transports,
    /// children's start/stop settings. Only what `spec` sets changes.
    pub async fn update_vapp_config(
        &self,
        vapp: &ManagedObjectReference,
        spec: &VAppConfigSpec,
    ) -> Result<(), ViError> {
        self.invoke("UpdateVAppConfig", vapp, &spec.to_xml("spec")).await.map(|_| ())
    }

    /// Sets how one child (a VM or a nested vApp, `entity.key`) starts and
    /// stops with the vApp `vapp`, through UpdateVAppConfig with a single
    /// `entityConfig` entry. Fields left `None` keep their current values,
    /// so a caller can change just the start order. The child must already
    /// be in the vApp (move it in first); vSphere answers InvalidArgument
    /// otherwise. See [`VAppEntityConfigInfo`] for the allowed values.
    pub async fn set_vapp_entity_config(
        &self,
        vapp: &ManagedObjectReference,
        entity: &VAppEntityConfigInfo,
    ) -> Result<(), ViError> {
        if entity.key.is_none() {
            return Err(ViError::Config("a vApp entity config needs the child's reference as its key".into()));
        }
        let spec = VAppConfigSpec { entity_config: vec![entity.clone()], ..Default::default() };
        self.update_vapp_config(vapp, &spec).await
    }

    /// ResourcePool.UpdateConfig with CPU and memory allocation only.
    pub async fn update_vapp_allocation(
        &self,
        vapp: &ManagedObjectReference,
        config: &ResourceConfigSpec,
    ) -> Result<(), ViError> {
        self.invoke("UpdateConfig", vapp, &config.to_xml("config")).await.map(|_| ())
    }

    /// ManagedEntity.Rename_Task.
    pub async fn rename_entity(
        &self,
        entity: &ManagedObjectReference,
        new_name: &str,
        deadline: Option<Instant>,
    ) -> Result<(), ViError> {
        let args = format!("<newName>{}</newName>", escape(new_name));
        self.run_task("Rename_Task", entity, &args, deadline).await.map(|_| ())
    }

    /// ResourcePool.MoveIntoResourcePool: moves `entities` (pools, vApps,
    /// VMs) under `pool`.
    pub async fn move_into_resource_pool(
        &self,
        pool: &ManagedObjectReference,
        entities: &[ManagedObjectReference],
    ) -> Result<(), ViError> {
        let list: String = entities.iter().map(|e| e.to_xml("list")).collect();
        self.invoke("MoveIntoResourcePool", pool, &list).await.map(|_| ())
    }

    /// VirtualApp.PowerOnVApp_Task: vSphere starts the children in their
    /// start order.
    pub async fn power_on_vapp(&self, vapp: &ManagedObjectReference, deadline: Option<Instant>) -> Result<(), ViError> {
        self.run_task("PowerOnVApp_Task", vapp, "", deadline).await.map(|_| ())
    }

    /// VirtualApp.PowerOffVApp_Task: with `force` false the children stop
    /// by their stop actions in reverse start order; with `force` true every
    /// VM is powered off at once.
    pub async fn power_off_vapp(
        &self,
        vapp: &ManagedObjectReference,
        force: bool,
        deadline: Option<Instant>,
    ) -> Result<(), ViError> {
        let args = format!("<force>{force}</force>");
        self.run_task("PowerOffVApp_Task", vapp, &args, deadline).await.map(|_| ())
    }

    /// VirtualApp.CloneVApp_Task; returns the new vApp, placed under
    /// `target` (a resource pool or vApp).
    pub async fn clone_vapp(
        &self,
        source: &ManagedObjectReference,
        name: &str,
        target: &ManagedObjectReference,
        spec: &VAppCloneSpec,
        deadline: Option<Instant>,
    ) -> Result<ManagedObjectReference, ViError> {
        let args = format!("<name>{}</name>{}{}", escape(name), target.to_xml("target"), spec.to_xml("spec"));
        let out = self.run_task("CloneVApp_Task", source, &args, deadline).await?;
        out.moref().ok_or_else(|| ViError::Decode("CloneVApp_Task returned no vApp".into()))
    }

    /// Destroy_Task on a vApp: vSphere destroys its VMs and child vApps
    /// with it, so they must be powered off first.
    pub async fn destroy_vapp(&self, vapp: &ManagedObjectReference, deadline: Option<Instant>) -> Result<(), ViError> {
        self.run_task("Destroy_Task", vapp, "", deadline).await.map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vi::core::xml::parse;

    #[test]
    fn pool_kinds_follow_vcenter_ids() {
        assert_eq!(pool_kind("resgroup-v42"), MoType::VirtualApp);
        assert_eq!(pool_kind("resgroup-42"), MoType::ResourcePool);
        assert_eq!(pool_kind("ha-root-pool"), MoType::ResourcePool);
        assert_eq!(pool_ref("resgroup-v1").kind, "VirtualApp");
    }

    /// What vcsim answers for a vApp, plus an entity config and transports.
    #[test]
    fn info_from_a_property_read() {
        let doc = br#"<objects xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<obj type="VirtualApp">resgroup-v59</obj>
<propSet><name>name</name><val xsi:type="xsd:string">DC0_C0_APP0</val></propSet>
<propSet><name>parent</name><val type="ResourcePool" xsi:type="ManagedObjectReference">resgroup-27</val></propSet>
<propSet><name>parentFolder</name><val type="Folder" xsi:type="ManagedObjectReference">group-4</val></propSet>
<propSet><name>config.cpuAllocation</name><val xsi:type="ResourceAllocationInfo"><reservation>0</reservation><expandableReservation>true</expandableReservation><limit>-1</limit><shares><shares>4000</shares><level>normal</level></shares></val></propSet>
<propSet><name>config.memoryAllocation</name><val xsi:type="ResourceAllocationInfo"><reservation>512</reservation><expandableReservation>false</expandableReservation><limit>1024</limit><shares><shares>50</shares><level>custom</level></shares></val></propSet>
<propSet><name>vAppConfig</name><val xsi:type="VAppConfigInfo">
<product><key>1</key><name>component</name></product>
<product><key>0</key><name>vcsim</name><vendor>VMware</vendor><version>0.1</version><vendorUrl>http://www.vmware.com/</vendorUrl></product>
<ipAssignment><ipAllocationPolicy>fixedPolicy</ipAllocationPolicy><supportedIpProtocol>IPv4</supportedIpProtocol><ipProtocol>IPv4</ipProtocol></ipAssignment>
<ovfEnvironmentTransport>iso</ovfEnvironmentTransport>
<installBootRequired>false</installBootRequired><installBootStopDelay>0</installBootStopDelay>
<entityConfig><key type="VirtualMachine">vm-75</key><startOrder>2</startOrder><startDelay>120</startDelay><waitingForGuest>false</waitingForGuest><startAction>powerOn</startAction><stopDelay>120</stopDelay><stopAction>powerOff</stopAction></entityConfig>
<annotation>vcsim</annotation></val></propSet>
<propSet><name>vm</name><val xsi:type="ArrayOfManagedObjectReference"><ManagedObjectReference type="VirtualMachine">vm-75</ManagedObjectReference><ManagedObjectReference type="VirtualMachine">vm-78</ManagedObjectReference></val></propSet>
<missingSet><path>summary.vAppState</path><fault><fault xsi:type="InvalidProperty"><name>summary.vAppState</name></fault></fault></missingSet>
</objects>"#;
        let oc = ObjectContent::from_node(&parse(doc).unwrap()).unwrap();
        let v = VAppInfo::from_content(&oc);
        assert_eq!(v.name, "DC0_C0_APP0");
        assert_eq!(v.parent.as_ref().map(|p| p.value.as_str()), Some("resgroup-27"));
        assert_eq!(v.parent_folder.as_ref().map(|p| p.value.as_str()), Some("group-4"));
        assert_eq!(v.cpu_allocation.shares.as_ref().map(|s| (s.shares, s.level.as_str())), Some((4000, "normal")));
        assert_eq!(v.memory_allocation.limit, Some(1024));
        assert_eq!(v.memory_allocation.expandable_reservation, Some(false));
        assert_eq!(v.product().and_then(|p| p.name.as_deref()), Some("vcsim"));
        assert_eq!(v.products.len(), 2);
        assert_eq!(v.ip_assignment.ip_protocol.as_deref(), Some("IPv4"));
        assert_eq!(v.ovf_environment_transport, vec!["iso"]);
        assert_eq!(v.annotation.as_deref(), Some("vcsim"));
        assert_eq!(v.vapp_state, None);
        assert_eq!(v.vms.len(), 2);
        let e = v.entity_config_for(&MoType::VirtualMachine.moref("vm-75")).unwrap();
        assert_eq!((e.start_order, e.start_action.as_deref()), (Some(2), Some("powerOn")));
        assert!(v.entity_config_for(&MoType::VirtualMachine.moref("vm-78")).is_none());
    }

    #[test]
    fn an_empty_vapp_reads_as_defaults() {
        let doc = br#"<objects><obj type="VirtualApp">resgroup-v1</obj><propSet><name>summary.vAppState</name><val>started</val></propSet></objects>"#;
        let v = VAppInfo::from_content(&ObjectContent::from_node(&parse(doc).unwrap()).unwrap());
        assert_eq!(v.vapp_state.as_deref(), Some("started"));
        assert!(v.product().is_none() && v.vms.is_empty() && v.ovf_environment_transport.is_empty());
    }
}
