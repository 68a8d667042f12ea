//! A guest customization specification, checked whole before anything is
//! sent: the identity matches the guest family, names and time zones are
//! ones the guest takes, the network settings fit the VM's interfaces, and
//! a domain join has what it needs.
//!
//! vCenter stores almost any specification and fails in the guest minutes
//! after the clone powers on; every rule here is one such failure moved to
//! plan. Values may be unknown at plan ([`Given::Unknown`]); a rule that
//! needs one is skipped then and runs again when it is known.
use super::host_name::{self, NameError};
use super::ip_settings::{self, Family, Interface, IpError};
use super::time_zone::{self, TimeZoneError};

/// A value from the configuration: not set, not yet known, or set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Given<T> {
    #[default]
    Unset,
    Unknown,
    Set(T),
}

impl<T: Copy> Given<T> {
    fn set(&self) -> Option<T> {
        match self {
            Given::Set(v) => Some(*v),
            _ => None,
        }
    }
    fn is_unset(&self) -> bool {
        matches!(self, Given::Unset)
    }
}

/// The guest OS family a `guest_id` belongs to, as far as customization
/// cares: sysprep for Windows, Linux preparation for the rest.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GuestFamily {
    Windows,
    Linux,
}

impl GuestFamily {
    /// vSphere's Windows guest ids all start with `win` (`windows11_64Guest`,
    /// `winNetStandardGuest`, `win2000ProGuest`).
    pub fn of(guest_id: &str) -> GuestFamily {
        if guest_id.to_ascii_lowercase().starts_with("win") { GuestFamily::Windows } else { GuestFamily::Linux }
    }
}

/// Which identity block the specification has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Identity {
    Linux,
    Windows,
    SysprepText,
}

impl Identity {
    pub fn family(self) -> GuestFamily {
        match self {
            Identity::Linux => GuestFamily::Linux,
            Identity::Windows | Identity::SysprepText => GuestFamily::Windows,
        }
    }
    /// The attribute that holds it.
    pub fn attr(self) -> &'static str {
        match self {
            Identity::Linux => "linux_options",
            Identity::Windows => "windows_options",
            Identity::SysprepText => "windows_sysprep_text",
        }
    }
}

/// One step of a path inside the specification block.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Attr(&'static str),
    Index(usize),
}

/// A problem, where it is (relative to the specification block) and why.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{error}")]
pub struct Problem {
    pub at: Vec<Step>,
    pub error: CustomizationError,
}

/// Why a specification cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CustomizationError {
    #[error(transparent)]
    Name(#[from] NameError),
    #[error(transparent)]
    TimeZone(#[from] TimeZoneError),
    #[error(transparent)]
    Ip(#[from] IpError),
    #[error("{identity} is for {want:?} guests, and guest_id {guest_id:?} is a {have:?} guest")]
    FamilyMismatch { identity: &'static str, want: GuestFamily, guest_id: String, have: GuestFamily },
    #[error("give exactly one of linux_options, windows_options or windows_sysprep_text")]
    IdentityCount,
    #[error(
        "{given} network_interface settings for a VM with {nics} network interfaces: give one per interface, in order, or none (each interface then uses DHCP)"
    )]
    NicCount { given: usize, nics: usize },
    #[error("{0} needs {1} too")]
    Needs(&'static str, &'static str),
    #[error("join_domain and workgroup exclude each other: a computer joins a domain or a workgroup")]
    DomainAndWorkgroup,
    #[error("{0} only applies with join_domain")]
    OnlyWithDomain(&'static str),
    #[error("auto_logon needs admin_password: Windows logs on as the administrator with it")]
    AutoLogonWithoutPassword,
    #[error("auto_logon_count is {0}; it must be 1 or more")]
    AutoLogonCount(i64),
    #[error("{0:?} is not a product key (five groups of five letters or digits, separated by hyphens)")]
    ProductKey(String),
}

/// Linux preparation, as given.
#[derive(Debug, Clone, Default)]
pub struct Linux<'a> {
    pub host_name: Given<&'a str>,
    pub domain: Given<&'a str>,
    pub time_zone: Given<&'a str>,
}

/// Windows sysprep, as given (secrets only as whether they are set).
#[derive(Debug, Clone, Default)]
pub struct Windows<'a> {
    pub computer_name: Given<&'a str>,
    pub join_domain: Given<&'a str>,
    pub workgroup: Given<&'a str>,
    pub domain_admin_user: Given<&'a str>,
    pub domain_admin_password: Given<()>,
    pub domain_ou: Given<&'a str>,
    pub admin_password: Given<()>,
    pub auto_logon: Given<bool>,
    pub auto_logon_count: Given<i64>,
    pub product_key: Given<&'a str>,
    pub time_zone: Given<i64>,
}

