//! `vi_vm`'s guest customization: checked at plan (the rules, and a named
//! specification against vCenter), applied with `CustomizeVM_Task` before
//! the new VM first powers on, and its outcome awaited through the VM's
//! customization events after power-on.
use std::time::{Duration, Instant};

use super::state::State;
use crate::plugin::{ApplyError, AttrPath, Diags, Plan};
use crate::rules::customization::{GuestFamily, Target};
use crate::shared::Meta;
use crate::shared::customization::model::CustomizeBlock;
use crate::shared::customization::{checks, convert};
use crate::shared::diag::vi_diag;
use crate::vi::ManagedObjectReference;
use crate::vi::object::customization::CustomizationEvent;
use crate::vi::object::customization_spec::{CustomizationIdentity, CustomizationSpec};

/// How often the outcome is looked for while the guest customizes.
const POLL: Duration = Duration::from_secs(2);

fn block_path(parent: &str, block: &str) -> AttrPath {
    AttrPath::attr(parent).then(block)
}

/// Static checks: one way to customize at a time.
pub fn validate(c: &State) -> Diags {
    match c.customization() {
        Some((parent, Some(_), Some(_))) => Diags::error_at(
            block_path(parent, "customization_spec"),
            "Conflicting guest customization",
            "give `customize` or `customization_spec`, not both",
        ),
        _ => Diags::none(),
    }
}

/// The plan's checks. On create: the rules against the planned guest and
/// interfaces, and a named specification against vCenter. Later: a changed
/// customization does nothing to the guest, and the plan says so.
pub async fn plan(meta: Option<&Meta>, p: &Plan<State>) -> Diags {
    let want = &p.planned;
    if let Some(prior) = &p.prior {
        // Write-only passwords are in the plan's block alone: not a change.
        let changed = |s: &State| {
            s.customization().map(|(_, a, b)| {
                (a.map(|c| CustomizeBlock { spec: c.spec.without_write_only(), ..c.clone() }), b.cloned())
            })
        };
        if changed(prior) != changed(want)
            && let Some((parent, a, _)) = want.customization().or(prior.customization())
        {
            let block = if a.is_some() { "customize" } else { "customization_spec" };
            return Diags::warning_at(
                block_path(parent, block),
                "Guest customization applies only when the VM is deployed",
                "vSphere customizes a guest once, before its first power-on. This change is recorded in state and \
                 does nothing to the running guest; it takes effect if the VM is ever replaced.",
            );
        }
        return Diags::none();
    }
    let Some((parent, customize, named)) = want.customization() else { return Diags::none() };
    let target =
        Target { guest_id: want.guest_id.get().map(String::as_str), nic_count: Some(want.network_interface.len()) };
    let mut d = Diags::none();
    if !want.powered_on() {
        d.push(Diags::warning_at(
            AttrPath::attr("power_state"),
            "The guest is customized at its first power-on",
            "with power_state = \"off\" the customization is applied to the VM but runs only when it is first \
             powered on, and the provider cannot wait for its outcome.",
        ));
    }
    if let Some(c) = customize {
        d.push(checks::check(&c.spec, &target, &block_path(parent, "customize")));
    }
    if let (Some(n), Some(meta)) = (named, meta)
        && let Some(name) = n.id.get()
    {
        d.push(check_named(meta, name, &target, &block_path(parent, "customization_spec").then("id")).await);
    }
    d
}

/// A stored specification must exist, suit the guest and fit its NICs.
async fn check_named(meta: &Meta, name: &str, target: &Target<'_>, at: &AttrPath) -> Diags {
    let item = match meta.client.get_customization_spec(name).await {
        Ok(Some(i)) => i,
        Ok(None) => {
            return Diags::error_at(
                at.clone(),
                "Customization specification not found",
                format!("vCenter has no customization specification named {name:?}"),
            );
        }
        Err(e) => return vi_diag(&e, "reading the customization specification", Some(at.clone())),
    };
    let mut d = Diags::none();
    let family = match item.spec.identity {
        CustomizationIdentity::LinuxPrep(_) => GuestFamily::Linux,
        _ => GuestFamily::Windows,
    };
    if let Some(g) = target.guest_id
        && GuestFamily::of(g) != family
    {
        d.push(Diags::error_at(
            at.clone(),
            "Customization specification does not suit the guest",
            format!("{name:?} is a {family:?} specification, and guest_id {g:?} is a {:?} guest", GuestFamily::of(g)),
        ));
    }
    let given = item.spec.nic_setting_map.len();
    if let Some(n) = target.nic_count
        && given != n
    {
        d.push(Diags::error_at(
            at.clone(),
            "Customization specification does not fit the VM's network interfaces",
            format!("{name:?} has {given} network interface settings and the VM has {n} network interfaces"),
        ));
    }
    d
}

