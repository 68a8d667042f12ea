//! Waiting for vSphere tasks (`*_Task` methods return a `Task` reference):
//! through the process's one WaitForUpdatesEx long-poll
//! ([`super::task_watch`]), or, where the server cannot long-poll, by
//! polling `info` with RetrievePropertiesEx on a short capped backoff.

use std::time::{Duration, Instant};

use tracing::debug;

use crate::vi::core::client::Client;
use crate::vi::core::error::{ViError, bounded_text, server_text};
use crate::vi::core::fault::FaultKind;
use crate::vi::core::task_watch::Seen;
use crate::vi::core::types::{ManagedObjectReference, ObjectContent};
use crate::vi::core::xml::XmlNode;

/// The instant `d` from now, saturating: a user's timeout of a billion
/// hours must not overflow `Instant` (which panics) — it simply never ends.
pub fn deadline_after(d: Duration) -> Instant {
    const LONGEST: Duration = Duration::from_secs(10 * 365 * 24 * 3600);
    let now = Instant::now();
    now.checked_add(d.min(LONGEST)).unwrap_or(now)
}

/// First pause between polls, doubling after each. Short, because most
/// tasks on vcsim and many on vCenter end within milliseconds of the first
/// poll: a 50 ms start made each power-off and destroy wait ~50 ms for
/// nothing (a WaitForUpdatesEx waiter would learn of the end at once), which
/// left a 100-VM destroy on vcsim slower than the vSphere provider's. A long
/// task costs two more polls than with 50 ms.
const FIRST_POLL: Duration = Duration::from_millis(10);
/// When a quick look reads a task: this long after it started, then this
/// long after the first read.
const QUICK_LOOKS: &[Duration] = &[Duration::from_millis(5), Duration::from_millis(40)];
/// Longest pause between polls.
const MAX_POLL: Duration = Duration::from_secs(2);

/// A task that finished successfully.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TaskOutcome {
    /// `info.result`, when the task returns something (CreateVM_Task: the
    /// new VM's reference).
    pub result: Option<XmlNode>,
}

impl TaskOutcome {
    /// The result as a managed object reference (CreateVM_Task,
    /// CloneVM_Task, ...).
    pub fn moref(&self) -> Option<ManagedObjectReference> {
        self.result.as_ref().and_then(ManagedObjectReference::from_node)
    }
}

/// Where a task stands after one poll.
#[derive(Debug)]
enum TaskState {
    Running { what: String },
    Done(TaskOutcome),
}

impl Client {
    /// Waits until `task` succeeds or fails. A failed task becomes
    /// [`ViError::Fault`] with the fault type and localized message of
    /// `info.error`; passing `deadline` gives [`ViError::TaskTimeout`] (the
    /// task keeps running in vSphere). The shared long-poll tells; a task
    /// it says nothing conclusive of for a while is read once directly.
    pub async fn wait_for_task(
        &self,
        task: &ManagedObjectReference,
        deadline: Option<Instant>,
    ) -> Result<TaskOutcome, ViError> {
        loop {
            if let Some(outcome) = self.wait_for_task_until(task, deadline, None).await? {
                return Ok(outcome);
            }
        }
    }

    /// [`Self::wait_for_task`], giving up at `pause` (`Ok(None)`: still
    /// running then), so a caller can look at something else meanwhile
    /// (a question the VM asks) before waiting on.
    pub async fn wait_for_task_until(
        &self,
        task: &ManagedObjectReference,
        deadline: Option<Instant>,
        pause: Option<Instant>,
    ) -> Result<Option<TaskOutcome>, ViError> {
        if self.quick_look() {
            for after in QUICK_LOOKS {
                // A moment for a task that takes next to none (the call's
                // own answer often arrives before the task has run).
                tokio::time::sleep(*after).await;
                if let TaskState::Done(outcome) = self.poll_task(task).await? {
                    self.quick_looked(true);
                    return Ok(Some(outcome));
                }
            }
            self.quick_looked(false);
        }
        let _interest = self.watch_tasks();
        let mut next_read = Instant::now() + Client::TASK_QUIET;
        loop {
            let news = self.task_news_after();
            tokio::pin!(news);
            news.as_mut().enable();
            self.ensure_watching();
            let state = match self.task_seen(task) {
                Seen::Unavailable => return self.poll_until_done(task, deadline, pause).await,
                Seen::Task(oc) => task_state(task, &oc)?,
                Seen::Nothing => TaskState::Running { what: format!("task {task}") },
            };
            let what = match state {
                TaskState::Done(outcome) => return Ok(Some(outcome)),
                TaskState::Running { what } => what,
            };
            let now = Instant::now();
            if deadline.is_some_and(|d| now >= d) {
                return Err(ViError::TaskTimeout { task: task.value.clone(), what });
            }
            if pause.is_some_and(|p| now >= p) {
                return Ok(None);
            }
            if now >= next_read {
                if let TaskState::Done(outcome) = self.poll_task(task).await? {
                    return Ok(Some(outcome));
                }
                next_read = Instant::now() + Client::TASK_QUIET;
                continue;
            }
            let until = [deadline, pause].into_iter().flatten().fold(next_read, Instant::min);
            let _ = tokio::time::timeout_at(until.into(), news).await;
        }
    }