/// One interface's settings, as given.
#[derive(Debug, Clone, Default)]
pub struct Nic<'a> {
    pub ipv4_address: Given<&'a str>,
    pub ipv4_netmask: Given<i64>,
    pub ipv6_address: Given<&'a str>,
    pub ipv6_netmask: Given<i64>,
    pub dns_server_list: Given<Vec<Given<&'a str>>>,
    pub dns_domain: Given<&'a str>,
}

/// A whole specification, as given.
#[derive(Debug, Clone, Default)]
pub struct Spec<'a> {
    pub linux: Option<Linux<'a>>,
    pub windows: Option<Windows<'a>>,
    pub sysprep_text: bool,
    /// None when the number of settings is not known yet.
    pub nics: Option<Vec<Nic<'a>>>,
    pub ipv4_gateway: Given<&'a str>,
    pub ipv6_gateway: Given<&'a str>,
    pub dns_server_list: Given<Vec<Given<&'a str>>>,
    pub dns_suffix_list: Given<Vec<Given<&'a str>>>,
}

/// What the specification is applied to; None where not known (a
/// specification stored in vCenter is checked without a VM).
#[derive(Debug, Clone, Default)]
pub struct Target<'a> {
    pub guest_id: Option<&'a str>,
    pub nic_count: Option<usize>,
}

impl Spec<'_> {
    /// The identity block given, when exactly one is.
    pub fn identity(&self) -> Option<Identity> {
        let given: Vec<Identity> = [
            self.linux.as_ref().map(|_| Identity::Linux),
            self.windows.as_ref().map(|_| Identity::Windows),
            self.sysprep_text.then_some(Identity::SysprepText),
        ]
        .into_iter()
        .flatten()
        .collect();
        match given.as_slice() {
            [one] => Some(*one),
            _ => None,
        }
    }
}

/// Every problem with `spec` applied to `target`.
pub fn check(spec: &Spec<'_>, target: &Target<'_>) -> Vec<Problem> {
    let mut out = Vec::new();
    let mut push = |at: Vec<Step>, error: CustomizationError| out.push(Problem { at, error });
    match spec.identity() {
        None => push(vec![], CustomizationError::IdentityCount),
        Some(identity) => {
            if let Some(guest_id) = target.guest_id {
                let have = GuestFamily::of(guest_id);
                if have != identity.family() {
                    push(
                        vec![Step::Attr(identity.attr())],
                        CustomizationError::FamilyMismatch {
                            identity: identity.attr(),
                            want: identity.family(),
                            guest_id: guest_id.to_owned(),
                            have,
                        },
                    );
                }
            }
        }
    }
    if let Some(l) = &spec.linux {
        check_linux(l, &mut push);
    }
    if let Some(w) = &spec.windows {
        check_windows(w, &mut push);
    }
    check_network(spec, target, &mut push);
    out
}

fn at(parts: &[Step]) -> Vec<Step> {
    parts.to_vec()
}