/// What `prepare` sent, to wait for after power-on.
pub struct Pending {
    parent: &'static str,
    block: &'static str,
    minutes: i64,
}

/// Applies the customization to the new, powered-off VM. Nothing when none
/// is asked for.
pub async fn prepare(
    meta: &Meta,
    vm: &ManagedObjectReference,
    want: &State,
    deadline: Instant,
) -> Result<Option<Pending>, Diags> {
    let Some((parent, customize, named)) = want.customization() else { return Ok(None) };
    let (spec, block, minutes): (CustomizationSpec, _, _) = if let Some(c) = customize {
        (convert::to_vi(&c.spec, want.network_interface.len())?, "customize", c.timeout.get().copied().unwrap_or(10))
    } else if let Some(n) = named {
        let name = n.id.require("customization_spec.id")?;
        let at = block_path(parent, "customization_spec").then("id");
        let item = meta
            .client
            .get_customization_spec(name)
            .await
            .map_err(|e| vi_diag(&e, "reading the customization specification", Some(at.clone())))?
            .ok_or_else(|| {
                Diags::error_at(at, "Customization specification not found", format!("no specification named {name:?}"))
            })?;
        (item.spec, "customization_spec", n.timeout.get().copied().unwrap_or(10))
    } else {
        return Ok(None);
    };
    meta.client
        .vm(vm)
        .customize(&spec, Some(deadline))
        .await
        .map_err(|e| vi_diag(&e, "customizing the guest", Some(block_path(parent, block))))?;
    tracing::info!(vm = %vm, "guest customization applied; it runs at the first power-on");
    Ok(Some(Pending { parent, block, minutes }))
}

/// Waits for the outcome of a customization `prepare` applied, on the
/// powered-on VM; a failure carries vSphere's reason. `partial` is what
/// the error records (the VM exists and is kept, tainted).
pub async fn wait<S>(
    meta: &Meta,
    vm: &ManagedObjectReference,
    pending: &Pending,
    deadline: Instant,
    partial: impl Fn() -> Option<S>,
) -> Result<(), ApplyError<S>> {
    if pending.minutes <= 0 {
        return Ok(());
    }
    let at = block_path(pending.parent, pending.block);
    let wait = Duration::from_secs(u64::try_from(pending.minutes).unwrap_or(0).saturating_mul(60));
    let until = deadline.min(Instant::now() + wait);
    let fail = |d: Diags| ApplyError { diags: d, partial: partial() };
    loop {
        let events = meta
            .client
            .vm(vm)
            .customization_events()
            .await
            .map_err(|e| fail(vi_diag(&e, "reading the guest customization's events", Some(at.clone()))))?;
        if let Some(outcome) = events.iter().rev().find(|e| e.is_outcome()) {
            if outcome.succeeded() {
                tracing::info!(vm = %vm, "guest customization succeeded");
                return Ok(());
            }
            return Err(fail(Diags::error_at(
                at,
                "Guest customization failed",
                format!(
                    "vSphere reported {} for {vm}: {}. The VM is kept in state, tainted: the next apply replaces it.",
                    outcome.kind, outcome.message
                ),
            )));
        }
        if Instant::now() + POLL > until {
            return Err(fail(Diags::error_at(
                at,
                "Guest customization did not finish in time",
                timeout_detail(vm, &events),
            )));
        }
        tokio::time::sleep(POLL).await;
    }
}

fn timeout_detail(vm: &ManagedObjectReference, events: &[CustomizationEvent]) -> String {
    let seen = match events.iter().find(|e| e.started()) {
        Some(e) => format!("the customization started at {} and reported no outcome", e.created_time),
        None => {
            "the customization never started: the template may lack VMware Tools, or the guest did not boot".to_owned()
        }
    };
    format!(
        "{vm}: {seen}. The VM is kept in state, tainted. Raise `timeout` in the block (minutes) or \
         `timeouts.create` if the guest is just slow."
    )
}
