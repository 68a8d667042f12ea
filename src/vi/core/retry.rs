//! When a failed SOAP call may be sent again, and how long to wait first.
//!
//! Two questions decide it: did the request possibly reach the server, and
//! is the method safe to run twice? A request that never left (the
//! connection could not even be opened) is resent whatever the method. One
//! that may have arrived (reset mid-answer, timeout, a 502/503/504 from a
//! proxy in front of vpxd) is resent only for the reads listed in
//! [`IDEMPOTENT_METHODS`]: a method that starts a task, or changes anything,
//! is never sent twice — the first copy may be running already.

use std::hash::{BuildHasher, Hasher};
use std::time::Duration;

use crate::vi::core::error::ViError;

/// Methods that only read (or create session-scoped throwaway objects such
/// as a ContainerView), so running them twice changes nothing that matters.
/// Everything else — every `*_Task`, ReconfigVM, AnswerVM, ShutdownGuest,
/// the FileManager and snapshot calls — is sent at most once after it may
/// have reached the server.
pub const IDEMPOTENT_METHODS: &[&str] = &[
    "RetrieveServiceContent",
    "RetrievePropertiesEx",
    "ContinueRetrievePropertiesEx",
    "RetrieveProperties",
    "FindByInventoryPath",
    "FindByUuid",
    "FindChild",
    "CreateContainerView",
    "DestroyView",
    "CurrentTime",
    // The task watch: a long-poll asked again with the same version gets
    // the same news; a collector made twice is one more throwaway object
    // of the session.
    "WaitForUpdatesEx",
    "CreatePropertyCollector",
    "CreateFilter",
    "DestroyPropertyCollector",
    // A second Login at worst leaves one more idle session, which the
    // server expires; never a duplicated change to the inventory.
    "Login",
];

/// True when `method` may be sent again after it may have reached the server.
pub fn is_idempotent(method: &str) -> bool {
    IDEMPOTENT_METHODS.contains(&method)
}

/// Sends of one call at most: the first and three retries.
pub const MAX_ATTEMPTS: u32 = 4;
/// Pause before the first retry; doubled for each next one.
const FIRST_BACKOFF: Duration = Duration::from_millis(250);
/// Longest pause between two sends.
const MAX_BACKOFF: Duration = Duration::from_secs(4);

/// How a failed send relates to the server.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// The request cannot have reached the server (connect failed).
    NotSent,
    /// The request may have reached the server and been acted on.
    MaybeSent,
}

/// Whether a failure is worth another try, and if so whether the request
/// may have arrived. `None`: permanent (a SOAP fault, a bad certificate, an
/// HTTP status other than 502/503/504, an answer we cannot read).
pub fn transient(err: &ViError, connect_failed: bool) -> Option<Delivery> {
    match err {
        // Refused, unreachable, or the connect itself timed out.
        ViError::Connect { .. } | ViError::Timeout { .. } if connect_failed => Some(Delivery::NotSent),
        ViError::Connect { .. } | ViError::Timeout { .. } => Some(Delivery::MaybeSent),
        ViError::Http { status: 502..=504, .. } => Some(Delivery::MaybeSent),
        _ => None,
    }
}

/// True when a failed call of `method` should be sent again; `attempt` is
/// the number of sends made so far (1 after the first).
pub fn should_retry(method: &str, err: &ViError, connect_failed: bool, attempt: u32) -> bool {
    if attempt >= MAX_ATTEMPTS {
        return false;
    }
    match transient(err, connect_failed) {
        Some(Delivery::NotSent) => true,
        Some(Delivery::MaybeSent) => is_idempotent(method),
        None => false,
    }
}

/// The last error of a call that was sent `attempts` times, saying so, so
/// a persistent fault reads as one and not as a single hiccup.
pub fn after_attempts(err: ViError, attempts: u32) -> ViError {
    match err {
        ViError::Connect { url, detail } => {
            ViError::Connect { url, detail: format!("{detail} (gave up after {attempts} attempts)") }
        }
        ViError::Timeout { what, after_secs } => {
            ViError::Timeout { what: format!("{what}, sent {attempts} times,"), after_secs }
        }
        ViError::Http { status, detail } => {
            ViError::Http { status, detail: format!("{detail} (gave up after {attempts} attempts)") }
        }
        other => other,
    }
}

/// The pause before send number `attempt + 1`: exponential, capped, with
/// "equal jitter" (half fixed, half random) so parallel callers that failed
/// together do not come back together.
pub fn backoff(attempt: u32) -> Duration {
    let exp = FIRST_BACKOFF.saturating_mul(1u32 << attempt.saturating_sub(1).min(16));
    let cap = exp.min(MAX_BACKOFF);
    let half = cap / 2;
    half + half.mul_f64(jitter())
}

