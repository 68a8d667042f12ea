//! `vi_vm` in a vApp: `vapp_id` (the vApp is the VM's resource pool) and
//! the `vapp_start` block, which lives in the vApp's entity configuration
//! rather than on the VM: checked at plan with the vApp setting rules,
//! written after create or move, read back from the vApp.
use super::state::{State, VappStart};
use crate::plugin::{AttrPath, Diags, Plan, Value};
use crate::rules::vapp_settings::{check_delay, check_start_action, check_start_order, check_stop_action};
use crate::shared::Meta;
use crate::shared::diag::vi_diag;
use crate::vi::FaultKind;
use crate::vi::MoType;
use crate::vi::object::vapp::{pool_kind, pool_ref};
use crate::vi::object::vapp_spec::VAppEntityConfigInfo;
use crate::vi::{ManagedObjectReference, ViError};

fn at(name: &str, e: &impl std::fmt::Display) -> Diags {
    Diags::error_at(AttrPath::attr("vapp_start").then(name), "Invalid vApp start setting", e.to_string())
}

/// Static checks: where the VM runs, and the start settings' values.
pub fn validate(c: &State) -> Diags {
    let mut d = Diags::none();
    match (c.resource_pool_id.is_null(), c.vapp_id.is_null()) {
        (true, true) => d.push(Diags::error_at(
            AttrPath::attr("resource_pool_id"),
            "Missing resource pool",
            "give `resource_pool_id`, or `vapp_id` for a VM in a vApp",
        )),
        (false, false) => d.push(Diags::error_at(
            AttrPath::attr("vapp_id"),
            "Conflicting placement",
            "give `resource_pool_id` or `vapp_id`, not both: a vApp is its VMs' resource pool",
        )),
        _ => {}
    }
    let Some(s) = &c.vapp_start else { return d };
    if c.vapp_id.is_null() && c.resource_pool_id.get().is_some_and(|p| pool_kind(p) != MoType::VirtualApp) {
        d.push(Diags::error_at(
            AttrPath::attr("vapp_start"),
            "vapp_start needs a vApp",
            "start and stop settings belong to a vApp's VMs; set `vapp_id`",
        ));
    }
    if let Some(o) = s.order.get()
        && let Err(e) = check_start_order(*o)
    {
        d.push(at("order", &e));
    }
    for (name, v) in [("start_delay", &s.start_delay), ("stop_delay", &s.stop_delay)] {
        if let Some(v) = v.get()
            && let Err(e) = check_delay(*v)
        {
            d.push(at(name, &e));
        }
    }
    if let Some(a) = s.start_action.get()
        && let Err(e) = check_start_action(a)
    {
        d.push(at("start_action", &e));
    }
    if let Some(a) = s.stop_action.get()
        && let Err(e) = check_stop_action(a)
    {
        d.push(at("stop_action", &e));
    }
    d
}

/// `vapp_id` and `resource_pool_id` name the same pool when the VM is in a
/// vApp: the one the configuration gives decides the other.
pub fn refine(p: &mut Plan<State>) {
    if !p.config.vapp_id.is_null() {
        p.planned.resource_pool_id = p.planned.vapp_id.clone();
    } else {
        p.planned.vapp_id = match p.planned.resource_pool_id.get() {
            Some(id) if pool_kind(id) == MoType::VirtualApp => Value::known(id.clone()),
            Some(_) => Value::Null,
            None => Value::Unknown,
        };
    }
    let moved = p.prior.as_ref().is_some_and(|prior| prior.resource_pool_id != p.planned.resource_pool_id);
    if let Some(s) = &mut p.planned.vapp_start
        && s.order.is_null()
    {
        // vSphere assigns the order of a VM that joins a vApp.
        s.order = match p.prior.as_ref().and_then(|x| x.vapp_start.as_ref()) {
            Some(prior) if !moved => prior.order.clone(),
            _ => Value::Unknown,
        };
    }
}

/// The vApp the VM is in, from its (planned or read) pool.
pub fn vapp_of(s: &State) -> Option<ManagedObjectReference> {
    s.resource_pool_id.get().filter(|p| pool_kind(p) == MoType::VirtualApp).map(|p| pool_ref(p))
}

fn entity(vm: &ManagedObjectReference, s: &VappStart) -> VAppEntityConfigInfo {
    VAppEntityConfigInfo {
        key: Some(vm.clone()),
        tag: None,
        start_order: s.order.get().copied(),
        start_delay: s.start_delay.get().copied(),
        waiting_for_guest: s.wait_for_guest.get().copied(),
        start_action: s.start_action.get().cloned(),
        stop_delay: s.stop_delay.get().copied(),
        stop_action: s.stop_action.get().cloned(),
    }
}

/// Writes `vapp_start` into the vApp's entity configuration. Nothing is
/// sent without the block, so a VM in a vApp needs no UpdateVAppConfig.
pub async fn apply(meta: &Meta, vm: &ManagedObjectReference, want: &State) -> Result<(), Diags> {
    let (Some(s), Some(vapp)) = (&want.vapp_start, vapp_of(want)) else { return Ok(()) };
    meta.client.set_vapp_entity_config(&vapp, &entity(vm, s)).await.map_err(|e| {
        let mut d =
            vi_diag(&e, "setting the VM's start and stop settings in its vApp", Some(AttrPath::attr("vapp_start")));
        if e.is_fault(FaultKind::MethodNotFound) {
            d.push(Diags::error_at(
                AttrPath::attr("vapp_start"),
                "vApp start settings not supported",
                format!(
                    "this vSphere endpoint does not implement UpdateVAppConfig, so {}'s start settings cannot be set; \
                     remove the vapp_start block",
                    vapp.value
                ),
            ));
        }
        d
    })
}

