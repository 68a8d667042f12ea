//! Static IP settings of a customized guest: addresses with their prefix
//! lengths, gateways, DNS servers.
//!
//! vCenter takes any string here and the guest fails to come up on the
//! network, so the checks run at plan.
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

/// Which IP family a setting belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Family {
    V4,
    V6,
}

impl Family {
    fn max_prefix(self) -> i64 {
        match self {
            Family::V4 => 32,
            Family::V6 => 128,
        }
    }
    fn name(self) -> &'static str {
        match self {
            Family::V4 => "IPv4",
            Family::V6 => "IPv6",
        }
    }
}

/// Why an IP setting cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IpError {
    #[error("{value:?} is not an {} address", .family.name())]
    NotAnAddress { value: String, family: Family },
    #[error("{value:?} cannot be a guest's address ({why})")]
    Unusable { value: String, why: &'static str },
    #[error("prefix length {value} is out of range: an {} prefix is 1 to {}", .family.name(), .family.max_prefix())]
    Prefix { value: i64, family: Family },
    #[error("{address}/{prefix} is the {which} address of its subnet, not a host's")]
    SubnetEdge { address: String, prefix: i64, which: &'static str },
    #[error("the gateway {gateway} is outside every subnet given to an interface ({subnets})")]
    GatewayOutside { gateway: String, subnets: String },
    #[error("the gateway {gateway} needs an interface with a static {} address to reach it", .family.name())]
    GatewayWithoutStatic { gateway: String, family: Family },
    #[error("the gateway {gateway} is the address of an interface itself")]
    GatewayIsInterface { gateway: String },
}

/// Parses an address of `family`; refuses what no guest interface can hold.
pub fn parse_address(value: &str, family: Family) -> Result<IpAddr, IpError> {
    let bad = || IpError::NotAnAddress { value: value.to_owned(), family };
    let ip: IpAddr = match family {
        Family::V4 => value.parse::<Ipv4Addr>().map(IpAddr::V4).map_err(|_| bad())?,
        Family::V6 => value.parse::<Ipv6Addr>().map(IpAddr::V6).map_err(|_| bad())?,
    };
    let unusable = |why| Err(IpError::Unusable { value: value.to_owned(), why });
    if ip.is_unspecified() {
        return unusable("it is the unspecified address");
    }
    if ip.is_loopback() {
        return unusable("it is a loopback address");
    }
    if ip.is_multicast() {
        return unusable("it is a multicast address");
    }
    if ip == IpAddr::V4(Ipv4Addr::BROADCAST) {
        return unusable("it is the broadcast address");
    }
    Ok(ip)
}

/// A DNS server address, of either family.
pub fn parse_dns_server(value: &str) -> Result<IpAddr, IpError> {
    let family = if value.contains(':') { Family::V6 } else { Family::V4 };
    parse_address(value, family)
}

/// Checks a prefix length for `family`.
pub fn check_prefix(value: i64, family: Family) -> Result<u8, IpError> {
    if (1..=family.max_prefix()).contains(&value) {
        u8::try_from(value).map_err(|_| IpError::Prefix { value, family })
    } else {
        Err(IpError::Prefix { value, family })
    }
}

/// A static address with its prefix, checked as a host address of its
/// subnet (not the IPv4 network or broadcast address, where those exist).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interface {
    pub address: IpAddr,
    pub prefix: u8,
}

impl Interface {
    pub fn new(address: IpAddr, prefix: u8) -> Result<Interface, IpError> {
        if let IpAddr::V4(a) = address
            && prefix <= 30
        {
            let bits = u32::from(a);
            let host = bits & !mask_v4(prefix);
            let edge = |which| IpError::SubnetEdge { address: a.to_string(), prefix: i64::from(prefix), which };
            if host == 0 {
                return Err(edge("network"));
            }
            if host == !mask_v4(prefix) {
                return Err(edge("broadcast"));
            }
        }
        Ok(Interface { address, prefix })
    }

    /// Whether `ip` lies in this interface's subnet.
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.address, ip) {
            (IpAddr::V4(a), IpAddr::V4(b)) => {
                let m = mask_v4(self.prefix);
                u32::from(a) & m == u32::from(b) & m
            }
            (IpAddr::V6(a), IpAddr::V6(b)) => {
                let m = mask_v6(self.prefix);
                u128::from(a) & m == u128::from(b) & m
            }
            _ => false,
        }
    }
}

/// The IPv4 subnet mask of a prefix, dotted (`255.255.255.0`), as
/// vSphere's `CustomizationIPSettings.subnetMask` takes it.
pub fn subnet_mask_v4(prefix: u8) -> String {
    Ipv4Addr::from(mask_v4(prefix)).to_string()
}

/// The prefix length of a dotted IPv4 mask; None for a mask that is not
/// contiguous ones then zeros.
pub fn prefix_of_mask_v4(mask: &str) -> Option<u8> {
    let bits = u32::from(mask.parse::<Ipv4Addr>().ok()?);
    let ones = bits.leading_ones();
    (bits.checked_shl(ones).unwrap_or(0) == 0).then_some(u8::try_from(ones).ok()?)
}

fn mask_v4(prefix: u8) -> u32 {
    u32::MAX.checked_shl(32 - u32::from(prefix.min(32))).unwrap_or(0)
}

fn mask_v6(prefix: u8) -> u128 {
    u128::MAX.checked_shl(128 - u32::from(prefix.min(128))).unwrap_or(0)
}

