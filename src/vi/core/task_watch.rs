//! Waiting for tasks the way vCenter is meant to be watched: one private
//! PropertyCollector per session, one filter over the TaskManager's
//! `recentTask` (every task in flight, whoever started it), and one
//! WaitForUpdatesEx long-poll loop that serves every waiter of the process.
//! A hundred tasks in flight cost one long-poll between them, not a
//! hundred polling loops.
//!
//! The loop runs while someone waits, and ends (destroying its collector)
//! after a long-poll with nobody waiting. A waiter whose task the loop has
//! not reported for a while (it fell off `recentTask`, which vCenter caps
//! at 200, or the loop is restarting) reads the task once itself. When the
//! server cannot long-poll (no collector, the filter refused) or the loop
//! fails, waiters poll as before for a while, which a log line says.
use std::collections::{HashMap, VecDeque};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use tracing::{debug, warn};

use crate::vi::core::client::Client;
use crate::vi::core::error::ViError;
use crate::vi::core::fault::FaultKind;
use crate::vi::core::types::{ManagedObjectReference, ObjectContent};
use crate::vi::core::xml::XmlNode;

/// The task properties the filter reports (what `task_state` reads).
pub(crate) const TASK_PATHS: &[&str] =
    &["info.state", "info.result", "info.error", "info.descriptionId", "info.name", "info.entityName"];
/// Tasks remembered (finished ones included, since a task can end before
/// its waiter asks); the oldest are forgotten first.
const REMEMBERED: usize = 4096;
/// How long a waiter trusts the loop without news of its task before it
/// reads the task itself.
const QUIET: Duration = Duration::from_secs(5);
/// After the loop fails, how long waiters poll before it is tried again.
const BROKEN_FOR: Duration = Duration::from_secs(30);
/// After the collector was lost with its session, the pause before a new
/// one (waiters meanwhile poll), so that a server that loses it at once
/// every time is not asked in a tight loop.
const RESTART_AFTER: Duration = Duration::from_secs(1);
/// The longest a long-poll waits for news (bounded by the HTTP timeout).
const LONG_POLL: Duration = Duration::from_secs(20);

/// The shared state of the watch; one per [`Client`].
#[derive(Default)]
pub(crate) struct TaskWatch {
    state: Mutex<WatchState>,
    changed: tokio::sync::Notify,
}

#[derive(Default)]
struct WatchState {
    /// How much a look at a task right after it started is worth now: up
    /// while such looks find tasks done, down while they find them running.
    quick: QuickLooks,
    /// What the loop last saw of each task, by id.
    tasks: HashMap<String, ObjectContent>,
    order: VecDeque<String>,
    waiters: usize,
    looping: bool,
    broken_until: Option<Instant>,
}

/// Whether to read a task once right after it starts, before waiting on
/// the long-poll: where tasks end within a round trip (a simulator, a
/// quick reconfigure) that read ends the wait at once, while waiting on the
/// long-poll costs a round of it per task; where they take seconds (most
/// of a vCenter's work) the read is wasted. The process learns which from
/// the last looks, and still looks once in a while when they stopped.
struct QuickLooks {
    /// 0..=MAX; looks are made while above 0. It starts at START, so the
    /// first tasks are looked at.
    score: u8,
    /// Tasks waited for since the last look while the score was 0.
    skipped: u32,
}

impl Default for QuickLooks {
    fn default() -> Self {
        QuickLooks { score: Self::START, skipped: 0 }
    }
}

impl QuickLooks {
    const MAX: u8 = 4;
    const START: u8 = 2;
    /// With no trust left, a look every this many tasks.
    const EVERY: u32 = 16;

    fn should_look(&mut self) -> bool {
        if self.score > 0 {
            return true;
        }
        self.skipped += 1;
        if self.skipped >= Self::EVERY {
            self.skipped = 0;
            return true;
        }
        false
    }

    fn looked(&mut self, done: bool) {
        self.score = if done { (self.score + 1).min(Self::MAX) } else { self.score.saturating_sub(1) };
    }
}

