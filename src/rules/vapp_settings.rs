//! A vApp's own settings (OVF environment transports, IP protocol and
//! allocation policy, power state) and its children's start/stop settings
//! (`VAppEntityConfigInfo`: start order, delays, start and stop actions).
//!
//! Facts from the vSphere API reference: transports are `iso` and
//! `com.vmware.guestInfo`; IP protocols `IPv4` and `IPv6`; allocation
//! policies `dhcpPolicy`, `transientPolicy`, `fixedPolicy` and
//! `fixedAllocatedPolicy`, offered according to the schemes the guest
//! supports (`dhcp`, `ovfenv`); a vApp is `started`, `stopped`, `starting`
//! or `stopping`; a child's start action is `none` or `powerOn`, its stop
//! action `none`, `powerOff`, `guestShutdown` or `suspend`; a start order is
//! 0 or higher; delays are seconds (32-bit in the API).

use std::fmt;

/// How the OVF environment reaches the guest.
pub const OVF_TRANSPORTS: [&str; 2] = ["iso", "com.vmware.guestInfo"];

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VAppSettingError {
    #[error("OVF environment transport {given:?} is not known; use \"iso\" or \"com.vmware.guestInfo\"{}", Hint(.hint))]
    UnknownTransport { given: String, hint: Option<&'static str> },
    #[error("OVF environment transport {given:?} is listed twice")]
    DuplicateTransport { given: String },
    #[error("IP protocol {given:?} is not known; use \"IPv4\" or \"IPv6\"{}", Hint(.hint))]
    UnknownIpProtocol { given: String, hint: Option<&'static str> },
    #[error(
        "IP allocation policy {given:?} is not known; use \"dhcpPolicy\", \"transientPolicy\", \"fixedPolicy\" \
         or \"fixedAllocatedPolicy\"{}",
        Hint(.hint)
    )]
    UnknownAllocationPolicy { given: String, hint: Option<&'static str> },
    #[error("power state {given:?} is not known; use \"on\" or \"off\"")]
    UnknownPowerState { given: String },
    #[error("start action {given:?} is not known; use \"none\" or \"powerOn\"{}", Hint(.hint))]
    UnknownStartAction { given: String, hint: Option<&'static str> },
    #[error(
        "stop action {given:?} is not known; use \"none\", \"powerOff\", \"guestShutdown\" or \"suspend\"{}",
        Hint(.hint)
    )]
    UnknownStopAction { given: String, hint: Option<&'static str> },
    #[error("start order {order} is negative; use 0 or more (lower orders start first)")]
    NegativeStartOrder { order: i64 },
    #[error("a delay of {seconds} seconds is out of range; use 0 to {}", i32::MAX)]
    DelayOutOfRange { seconds: i64 },
}

/// ` (did you mean "x"?)` when a value differs from an allowed one only by
/// case.
struct Hint<'a>(&'a Option<&'static str>);

impl fmt::Display for Hint<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(s) => write!(f, " (did you mean {s:?}?)"),
            None => Ok(()),
        }
    }
}

