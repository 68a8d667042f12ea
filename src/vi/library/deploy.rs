//! OVF library items and VMs: deploy an item to a new VM
//! (`vcenter.ovf.library_item` deploy) and capture a VM into a new OVF item
//! (`vcenter.ovf.library_item` create).

use std::time::Duration;

use reqwest::Method;
use serde::Deserialize;
use serde_json::{Value, json};

use crate::vi::core::error::ViError;
use crate::vi::core::types::ManagedObjectReference;
use crate::vi::library::catalog::{LibraryClient, decode, with_id};

/// `/rest/com/vmware/vcenter/ovf/library-item`.
const OVF_ITEM: &[&str] = &["rest", "com", "vmware", "vcenter", "ovf", "library-item"];
/// Deploy and capture answer only when the server is done (copying disks);
/// the client's `api_timeout`, sized for quick calls, would cut them short.
const LONG_CALL: Duration = Duration::from_secs(3600);

/// Where and how to deploy an OVF item (`DeploymentTarget` plus the used
/// parts of `ResourcePoolDeploymentSpec`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OvfDeploySpec {
    /// Name of the new VM (`None`: the name in the OVF).
    pub name: Option<String>,
    pub annotation: Option<String>,
    /// `resgroup-12`: required.
    pub resource_pool_id: String,
    /// `group-v3`: the VM folder (`None`: the datacenter's VM folder).
    pub folder_id: Option<String>,
    /// `host-21`: only needed when the pool spans hosts that differ.
    pub host_id: Option<String>,
    /// `datastore-15`: where the disks go (`None`: the server picks).
    pub datastore_id: Option<String>,
    /// OVF network name → network id (`network-7`, `dvportgroup-9`).
    pub network_mappings: Vec<(String, String)>,
    pub accept_all_eula: bool,
}

/// `DeploymentResult` / `CreateResult`, the fields used here.
#[derive(Debug, Default, Deserialize)]
struct OvfResult {
    #[serde(default)]
    succeeded: bool,
    #[serde(default)]
    resource_id: Option<DeployableIdentity>,
    #[serde(default)]
    ovf_library_item_id: Option<String>,
    #[serde(default)]
    error: Option<Value>,
}

/// `DeployableIdentity`: `{ "type": "VirtualMachine", "id": "vm-42" }`.
#[derive(Debug, Deserialize)]
struct DeployableIdentity {
    #[serde(rename = "type")]
    kind: String,
    id: String,
}

impl LibraryClient {
    /// Deploys OVF item `item_id` as a new VM (or vApp); returns its
    /// reference. Waits until the server is done.
    pub async fn deploy_ovf_item(
        &self,
        item_id: &str,
        spec: &OvfDeploySpec,
    ) -> Result<ManagedObjectReference, ViError> {
        let url = self.rest.url(&with_id(OVF_ITEM, item_id), Some("deploy"), &[]);
        let body = deploy_body(spec);
        let result: OvfResult =
            decode(self.rest.call(Method::POST, url, Some(&body), Some(LONG_CALL)).await?, "deploy")?;
        match (result.succeeded, result.resource_id) {
            (true, Some(r)) if !r.id.is_empty() => Ok(ManagedObjectReference::new(r.kind, r.id)),
            _ => Err(ovf_failure(&format!("deploying library item {item_id}"), result.error.as_ref())),
        }
    }

    /// Captures VM `vm_id` as a new OVF item `name` in library
    /// `library_id`; returns the item id. Waits until the server is done.
    pub async fn capture_vm(
        &self,
        vm_id: &str,
        library_id: &str,
        name: &str,
        description: Option<&str>,
    ) -> Result<String, ViError> {
        self.capture("VirtualMachine", vm_id, library_id, name, description).await
    }

    /// Captures vApp `vapp_id` (`resgroup-v12`) as a new OVF item, as
    /// [`LibraryClient::capture_vm`] does a VM.
    pub async fn capture_vapp(
        &self,
        vapp_id: &str,
        library_id: &str,
        name: &str,
        description: Option<&str>,
    ) -> Result<String, ViError> {
        self.capture("VirtualApp", vapp_id, library_id, name, description).await
    }

    /// `source_type` is the `DeployableIdentity` type: `VirtualMachine` or
    /// `VirtualApp`.
    async fn capture(
        &self,
        source_type: &str,
        source_id: &str,
        library_id: &str,
        name: &str,
        description: Option<&str>,
    ) -> Result<String, ViError> {
        let url = self.rest.url(OVF_ITEM, None, &[]);
        let body = capture_body(source_type, source_id, library_id, name, description);
        let result: OvfResult =
            decode(self.rest.call(Method::POST, url, Some(&body), Some(LONG_CALL)).await?, "capture")?;
        match (result.succeeded, result.ovf_library_item_id) {
            (true, Some(id)) if !id.is_empty() => Ok(id),
            _ => Err(ovf_failure(&format!("capturing {source_type} {source_id}"), result.error.as_ref())),
        }
    }
}

fn capture_body(source_type: &str, source_id: &str, library_id: &str, name: &str, description: Option<&str>) -> Value {
    json!({
        "source": { "type": source_type, "id": source_id },
        "target": { "library_id": library_id },
        "create_spec": { "name": name, "description": description.unwrap_or_default() },
    })
}