/// A gateway must be reachable: inside the subnet of one of the interfaces
/// with a static address of its family, and not one of those addresses.
pub fn check_gateway(gateway: &str, family: Family, interfaces: &[Interface]) -> Result<(), IpError> {
    let gw = parse_address(gateway, family)?;
    let same: Vec<&Interface> = interfaces.iter().filter(|i| i.address.is_ipv4() == gw.is_ipv4()).collect();
    if same.is_empty() {
        return Err(IpError::GatewayWithoutStatic { gateway: gateway.to_owned(), family });
    }
    if same.iter().any(|i| i.address == gw) {
        return Err(IpError::GatewayIsInterface { gateway: gateway.to_owned() });
    }
    if same.iter().any(|i| i.contains(gw)) {
        return Ok(());
    }
    let subnets = same.iter().map(|i| format!("{}/{}", i.address, i.prefix)).collect::<Vec<_>>().join(", ");
    Err(IpError::GatewayOutside { gateway: gateway.to_owned(), subnets })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v4(a: &str, p: u8) -> Interface {
        Interface::new(parse_address(a, Family::V4).unwrap(), p).unwrap()
    }

    #[test]
    fn addresses() {
        assert!(parse_address("10.0.0.5", Family::V4).is_ok());
        assert!(parse_address("fd00::5", Family::V6).is_ok());
        assert!(matches!(parse_address("10.0.0.256", Family::V4), Err(IpError::NotAnAddress { .. })));
        assert!(matches!(parse_address("fd00::5", Family::V4), Err(IpError::NotAnAddress { .. })));
        assert!(matches!(parse_address("10.0.0.5", Family::V6), Err(IpError::NotAnAddress { .. })));
        assert!(matches!(parse_address("10.0.0.5/24", Family::V4), Err(IpError::NotAnAddress { .. })));
        assert!(matches!(parse_address(" 10.0.0.5", Family::V4), Err(IpError::NotAnAddress { .. })));
        for (bad, why) in [
            ("0.0.0.0", "unspecified"),
            ("127.0.0.1", "loopback"),
            ("224.0.0.1", "multicast"),
            ("255.255.255.255", "broadcast"),
        ] {
            let e = parse_address(bad, Family::V4).unwrap_err().to_string();
            assert!(e.contains(why), "{bad}: {e}");
        }
        assert!(matches!(parse_address("::1", Family::V6), Err(IpError::Unusable { .. })));
        assert!(parse_dns_server("8.8.8.8").is_ok());
        assert!(parse_dns_server("2001:4860:4860::8888").is_ok());
        assert!(parse_dns_server("dns.example.com").is_err());
    }

    #[test]
    fn prefixes() {
        assert_eq!(check_prefix(24, Family::V4), Ok(24));
        assert_eq!(check_prefix(64, Family::V6), Ok(64));
        for (p, f) in [(0, Family::V4), (33, Family::V4), (-1, Family::V4), (129, Family::V6), (0, Family::V6)] {
            assert_eq!(check_prefix(p, f), Err(IpError::Prefix { value: p, family: f }));
        }
        assert_eq!(subnet_mask_v4(24), "255.255.255.0");
        assert_eq!(subnet_mask_v4(32), "255.255.255.255");
        assert_eq!(subnet_mask_v4(1), "128.0.0.0");
        assert_eq!(prefix_of_mask_v4("255.255.252.0"), Some(22));
        assert_eq!(prefix_of_mask_v4("255.0.255.0"), None);
        assert_eq!(prefix_of_mask_v4("0.0.0.0"), Some(0));
        assert_eq!(prefix_of_mask_v4("nope"), None);
    }

    #[test]
    fn subnet_edges_are_not_host_addresses() {
        let a = |s: &str| parse_address(s, Family::V4).unwrap();
        assert!(matches!(Interface::new(a("10.0.0.0"), 24), Err(IpError::SubnetEdge { which: "network", .. })));
        assert!(matches!(Interface::new(a("10.0.0.255"), 24), Err(IpError::SubnetEdge { which: "broadcast", .. })));
        assert!(Interface::new(a("10.0.0.255"), 23).is_ok());
        // /31 and /32 have no network or broadcast address.
        assert!(Interface::new(a("10.0.0.0"), 31).is_ok());
        assert!(Interface::new(a("10.0.0.7"), 32).is_ok());
    }

    #[test]
    fn gateways() {
        let nics = [v4("10.0.0.5", 24), v4("192.168.1.10", 16)];
        assert_eq!(check_gateway("10.0.0.1", Family::V4, &nics), Ok(()));
        assert_eq!(check_gateway("192.168.200.1", Family::V4, &nics), Ok(()));
        let e = check_gateway("10.0.1.1", Family::V4, &nics).unwrap_err();
        assert_eq!(
            e,
            IpError::GatewayOutside { gateway: "10.0.1.1".into(), subnets: "10.0.0.5/24, 192.168.1.10/16".into() }
        );
        assert_eq!(
            check_gateway("10.0.0.5", Family::V4, &nics),
            Err(IpError::GatewayIsInterface { gateway: "10.0.0.5".into() })
        );
        assert_eq!(
            check_gateway("fd00::1", Family::V6, &nics),
            Err(IpError::GatewayWithoutStatic { gateway: "fd00::1".into(), family: Family::V6 })
        );
        let v6 = [Interface::new(parse_address("fd00::5", Family::V6).unwrap(), 64).unwrap()];
        assert_eq!(check_gateway("fd00::1", Family::V6, &v6), Ok(()));
        assert!(matches!(check_gateway("fd01::1", Family::V6, &v6), Err(IpError::GatewayOutside { .. })));
        assert!(matches!(check_gateway("not-an-ip", Family::V4, &nics), Err(IpError::NotAnAddress { .. })));
    }
}