/// What a waiter learns from the watch.
pub(crate) enum Seen {
    /// The task as last reported (running or finished).
    Task(Box<ObjectContent>),
    /// Nothing of it yet.
    Nothing,
    /// The watch cannot serve: poll.
    Unavailable,
}

impl TaskWatch {
    fn lock(&self) -> MutexGuard<'_, WatchState> {
        self.state.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn record(&self, updates: Vec<Update>) {
        if updates.is_empty() {
            return;
        }
        let mut s = self.lock();
        for u in updates {
            let id = u.task.value.clone();
            if !s.tasks.contains_key(&id) {
                s.order.push_back(id.clone());
            }
            let entry = s.tasks.entry(id).or_insert_with(|| ObjectContent {
                obj: u.task.clone(),
                props: Default::default(),
                missing: Vec::new(),
            });
            for (path, val) in u.changes {
                match val {
                    Some(v) => entry.props.insert(path, v),
                    None => entry.props.remove(&path),
                };
            }
        }
        while s.order.len() > REMEMBERED {
            if let Some(old) = s.order.pop_front() {
                s.tasks.remove(&old);
            }
        }
        drop(s);
        self.changed.notify_waiters();
    }

    fn seen(&self, task: &ManagedObjectReference) -> Seen {
        let s = self.lock();
        if s.broken_until.is_some_and(|t| Instant::now() < t) {
            return Seen::Unavailable;
        }
        match s.tasks.get(&task.value) {
            Some(oc) => Seen::Task(Box::new(oc.clone())),
            None => Seen::Nothing,
        }
    }
}

/// One object's changes in an UpdateSet: property path → new value (None:
/// removed).
struct Update {
    task: ManagedObjectReference,
    changes: Vec<(String, Option<XmlNode>)>,
}

/// The task updates of a WaitForUpdatesEx answer, and its version.
fn parse_update_set(rv: &XmlNode) -> (Option<String>, Vec<Update>) {
    let version = rv.child_text("version").map(|v| v.trim().to_owned());
    let mut out = Vec::new();
    for f in rv.children_named("filterSet") {
        for o in f.children_named("objectSet") {
            let Some(task) = o.child("obj").and_then(ManagedObjectReference::from_node) else { continue };
            if o.child_text("kind").map(str::trim) == Some("leave") {
                continue;
            }
            let changes = o
                .children_named("changeSet")
                .filter_map(|c| {
                    let name = c.child_text("name")?.trim().to_owned();
                    let op = c.child_text("op").map(str::trim).unwrap_or("assign");
                    let val = if op == "remove" || op == "indirectRemove" { None } else { c.child("val").cloned() };
                    Some((name, val))
                })
                .collect();
            out.push(Update { task, changes });
        }
    }
    (version, out)
}

/// A waiter's registration: counted while alive, so the loop knows to go on.
pub(crate) struct Interest {
    client: Client,
}

impl Drop for Interest {
    fn drop(&mut self) {
        let mut s = self.client.task_watch().lock();
        s.waiters = s.waiters.saturating_sub(1);
    }
}

impl Client {
    /// Whether to read a task right after it started (see [`QuickLooks`]).
    pub(crate) fn quick_look(&self) -> bool {
        self.task_watch().lock().quick.should_look()
    }

    /// What a quick look found.
    pub(crate) fn quick_looked(&self, done: bool) {
        self.task_watch().lock().quick.looked(done);
    }

    /// Registers a waiter and makes sure the loop runs.
    pub(crate) fn watch_tasks(&self) -> Interest {
        self.task_watch().lock().waiters += 1;
        self.ensure_watching();
        Interest { client: self.clone() }
    }