    /// Waits for `task` by reading it on a capped backoff: one property
    /// read per poll.
    async fn poll_until_done(
        &self,
        task: &ManagedObjectReference,
        deadline: Option<Instant>,
        stop_at: Option<Instant>,
    ) -> Result<Option<TaskOutcome>, ViError> {
        let mut pause = FIRST_POLL;
        loop {
            let what = match self.poll_task(task).await? {
                TaskState::Done(outcome) => return Ok(Some(outcome)),
                TaskState::Running { what } => what,
            };
            let now = Instant::now();
            if stop_at.is_some_and(|p| now >= p) {
                return Ok(None);
            }
            let sleep = match deadline {
                Some(d) if now >= d => {
                    return Err(ViError::TaskTimeout { task: task.value.clone(), what });
                }
                Some(d) => pause.min(d - now),
                None => pause,
            };
            tokio::time::sleep(sleep).await;
            pause = (pause * 2).min(MAX_POLL);
        }
    }

    async fn poll_task(&self, task: &ManagedObjectReference) -> Result<TaskState, ViError> {
        let got = self.retrieve(std::slice::from_ref(task), &["info"]).await?;
        let oc = got.into_iter().next().ok_or_else(|| ViError::Decode(format!("no answer for task {task}")))?;
        if oc.is_missing_object() {
            return Err(ViError::Fault {
                kind: "ManagedObjectNotFound".into(),
                message: format!("task {task} no longer exists on the server"),
            });
        }
        task_state(task, &oc)
    }
}

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

/// Reads `info.state` / `info.result` / `info.error` of a retrieved task.
fn task_state(task: &ManagedObjectReference, oc: &ObjectContent) -> Result<TaskState, ViError> {
    let state = oc.str("info.state").map(str::trim).unwrap_or_default();
    debug!(task = %task, state, progress = oc.i64("info.progress"), "task poll");
    match state {
        "success" => Ok(TaskState::Done(TaskOutcome { result: oc.node("info.result").cloned() })),
        "error" => Err(oc.node("info.error").map(task_fault).unwrap_or_else(|| ViError::Fault {
            kind: "SystemError".into(),
            message: format!("task {task} failed without saying why"),
        })),
        "queued" | "running" => Ok(TaskState::Running { what: describe(task, oc) }),
        other => Err(ViError::Decode(format!("task {task} is in unknown state {other:?}"))),
    }
}

/// "FileManager.deleteDatastoreFile on FileManager": the task's
/// descriptionId (or name) and entity, for timeout messages.
fn describe(task: &ManagedObjectReference, oc: &ObjectContent) -> String {
    let action = oc
        .str("info.descriptionId")
        .or_else(|| oc.str("info.name"))
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or("task");
    match oc.str("info.entityName").map(str::trim).filter(|s| !s.is_empty()) {
        Some(entity) => format!("{action} on {entity}"),
        None => format!("{action} ({task})"),
    }
}