/// A number in [0, 1) from the standard library's randomly seeded hasher:
/// jitter needs no cryptographic quality, and no extra crate.
fn jitter() -> f64 {
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos());
    (h.finish() >> 11) as f64 / (1u64 << 53) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn connect() -> ViError {
        ViError::Connect { url: "https://vc/sdk".into(), detail: "connection reset by peer".into() }
    }

    #[test]
    fn reads_are_idempotent_and_changes_are_not() {
        for m in [
            "RetrieveServiceContent",
            "RetrievePropertiesEx",
            "ContinueRetrievePropertiesEx",
            "FindByInventoryPath",
            "CreateContainerView",
            "DestroyView",
            "WaitForUpdatesEx",
            "Login",
        ] {
            assert!(is_idempotent(m), "{m}");
        }
        for m in [
            "CreateVM_Task",
            "CloneVM_Task",
            "ReconfigVM_Task",
            "PowerOnVM_Task",
            "Destroy_Task",
            "DeleteDatastoreFile_Task",
            "AnswerVM",
            "ShutdownGuest",
            "MakeDirectory",
            "TerminateSession",
            "Logout",
            "",
            "retrievepropertiesex",
        ] {
            assert!(!is_idempotent(m), "{m}");
        }
        // Any method that starts a task is outside the set by construction.
        assert!(IDEMPOTENT_METHODS.iter().all(|m| !m.ends_with("_Task")));
    }

    #[test]
    fn only_transport_failures_and_gateway_statuses_are_transient() {
        assert_eq!(transient(&connect(), true), Some(Delivery::NotSent));
        assert_eq!(transient(&connect(), false), Some(Delivery::MaybeSent));
        let timeout = ViError::Timeout { what: "x".into(), after_secs: 5 };
        assert_eq!(transient(&timeout, false), Some(Delivery::MaybeSent));
        assert_eq!(transient(&timeout, true), Some(Delivery::NotSent));
        for status in [502, 503, 504] {
            let e = ViError::Http { status, detail: String::new() };
            assert_eq!(transient(&e, false), Some(Delivery::MaybeSent), "{status}");
        }
        for e in [
            ViError::Http { status: 500, detail: String::new() },
            ViError::Http { status: 404, detail: String::new() },
            ViError::Fault { kind: "NotAuthenticated".into(), message: String::new() },
            ViError::Decode("x".into()),
            ViError::Certificate { url: "u".into(), detail: "d".into() },
            ViError::CallTimeout { method: "CreateVM_Task".into() },
        ] {
            assert_eq!(transient(&e, false), None, "{e:?}");
        }
    }

    #[test]
    fn tasks_are_resent_only_when_they_never_left() {
        let busy = ViError::Http { status: 503, detail: String::new() };
        assert!(should_retry("RetrievePropertiesEx", &busy, false, 1));
        assert!(!should_retry("CreateVM_Task", &busy, false, 1));
        assert!(!should_retry("CreateVM_Task", &connect(), false, 1));
        assert!(should_retry("CreateVM_Task", &connect(), true, 1));
        // Bounded.
        assert!(should_retry("RetrievePropertiesEx", &busy, false, MAX_ATTEMPTS - 1));
        assert!(!should_retry("RetrievePropertiesEx", &busy, false, MAX_ATTEMPTS));
        assert!(!should_retry("CreateVM_Task", &connect(), true, MAX_ATTEMPTS));
    }

    #[test]
    fn exhausted_retries_say_so() {
        let e = after_attempts(connect(), 4);
        assert!(e.to_string().contains("gave up after 4 attempts"), "{e}");
        let e = after_attempts(
            ViError::Timeout { what: "RetrievePropertiesEx on https://vc/sdk".into(), after_secs: 2 },
            4,
        );
        assert_eq!(e.to_string(), "RetrievePropertiesEx on https://vc/sdk, sent 4 times, timed out after 2s");
        let e = after_attempts(ViError::Http { status: 503, detail: "busy".into() }, 4);
        assert!(matches!(&e, ViError::Http { status: 503, detail } if detail.contains("4 attempts")), "{e:?}");
        let f = ViError::Fault { kind: "InvalidLogin".into(), message: "no".into() };
        assert_eq!(after_attempts(f.clone(), 4).to_string(), f.to_string());
    }

    #[test]
    fn backoff_grows_is_capped_and_jittered() {
        for attempt in 1..=10 {
            let d = backoff(attempt);
            let full = FIRST_BACKOFF.saturating_mul(1 << (attempt - 1)).min(MAX_BACKOFF);
            assert!(d >= full / 2 && d <= full, "attempt {attempt}: {d:?} vs {full:?}");
        }
        assert!(backoff(u32::MAX) <= MAX_BACKOFF);
        let samples: std::collections::BTreeSet<Duration> = (0..20).map(|_| backoff(3)).collect();
        assert!(samples.len() > 1, "no jitter: {samples:?}");
    }
}