    /// Starts the loop unless it runs or the watch is broken; waiters call
    /// it each time they look, so a loop that ended (its collector lost
    /// with the session) is started again.
    pub(crate) fn ensure_watching(&self) {
        let start = {
            let mut s = self.task_watch().lock();
            let broken = s.broken_until.is_some_and(|t| Instant::now() < t);
            let start = !s.looping && !broken && s.waiters > 0 && self.service_content().task_manager.is_some();
            if start {
                s.looping = true;
            }
            start
        };
        if start {
            let client = self.clone();
            tokio::spawn(async move { client.watch_loop().await });
        }
    }

    /// What the watch knows of `task`.
    pub(crate) fn task_seen(&self, task: &ManagedObjectReference) -> Seen {
        if self.service_content().task_manager.is_none() {
            return Seen::Unavailable;
        }
        self.task_watch().seen(task)
    }

    /// The notification future, created before a check so that news
    /// arriving between the check and the wait is not missed.
    pub(crate) fn task_news_after(&self) -> tokio::sync::futures::Notified<'_> {
        self.task_watch().changed.notified()
    }

    /// How long a waiter goes without news of its task before reading it.
    pub(crate) const TASK_QUIET: Duration = QUIET;

    async fn watch_loop(self) {
        let result = self.watch_until_idle().await;
        let mut s = self.task_watch().lock();
        // Idle, the loop said so itself (under this lock, with `looping`
        // cleared, so a waiter arriving since started a new loop).
        s.looping = false;
        match result {
            // The collector went with the session (a re-login): the next
            // waiter starts over with a new one.
            Err(e) if e.is_fault(FaultKind::ManagedObjectNotFound) => {
                debug!(error = %e, "the task collector is gone; starting again");
                s.broken_until = Some(Instant::now() + RESTART_AFTER);
            }
            Err(e) => {
                warn!(error = %e, "cannot watch tasks with WaitForUpdatesEx; polling each task for a while");
                s.broken_until = Some(Instant::now() + BROKEN_FOR);
            }
            Ok(()) => {}
        }
        drop(s);
        // Waiters re-check: they poll now, or restart the loop.
        self.task_watch().changed.notify_waiters();
    }

    async fn watch_until_idle(&self) -> Result<(), ViError> {
        let Some(tm) = self.service_content().task_manager.clone() else { return Ok(()) };
        let pc = self.service_content().property_collector.clone();
        let resp = self.invoke("CreatePropertyCollector", &pc, "").await?;
        let collector = resp
            .child("returnval")
            .and_then(ManagedObjectReference::from_node)
            .ok_or_else(|| ViError::Decode("CreatePropertyCollector returned no collector".into()))?;
        let outcome = self.watch_with(&collector, &tm).await;
        // The collector belongs to the session; destroying it is tidiness.
        if let Err(e) = self.invoke("DestroyPropertyCollector", &collector, "").await {
            debug!(error = %e, "could not destroy the task collector");
        }
        outcome
    }

    async fn watch_with(&self, collector: &ManagedObjectReference, tm: &ManagedObjectReference) -> Result<(), ViError> {
        let paths: String = TASK_PATHS.iter().map(|p| format!("<pathSet>{p}</pathSet>")).collect();
        let spec = format!(
            "<spec><propSet><type>Task</type><all>false</all>{paths}</propSet><objectSet>{}<skip>true</skip>\
             <selectSet xsi:type=\"TraversalSpec\"><name>recentTasks</name><type>TaskManager</type>\
             <path>recentTask</path><skip>false</skip></selectSet></objectSet></spec>\
             <partialUpdates>false</partialUpdates>",
            tm.to_xml("obj")
        );
        self.invoke("CreateFilter", collector, &spec).await?;
        let wait = LONG_POLL.min(self.api_timeout() / 2).max(Duration::from_secs(1));
        let mut version = String::new();
        loop {
            let args = format!(
                "<version>{}</version><options><maxWaitSeconds>{}</maxWaitSeconds></options>",
                crate::vi::core::xml::escape(&version),
                wait.as_secs()
            );
            let resp = self.invoke("WaitForUpdatesEx", collector, &args).await?;
            let quiet = match resp.child("returnval") {
                Some(rv) => {
                    let (v, updates) = parse_update_set(rv);
                    if let Some(v) = v {
                        version = v;
                    }
                    debug!(tasks = updates.len(), "task updates");
                    self.task_watch().record(updates);
                    false
                }
                // The wait ended with no news.
                None => true,
            };
            // Ends after a whole long-poll with nobody waiting, not at the
            // first gap between two tasks (a run's next task is usually a
            // moment away).
            let mut s = self.task_watch().lock();
            if quiet && s.waiters == 0 {
                s.looping = false;
                return Ok(());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vi::core::xml::parse;

    fn update_set(body: &str) -> XmlNode {
        parse(
            format!(
                r#"<returnval xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><version>3</version><filterSet><filter type="PropertyFilter">f-1</filter>{body}</filterSet></returnval>"#
            )
            .as_bytes(),
        )
        .unwrap()
    }

    #[test]
    fn an_update_set_gives_each_task_its_changes() {
        let rv = update_set(
            r#"<objectSet><kind>enter</kind><obj type="Task">task-1</obj><changeSet><name>info.state</name><op>assign</op><val xsi:type="TaskInfoState">running</val></changeSet></objectSet>
               <objectSet><kind>modify</kind><obj type="Task">task-2</obj><changeSet><name>info.state</name><op>assign</op><val xsi:type="TaskInfoState">success</val></changeSet><changeSet><name>info.error</name><op>remove</op></changeSet></objectSet>
               <objectSet><kind>leave</kind><obj type="Task">task-3</obj></objectSet>"#,
        );
        let (version, updates) = parse_update_set(&rv);
        assert_eq!(version.as_deref(), Some("3"));
        let tasks: Vec<_> = updates.iter().map(|u| u.task.value.as_str()).collect();
        assert_eq!(tasks, ["task-1", "task-2"], "a task leaving says nothing of its end");
        assert_eq!(updates[1].changes.len(), 2);
        assert!(updates[1].changes[1].1.is_none());

        let w = TaskWatch::default();
        w.record(updates);
        let t2 = crate::vi::MoType::Task.moref("task-2");
        let Seen::Task(oc) = w.seen(&t2) else { panic!("task-2 is known") };
        assert_eq!(oc.str("info.state").map(str::trim), Some("success"));
        assert!(matches!(w.seen(&crate::vi::MoType::Task.moref("task-9")), Seen::Nothing));
    }

    #[test]
    fn the_oldest_tasks_are_forgotten_first() {
        let w = TaskWatch::default();
        let updates = (0..REMEMBERED + 10)
            .map(|i| Update { task: crate::vi::MoType::Task.moref(format!("task-{i}")), changes: Vec::new() })
            .collect();
        w.record(updates);
        assert!(matches!(w.seen(&crate::vi::MoType::Task.moref("task-0")), Seen::Nothing));
        assert!(matches!(w.seen(&crate::vi::MoType::Task.moref(format!("task-{}", REMEMBERED + 9))), Seen::Task(_)));
        assert_eq!(w.lock().tasks.len(), REMEMBERED);
    }

    #[test]
    fn quick_looks_follow_what_they_find() {
        let mut q = QuickLooks::default();
        assert!(q.should_look(), "the first tasks are looked at");
        q.looked(true);
        assert!(q.should_look());
        for _ in 0..QuickLooks::MAX {
            q.looked(false);
        }
        // Tasks that take their time: looks stop, but for one in EVERY.
        let looks = (0..QuickLooks::EVERY * 2).filter(|_| q.should_look()).count();
        assert_eq!(looks, 2);
        q.looked(true);
        assert!(q.should_look(), "a look that finds a task done brings them back");
    }

    #[test]
    fn a_broken_watch_sends_waiters_to_polling() {
        let w = TaskWatch::default();
        w.lock().broken_until = Some(Instant::now() + Duration::from_secs(60));
        assert!(matches!(w.seen(&crate::vi::MoType::Task.moref("task-1")), Seen::Unavailable));
    }
}
