//! Guest customization: the specifications vCenter stores
//! (`CustomizationSpecManager`), customizing a VM (`CustomizeVM_Task`), and
//! the events that tell how the guest took it.
use std::time::Instant;

use super::customization_spec::{CustomizationSpec, CustomizationSpecItem};
use super::virtual_machine::VirtualMachine;
use crate::vi::core::client::Client;
use crate::vi::core::error::ViError;
use crate::vi::core::fault::FaultKind;
use crate::vi::core::types::ManagedObjectReference;
use crate::vi::core::xml::{XmlNode, escape};

/// The event types of a customization: its start, success, and every
/// failure vSphere reports (the base type and its subtypes, named one by one
/// since vCenter matches `eventTypeId` by exact type).
pub const CUSTOMIZATION_EVENTS: &[&str] = &[
    "CustomizationStartedEvent",
    "CustomizationSucceeded",
    "CustomizationFailed",
    "CustomizationLinuxIdentityFailed",
    "CustomizationNetworkSetupFailed",
    "CustomizationSysprepFailed",
    "CustomizationUnknownFailure",
];

/// One customization event of a VM.
#[derive(Debug, Clone, PartialEq)]
pub struct CustomizationEvent {
    pub key: i64,
    /// The event's type (`CustomizationSucceeded`, `CustomizationSysprepFailed`, …).
    pub kind: String,
    /// `reason` when the event has one, else its formatted message.
    pub message: String,
    pub created_time: String,
}

impl CustomizationEvent {
    pub fn succeeded(&self) -> bool {
        self.kind == "CustomizationSucceeded"
    }
    pub fn started(&self) -> bool {
        self.kind == "CustomizationStartedEvent"
    }
    /// Whether the event ends the customization, one way or the other.
    pub fn is_outcome(&self) -> bool {
        !self.started()
    }
}

impl Client {
    fn spec_manager(&self) -> Result<ManagedObjectReference, ViError> {
        self.service_content().customization_spec_manager.clone().ok_or_else(|| ViError::Fault {
            kind: "NotSupported".into(),
            message: "this server has no CustomizationSpecManager (an ESXi host, not vCenter)".into(),
        })
    }

    /// CustomizationSpecManager.DoesCustomizationSpecExist.
    pub async fn customization_spec_exists(&self, name: &str) -> Result<bool, ViError> {
        let m = self.spec_manager()?;
        let resp = self.invoke("DoesCustomizationSpecExist", &m, &format!("<name>{}</name>", escape(name))).await?;
        Ok(resp.child_text("returnval").is_some_and(|t| t.trim() == "true"))
    }

    /// CustomizationSpecManager.GetCustomizationSpec; None when no spec has
    /// that name.
    pub async fn get_customization_spec(&self, name: &str) -> Result<Option<CustomizationSpecItem>, ViError> {
        let m = self.spec_manager()?;
        match self.invoke("GetCustomizationSpec", &m, &format!("<name>{}</name>", escape(name))).await {
            Ok(resp) => Ok(resp.child("returnval").map(CustomizationSpecItem::from_node)),
            Err(e) if e.is_fault(FaultKind::NotFound) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// CustomizationSpecManager.CreateCustomizationSpec.
    pub async fn create_customization_spec(&self, item: &CustomizationSpecItem) -> Result<(), ViError> {
        let m = self.spec_manager()?;
        self.invoke("CreateCustomizationSpec", &m, &item.to_xml("item")).await.map(|_| ())
    }

    /// CustomizationSpecManager.OverwriteCustomizationSpec; `item.info`
    /// carries the change version it replaces (vCenter refuses a stale one).
    pub async fn overwrite_customization_spec(&self, item: &CustomizationSpecItem) -> Result<(), ViError> {
        let m = self.spec_manager()?;
        self.invoke("OverwriteCustomizationSpec", &m, &item.to_xml("item")).await.map(|_| ())
    }

    /// CustomizationSpecManager.DeleteCustomizationSpec.
    pub async fn delete_customization_spec(&self, name: &str) -> Result<(), ViError> {
        let m = self.spec_manager()?;
        self.invoke("DeleteCustomizationSpec", &m, &format!("<name>{}</name>", escape(name))).await.map(|_| ())
    }

    /// CustomizationSpecManager.RenameCustomizationSpec.
    pub async fn rename_customization_spec(&self, name: &str, new_name: &str) -> Result<(), ViError> {
        let m = self.spec_manager()?;
        let args = format!("<name>{}</name><newName>{}</newName>", escape(name), escape(new_name));
        self.invoke("RenameCustomizationSpec", &m, &args).await.map(|_| ())
    }
}

impl VirtualMachine<'_> {
    /// VirtualMachine.CustomizeVM_Task: the guest is customized when the
    /// VM next powers on.
    pub async fn customize(&self, spec: &CustomizationSpec, deadline: Option<Instant>) -> Result<(), ViError> {
        self.client.run_task("CustomizeVM_Task", &self.moref, &spec.to_xml("spec"), deadline).await.map(|_| ())
    }

    /// The VM's customization events, oldest first (EventManager.QueryEvents
    /// on the VM alone).
    pub async fn customization_events(&self) -> Result<Vec<CustomizationEvent>, ViError> {
        let Some(em) = self.client.service_content().event_manager.clone() else {
            return Ok(Vec::new());
        };
        let types: String = CUSTOMIZATION_EVENTS.iter().map(|t| format!("<eventTypeId>{t}</eventTypeId>")).collect();
        let args = format!(
            "<filter><entity>{}<recursion>self</recursion></entity>{types}</filter>",
            self.moref.to_xml("entity")
        );
        let resp = self.client.invoke("QueryEvents", &em, &args).await?;
        let mut events: Vec<CustomizationEvent> = resp.children_named("returnval").filter_map(event).collect();
        events.sort_by_key(|e| e.key);
        Ok(events)
    }
}

fn event(n: &XmlNode) -> Option<CustomizationEvent> {
    let kind = n.xsi_type()?.to_owned();
    let reason = n.child_text("reason").map(str::trim).filter(|r| !r.is_empty());
    let message = reason.or_else(|| n.child_text("fullFormattedMessage")).unwrap_or_default().to_owned();
    Some(CustomizationEvent {
        key: n.child_text("key").and_then(|k| k.trim().parse().ok()).unwrap_or_default(),
        kind,
        message,
        created_time: n.child_text("createdTime").unwrap_or_default().to_owned(),
    })
}