/// The request body of deploy, in the `/rest` spelling.
fn deploy_body(spec: &OvfDeploySpec) -> Value {
    let mut target = serde_json::Map::new();
    target.insert("resource_pool_id".into(), Value::from(spec.resource_pool_id.as_str()));
    insert_opt(&mut target, "folder_id", spec.folder_id.as_deref());
    insert_opt(&mut target, "host_id", spec.host_id.as_deref());

    let mut deployment = serde_json::Map::new();
    insert_opt(&mut deployment, "name", spec.name.as_deref());
    insert_opt(&mut deployment, "annotation", spec.annotation.as_deref());
    insert_opt(&mut deployment, "default_datastore_id", spec.datastore_id.as_deref());
    deployment.insert("accept_all_EULA".into(), Value::from(spec.accept_all_eula));
    if !spec.network_mappings.is_empty() {
        // `/rest` spells maps as lists of key/value pairs.
        let pairs: Vec<Value> = spec.network_mappings.iter().map(|(k, v)| json!({ "key": k, "value": v })).collect();
        deployment.insert("network_mappings".into(), Value::from(pairs));
    }
    json!({ "target": target, "deployment_spec": deployment })
}

fn insert_opt(map: &mut serde_json::Map<String, Value>, key: &str, value: Option<&str>) {
    if let Some(v) = value {
        map.insert(key.into(), Value::from(v));
    }
}

/// An OVF call that answered "not succeeded": the messages of its
/// `error.errors[*]` (`message` or `error.messages`), as [`ViError::Api`].
fn ovf_failure(what: &str, error: Option<&Value>) -> ViError {
    let mut messages = Vec::new();
    let errors = error.and_then(|e| e.get("errors")).and_then(Value::as_array).cloned().unwrap_or_default();
    for e in &errors {
        if let Some(m) = e.pointer("/message/default_message").and_then(Value::as_str) {
            messages.push(m.to_string());
        }
        let nested = e.pointer("/error/messages").and_then(Value::as_array).cloned().unwrap_or_default();
        messages
            .extend(nested.iter().filter_map(|m| m.get("default_message").and_then(Value::as_str)).map(str::to_string));
    }
    let detail = if messages.is_empty() { "the server gave no reason".to_string() } else { messages.join("; ") };
    ViError::Api {
        status: 200,
        kind: "ERROR".into(),
        message: format!("{what} failed: {}", crate::vi::core::error::server_text(&detail)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deploy_body_has_only_what_is_set() {
        let spec = OvfDeploySpec { resource_pool_id: "resgroup-1".into(), ..OvfDeploySpec::default() };
        assert_eq!(
            deploy_body(&spec),
            json!({"target": {"resource_pool_id": "resgroup-1"}, "deployment_spec": {"accept_all_EULA": false}})
        );
        let spec = OvfDeploySpec {
            name: Some("web".into()),
            annotation: Some("a".into()),
            resource_pool_id: "resgroup-1".into(),
            folder_id: Some("group-v3".into()),
            host_id: Some("host-9".into()),
            datastore_id: Some("datastore-2".into()),
            network_mappings: vec![("VM Network".into(), "network-7".into())],
            accept_all_eula: true,
        };
        assert_eq!(
            deploy_body(&spec),
            json!({
                "target": {"resource_pool_id": "resgroup-1", "folder_id": "group-v3", "host_id": "host-9"},
                "deployment_spec": {
                    "name": "web", "annotation": "a", "default_datastore_id": "datastore-2", "accept_all_EULA": true,
                    "network_mappings": [{"key": "VM Network", "value": "network-7"}]
                }
            })
        );
    }

    #[test]
    fn capture_body_names_the_source_type() {
        assert_eq!(
            capture_body("VirtualApp", "resgroup-v9", "lib-1", "web", Some("d")),
            json!({
                "source": {"type": "VirtualApp", "id": "resgroup-v9"},
                "target": {"library_id": "lib-1"},
                "create_spec": {"name": "web", "description": "d"},
            })
        );
        assert_eq!(capture_body("VirtualMachine", "vm-1", "l", "n", None)["create_spec"]["description"], "");
    }

    #[test]
    fn failure_messages_are_collected() {
        let err = json!({"errors": [
            {"category": "SERVER", "error": {"@class": "com.vmware.vapi.std.errors.error",
              "messages": [{"default_message": "no space left"}]}},
            {"message": {"default_message": "bad network"}}
        ]});
        let e = ovf_failure("deploying library item i1", Some(&err));
        let s = e.to_string();
        assert!(s.contains("deploying library item i1 failed: no space left; bad network"), "{s}");
        let e = ovf_failure("capturing VirtualMachine vm-1", None);
        assert!(e.to_string().contains("no reason"), "{e}");
    }

    #[test]
    fn decodes_results() {
        let r: OvfResult =
            decode(json!({"succeeded": true, "resource_id": {"type": "VirtualMachine", "id": "vm-60"}}), "x").unwrap();
        assert!(r.succeeded);
        assert_eq!(r.resource_id.map(|r| (r.kind, r.id)), Some(("VirtualMachine".into(), "vm-60".into())));
        let r: OvfResult = decode(json!({"succeeded": true, "ovf_library_item_id": "i9"}), "x").unwrap();
        assert_eq!(r.ovf_library_item_id.as_deref(), Some("i9"));
        let r: OvfResult = decode(json!({}), "x").unwrap();
        assert!(!r.succeeded && r.error.is_none());
    }
}
