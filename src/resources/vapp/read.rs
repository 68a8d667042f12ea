//! From what vSphere says about a vApp (`VAppInfo`) to the resource's
//! state. Settings vSphere does not keep (folder as written, clone,
//! timeouts) come from the state the read started from.
use super::state::{Product, State};
use crate::plugin::Value;
use crate::rules::vapp_settings::PowerState;
use crate::vi::object::vapp::{ChildPower, VAppInfo};
use crate::vi::object::vapp_spec::{ResourceAllocationInfo, VAppProductInfo};
use crate::vi::{Client, ViError};

/// The vApp's power: `summary.vAppState` when the server reports it, else
/// (vcsim) whether any child VM runs.
pub fn power_of(info: &VAppInfo, children: &[ChildPower]) -> PowerState {
    info.vapp_state
        .as_deref()
        .and_then(PowerState::from_vapp_state)
        .unwrap_or_else(|| PowerState::from_children(children.iter().map(|c| c.power_state.as_str())))
}

/// Reads the children's power only when `vAppState` does not say.
pub async fn children_if_needed(client: &Client, info: &VAppInfo) -> Result<Vec<ChildPower>, ViError> {
    if info.vapp_state.as_deref().and_then(PowerState::from_vapp_state).is_some() || info.vms.is_empty() {
        return Ok(Vec::new());
    }
    client.child_power_states(&info.vms).await
}

fn product(p: &VAppProductInfo) -> Product {
    let v = |s: &Option<String>| Value::from_option(s.clone());
    Product {
        name: v(&p.name),
        vendor: v(&p.vendor),
        version: v(&p.version),
        full_version: v(&p.full_version),
        vendor_url: v(&p.vendor_url),
        product_url: v(&p.product_url),
    }
}

struct Alloc {
    level: Value<String>,
    shares: Value<i64>,
    reservation: Value<i64>,
    expandable: Value<bool>,
    limit: Value<i64>,
}

fn alloc(a: &ResourceAllocationInfo) -> Alloc {
    Alloc {
        level: Value::known(a.shares.as_ref().map_or("normal", |s| s.level.as_str()).to_owned()),
        shares: Value::from_option(a.shares.as_ref().map(|s| s.shares)),
        reservation: Value::known(a.reservation.unwrap_or(0)),
        expandable: Value::known(a.expandable_reservation.unwrap_or(false)),
        limit: Value::known(a.limit.unwrap_or(-1)),
    }
}

pub fn to_state(info: &VAppInfo, power: PowerState, prior: &State) -> State {
    let cpu = alloc(&info.cpu_allocation);
    let mem = alloc(&info.memory_allocation);
    State {
        id: Value::known(info.moref.value.clone()),
        name: Value::known(info.name.clone()),
        resource_pool_id: Value::from_option(info.parent.as_ref().map(|p| p.value.clone())),
        folder: prior.folder.clone(),
        cpu_share_level: cpu.level,
        cpu_shares: cpu.shares,
        cpu_reservation: cpu.reservation,
        cpu_expandable: cpu.expandable,
        cpu_limit: cpu.limit,
        memory_share_level: mem.level,
        memory_shares: mem.shares,
        memory_reservation: mem.reservation,
        memory_expandable: mem.expandable,
        memory_limit: mem.limit,
        ovf_environment_transport: Value::known(info.ovf_environment_transport.clone()),
        ip_protocol: Value::from_option(info.ip_assignment.ip_protocol.clone()),
        ip_allocation_policy: Value::from_option(info.ip_assignment.ip_allocation_policy.clone()),
        power_state: Value::known(power.name().to_owned()),
        product: info.product().map(product),
        clone: prior.clone.clone(),
        timeouts: prior.timeouts.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vi::MoType;
    use crate::vi::object::vapp_spec::{SharesInfo, VAppIPAssignmentInfo};

    fn info() -> VAppInfo {
        VAppInfo {
            moref: MoType::VirtualApp.moref("resgroup-v1"),
            name: "app".into(),
            parent: Some(MoType::ResourcePool.moref("resgroup-27")),
            cpu_allocation: ResourceAllocationInfo {
                reservation: Some(100),
                expandable_reservation: Some(false),
                limit: Some(200),
                shares: Some(SharesInfo { shares: 4000, level: "normal".into() }),
            },
            memory_allocation: ResourceAllocationInfo {
                reservation: Some(0),
                expandable_reservation: Some(true),
                limit: Some(-1),
                shares: Some(SharesInfo { shares: 77, level: "custom".into() }),
            },
            products: vec![VAppProductInfo { key: 0, name: Some("Web".into()), ..Default::default() }],
            ip_assignment: VAppIPAssignmentInfo { ip_protocol: Some("IPv4".into()), ..Default::default() },
            ovf_environment_transport: vec!["iso".into()],
            vapp_state: Some("started".into()),
            ..Default::default()
        }
    }

    #[test]
    fn every_setting_is_read_so_drift_shows() {
        let prior = State { folder: Value::known("apps".into()), ..Default::default() };
        let s = to_state(&info(), PowerState::On, &prior);
        assert_eq!(s.id, Value::known("resgroup-v1".to_owned()));
        assert_eq!(s.resource_pool_id, Value::known("resgroup-27".to_owned()));
        assert_eq!(s.folder, prior.folder, "kept as written");
        assert_eq!(
            (s.cpu_reservation, s.cpu_limit, s.cpu_expandable),
            (Value::known(100), Value::known(200), Value::known(false))
        );
        assert_eq!((s.cpu_share_level, s.cpu_shares), (Value::known("normal".to_owned()), Value::known(4000)));
        assert_eq!((s.memory_share_level, s.memory_shares), (Value::known("custom".to_owned()), Value::known(77)));
        assert_eq!(s.product.and_then(|p| p.name.into_option()).as_deref(), Some("Web"));
        assert_eq!(s.ovf_environment_transport, Value::known(vec!["iso".to_owned()]));
        assert_eq!(s.ip_protocol, Value::known("IPv4".to_owned()));
        assert_eq!(s.ip_allocation_policy, Value::Null);
        assert_eq!(s.power_state, Value::known("on".to_owned()));
    }

    #[test]
    fn power_from_state_or_children() {
        let mut i = info();
        assert_eq!(power_of(&i, &[]), PowerState::On);
        i.vapp_state = None;
        let child = |s: &str| ChildPower { vm: MoType::VirtualMachine.moref("vm-1"), power_state: s.into() };
        assert_eq!(power_of(&i, &[child("poweredOff")]), PowerState::Off);
        assert_eq!(power_of(&i, &[child("poweredOff"), child("poweredOn")]), PowerState::On);
        i.vapp_state = Some("stopping".into());
        assert_eq!(power_of(&i, &[child("poweredOn")]), PowerState::Off, "vAppState wins");
    }
}
