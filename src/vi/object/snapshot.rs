//! VM snapshots: the snapshot tree a VM reports, and the tasks that create,
//! rename and remove snapshots.
use std::time::Instant;

use super::virtual_machine::VirtualMachine;
use crate::vi::core::client::Client;
use crate::vi::core::error::ViError;
use crate::vi::core::mo_type::MoType;
use crate::vi::core::types::ManagedObjectReference;
use crate::vi::core::xml::{XmlNode, escape};

/// One node of `VirtualMachine.snapshot.rootSnapshotList`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct VirtualMachineSnapshotTree {
    pub snapshot: ManagedObjectReference,
    pub name: String,
    pub description: String,
    pub create_time: String,
    /// Power state captured: `poweredOn` when memory was included.
    pub state: String,
    pub quiesced: bool,
    /// Ids of the snapshots below this one.
    pub children: Vec<ManagedObjectReference>,
}

/// Flattens the snapshot tree (depth-bounded) read from the VM's
/// `snapshot` property (`VirtualMachineSnapshotInfo`).
pub fn snapshot_trees(info: &XmlNode) -> Vec<VirtualMachineSnapshotTree> {
    fn walk(nodes: &mut dyn Iterator<Item = &XmlNode>, depth: usize, out: &mut Vec<VirtualMachineSnapshotTree>) {
        if depth > 64 {
            return;
        }
        for n in nodes {
            let Some(snapshot) = n.child("snapshot").and_then(ManagedObjectReference::from_node) else { continue };
            let kids: Vec<&XmlNode> = n.children_named("childSnapshotList").collect();
            out.push(VirtualMachineSnapshotTree {
                snapshot,
                name: n.child_text("name").unwrap_or_default().to_owned(),
                description: n.child_text("description").unwrap_or_default().to_owned(),
                create_time: n.child_text("createTime").unwrap_or_default().to_owned(),
                state: n.child_text("state").unwrap_or_default().to_owned(),
                quiesced: n.child_text("quiesced").is_some_and(|q| q.trim() == "true"),
                children: kids
                    .iter()
                    .filter_map(|k| k.child("snapshot").and_then(ManagedObjectReference::from_node))
                    .collect(),
            });
            walk(&mut kids.into_iter(), depth + 1, out);
        }
    }
    let mut out = Vec::new();
    walk(&mut info.children_named("rootSnapshotList"), 0, &mut out);
    out
}

impl VirtualMachine<'_> {
    /// VirtualMachine.CreateSnapshot_Task; returns the new snapshot.
    pub async fn create_snapshot(
        &self,
        name: &str,
        description: &str,
        memory: bool,
        quiesce: bool,
        deadline: Option<Instant>,
    ) -> Result<ManagedObjectReference, ViError> {
        let args = format!(
            "<name>{}</name><description>{}</description><memory>{memory}</memory><quiesce>{quiesce}</quiesce>",
            escape(name),
            escape(description)
        );
        let out = self.client.run_task("CreateSnapshot_Task", &self.moref, &args, deadline).await?;
        out.moref().ok_or_else(|| ViError::Decode("CreateSnapshot_Task returned no snapshot".into()))
    }
}

/// A VirtualMachineSnapshot and its operations.
pub struct Snapshot<'c> {
    client: &'c Client,
    moref: ManagedObjectReference,
}

impl Client {
    /// A handle on the snapshot `snapshot`.
    pub fn snapshot(&self, snapshot: &ManagedObjectReference) -> Snapshot<'_> {
        Snapshot { client: self, moref: snapshot.clone() }
    }
    /// ServiceInstance.CurrentTime: the server's clock, `xsd:dateTime`, to
    /// compare with the times it stamps on what it makes.
    pub async fn current_time(&self) -> Result<String, ViError> {
        let si = MoType::ServiceInstance.moref("ServiceInstance");
        let resp = self.invoke("CurrentTime", &si, "").await?;
        resp.child("returnval")
            .map(|n| n.text().to_owned())
            .ok_or_else(|| ViError::Decode("CurrentTime returned no time".into()))
    }
}

impl Snapshot<'_> {
    /// VirtualMachineSnapshot.RenameSnapshot (name and description).
    pub async fn rename(&self, name: &str, description: &str) -> Result<(), ViError> {
        let args = format!("<name>{}</name><description>{}</description>", escape(name), escape(description));
        self.client.invoke("RenameSnapshot", &self.moref, &args).await.map(|_| ())
    }

    /// VirtualMachineSnapshot.RemoveSnapshot_Task; with `remove_children`
    /// the snapshots below it go too, else they are re-parented.
    pub async fn remove(&self, remove_children: bool, deadline: Option<Instant>) -> Result<(), ViError> {
        let args = format!("<removeChildren>{remove_children}</removeChildren><consolidate>true</consolidate>");
        self.client.run_task("RemoveSnapshot_Task", &self.moref, &args, deadline).await.map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vi::core::xml;

    #[test]
    fn the_tree_is_flattened_with_children() {
        let doc = br#"<snapshot><currentSnapshot type="VirtualMachineSnapshot">snapshot-2</currentSnapshot><rootSnapshotList><snapshot type="VirtualMachineSnapshot">snapshot-1</snapshot><name>base</name><description>d</description><createTime>t</createTime><state>poweredOff</state><quiesced>false</quiesced><childSnapshotList><snapshot type="VirtualMachineSnapshot">snapshot-2</snapshot><name>child</name><quiesced>true</quiesced></childSnapshotList></rootSnapshotList></snapshot>"#;
        let trees = snapshot_trees(&xml::parse(doc).unwrap());
        assert_eq!(trees.len(), 2);
        assert_eq!(trees[0].name, "base");
        assert_eq!(trees[0].children, vec![MoType::VirtualMachineSnapshot.moref("snapshot-2")]);
        assert!(trees[1].quiesced);
    }
}