fn check_linux(l: &Linux<'_>, push: &mut impl FnMut(Vec<Step>, CustomizationError)) {
    let base = Step::Attr("linux_options");
    if let Some(h) = l.host_name.set()
        && let Err(e) = host_name::check_host_name(h)
    {
        push(at(&[base, Step::Attr("host_name")]), e.into());
    }
    if let Some(d) = l.domain.set()
        && let Err(e) = host_name::check_domain(d)
    {
        push(at(&[base, Step::Attr("domain")]), e.into());
    }
    if let Some(tz) = l.time_zone.set()
        && let Err(e) = time_zone::check_iana(tz)
    {
        push(at(&[base, Step::Attr("time_zone")]), e.into());
    }
}

fn check_windows(w: &Windows<'_>, push: &mut impl FnMut(Vec<Step>, CustomizationError)) {
    let base = Step::Attr("windows_options");
    let here = |a| at(&[base, Step::Attr(a)]);
    if let Some(n) = w.computer_name.set()
        && let Err(e) = host_name::check_computer_name(n)
    {
        push(here("computer_name"), e.into());
    }
    if !w.join_domain.is_unset() && !w.workgroup.is_unset() {
        push(here("workgroup"), CustomizationError::DomainAndWorkgroup);
    }
    if let Some(d) = w.join_domain.set()
        && let Err(e) = host_name::check_domain(d)
    {
        push(here("join_domain"), e.into());
    }
    if !w.join_domain.is_unset() {
        if w.domain_admin_user.is_unset() {
            push(here("join_domain"), CustomizationError::Needs("join_domain", "domain_admin_user"));
        }
        if w.domain_admin_password.is_unset() {
            push(here("join_domain"), CustomizationError::Needs("join_domain", "domain_admin_password"));
        }
    } else {
        for (attr, given) in [
            ("domain_admin_user", !w.domain_admin_user.is_unset()),
            ("domain_admin_password", !w.domain_admin_password.is_unset()),
            ("domain_ou", !w.domain_ou.is_unset()),
        ] {
            if given {
                push(here(attr), CustomizationError::OnlyWithDomain(attr));
            }
        }
    }
    if w.auto_logon.set() == Some(true) && w.admin_password.is_unset() {
        push(here("auto_logon"), CustomizationError::AutoLogonWithoutPassword);
    }
    if let Some(c) = w.auto_logon_count.set()
        && c < 1
    {
        push(here("auto_logon_count"), CustomizationError::AutoLogonCount(c));
    }
    if let Some(k) = w.product_key.set()
        && !is_product_key(k)
    {
        // The key itself is a secret: not repeated in the message.
        push(here("product_key"), CustomizationError::ProductKey("(sensitive value)".into()));
    }
    if let Some(tz) = w.time_zone.set()
        && let Err(e) = time_zone::check_windows(tz)
    {
        push(here("time_zone"), e.into());
    }
}

fn is_product_key(k: &str) -> bool {
    let groups: Vec<&str> = k.split('-').collect();
    groups.len() == 5 && groups.iter().all(|g| g.len() == 5 && g.chars().all(|c| c.is_ascii_alphanumeric()))
}

fn check_dns_list(
    list: &Given<Vec<Given<&str>>>,
    base: &[Step],
    check: impl Fn(&str) -> Result<(), CustomizationError>,
    push: &mut impl FnMut(Vec<Step>, CustomizationError),
) {
    if let Given::Set(items) = list {
        for (i, item) in items.iter().enumerate() {
            if let Some(v) = item.set()
                && let Err(e) = check(v)
            {
                let mut p = base.to_vec();
                p.push(Step::Index(i));
                push(p, e);
            }
        }
    }
}

fn dns_server(v: &str) -> Result<(), CustomizationError> {
    ip_settings::parse_dns_server(v).map(|_| ()).map_err(Into::into)
}

