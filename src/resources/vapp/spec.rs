//! From the resource's state to the specs vSphere takes: the resource
//! allocation (`ResourceConfigSpec`) and the vApp settings
//! (`VAppConfigSpec`), whole for a create, only what differs for an update.
use super::state::{AllocationView, Product, State};
use crate::plugin::Value;
use crate::rules::vapp_settings::IpAllocationPolicy;
use crate::vi::object::vapp::VAppInfo;
use crate::vi::object::vapp_spec::{
    ResourceAllocationInfo, ResourceConfigSpec, SharesInfo, TransportChange, VAppConfigSpec, VAppIPAssignmentInfo,
    VAppProductInfo, VAppProductSpec,
};

fn allocation(v: &AllocationView<'_>) -> ResourceAllocationInfo {
    let level = v.share_level.get().cloned().unwrap_or_else(|| "normal".to_owned());
    // The count matters only for `custom`; vSphere ignores it otherwise.
    let shares = if level == "custom" { v.shares.get().copied().unwrap_or(0) } else { 0 };
    ResourceAllocationInfo {
        reservation: Some(v.reservation.get().copied().unwrap_or(0)),
        expandable_reservation: Some(v.expandable.get().copied().unwrap_or(true)),
        limit: Some(v.limit.get().copied().unwrap_or(-1)),
        shares: Some(SharesInfo { shares, level }),
    }
}

/// The whole allocation (vSphere wants every field on create).
pub fn resource_spec(want: &State) -> ResourceConfigSpec {
    ResourceConfigSpec { cpu_allocation: allocation(&want.cpu()), memory_allocation: allocation(&want.memory()) }
}

/// Whether any allocation setting differs between two states (a share
/// count counts only when it is known in `want`).
pub fn allocation_changed(have: &State, want: &State) -> bool {
    [(have.cpu(), want.cpu()), (have.memory(), want.memory())].iter().any(|(h, w)| {
        h.share_level != w.share_level
            || (w.shares.is_known() && h.shares != w.shares)
            || h.reservation != w.reservation
            || h.expandable != w.expandable
            || h.limit != w.limit
    })
}

fn product_info(p: &Product, key: i64, base: Option<&VAppProductInfo>) -> VAppProductInfo {
    let mut info = base.cloned().unwrap_or_default();
    info.key = key;
    info.name = p.name.get().cloned();
    info.vendor = p.vendor.get().cloned();
    info.version = p.version.get().cloned();
    info.full_version = p.full_version.get().cloned();
    info.vendor_url = p.vendor_url.get().cloned();
    info.product_url = p.product_url.get().cloned();
    info
}

/// The IP settings `want` asks for, with the guest's supported lists
/// widened to allow them (vSphere offers a policy or protocol only when the
/// vApp says it supports it). `None` when nothing needs to change.
fn ip_assignment(live: &VAppIPAssignmentInfo, want: &State) -> Option<VAppIPAssignmentInfo> {
    let protocol = want.ip_protocol.get().filter(|p| live.ip_protocol.as_ref() != Some(*p));
    let policy = want.ip_allocation_policy.get().filter(|p| live.ip_allocation_policy.as_ref() != Some(*p));
    if protocol.is_none() && policy.is_none() {
        return None;
    }
    let mut out = VAppIPAssignmentInfo {
        ip_protocol: protocol.cloned(),
        ip_allocation_policy: policy.cloned(),
        ..Default::default()
    };
    if let Some(p) = protocol
        && !live.supported_ip_protocol.contains(p)
    {
        out.supported_ip_protocol = live.supported_ip_protocol.clone();
        out.supported_ip_protocol.push(p.clone());
    }
    if let Some(scheme) = policy.and_then(|p| IpAllocationPolicy::parse(p).ok()).and_then(|p| p.required_scheme())
        && !live.supported_allocation_scheme.iter().any(|s| s == scheme)
    {
        out.supported_allocation_scheme = live.supported_allocation_scheme.clone();
        out.supported_allocation_scheme.push(scheme.to_owned());
    }
    Some(out)
}

/// Everything a new vApp gets at CreateVApp.
pub fn create_config(want: &State) -> VAppConfigSpec {
    update_config(&VAppInfo::default(), want)
}