fn case_hint(given: &str, allowed: &[&'static str]) -> Option<&'static str> {
    allowed.iter().copied().find(|a| a.eq_ignore_ascii_case(given.trim()))
}

/// Each transport known and listed once; the error comes with the index of
/// the entry at fault.
pub fn check_transports(list: &[String]) -> Result<(), (usize, VAppSettingError)> {
    for (i, t) in list.iter().enumerate() {
        if !OVF_TRANSPORTS.contains(&t.as_str()) {
            let hint = case_hint(t, &OVF_TRANSPORTS);
            return Err((i, VAppSettingError::UnknownTransport { given: t.clone(), hint }));
        }
        if list.get(..i).is_some_and(|before| before.contains(t)) {
            return Err((i, VAppSettingError::DuplicateTransport { given: t.clone() }));
        }
    }
    Ok(())
}

/// `VAppIPAssignmentInfoProtocols`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IpProtocol {
    IPv4,
    IPv6,
}

impl IpProtocol {
    const NAMES: [&'static str; 2] = ["IPv4", "IPv6"];

    pub fn parse(s: &str) -> Result<Self, VAppSettingError> {
        match s {
            "IPv4" => Ok(IpProtocol::IPv4),
            "IPv6" => Ok(IpProtocol::IPv6),
            _ => Err(VAppSettingError::UnknownIpProtocol { given: s.to_owned(), hint: case_hint(s, &Self::NAMES) }),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            IpProtocol::IPv4 => "IPv4",
            IpProtocol::IPv6 => "IPv6",
        }
    }
}

/// `VAppIPAssignmentInfoIpAllocationPolicy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IpAllocationPolicy {
    /// DHCP hands out the addresses.
    Dhcp,
    /// vSphere allocates from an IP pool at power-on and frees at power-off.
    Transient,
    /// Addresses are set by hand at deployment.
    Fixed,
    /// vSphere allocates from an IP pool at first power-on and keeps them.
    FixedAllocated,
}

impl IpAllocationPolicy {
    const NAMES: [&'static str; 4] = ["dhcpPolicy", "transientPolicy", "fixedPolicy", "fixedAllocatedPolicy"];

    pub fn parse(s: &str) -> Result<Self, VAppSettingError> {
        match s {
            "dhcpPolicy" => Ok(IpAllocationPolicy::Dhcp),
            "transientPolicy" => Ok(IpAllocationPolicy::Transient),
            "fixedPolicy" => Ok(IpAllocationPolicy::Fixed),
            "fixedAllocatedPolicy" => Ok(IpAllocationPolicy::FixedAllocated),
            _ => {
                Err(VAppSettingError::UnknownAllocationPolicy { given: s.to_owned(), hint: case_hint(s, &Self::NAMES) })
            }
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            IpAllocationPolicy::Dhcp => "dhcpPolicy",
            IpAllocationPolicy::Transient => "transientPolicy",
            IpAllocationPolicy::Fixed => "fixedPolicy",
            IpAllocationPolicy::FixedAllocated => "fixedAllocatedPolicy",
        }
    }

    /// The allocation scheme the guest must support for vSphere to offer
    /// the policy: DHCP needs `dhcp`; pool-allocated addresses reach the
    /// guest through the OVF environment, so they need `ovfenv`. Fixed
    /// addresses need none.
    pub fn required_scheme(self) -> Option<&'static str> {
        match self {
            IpAllocationPolicy::Dhcp => Some("dhcp"),
            IpAllocationPolicy::Transient | IpAllocationPolicy::FixedAllocated => Some("ovfenv"),
            IpAllocationPolicy::Fixed => None,
        }
    }
}

/// A vApp's power state as a user sets it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PowerState {
    On,
    Off,
}

impl PowerState {
    pub fn parse(s: &str) -> Result<Self, VAppSettingError> {
        match s {
            "on" => Ok(PowerState::On),
            "off" => Ok(PowerState::Off),
            _ => Err(VAppSettingError::UnknownPowerState { given: s.to_owned() }),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            PowerState::On => "on",
            PowerState::Off => "off",
        }
    }

    /// From `summary.vAppState`: a vApp on its way up counts as on, one on
    /// its way down as off (where it is heading). `None` for anything else.
    pub fn from_vapp_state(state: &str) -> Option<Self> {
        match state {
            "started" | "starting" => Some(PowerState::On),
            "stopped" | "stopping" => Some(PowerState::Off),
            _ => None,
        }
    }

    /// For a server that does not report `vAppState`: on when any child VM
    /// runs.
    pub fn from_children<'a>(mut vm_states: impl Iterator<Item = &'a str>) -> Self {
        if vm_states.any(|s| s == "poweredOn") { PowerState::On } else { PowerState::Off }
    }
}

/// A child's start action.
pub const START_ACTIONS: [&str; 2] = ["none", "powerOn"];
/// A child's stop action.
pub const STOP_ACTIONS: [&str; 4] = ["none", "powerOff", "guestShutdown", "suspend"];

pub fn check_start_action(s: &str) -> Result<(), VAppSettingError> {
    if START_ACTIONS.contains(&s) {
        return Ok(());
    }
    Err(VAppSettingError::UnknownStartAction { given: s.to_owned(), hint: case_hint(s, &START_ACTIONS) })
}

