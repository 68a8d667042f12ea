//! Waiting for vSphere tasks (`*_Task` methods return a Task at once; the
//! work goes on in vCenter).
use std::time::{Duration, Instant};

use tracing::debug;

use super::client::Client;
use super::error::ViError;
use super::types::ManagedObjectReference;
use super::xml::XmlNode;

/// What a finished task left behind.
#[derive(Debug, Clone)]
pub struct TaskOutcome {
    /// `info.result`, e.g. the new VM's reference for CreateVM_Task.
    pub result: Option<XmlNode>,
}

impl TaskOutcome {
    pub fn result_moref(&self) -> Option<ManagedObjectReference> {
        self.result.as_ref().and_then(ManagedObjectReference::from_node)
    }
}

const TASK_PROPS: &[&str] = &["info.state", "info.error", "info.result", "info.descriptionId"];

impl Client {
    /// Starts `method` on `this` and returns the Task it created; bounded
    /// by `deadline` too, since a busy vCenter can be slow to even answer.
    pub async fn start_task(
        &self,
        method: &str,
        this: &ManagedObjectReference,
        args_xml: &str,
        deadline: Option<Instant>,
    ) -> Result<ManagedObjectReference, ViError> {
        let call = self.invoke(method, this, args_xml);
        let resp = match deadline {
            Some(d) => tokio::time::timeout_at(d.into(), call)
                .await
                .map_err(|_| ViError::CallTimeout { method: method.to_owned() })??,
            None => call.await?,
        };
        resp.child("returnval")
            .and_then(ManagedObjectReference::from_node)
            .ok_or_else(|| ViError::Decode(format!("{method} returned no task")))
    }

    /// Polls the task until it succeeds, fails (its fault becomes
    /// `ViError::Fault`) or `deadline` passes (`ViError::TaskTimeout`, which
    /// names the task: it may still be running in vSphere). Polling — one
    /// property read each time, backing off to 1 s — is cheaper to get right
    /// than a WaitForUpdatesEx filter per task, and tasks here take seconds.
    pub async fn wait_for_task(
        &self,
        task: &ManagedObjectReference,
        deadline: Option<Instant>,
    ) -> Result<TaskOutcome, ViError> {
        let mut delay = Duration::from_millis(50);
        loop {
            let objs = self.retrieve(std::slice::from_ref(task), TASK_PROPS).await?;
            let Some(info) = objs.into_iter().next().filter(|o| !o.is_missing_object()) else {
                return Err(ViError::Decode(format!("task {} disappeared", task.value)));
            };
            match info.str("info.state") {
                Some("success") => return Ok(TaskOutcome { result: info.node("info.result").cloned() }),
                Some("error") => {
                    let (kind, message) = info.node("info.error").map(task_fault).unwrap_or_default();
                    return Err(ViError::Fault { kind, message });
                }
                state => debug!(task = %task.value, ?state, "task still running"),
            }
            if let Some(d) = deadline
                && Instant::now() + delay > d
            {
                return Err(ViError::TaskTimeout {
                    task: task.value.clone(),
                    what: info.str("info.descriptionId").unwrap_or("task").to_owned(),
                });
            }
            tokio::time::sleep(delay).await;
            delay = (delay * 2).min(Duration::from_secs(1));
        }
    }

    /// Starts a task and waits for it.
    pub async fn run_task(
        &self,
        method: &str,
        this: &ManagedObjectReference,
        args_xml: &str,
        deadline: Option<Instant>,
    ) -> Result<TaskOutcome, ViError> {
        let task = self.start_task(method, this, args_xml, deadline).await?;
        self.wait_for_task(&task, deadline).await
    }
}

/// The fault type and message of a `LocalizedMethodFault`.
fn task_fault(err: &XmlNode) -> (String, String) {
    let message = err.child_text("localizedMessage").unwrap_or_default().to_owned();
    let kind = err
        .child("fault")
        .and_then(XmlNode::xsi_type)
        .map(|t| t.trim_end_matches("Fault").to_owned())
        .unwrap_or_else(|| "TaskError".to_owned());
    let message = if message.is_empty() { kind.clone() } else { message };
    (kind, message)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vi::xml;

    #[test]
    fn task_faults_keep_type_and_message() {
        let n = xml::parse(
            br#"<error xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><fault xsi:type="InvalidPowerStateFault"/><localizedMessage>The VM is on</localizedMessage></error>"#,
        )
        .unwrap();
        assert_eq!(task_fault(&n), ("InvalidPowerState".to_owned(), "The VM is on".to_owned()));
    }

    #[test]
    fn a_late_task_is_named_by_its_id() {
        let e = ViError::TaskTimeout { task: "task-42".into(), what: "VirtualMachine.powerOn".into() };
        let m = e.to_string();
        assert!(m.contains("task-42") && m.contains("still running"), "{m}");
    }
}
