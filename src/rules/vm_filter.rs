//! `data "vi_vms"`: which VMs its filters select, in a stable order.
//!
//! Filters combine with AND; an unset filter selects everything. The order
//! is by name, then by id (names are not unique across folders), so the
//! lists a plan sees do not shuffle between runs.

use regex::{Regex, RegexBuilder};

/// Compiled size cap for a user's regex: ample for name patterns, and a
/// pathological pattern fails at plan instead of eating memory.
const REGEX_SIZE_LIMIT: usize = 1 << 20;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VmFilterError {
    #[error("{value:?} is not a power state; use `on`, `off` or `suspended`")]
    PowerState { value: String },
    #[error("{pattern:?} is not a valid regular expression: {reason}")]
    Regex { pattern: String, reason: String },
}

/// The `power_state` filter, in the words `vi_vm.power_state` uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PowerStateFilter {
    On,
    Off,
    Suspended,
}

impl PowerStateFilter {
    pub fn parse(value: &str) -> Result<Self, VmFilterError> {
        match value {
            "on" => Ok(Self::On),
            "off" => Ok(Self::Off),
            "suspended" => Ok(Self::Suspended),
            _ => Err(VmFilterError::PowerState { value: value.to_owned() }),
        }
    }

    /// vSphere's `VirtualMachinePowerState` value for this state.
    pub fn vim(self) -> &'static str {
        match self {
            Self::On => "poweredOn",
            Self::Off => "poweredOff",
            Self::Suspended => "suspended",
        }
    }
}

/// Compiles `name_regex`. It matches anywhere in the name, as Go's
/// `MatchString` does for the vSphere provider's regex arguments; anchor it
/// with `^…$` for whole names.
pub fn name_regex(pattern: &str) -> Result<Regex, VmFilterError> {
    RegexBuilder::new(pattern)
        .size_limit(REGEX_SIZE_LIMIT)
        .build()
        .map_err(|e| VmFilterError::Regex { pattern: pattern.to_owned(), reason: first_line(&e.to_string()) })
}

fn first_line(s: &str) -> String {
    // regex's messages draw the pattern with a caret over several lines;
    // the last line says what is wrong.
    s.lines().rfind(|l| !l.trim().is_empty()).unwrap_or(s).trim().trim_start_matches("error: ").to_owned()
}

/// A VM as the listing reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub id: String,
    pub name: String,
    /// Id of the folder the VM sits in directly (none for a vApp's VMs).
    pub folder_id: Option<String>,
    pub resource_pool_id: Option<String>,
    /// `runtime.powerState` as vSphere reports it.
    pub power_state: String,
    pub template: bool,
}

/// The filters, resolved to ids.
#[derive(Debug, Default)]
pub struct VmFilter {
    pub folder_id: Option<String>,
    pub resource_pool_id: Option<String>,
    pub name: Option<Regex>,
    pub power_state: Option<PowerStateFilter>,
}

impl VmFilter {
    /// Templates are never selected: they cannot be adopted as `vi_vm`s that
    /// run, and a clone source is looked up with `data "vi_vm"`.
    pub fn matches(&self, c: &Candidate) -> bool {
        !c.template
            && self.folder_id.as_ref().is_none_or(|f| c.folder_id.as_ref() == Some(f))
            && self.resource_pool_id.as_ref().is_none_or(|p| c.resource_pool_id.as_ref() == Some(p))
            && self.name.as_ref().is_none_or(|r| r.is_match(&c.name))
            && self.power_state.is_none_or(|p| c.power_state == p.vim())
    }

    /// The selected VMs as `(id, name)`, by name then id.
    pub fn select(&self, candidates: Vec<Candidate>) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> =
            candidates.into_iter().filter(|c| self.matches(c)).map(|c| (c.id, c.name)).collect();
        out.sort_by(|a, b| a.1.cmp(&b.1).then_with(|| a.0.cmp(&b.0)));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vm(id: &str, name: &str, folder: Option<&str>, pool: &str, power: &str) -> Candidate {
        Candidate {
            id: id.into(),
            name: name.into(),
            folder_id: folder.map(Into::into),
            resource_pool_id: Some(pool.into()),
            power_state: power.into(),
            template: false,
        }
    }

    fn inventory() -> Vec<Candidate> {
        vec![
            vm("vm-9", "web-b", Some("group-v1"), "resgroup-1", "poweredOn"),
            vm("vm-3", "web-a", Some("group-v2"), "resgroup-2", "poweredOff"),
            vm("vm-10", "db", Some("group-v1"), "resgroup-1", "suspended"),
            vm("vm-2", "web-a", Some("group-v1"), "resgroup-1", "poweredOn"),
            vm("vm-5", "app", None, "resgroup-v7", "poweredOn"),
            Candidate { template: true, ..vm("vm-6", "web-template", Some("group-v1"), "resgroup-1", "poweredOff") },
        ]
    }

    fn ids(f: &VmFilter) -> Vec<String> {
        f.select(inventory()).into_iter().map(|(id, _)| id).collect()
    }

    #[test]
    fn no_filter_selects_every_vm_but_templates_by_name_then_id() {
        assert_eq!(ids(&VmFilter::default()), ["vm-5", "vm-10", "vm-2", "vm-3", "vm-9"]);
    }

    #[test]
    fn filters_combine_with_and() {
        let folder = VmFilter { folder_id: Some("group-v1".into()), ..VmFilter::default() };
        assert_eq!(ids(&folder), ["vm-10", "vm-2", "vm-9"]);
        let web_on = VmFilter {
            name: Some(name_regex("^web-").unwrap()),
            power_state: Some(PowerStateFilter::On),
            ..VmFilter::default()
        };
        assert_eq!(ids(&web_on), ["vm-2", "vm-9"]);
        let all = VmFilter {
            folder_id: Some("group-v1".into()),
            resource_pool_id: Some("resgroup-1".into()),
            name: Some(name_regex("a").unwrap()),
            power_state: Some(PowerStateFilter::On),
        };
        assert_eq!(ids(&all), ["vm-2"]);
        let vapp = VmFilter { resource_pool_id: Some("resgroup-v7".into()), ..VmFilter::default() };
        assert_eq!(ids(&vapp), ["vm-5"]);
        let none = VmFilter {
            power_state: Some(PowerStateFilter::Suspended),
            folder_id: Some("group-v2".into()),
            ..VmFilter::default()
        };
        assert!(ids(&none).is_empty());
    }

    #[test]
    fn the_regex_matches_anywhere_unless_anchored() {
        assert!(name_regex("eb").unwrap().is_match("web-a"));
        assert!(!name_regex("^eb").unwrap().is_match("web-a"));
    }

    #[test]
    fn bad_input_is_named() {
        let e = name_regex("web-(").unwrap_err();
        assert!(matches!(&e, VmFilterError::Regex { pattern, .. } if pattern == "web-("), "{e}");
        let text = e.to_string();
        assert!(text.contains("not a valid regular expression") && !text.contains('\n'), "{text}");
        let e = PowerStateFilter::parse("poweredOn").unwrap_err();
        assert!(e.to_string().contains("`on`, `off` or `suspended`"), "{e}");
        assert_eq!(PowerStateFilter::parse("suspended").map(PowerStateFilter::vim), Ok("suspended"));
        // Huge repetitions hit the size cap instead of compiling for ever.
        assert!(name_regex("(a{1000}){1000}").is_err());
    }
}