/// A `LocalizedMethodFault` (`info.error`) as [`ViError::Fault`]: the
/// fault's type and the localized message, plus the fault's own simple
/// fields (`file=…`) when the message does not already mention them.
fn task_fault(error: &XmlNode) -> ViError {
    let fault = error.child("fault");
    let kind = fault
        .and_then(|f| f.xsi_type())
        .map(str::to_string)
        .filter(|k| !k.is_empty())
        .unwrap_or_else(|| "SystemError".to_string());
    let mut message = error.child_text("localizedMessage").unwrap_or_default().trim().to_string();
    let details: Vec<String> = fault
        .map(|f| {
            f.children
                .iter()
                .filter(|c| c.children.is_empty() && !c.text().trim().is_empty())
                .filter(|c| !message.contains(c.text().trim()))
                .take(4)
                .map(|c| format!("{}={}", c.name, c.text().trim()))
                .collect()
        })
        .unwrap_or_default();
    if !details.is_empty() {
        let joined = details.join(", ");
        message = if message.is_empty() { joined } else { format!("{message} ({joined})") };
    }
    if message.is_empty() {
        message = kind.clone();
    }
    ViError::Fault { kind: FaultKind::parse(&bounded_text(&kind, 200)), message: server_text(&message) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vi::core::mo_type::MoType;
    use crate::vi::core::xml::parse;

    #[test]
    fn deadlines_saturate_instead_of_overflowing() {
        let far = deadline_after(Duration::MAX);
        assert!(far > Instant::now() + Duration::from_secs(365 * 24 * 3600));
        let soon = deadline_after(Duration::from_secs(1));
        assert!(soon <= Instant::now() + Duration::from_secs(1));
    }

    fn task_content(info: &str) -> ObjectContent {
        let doc = format!(
            r#"<objects xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><obj type="Task">task-7</obj><propSet><name>info</name><val xsi:type="TaskInfo">{info}</val></propSet></objects>"#
        );
        ObjectContent::from_node(&parse(doc.as_bytes()).unwrap()).unwrap()
    }

    fn task() -> ManagedObjectReference {
        MoType::Task.moref("task-7")
    }

    #[test]
    fn success_carries_the_result() {
        let oc = task_content(
            r#"<state>success</state><result type="VirtualMachine" xsi:type="ManagedObjectReference">vm-42</result>"#,
        );
        let TaskState::Done(outcome) = task_state(&task(), &oc).unwrap() else { panic!() };
        assert_eq!(outcome.moref(), Some(MoType::VirtualMachine.moref("vm-42")));

        let oc = task_content("<state>success</state>");
        let TaskState::Done(outcome) = task_state(&task(), &oc).unwrap() else { panic!() };
        assert_eq!(outcome, TaskOutcome::default());
        assert_eq!(outcome.moref(), None);
    }

    #[test]
    fn running_describes_the_task() {
        let oc = task_content(
            "<descriptionId>VirtualMachine.reconfigure</descriptionId><entityName>web-1</entityName><state>running</state>",
        );
        let TaskState::Running { what } = task_state(&task(), &oc).unwrap() else { panic!() };
        assert_eq!(what, "VirtualMachine.reconfigure on web-1");
        let oc = task_content("<state>queued</state>");
        let TaskState::Running { what } = task_state(&task(), &oc).unwrap() else { panic!() };
        assert_eq!(what, "task (task-7)");
    }

    #[test]
    fn error_becomes_a_typed_fault() {
        let oc = task_content(
            r#"<state>error</state><error><fault xsi:type="FileNotFound"><file>[ds] a/b.iso</file></fault><localizedMessage>File [ds] a/b.iso was not found</localizedMessage></error>"#,
        );
        let err = task_state(&task(), &oc).unwrap_err();
        assert_eq!(err.fault_kind(), Some(&FaultKind::FileNotFound));
        let ViError::Fault { message, .. } = &err else { panic!() };
        assert_eq!(message, "File [ds] a/b.iso was not found");

        // A terse message gets the fault's fields.
        let oc = task_content(
            r#"<state>error</state><error><fault xsi:type="FileNotFound"><file>/tmp/x</file></fault><localizedMessage>*types.FileNotFound</localizedMessage></error>"#,
        );
        let ViError::Fault { kind, message } = task_state(&task(), &oc).unwrap_err() else { panic!() };
        assert_eq!(kind, FaultKind::FileNotFound);
        assert_eq!(message, "*types.FileNotFound (file=/tmp/x)");

        // A huge message with escape codes is cut and cleaned.
        let oc = task_content(&format!(
            r#"<state>error</state><error><fault xsi:type="SystemError"/><localizedMessage>&#27;[31m{}</localizedMessage></error>"#,
            "m".repeat(100_000)
        ));
        let ViError::Fault { message, .. } = task_state(&task(), &oc).unwrap_err() else { panic!() };
        assert!(message.starts_with("[31mmmm") && message.ends_with("bytes more)"), "{}", &message[..10]);
        assert!(message.len() <= crate::vi::core::error::SERVER_TEXT_MAX + 40);

        let oc = task_content("<state>error</state>");
        assert_eq!(task_state(&task(), &oc).unwrap_err().fault_kind(), Some(&FaultKind::Other("SystemError".into())));
        let oc = task_content("<state>error</state><error><fault/></error>");
        let ViError::Fault { kind, message } = task_state(&task(), &oc).unwrap_err() else { panic!() };
        assert_eq!((kind.name(), message.as_str()), ("SystemError", "SystemError"));
    }

    #[test]
    fn unknown_state_is_a_decode_error() {
        let oc = task_content("<state>exploded</state>");
        assert!(matches!(task_state(&task(), &oc), Err(ViError::Decode(_))));
        let oc = task_content("");
        assert!(matches!(task_state(&task(), &oc), Err(ViError::Decode(_))));
    }

    #[test]
    fn timeout_message_names_the_task() {
        let e = ViError::TaskTimeout { task: "task-9".into(), what: "VirtualMachine.clone on vm-1".into() };
        let s = e.to_string();
        assert!(s.contains("task-9") && s.contains("still running in vSphere"), "{s}");
    }
}