/// Only the vApp settings that differ between `live` and `want`; an empty
/// spec when none do.
pub fn update_config(live: &VAppInfo, want: &State) -> VAppConfigSpec {
    let have = live.product();
    let product = match (have, &want.product) {
        (None, None) => vec![],
        (Some(h), None) => vec![VAppProductSpec::Remove(h.key)],
        // Key 0 is free: a vApp without a first product has none at all.
        (None, Some(p)) => vec![VAppProductSpec::Add(product_info(p, 0, None))],
        (Some(h), Some(p)) => {
            let wanted = product_info(p, h.key, Some(h));
            if &wanted == h { vec![] } else { vec![VAppProductSpec::Edit(wanted)] }
        }
    };
    let ovf_environment_transport = match &want.ovf_environment_transport {
        Value::Known(list) if *list != live.ovf_environment_transport => TransportChange::Set(list.clone()),
        _ => TransportChange::Keep,
    };
    VAppConfigSpec {
        product,
        ip_assignment: ip_assignment(&live.ip_assignment, want),
        ovf_environment_transport,
        ..Default::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn want() -> State {
        State {
            cpu_share_level: Value::known("custom".into()),
            cpu_shares: Value::known(1500),
            cpu_reservation: Value::known(100),
            cpu_expandable: Value::known(false),
            cpu_limit: Value::known(500),
            memory_share_level: Value::known("high".into()),
            memory_shares: Value::Unknown,
            memory_reservation: Value::known(0),
            memory_expandable: Value::known(true),
            memory_limit: Value::known(-1),
            ..Default::default()
        }
    }

    #[test]
    fn allocation_is_complete_and_counts_only_custom_shares() {
        let r = resource_spec(&want());
        assert_eq!(r.cpu_allocation.shares, Some(SharesInfo { shares: 1500, level: "custom".into() }));
        assert_eq!(r.cpu_allocation.limit, Some(500));
        assert_eq!(r.cpu_allocation.expandable_reservation, Some(false));
        assert_eq!(r.memory_allocation.shares, Some(SharesInfo { shares: 0, level: "high".into() }));
        assert_eq!(r.memory_allocation.reservation, Some(0));
    }

    #[test]
    fn allocation_changes_are_seen() {
        let a = want();
        assert!(!allocation_changed(&a, &a));
        let mut b = a.clone();
        b.memory_shares = Value::known(100);
        let mut a2 = a.clone();
        a2.memory_shares = Value::known(100);
        assert!(!allocation_changed(&a2, &a), "an unknown derived count is no change");
        b.cpu_limit = Value::known(600);
        assert!(allocation_changed(&a, &b));
    }

    #[test]
    fn create_sets_what_is_configured() {
        let mut s = want();
        s.product = Some(Product { name: Value::known("Web".into()), ..Default::default() });
        s.ovf_environment_transport = Value::known(vec!["iso".into()]);
        s.ip_protocol = Value::known("IPv6".into());
        s.ip_allocation_policy = Value::known("dhcpPolicy".into());
        let c = create_config(&s);
        assert!(matches!(&c.product[..], [VAppProductSpec::Add(p)] if p.key == 0 && p.name.as_deref() == Some("Web")));
        assert_eq!(c.ovf_environment_transport, TransportChange::Set(vec!["iso".into()]));
        let ip = c.ip_assignment.unwrap();
        assert_eq!(ip.supported_ip_protocol, vec!["IPv6"]);
        assert_eq!(ip.supported_allocation_scheme, vec!["dhcp"]);
        // Nothing configured: nothing written.
        let empty = State { ovf_environment_transport: Value::known(vec![]), ..want() };
        assert!(create_config(&empty).is_empty());
        assert!(create_config(&State { ovf_environment_transport: Value::Unknown, ..want() }).is_empty());
    }

    #[test]
    fn update_writes_only_differences() {
        let live = VAppInfo {
            products: vec![VAppProductInfo {
                key: 7,
                name: Some("Web".into()),
                app_url: Some("http://x".into()),
                ..Default::default()
            }],
            ovf_environment_transport: vec!["iso".into()],
            ip_assignment: VAppIPAssignmentInfo {
                supported_ip_protocol: vec!["IPv4".into()],
                ip_protocol: Some("IPv4".into()),
                supported_allocation_scheme: vec!["ovfenv".into()],
                ip_allocation_policy: Some("fixedPolicy".into()),
            },
            ..Default::default()
        };
        let mut s = want();
        s.product = Some(Product { name: Value::known("Web".into()), ..Default::default() });
        s.ovf_environment_transport = Value::known(vec!["iso".into()]);
        s.ip_protocol = Value::known("IPv4".into());
        assert!(update_config(&live, &s).is_empty());

        s.product =
            Some(Product { name: Value::known("Web".into()), version: Value::known("2".into()), ..Default::default() });
        s.ovf_environment_transport = Value::known(vec![]);
        s.ip_allocation_policy = Value::known("transientPolicy".into());
        let u = update_config(&live, &s);
        // Same key, fields vSphere keeps that the schema has not are kept.
        assert!(matches!(&u.product[..], [VAppProductSpec::Edit(p)]
            if p.key == 7 && p.version.as_deref() == Some("2") && p.app_url.as_deref() == Some("http://x")));
        assert_eq!(u.ovf_environment_transport, TransportChange::Set(vec![]));
        let ip = u.ip_assignment.unwrap();
        assert_eq!(ip.ip_allocation_policy.as_deref(), Some("transientPolicy"));
        assert_eq!(ip.ip_protocol, None, "unchanged protocol is not written");
        assert!(ip.supported_allocation_scheme.is_empty(), "ovfenv is already supported");

        s.product = None;
        assert_eq!(update_config(&live, &s).product, vec![VAppProductSpec::Remove(7)]);
    }
}
