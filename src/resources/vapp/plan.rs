//! Plan-time checks for `vi_vapp`: allocations, transports, IP settings and
//! power state on the attribute they concern, and the TPM rule of a clone
//! ("copy a stopped / powered-on vApp") against the vCenter version.
use super::state::{AllocationView, State};
use crate::plugin::diag::Severity;
use crate::plugin::{AttrPath, Diags, Plan, Value};
use crate::rules::provider_config::parse_duration;
use crate::rules::resource_allocation::{Allocation, AllocationError, SharesLevel, check_allocation};
use crate::rules::tpm::{TpmError, TpmOperation, TpmPolicy, VcenterVersion, effective_policy};
use crate::rules::vapp_settings::{IpAllocationPolicy, IpProtocol, PowerState, check_transports};
use crate::shared::references::{DATASTORE, POOL, Reference, changed};
use crate::vi::MoType;
use crate::vi::object::vapp::pool_kind;

fn at(path: AttrPath, e: &impl std::fmt::Display) -> Diags {
    Diags::error_at(path, "Invalid vApp setting", e.to_string())
}

fn allocation(v: &AllocationView<'_>) -> Diags {
    let mut d = Diags::none();
    let a = Allocation {
        share_level: v.share_level.as_deref(),
        shares: v.shares.get().copied(),
        reservation: v.reservation.get().copied(),
        limit: v.limit.get().copied(),
    };
    let mut errors = check_allocation(&a);
    // A count whose value is not known yet is still a count.
    if v.shares.is_unknown() {
        errors.retain(|e| *e != AllocationError::CustomWithoutShares);
        if let Some(level) = v.share_level.as_deref().and_then(|l| SharesLevel::parse(l).ok())
            && level != SharesLevel::Custom
        {
            d.push(at(
                AttrPath::attr(format!("{}_shares", v.prefix)),
                &format!("a share count is only taken with {}_share_level = \"custom\", not {level}", v.prefix),
            ));
        }
    }
    for e in errors {
        let attr = format!("{}_{}", v.prefix, e.field().suffix());
        d.push(at(AttrPath::attr(attr.clone()), &format!("{attr}: {e}")));
    }
    d
}

/// Static checks of known values; unknown values are checked at apply.
pub fn validate(c: &State) -> Diags {
    let mut d = Diags::none();
    for v in [c.cpu(), c.memory()] {
        d.push(allocation(&v));
    }
    if let Some(list) = c.ovf_environment_transport.get()
        && let Err((i, e)) = check_transports(list)
    {
        d.push(at(AttrPath::attr("ovf_environment_transport").index(i), &e));
    }
    if let Some(p) = c.ip_protocol.get()
        && let Err(e) = IpProtocol::parse(p)
    {
        d.push(at(AttrPath::attr("ip_protocol"), &e));
    }
    if let Some(p) = c.ip_allocation_policy.get()
        && let Err(e) = IpAllocationPolicy::parse(p)
    {
        d.push(at(AttrPath::attr("ip_allocation_policy"), &e));
    }
    if let Some(p) = c.power_state.get()
        && let Err(e) = PowerState::parse(p)
    {
        d.push(at(AttrPath::attr("power_state"), &e));
    }
    if let Some(cl) = &c.clone
        && let Some(p) = cl.tpm_provisioning.get()
        && let Err(e) = p.parse::<TpmPolicy>()
    {
        d.push(at(AttrPath::attr("clone").then("tpm_provisioning"), &e));
    }
    if c.folder.is_known()
        && let Some(pool) = c.resource_pool_id.get()
        && pool_kind(pool) == MoType::VirtualApp
    {
        d.push(at(
            AttrPath::attr("folder"),
            &format!(
                "a vApp inside another vApp ({pool}) has no VM folder of its own; remove `folder` or place the vApp \
                 in a resource pool"
            ),
        ));
    }
    if let Some(t) = &c.timeouts {
        for (name, v) in [("create", &t.create), ("update", &t.update), ("delete", &t.delete)] {
            if let Some(s) = v.get()
                && let Err(e) = parse_duration(s)
            {
                d.push(at(AttrPath::attr("timeouts").then(name), &e));
            }
        }
    }
    d
}