fn check_network(spec: &Spec<'_>, target: &Target<'_>, push: &mut impl FnMut(Vec<Step>, CustomizationError)) {
    check_dns_list(&spec.dns_server_list, &[Step::Attr("dns_server_list")], dns_server, push);
    check_dns_list(
        &spec.dns_suffix_list,
        &[Step::Attr("dns_suffix_list")],
        |v| host_name::check_domain(v).map_err(Into::into),
        push,
    );
    let Some(nics) = &spec.nics else { return };
    if let Some(count) = target.nic_count
        && !nics.is_empty()
        && nics.len() != count
    {
        // On the first setting too many, when there is one to point at.
        let mut at = vec![Step::Attr("network_interface")];
        if nics.len() > count {
            at.push(Step::Index(count));
        }
        push(at, CustomizationError::NicCount { given: nics.len(), nics: count });
    }
    // Interfaces with a static address, for the gateway checks; None once
    // one is not known yet.
    let mut v4: Option<Vec<Interface>> = Some(Vec::new());
    let mut v6: Option<Vec<Interface>> = Some(Vec::new());
    for (i, nic) in nics.iter().enumerate() {
        let base = [Step::Attr("network_interface"), Step::Index(i)];
        let here = |a| at(&[base[0], base[1], Step::Attr(a)]);
        for (family, addr, mask, addr_attr, mask_attr, found) in [
            (Family::V4, &nic.ipv4_address, &nic.ipv4_netmask, "ipv4_address", "ipv4_netmask", &mut v4),
            (Family::V6, &nic.ipv6_address, &nic.ipv6_netmask, "ipv6_address", "ipv6_netmask", &mut v6),
        ] {
            match (addr, mask) {
                (Given::Unset, Given::Unset) => continue,
                (Given::Unset, _) => {
                    push(here(mask_attr), CustomizationError::Needs(mask_attr, addr_attr));
                    continue;
                }
                (_, Given::Unset) => {
                    push(here(addr_attr), CustomizationError::Needs(addr_attr, mask_attr));
                    continue;
                }
                _ => {}
            }
            let ip = match addr.set().map(|a| ip_settings::parse_address(a, family)) {
                Some(Ok(ip)) => Some(ip),
                Some(Err(e)) => {
                    push(here(addr_attr), e.into());
                    None
                }
                None => None,
            };
            let prefix = match mask.set().map(|m| ip_settings::check_prefix(m, family)) {
                Some(Ok(p)) => Some(p),
                Some(Err(e)) => {
                    push(here(mask_attr), e.into());
                    None
                }
                None => None,
            };
            match (ip, prefix) {
                (Some(ip), Some(p)) => match Interface::new(ip, p) {
                    Ok(iface) => {
                        if let Some(list) = found.as_mut() {
                            list.push(iface)
                        }
                    }
                    Err(e) => push(here(addr_attr), e.into()),
                },
                _ => *found = None,
            }
        }
        check_dns_list(&nic.dns_server_list, &[base[0], base[1], Step::Attr("dns_server_list")], dns_server, push);
        if let Some(d) = nic.dns_domain.set()
            && let Err(e) = host_name::check_domain(d)
        {
            push(here("dns_domain"), e.into());
        }
    }
    for (gateway, family, attr, found) in
        [(&spec.ipv4_gateway, Family::V4, "ipv4_gateway", &v4), (&spec.ipv6_gateway, Family::V6, "ipv6_gateway", &v6)]
    {
        if let (Some(g), Some(ifaces)) = (gateway.set(), found)
            && let Err(e) = ip_settings::check_gateway(g, family, ifaces)
        {
            push(vec![Step::Attr(attr)], e.into());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn linux() -> Spec<'static> {
        Spec {
            linux: Some(Linux {
                host_name: Given::Set("web01"),
                domain: Given::Set("example.com"),
                time_zone: Given::Set("Europe/Berlin"),
            }),
            nics: Some(vec![Nic {
                ipv4_address: Given::Set("10.0.0.5"),
                ipv4_netmask: Given::Set(24),
                ..Default::default()
            }]),
            ipv4_gateway: Given::Set("10.0.0.1"),
            dns_server_list: Given::Set(vec![Given::Set("10.0.0.2")]),
            dns_suffix_list: Given::Set(vec![Given::Set("example.com")]),
            ..Default::default()
        }
    }

    fn windows() -> Spec<'static> {
        Spec {
            windows: Some(Windows {
                computer_name: Given::Set("WIN11-01"),
                join_domain: Given::Set("corp.example.com"),
                domain_admin_user: Given::Set("joiner"),
                domain_admin_password: Given::Set(()),
                admin_password: Given::Set(()),
                auto_logon: Given::Set(true),
                auto_logon_count: Given::Set(1),
                product_key: Given::Set("AAAAA-BBBBB-CCCCC-DDDDD-EEEEE"),
                time_zone: Given::Set(85),
                ..Default::default()
            }),
            nics: Some(vec![Nic::default()]),
            ..Default::default()
        }
    }

    const ONE_LINUX_NIC: Target = Target { guest_id: Some("ubuntu64Guest"), nic_count: Some(1) };
    const ONE_WINDOWS_NIC: Target = Target { guest_id: Some("windows11_64Guest"), nic_count: Some(1) };

    /// The one problem of `spec`, at `path`.
    fn only(spec: &Spec<'_>, target: &Target<'_>) -> (Vec<Step>, CustomizationError) {
        let problems = check(spec, target);
        let [p] = problems.as_slice() else { panic!("expected one problem, got {problems:?}") };
        (p.at.clone(), p.error.clone())
    }

    #[test]
    fn good_specs_pass() {
        assert_eq!(check(&linux(), &ONE_LINUX_NIC), vec![]);
        assert_eq!(check(&windows(), &ONE_WINDOWS_NIC), vec![]);
        // Nothing known about the target: nothing to hold it against.
        assert_eq!(check(&windows(), &Target::default()), vec![]);
        // No interface settings: each interface uses DHCP.
        let mut s = linux();
        s.nics = Some(vec![]);
        s.ipv4_gateway = Given::Unset;
        assert_eq!(check(&s, &Target { nic_count: Some(3), ..ONE_LINUX_NIC }), vec![]);
    }

    #[test]
    fn the_family_must_match_the_guest() {
        let (at, e) = only(&linux(), &ONE_WINDOWS_NIC);
        assert_eq!(at, vec![Step::Attr("linux_options")]);
        let msg = e.to_string();
        assert!(msg.contains("linux_options") && msg.contains("windows11_64Guest"), "{msg}");
        let (at, _) = only(&windows(), &ONE_LINUX_NIC);
        assert_eq!(at, vec![Step::Attr("windows_options")]);
        let text = Spec { sysprep_text: true, nics: Some(vec![]), ..Default::default() };
        let (at, _) = only(&text, &Target { guest_id: Some("centos8_64Guest"), nic_count: Some(1) });
        assert_eq!(at, vec![Step::Attr("windows_sysprep_text")]);
        assert_eq!(GuestFamily::of("winNetStandardGuest"), GuestFamily::Windows);
        assert_eq!(GuestFamily::of("otherGuest64"), GuestFamily::Linux);
    }

    #[test]
    fn exactly_one_identity() {
        let mut s = linux();
        s.windows = windows().windows;
        assert!(check(&s, &Target::default()).iter().any(|p| p.error == CustomizationError::IdentityCount));
        let none = Spec { nics: Some(vec![]), ..Default::default() };
        assert_eq!(only(&none, &Target::default()), (vec![], CustomizationError::IdentityCount));
    }

    type SpecEdit = Box<dyn Fn(&mut Spec<'static>)>;
    type WindowsEdit = Box<dyn Fn(&mut Windows<'static>)>;

    #[test]
    fn names_and_time_zones() {
        let cases: Vec<(SpecEdit, Vec<Step>)> = vec![
            (
                Box::new(|s| s.linux.as_mut().unwrap().host_name = Given::Set("web_01")),
                vec![Step::Attr("linux_options"), Step::Attr("host_name")],
            ),
            (
                Box::new(|s| s.linux.as_mut().unwrap().domain = Given::Set("exa mple.com")),
                vec![Step::Attr("linux_options"), Step::Attr("domain")],
            ),
            (
                Box::new(|s| s.linux.as_mut().unwrap().time_zone = Given::Set("Berlin")),
                vec![Step::Attr("linux_options"), Step::Attr("time_zone")],
            ),
        ];
        for (change, path) in cases {
            let mut s = linux();
            change(&mut s);
            assert_eq!(only(&s, &ONE_LINUX_NIC).0, path);
        }
        let wcases: Vec<(WindowsEdit, &str)> = vec![
            (Box::new(|w| w.computer_name = Given::Set("DESKTOP-TOO-LONG1")), "computer_name"),
            (Box::new(|w| w.computer_name = Given::Set("1234")), "computer_name"),
            (Box::new(|w| w.time_zone = Given::Set(86)), "time_zone"),
            (Box::new(|w| w.product_key = Given::Set("AAAAA-BBBBB")), "product_key"),
            (Box::new(|w| w.auto_logon_count = Given::Set(0)), "auto_logon_count"),
            (Box::new(|w| w.join_domain = Given::Set("corp..example")), "join_domain"),
        ];
        for (change, attr) in wcases {
            let mut s = windows();
            change(s.windows.as_mut().unwrap());
            assert_eq!(only(&s, &ONE_WINDOWS_NIC).0, vec![Step::Attr("windows_options"), Step::Attr(attr)], "{attr}");
        }
        // A product key is never repeated in the message.
        let mut s = windows();
        s.windows.as_mut().unwrap().product_key = Given::Set("SECRET-KEY");
        assert!(!only(&s, &ONE_WINDOWS_NIC).1.to_string().contains("SECRET"));
    }

    #[test]
    fn domain_join_rules() {
        let mut s = windows();
        s.windows.as_mut().unwrap().workgroup = Given::Set("WORKGROUP");
        assert_eq!(only(&s, &ONE_WINDOWS_NIC).1, CustomizationError::DomainAndWorkgroup);
        let mut s = windows();
        s.windows.as_mut().unwrap().domain_admin_password = Given::Unset;
        assert_eq!(
            only(&s, &ONE_WINDOWS_NIC),
            (
                vec![Step::Attr("windows_options"), Step::Attr("join_domain")],
                CustomizationError::Needs("join_domain", "domain_admin_password")
            )
        );
        let mut s = windows();
        s.windows.as_mut().unwrap().domain_admin_user = Given::Unset;
        assert_eq!(only(&s, &ONE_WINDOWS_NIC).1, CustomizationError::Needs("join_domain", "domain_admin_user"));
        // Unknown (from another resource) counts as given.
        let mut s = windows();
        s.windows.as_mut().unwrap().domain_admin_user = Given::Unknown;
        assert_eq!(check(&s, &ONE_WINDOWS_NIC), vec![]);
        let mut s = windows();
        let w = s.windows.as_mut().unwrap();
        w.join_domain = Given::Unset;
        w.domain_ou = Given::Set("OU=x");
        let problems = check(&s, &ONE_WINDOWS_NIC);
        let attrs: Vec<_> = problems.iter().map(|p| p.at.clone()).collect();
        for a in ["domain_admin_user", "domain_admin_password", "domain_ou"] {
            assert!(attrs.contains(&vec![Step::Attr("windows_options"), Step::Attr(a)]), "{a}: {problems:?}");
        }
        let mut s = windows();
        s.windows.as_mut().unwrap().admin_password = Given::Unset;
        assert_eq!(only(&s, &ONE_WINDOWS_NIC).1, CustomizationError::AutoLogonWithoutPassword);
    }

    #[test]
    fn network_rules() {
        let nic0 = |a| vec![Step::Attr("network_interface"), Step::Index(0), Step::Attr(a)];
        let mut s = linux();
        s.nics.as_mut().unwrap()[0].ipv4_address = Given::Set("10.0.0.300");
        s.ipv4_gateway = Given::Unset;
        assert_eq!(only(&s, &ONE_LINUX_NIC).0, nic0("ipv4_address"));
        let mut s = linux();
        s.nics.as_mut().unwrap()[0].ipv4_netmask = Given::Set(33);
        s.ipv4_gateway = Given::Unset;
        assert_eq!(only(&s, &ONE_LINUX_NIC).0, nic0("ipv4_netmask"));
        let mut s = linux();
        s.nics.as_mut().unwrap()[0].ipv4_netmask = Given::Unset;
        s.ipv4_gateway = Given::Unset;
        assert_eq!(
            only(&s, &ONE_LINUX_NIC),
            (nic0("ipv4_address"), CustomizationError::Needs("ipv4_address", "ipv4_netmask"))
        );
        let mut s = linux();
        s.ipv4_gateway = Given::Set("10.0.1.1");
        assert_eq!(only(&s, &ONE_LINUX_NIC).0, vec![Step::Attr("ipv4_gateway")]);
        // An unknown address skips the gateway check rather than failing it.
        let mut s = linux();
        s.nics.as_mut().unwrap()[0].ipv4_address = Given::Unknown;
        s.ipv4_gateway = Given::Set("10.9.9.1");
        assert_eq!(check(&s, &ONE_LINUX_NIC), vec![]);
        let mut s = linux();
        s.nics.as_mut().unwrap()[0].ipv6_address = Given::Set("fd00::5");
        s.nics.as_mut().unwrap()[0].ipv6_netmask = Given::Set(64);
        s.ipv6_gateway = Given::Set("fd00::1");
        assert_eq!(check(&s, &ONE_LINUX_NIC), vec![]);
        s.ipv6_gateway = Given::Set("fd99::1");
        assert_eq!(only(&s, &ONE_LINUX_NIC).0, vec![Step::Attr("ipv6_gateway")]);
        let mut s = linux();
        s.dns_server_list = Given::Set(vec![Given::Set("10.0.0.2"), Given::Set("dns.example")]);
        assert_eq!(only(&s, &ONE_LINUX_NIC).0, vec![Step::Attr("dns_server_list"), Step::Index(1)]);
        let mut s = linux();
        s.nics.as_mut().unwrap()[0].dns_server_list = Given::Set(vec![Given::Set("1.2.3")]);
        assert_eq!(
            only(&s, &ONE_LINUX_NIC).0,
            vec![Step::Attr("network_interface"), Step::Index(0), Step::Attr("dns_server_list"), Step::Index(0)]
        );
        let mut s = linux();
        s.dns_suffix_list = Given::Set(vec![Given::Set("bad_suffix")]);
        assert_eq!(only(&s, &ONE_LINUX_NIC).0, vec![Step::Attr("dns_suffix_list"), Step::Index(0)]);
        let (at, e) = only(&linux(), &Target { nic_count: Some(2), ..ONE_LINUX_NIC });
        assert_eq!(
            (at, e),
            (vec![Step::Attr("network_interface")], CustomizationError::NicCount { given: 1, nics: 2 })
        );
        let mut s = linux();
        s.nics.as_mut().unwrap().push(Nic::default());
        let (at, e) = only(&s, &ONE_LINUX_NIC);
        assert_eq!(
            (at, e),
            (vec![Step::Attr("network_interface"), Step::Index(1)], CustomizationError::NicCount { given: 2, nics: 1 })
        );
    }
}