pub fn check_stop_action(s: &str) -> Result<(), VAppSettingError> {
    if STOP_ACTIONS.contains(&s) {
        return Ok(());
    }
    Err(VAppSettingError::UnknownStopAction { given: s.to_owned(), hint: case_hint(s, &STOP_ACTIONS) })
}

pub fn check_start_order(order: i64) -> Result<(), VAppSettingError> {
    if order < 0 { Err(VAppSettingError::NegativeStartOrder { order }) } else { Ok(()) }
}

/// A start or stop delay in seconds.
pub fn check_delay(seconds: i64) -> Result<(), VAppSettingError> {
    if (0..=i64::from(i32::MAX)).contains(&seconds) {
        Ok(())
    } else {
        Err(VAppSettingError::DelayOutOfRange { seconds })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(items: &[&str]) -> Vec<String> {
        items.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn transports() {
        assert!(check_transports(&v(&["iso", "com.vmware.guestInfo"])).is_ok());
        assert!(check_transports(&[]).is_ok());
        let (i, e) = check_transports(&v(&["iso", "com.vmware.guestinfo"])).unwrap_err();
        assert_eq!(i, 1);
        assert!(e.to_string().contains("did you mean \"com.vmware.guestInfo\""), "{e}");
        let (i, e) = check_transports(&v(&["iso", "iso"])).unwrap_err();
        assert_eq!((i, e), (1, VAppSettingError::DuplicateTransport { given: "iso".into() }));
        let (_, e) = check_transports(&v(&["cdrom"])).unwrap_err();
        assert_eq!(e, VAppSettingError::UnknownTransport { given: "cdrom".into(), hint: None });
    }

    #[test]
    fn ip_protocols_and_policies() {
        assert_eq!(IpProtocol::parse("IPv6"), Ok(IpProtocol::IPv6));
        assert!(IpProtocol::parse("ipv4").unwrap_err().to_string().contains("did you mean \"IPv4\""));
        for name in IpAllocationPolicy::NAMES {
            let p = IpAllocationPolicy::parse(name).unwrap();
            assert_eq!(p.name(), name);
        }
        assert!(IpAllocationPolicy::parse("dhcp").is_err());
        assert!(IpAllocationPolicy::parse("DHCPPOLICY").unwrap_err().to_string().contains("\"dhcpPolicy\""));
        assert_eq!(IpAllocationPolicy::Dhcp.required_scheme(), Some("dhcp"));
        assert_eq!(IpAllocationPolicy::Transient.required_scheme(), Some("ovfenv"));
        assert_eq!(IpAllocationPolicy::FixedAllocated.required_scheme(), Some("ovfenv"));
        assert_eq!(IpAllocationPolicy::Fixed.required_scheme(), None);
    }

    #[test]
    fn power_states() {
        assert_eq!(PowerState::parse("on"), Ok(PowerState::On));
        assert!(PowerState::parse("started").is_err());
        assert_eq!(PowerState::from_vapp_state("starting"), Some(PowerState::On));
        assert_eq!(PowerState::from_vapp_state("stopping"), Some(PowerState::Off));
        assert_eq!(PowerState::from_vapp_state(""), None);
        assert_eq!(PowerState::from_children(["poweredOff", "poweredOn"].into_iter()), PowerState::On);
        assert_eq!(PowerState::from_children(["suspended"].into_iter()), PowerState::Off);
        assert_eq!(PowerState::from_children(std::iter::empty()), PowerState::Off);
    }

    #[test]
    fn entity_settings() {
        assert!(check_start_action("powerOn").is_ok());
        assert!(check_start_action("poweron").unwrap_err().to_string().contains("did you mean \"powerOn\""));
        for a in STOP_ACTIONS {
            assert!(check_stop_action(a).is_ok());
        }
        assert!(check_stop_action("shutdown").is_err());
        assert!(check_start_order(0).is_ok());
        assert_eq!(check_start_order(-1), Err(VAppSettingError::NegativeStartOrder { order: -1 }));
        assert!(check_delay(0).is_ok() && check_delay(i64::from(i32::MAX)).is_ok());
        assert!(check_delay(-1).is_err() && check_delay(i64::from(i32::MAX) + 1).is_err());
    }
}