/// Defaults are in; checks them, and marks what vSphere will recompute.
pub fn refine(plan: &mut Plan<State>) -> Diags {
    // Validation already spoke about the configuration; here only errors
    // on defaults and on values that were unknown then.
    // Share counts as configured: a planned unknown one is vSphere's to
    // derive, not a count the user set.
    let view = State {
        cpu_shares: plan.config.cpu_shares.clone(),
        memory_shares: plan.config.memory_shares.clone(),
        ..plan.planned.clone()
    };
    let d = Diags(validate(&view).0.into_iter().filter(|x| x.severity == Severity::Error).collect());
    let prior = plan.prior.clone();
    let (cfg, want) = (&plan.config, &mut plan.planned);
    // A share count vSphere derives from the level changes with the level.
    for (cfg_shares, level, prior_level, shares) in [
        (&cfg.cpu_shares, &want.cpu_share_level, prior.as_ref().map(|p| &p.cpu_share_level), &mut want.cpu_shares),
        (
            &cfg.memory_shares,
            &want.memory_share_level,
            prior.as_ref().map(|p| &p.memory_share_level),
            &mut want.memory_shares,
        ),
    ] {
        if cfg_shares.is_null() && prior_level != Some(level) {
            *shares = Value::Unknown;
        }
    }
    d
}

/// Whether the source's copy may use `requested`: "copy a stopped vApp" or
/// "copy a powered-on vApp", by the vCenter's API version. Returns the
/// policy the clone will apply. Nothing requested is a plain copy, which
/// every version does (before 7.0 there are no TPMs to copy).
pub fn clone_tpm_policy(
    api_version: &str,
    source_running: bool,
    requested: Option<&str>,
) -> Result<TpmPolicy, TpmError> {
    if requested.is_none() {
        return Ok(TpmPolicy::Copy);
    }
    let version = VcenterVersion::from_api_version(api_version)?;
    let op = if source_running { TpmOperation::CopyPoweredOnVapp } else { TpmOperation::CopyStoppedVapp };
    let requested = requested.map(str::parse::<TpmPolicy>).transpose()?;
    effective_policy(op, version, None, requested)
}

/// A TPM rule failure on `clone.tpm_provisioning`.
pub fn tpm_diag(e: &TpmError) -> Diags {
    Diags::error_at(AttrPath::attr("clone").then("tpm_provisioning"), "TPM provisioning not allowed", e.to_string())
}

/// The ids this plan names that are new or changed, for one existence
/// check (`resources::references`).
pub fn references(plan: &Plan<State>) -> Vec<Reference> {
    let (c, prior) = (&plan.config, plan.prior.as_ref());
    let mut refs: Vec<Reference> = changed(
        AttrPath::attr("resource_pool_id"),
        &c.resource_pool_id,
        prior.map(|p| &p.resource_pool_id),
        POOL,
        "resource pool",
    )
    .into_iter()
    .collect();
    if let Some(cl) = &c.clone {
        let before = prior.and_then(|p| p.clone.as_ref()).map(|b| &b.datastore_id);
        refs.extend(changed(
            AttrPath::attr("clone").then("datastore_id"),
            &cl.datastore_id,
            before,
            DATASTORE,
            "datastore",
        ));
    }
    refs
}

#[cfg(test)]
mod tests {
    use super::super::state::CloneBlock;
    use super::*;

    fn base() -> State {
        State {
            name: Value::known("app".into()),
            resource_pool_id: Value::known("resgroup-27".into()),
            cpu_share_level: Value::known("normal".into()),
            cpu_reservation: Value::known(0),
            cpu_expandable: Value::known(true),
            cpu_limit: Value::known(-1),
            memory_share_level: Value::known("normal".into()),
            memory_reservation: Value::known(0),
            memory_expandable: Value::known(true),
            memory_limit: Value::known(-1),
            ..Default::default()
        }
    }

    fn paths(d: &Diags) -> Vec<String> {
        d.0.iter().filter_map(|x| x.path.as_ref().map(ToString::to_string)).collect()
    }