/// Fills `vapp_start` from the vApp's entity configuration, when the state
/// manages it; values vSphere does not report keep what the state held.
pub async fn read_back(meta: &Meta, vm: &ManagedObjectReference, state: &mut State) -> Result<(), ViError> {
    let Some(vapp) = vapp_of(state) else { return Ok(()) };
    let Some(s) = &mut state.vapp_start else { return Ok(()) };
    let found = meta.client.read_vapp(&vapp).await?;
    let e = found.as_ref().and_then(|v| v.entity_config_for(vm));
    merge(s, e);
    Ok(())
}

fn merge(s: &mut VappStart, e: Option<&VAppEntityConfigInfo>) {
    fn put<T: Clone>(v: &mut Value<T>, got: Option<&T>) {
        if let Some(g) = got {
            *v = Value::known(g.clone());
        } else if v.is_unknown() {
            *v = Value::Null;
        }
    }
    put(&mut s.order, e.and_then(|e| e.start_order.as_ref()));
    put(&mut s.start_delay, e.and_then(|e| e.start_delay.as_ref()));
    put(&mut s.stop_delay, e.and_then(|e| e.stop_delay.as_ref()));
    put(&mut s.start_action, e.and_then(|e| e.start_action.as_ref()));
    put(&mut s.stop_action, e.and_then(|e| e.stop_action.as_ref()));
    put(&mut s.wait_for_guest, e.and_then(|e| e.waiting_for_guest.as_ref()));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn start() -> VappStart {
        VappStart {
            order: Value::known(1),
            start_delay: Value::known(120),
            stop_delay: Value::known(120),
            start_action: Value::known("powerOn".into()),
            stop_action: Value::known("powerOff".into()),
            wait_for_guest: Value::known(false),
        }
    }

    fn in_vapp() -> State {
        State { vapp_id: Value::known("resgroup-v9".into()), vapp_start: Some(start()), ..Default::default() }
    }

    fn paths(d: &Diags) -> Vec<String> {
        d.0.iter().filter_map(|x| x.path.as_ref().map(ToString::to_string)).collect()
    }

    #[test]
    fn placement_is_one_of_pool_or_vapp() {
        assert!(validate(&in_vapp()).is_empty());
        assert_eq!(paths(&validate(&State::default())), ["resource_pool_id"]);
        let both = State { resource_pool_id: Value::known("resgroup-1".into()), ..in_vapp() };
        assert_eq!(paths(&validate(&both)), ["vapp_id"]);
        // Unknown at validation is checked later, not refused.
        let unknown = State { vapp_id: Value::Unknown, ..in_vapp() };
        assert!(validate(&unknown).is_empty());
    }

    #[test]
    fn start_settings_land_on_their_attribute() {
        let s = VappStart {
            order: Value::known(-1),
            start_delay: Value::known(-5),
            start_action: Value::known("poweron".into()),
            stop_action: Value::known("halt".into()),
            ..start()
        };
        let bad = State { vapp_start: Some(s), ..in_vapp() };
        assert_eq!(
            paths(&validate(&bad)),
            ["vapp_start.order", "vapp_start.start_delay", "vapp_start.start_action", "vapp_start.stop_action"]
        );
        let no_vapp = State { resource_pool_id: Value::known("resgroup-1".into()), vapp_id: Value::Null, ..in_vapp() };
        assert_eq!(paths(&validate(&no_vapp)), ["vapp_start"]);
    }

    #[test]
    fn the_vapp_is_the_pool() {
        let mut p = Plan { prior: None, config: in_vapp(), planned: in_vapp(), requires_replace: vec![] };
        p.planned.vapp_start = Some(VappStart { order: Value::Null, ..start() });
        refine(&mut p);
        assert_eq!(p.planned.resource_pool_id.get().map(String::as_str), Some("resgroup-v9"));
        assert!(p.planned.vapp_start.as_ref().is_some_and(|s| s.order.is_unknown()));
        let pool = State { resource_pool_id: Value::known("resgroup-1".into()), ..Default::default() };
        let mut p = Plan { prior: None, config: pool.clone(), planned: pool, requires_replace: vec![] };
        refine(&mut p);
        assert!(p.planned.vapp_id.is_null());
    }

    #[test]
    fn read_back_keeps_what_vsphere_does_not_report() {
        let mut s = VappStart { order: Value::Unknown, ..start() };
        merge(&mut s, None);
        assert!(s.order.is_null());
        assert_eq!(s.start_delay, Value::known(120));
        let e =
            VAppEntityConfigInfo { start_order: Some(3), stop_action: Some("suspend".into()), ..Default::default() };
        merge(&mut s, Some(&e));
        assert_eq!(s.order, Value::known(3));
        assert_eq!(s.stop_action, Value::known("suspend".into()));
    }
}