    #[test]
    fn a_good_config_passes() {
        assert!(validate(&base()).is_empty());
        let mut s = base();
        s.cpu_share_level = Value::known("custom".into());
        s.cpu_shares = Value::known(3000);
        s.ovf_environment_transport = Value::known(vec!["iso".into(), "com.vmware.guestInfo".into()]);
        s.ip_protocol = Value::known("IPv6".into());
        s.ip_allocation_policy = Value::known("fixedAllocatedPolicy".into());
        s.power_state = Value::known("on".into());
        s.clone = Some(CloneBlock { tpm_provisioning: Value::known("replace".into()), ..Default::default() });
        assert!(validate(&s).is_empty(), "{:?}", validate(&s));
    }

    #[test]
    fn each_rule_lands_on_its_attribute() {
        let mut s = base();
        s.cpu_share_level = Value::known("medium".into());
        s.memory_share_level = Value::known("high".into());
        s.memory_shares = Value::known(100);
        s.cpu_reservation = Value::known(2000);
        s.cpu_limit = Value::known(1000);
        s.memory_limit = Value::known(-2);
        s.ovf_environment_transport = Value::known(vec!["iso".into(), "floppy".into()]);
        s.ip_protocol = Value::known("ipv4".into());
        s.ip_allocation_policy = Value::known("dhcp".into());
        s.power_state = Value::known("started".into());
        s.clone = Some(CloneBlock { tpm_provisioning: Value::known("keep".into()), ..Default::default() });
        s.resource_pool_id = Value::known("resgroup-v9".into());
        s.folder = Value::known("apps".into());
        let d = validate(&s);
        let mut p = paths(&d);
        p.sort();
        let mut want = vec![
            "clone.tpm_provisioning",
            "cpu_reservation",
            "cpu_share_level",
            "folder",
            "ip_allocation_policy",
            "ip_protocol",
            "memory_limit",
            "memory_shares",
            "ovf_environment_transport[1]",
            "power_state",
        ];
        want.sort();
        assert_eq!(p, want, "{d:?}");
    }

    #[test]
    fn custom_needs_a_count_known_or_not() {
        let mut s = base();
        s.cpu_share_level = Value::known("custom".into());
        assert_eq!(paths(&validate(&s)), vec!["cpu_shares"]);
        s.cpu_shares = Value::Unknown;
        assert!(validate(&s).is_empty());
        s.cpu_share_level = Value::known("low".into());
        assert_eq!(paths(&validate(&s)), vec!["cpu_shares"]);
    }

    #[test]
    fn a_level_change_makes_the_derived_count_unknown() {
        let mut prior = base();
        prior.cpu_shares = Value::known(4000);
        prior.memory_shares = Value::known(163840);
        let mut want = prior.clone();
        want.cpu_share_level = Value::known("high".into());
        let config = State { cpu_shares: Value::Null, memory_shares: Value::Null, ..want.clone() };
        let mut p = Plan { prior: Some(prior), config, planned: want, requires_replace: Vec::new() };
        assert!(refine(&mut p).is_empty());
        assert!(p.planned.cpu_shares.is_unknown());
        assert_eq!(p.planned.memory_shares, Value::known(163840), "unchanged level keeps its count");
    }

    #[test]
    fn clone_tpm_rule_by_version_and_source_state() {
        assert_eq!(clone_tpm_policy("8.0.2.0", false, Some("replace")), Ok(TpmPolicy::Replace));
        assert_eq!(clone_tpm_policy("8.0.2.0", true, None), Ok(TpmPolicy::Copy));
        assert_eq!(clone_tpm_policy("7.0.3.0", true, Some("copy")), Ok(TpmPolicy::Copy));
        let e = clone_tpm_policy("7.0", false, Some("replace")).unwrap_err();
        assert!(e.to_string().contains("copy a stopped vApp on vCenter 7.x"), "{e}");
        let e = clone_tpm_policy("7.0", true, Some("replace")).unwrap_err();
        assert!(e.to_string().contains("copy a powered-on vApp"), "{e}");
        assert!(clone_tpm_policy("8.0", false, Some("new")).is_err(), "a copy has a source TPM");
        assert!(clone_tpm_policy("6.7", false, Some("copy")).is_err());
        assert_eq!(clone_tpm_policy("6.5", false, None), Ok(TpmPolicy::Copy), "a plain copy needs no TPM support");
        assert_eq!(paths(&tpm_diag(&e)), vec!["clone.tpm_provisioning"]);
    }
}
