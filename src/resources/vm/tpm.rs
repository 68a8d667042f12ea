//! `vi_vm`'s vTPM: the `vtpm` block's prerequisites and the clone's TPM
//! policy, checked at plan (on the planned configuration, over the live VM
//! or clone source when vCenter can be asked) and again at the start of
//! apply on fresh facts, before anything changes. The rules and the facts
//! are those of [`crate::shared::tpm::checks`], shared with `vi_vtpm`.
use super::resolve;
use super::state::State;
use crate::plugin::{AttrPath, Diags, Plan, Value};
use crate::rules::tpm::{PowerState, VmFacts, check_vcenter};
use crate::shared::Meta;
use crate::shared::diag::vi_diag;
use crate::shared::tpm::checks::{self as tpm_checks, Overlay, Subject, TpmProvisioning};
use crate::shared::tpm::device::{self as tpm_device, TpmView};
use crate::vi::ManagedObjectReference;
use crate::vi::MoType;
use crate::vi::object::crypto::KmipClusterInfo;
use crate::vi::object::vm::VmInfo;

/// What an apply does to the vTPM.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TpmChange {
    Add,
    Remove,
}

/// The change that takes a VM with (`present`) or without a vTPM to
/// `want`. A vTPM already there is adopted; one the configuration did not
/// manage (`managed`: the prior state had the block) is left alone.
pub fn change(managed: bool, present: bool, want: &State) -> Option<TpmChange> {
    match (want.vtpm.is_some(), present) {
        (true, false) => Some(TpmChange::Add),
        (false, true) if managed => Some(TpmChange::Remove),
        _ => None,
    }
}

fn state_power(s: &str) -> PowerState {
    match s {
        "on" | "poweredOn" => PowerState::PoweredOn,
        "off" | "poweredOff" => PowerState::PoweredOff,
        _ => PowerState::Suspended,
    }
}

/// The power state the VM is in when the vTPM changes: the update shuts a
/// running VM down when `reboot_allowed`, or when it is to end up off.
pub fn power_at_change(now: PowerState, want: &State) -> PowerState {
    let consent = want.reboot_allowed.get() == Some(&true) || !want.powered_on();
    if now == PowerState::PoweredOn && consent { PowerState::PoweredOff } else { now }
}

/// The configuration's settings that the rules look at.
fn overlay(want: &State, power: Option<PowerState>) -> Overlay {
    Overlay {
        firmware: want.firmware.get().and_then(|f| f.parse().ok()),
        hardware_version: want.hardware_version.get().copied(),
        guest_id: want.guest_id.get().cloned(),
        power_state: power,
    }
}

/// The `key_provider_id` asked for. At plan from the configuration (the
/// planned value of this optional-computed attribute is unknown whenever
/// the configuration leaves it out); at apply, when everything the
/// configuration says is known, an unknown planned value means it was left
/// out.
fn requested_key_provider(s: &State, at_apply: bool) -> Value<String> {
    let v = s.vtpm.as_ref().map(|v| v.key_provider_id.clone()).unwrap_or_default();
    if at_apply { v.or_unknown_as(Value::Null) } else { v }
}

fn entities(live: Option<&VmInfo>) -> Vec<ManagedObjectReference> {
    live.and_then(|v| v.host.clone()).into_iter().collect()
}

/// The diagnostics of one vTPM change on `facts`; the VM's host (when it
/// exists) counts among the entities a default key provider may be set for.
/// `api_version` is vCenter's, when it can be asked.
fn check(
    api_version: Option<&str>,
    live: Option<&VmInfo>,
    facts: &VmFacts,
    change: TpmChange,
    requested: &Value<String>,
    providers: Option<&[KmipClusterInfo]>,
) -> Diags {
    let reboot_hint = facts.power_state == PowerState::PoweredOn;
    let errors = match change {
        TpmChange::Add => {
            let kp = tpm_checks::key_providers(providers, requested, &entities(live));
            tpm_checks::add_errors(facts, &kp, api_version)
        }
        TpmChange::Remove => tpm_checks::remove_errors(facts),
    };
    tpm_checks::diags(&errors, &Subject::OwnVm { reboot_hint })
}

/// A new VM gets its hardware version from the host when none is set,
/// which plan cannot know: the rule needs it in the configuration.
fn hardware_version_needed() -> Diags {
    Diags::error_at(
        AttrPath::attr("hardware_version"),
        "vTPM prerequisite not met: hardware_version",
        "a vTPM needs hardware version 14 (vmx-14) or later; set hardware_version, since the host's default \
         (used when it is unset) may be older and cannot be checked at plan",
    )
}

// ------------------------------------------------------------------ plan

/// The vTPM and clone checks of a plan, and the planned `vtpm_present`.
pub async fn plan(meta: Option<&Meta>, p: &mut Plan<State>) -> Diags {
    let from_scratch = p.prior.is_none() && p.planned.clone.is_none() && p.planned.catalog_item.is_none();
    let removing = p.prior.as_ref().is_some_and(|prior| prior.vtpm.is_some()) && p.planned.vtpm.is_none();
    if p.planned.vtpm.is_some() || from_scratch {
        p.planned.vtpm_present = Value::known(p.planned.vtpm.is_some());
    } else if removing {
        p.planned.vtpm_present = Value::known(false);
    }
    match p.prior.clone() {
        None if p.planned.clone.is_some() => plan_clone(meta, p).await,
        None if p.planned.catalog_item.is_some() => plan_catalog(meta, p).await,
        None => plan_scratch(meta, p).await,
        Some(prior) => plan_update(meta, &prior, p).await,
    }
}

async fn plan_scratch(meta: Option<&Meta>, p: &Plan<State>) -> Diags {
    let want = &p.planned;
    if want.vtpm.is_none() {
        return Diags::none();
    }
    if p.config.hardware_version.is_null() {
        return hardware_version_needed();
    }
    // Anything still unknown is checked at the start of create.
    let Some(facts) = tpm_checks::facts(None, &overlay(want, None)) else { return Diags::none() };
    let providers = match meta {
        Some(m) => match tpm_device::read(m, None, true, false).await {
            Ok(v) => v.providers,
            Err(e) => return vi_diag(&e, "reading the key providers", Some(AttrPath::attr("vtpm"))),
        },
        None => None,
    };
    let api_version = meta.map(|m| m.client.api_version());
    check(api_version, None, &facts, TpmChange::Add, &requested_key_provider(&p.config, false), providers.as_deref())
}

async fn plan_clone(meta: Option<&Meta>, p: &Plan<State>) -> Diags {
    let Some(meta) = meta else { return Diags::none() };
    let want = &p.planned;
    let (Some(source_id), Some(pool_id)) =
        (want.clone.as_ref().and_then(|c| c.source_id.get()).cloned(), want.resource_pool_id.get().cloned())
    else {
        return Diags::none();
    };
    match read_clone_facts(meta, &source_id, &pool_id, want.vtpm.is_some(), false).await {
        Ok(facts) => clone_diags(meta, &facts, want, &requested_key_provider(&p.config, false)).0,
        Err(d) => d,
    }
}

/// A deployment from a catalog item: the item's TPM policy by the rules
/// (the item read from vCenter once its id is known). A `vtpm` block the
/// template does not satisfy is checked on the deployed VM, before the vTPM
/// is added.
async fn plan_catalog(meta: Option<&Meta>, p: &Plan<State>) -> Diags {
    let (Some(meta), Some(ci)) = (meta, p.planned.catalog_item.as_ref()) else { return Diags::none() };
    // The deployed VM's own prerequisites are checked before its vTPM is
    // added; vCenter's version is known now.
    let mut d = match p.planned.vtpm {
        Some(_) => {
            let errors: Vec<_> = check_vcenter(meta.client.api_version()).into_iter().collect();
            tpm_checks::diags(&errors, &Subject::OwnVm { reboot_hint: false })
        }
        None => Diags::none(),
    };
    let Some(item_id) = ci.item_id.get() else { return d };
    if ci.tpm_provisioning.is_unknown() {
        return d;
    }
    let block = AttrPath::attr("catalog_item");
    if let Err(e) =
        crate::shared::tpm::catalog_deploy::deploy_tpm_policy(meta, item_id, ci.tpm_provisioning.as_deref(), &block)
            .await
    {
        d.push(e);
    }
    d
}

async fn plan_update(meta: Option<&Meta>, prior: &State, p: &Plan<State>) -> Diags {
    let want = &p.planned;
    if let (Some(p), Some(w)) = (&prior.vtpm, &want.vtpm)
        && w.key_provider_id.is_known()
        && w.key_provider_id != p.key_provider_id
    {
        return provider_change_refused(p.key_provider_id.as_deref());
    }
    let present = prior.vtpm_present.get() == Some(&true);
    let requested = requested_key_provider(&p.config, false);
    let adopting = prior.vtpm.is_none() && want.vtpm.is_some() && present;
    if change(prior.vtpm.is_some(), present, want).is_none() && !(adopting && requested.is_known()) {
        return Diags::none();
    }
    let (live, providers) = match (meta, prior.id.get()) {
        (Some(m), Some(id)) => {
            let vm = MoType::VirtualMachine.moref(id);
            match tpm_device::read(m, Some(&vm), want.vtpm.is_some(), false).await {
                Ok(TpmView { vm, providers }) => (vm, providers),
                Err(e) => return vi_diag(&e, "reading the VM and key providers", Some(AttrPath::attr("vtpm"))),
            }
        }
        _ => (None, None),
    };
    let present = live.as_ref().map_or(present, VmInfo::has_tpm);
    let Some(change) = change(prior.vtpm.is_some(), present, want) else {
        // Adopting the vTPM that is there: it keeps the VM's key provider.
        let current = live.as_ref().and_then(VmInfo::key_provider);
        return match requested.get() {
            Some(r) if adopting && live.is_some() && current != Some(r.as_str()) => provider_change_refused(current),
            _ => Diags::none(),
        };
    };
    let now = live
        .as_ref()
        .map_or_else(|| state_power(prior.power_state.as_deref().unwrap_or_default()), |v| state_power(&v.power_state));
    let Some(facts) = tpm_checks::facts(live.as_ref(), &overlay(want, Some(power_at_change(now, want)))) else {
        return Diags::none();
    };
    check(meta.map(|m| m.client.api_version()), live.as_ref(), &facts, change, &requested, providers.as_deref())
}

fn provider_change_refused(current: Option<&str>) -> Diags {
    Diags::error_at(
        AttrPath::attr("vtpm").then("key_provider_id"),
        "Key provider of an existing vTPM cannot change",
        format!(
            "the VM's vTPM is encrypted with {}; changing the key provider would re-encrypt the VM, which this \
             provider does not do in place. Remove the vtpm block and apply (this deletes the vTPM's secrets), then \
             add it back with the new key_provider_id.",
            current.map_or_else(|| "vCenter's default key provider".to_owned(), |c| format!("key provider `{c}`"))
        ),
    )
}

// ----------------------------------------------------------------- clone

/// What a clone's checks need: the source, the destination pool as the
/// object it is, the key providers and vCenter's API version.
pub struct CloneFacts {
    pub source: VmInfo,
    pub pool: ManagedObjectReference,
    pub providers: Option<Vec<KmipClusterInfo>>,
}

async fn read_clone_facts(
    meta: &Meta,
    source_id: &str,
    pool_id: &str,
    providers: bool,
    fresh: bool,
) -> Result<CloneFacts, Diags> {
    let src = MoType::VirtualMachine.moref(source_id);
    let (view, pool) =
        tokio::join!(tpm_device::read(meta, Some(&src), providers, fresh), resolve::pool_ref(meta, pool_id, fresh));
    let view =
        view.map_err(|e| vi_diag(&e, "reading the clone source", Some(AttrPath::attr("clone").then("source_id"))))?;
    let pool = pool.map_err(|e| vi_diag(&e, "reading the resource pool", Some(AttrPath::attr("resource_pool_id"))))?;
    let source = view.vm.ok_or_else(|| {
        Diags::error_at(
            AttrPath::attr("clone").then("source_id"),
            "Clone source not found",
            format!("no VM or template has the id {source_id:?}"),
        )
    })?;
    Ok(CloneFacts { source, pool, providers: view.providers })
}

/// The clone's TPM policy and the `vtpm` block's prerequisites on the VM
/// the clone will be: powered off, without snapshots, with the source's
/// TPM and encryption and the configuration's settings.
pub fn clone_diags(
    meta: &Meta,
    f: &CloneFacts,
    want: &State,
    key_provider: &Value<String>,
) -> (Diags, Option<TpmProvisioning>) {
    let mut d = Diags::none();
    let provisioning = want.clone.as_ref().and_then(|c| c.tpm_provisioning.get()).map(String::as_str);
    let api_version = meta.client.api_version();
    let policy = match tpm_checks::clone_policy(api_version, &f.source, &f.pool, provisioning) {
        Ok(p) => p,
        Err(e) => {
            d.push(tpm_checks::clone_policy_diag(&e));
            None
        }
    };
    // The clone's own vTPM (a copy of the source's) is kept either way.
    if change(false, f.source.has_tpm(), want) == Some(TpmChange::Add) {
        let ov = overlay(want, Some(PowerState::PoweredOff));
        if let Some(mut facts) = tpm_checks::facts(Some(&f.source), &ov) {
            facts.snapshot_names.clear();
            d.push(check(Some(api_version), None, &facts, TpmChange::Add, key_provider, f.providers.as_deref()));
        }
    }
    (d, policy)
}

// ----------------------------------------------------------------- apply

/// The clone's checks at the start of create; returns the policy to send
/// and the key providers for adding a vTPM.
pub async fn clone_at_apply(
    meta: &Meta,
    want: &State,
    source_id: &str,
    pool_id: &str,
) -> Result<(CloneFacts, Option<TpmProvisioning>), Diags> {
    let facts = read_clone_facts(meta, source_id, pool_id, want.vtpm.is_some(), true).await?;
    let (d, policy) = clone_diags(meta, &facts, want, &requested_key_provider(want, true));
    let _ = d.into_result()?;
    Ok((facts, policy))
}

/// The check at the start of creating a VM from scratch with a vTPM;
/// returns the key providers.
pub async fn scratch_at_apply(meta: &Meta, want: &State) -> Result<Vec<KmipClusterInfo>, Diags> {
    let facts = tpm_checks::facts(None, &overlay(want, None)).ok_or_else(hardware_version_needed)?;
    let view = tpm_device::read(meta, None, true, true)
        .await
        .map_err(|e| vi_diag(&e, "reading the key providers", Some(AttrPath::attr("vtpm"))))?;
    let requested = requested_key_provider(want, true);
    let api_version = Some(meta.client.api_version());
    let _ = check(api_version, None, &facts, TpmChange::Add, &requested, view.providers.as_deref()).into_result()?;
    Ok(view.providers.unwrap_or_default())
}

/// The check at the start of an update that adds or removes the vTPM, on
/// the live VM; returns the key providers when adding.
pub async fn update_at_apply(
    meta: &Meta,
    vm: &ManagedObjectReference,
    prior: &State,
    want: &State,
) -> Result<Vec<KmipClusterInfo>, Diags> {
    if let (Some(p), Some(w)) = (&prior.vtpm, &want.vtpm)
        && w.key_provider_id.is_known()
        && w.key_provider_id != p.key_provider_id
    {
        return Err(provider_change_refused(p.key_provider_id.as_deref()));
    }
    let view = tpm_device::read(meta, Some(vm), want.vtpm.is_some(), true)
        .await
        .map_err(|e| vi_diag(&e, "reading the VM and key providers", Some(AttrPath::attr("vtpm"))))?;
    let live = view.vm.ok_or_else(|| Diags::error("VM not found", format!("{} no longer exists", vm.value)))?;
    let Some(ch) = change(prior.vtpm.is_some(), live.has_tpm(), want) else {
        return Ok(view.providers.unwrap_or_default());
    };
    let power = power_at_change(state_power(&live.power_state), want);
    if let Some(facts) = tpm_checks::facts(Some(&live), &overlay(want, Some(power))) {
        let requested = requested_key_provider(want, true);
        let api_version = Some(meta.client.api_version());
        let _ = check(api_version, Some(&live), &facts, ch, &requested, view.providers.as_deref()).into_result()?;
    }
    Ok(view.providers.unwrap_or_default())
}

/// The vTPM of the VM `info` after `done`: an error when vSphere did not do
/// what was asked (never a silent success).
pub fn verify(info: &VmInfo, done: Option<TpmChange>, want: &State) -> Result<(), Diags> {
    match (want.vtpm.is_some(), info.has_tpm(), done) {
        (true, false, _) => Err(Diags::error_at(
            AttrPath::attr("vtpm"),
            "vTPM not attached",
            format!("vSphere accepted the change to {} but the VM has no vTPM afterwards", info.name),
        )),
        (false, true, Some(TpmChange::Remove)) => Err(Diags::error_at(
            AttrPath::attr("vtpm"),
            "vTPM not removed",
            format!("vSphere accepted the change to {} but the VM still has a vTPM", info.name),
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::super::state::Vtpm;
    use super::*;

    fn efi(power: &str) -> State {
        State {
            firmware: Value::known("efi".into()),
            hardware_version: Value::known(19),
            guest_id: Value::known("otherGuest64".into()),
            power_state: Value::known(power.into()),
            reboot_allowed: Value::known(false),
            vtpm: Some(Vtpm { key_provider_id: Value::Null }),
            ..Default::default()
        }
    }

    #[test]
    fn changes() {
        assert_eq!(change(false, false, &efi("on")), Some(TpmChange::Add));
        // One that is there is adopted.
        assert_eq!(change(false, true, &efi("on")), None);
        assert_eq!(change(true, true, &efi("on")), None);
        let none = State { vtpm: None, ..efi("on") };
        assert_eq!(change(true, true, &none), Some(TpmChange::Remove));
        // One this configuration never managed is left alone.
        assert_eq!(change(false, true, &none), None);
        assert_eq!(change(true, false, &none), None);
    }

    #[test]
    fn a_running_vm_goes_off_only_with_consent() {
        let on = efi("on");
        assert_eq!(power_at_change(PowerState::PoweredOn, &on), PowerState::PoweredOn);
        let consent = State { reboot_allowed: Value::known(true), ..on.clone() };
        assert_eq!(power_at_change(PowerState::PoweredOn, &consent), PowerState::PoweredOff);
        assert_eq!(power_at_change(PowerState::PoweredOn, &efi("off")), PowerState::PoweredOff);
        assert_eq!(power_at_change(PowerState::Suspended, &consent), PowerState::Suspended);
    }

    #[test]
    fn a_new_vm_is_judged_on_its_configuration() {
        let kp = [KmipClusterInfo { cluster_id: "kp".into(), use_as_default: true, ..Default::default() }];
        let want = efi("on");
        let facts = tpm_checks::facts(None, &overlay(&want, None)).unwrap();
        // Powered on after create, but the vTPM is added before that.
        assert!(check(None, None, &facts, TpmChange::Add, &Value::Null, Some(&kp)).is_empty());
        let bios = State { firmware: Value::known("bios".into()), ..want.clone() };
        let facts = tpm_checks::facts(None, &overlay(&bios, None)).unwrap();
        let d = check(None, None, &facts, TpmChange::Add, &Value::Null, Some(&kp));
        assert_eq!(d.0.len(), 1);
        assert_eq!(d.0[0].path.as_ref().map(ToString::to_string).as_deref(), Some("firmware"));
        // No key provider at all, named on the block's attribute.
        let d = check(None, None, &facts, TpmChange::Add, &Value::Null, Some(&[]));
        assert!(
            d.0.iter().any(|x| x.path.as_ref().map(ToString::to_string).as_deref() == Some("vtpm.key_provider_id"))
        );
    }

    #[test]
    fn verify_catches_what_vsphere_did_not_do() {
        let mut info = VmInfo { name: "vm".into(), ..Default::default() };
        assert!(verify(&info, Some(TpmChange::Add), &efi("off")).is_err());
        assert!(verify(&info, None, &State::default()).is_ok());
        info.devices.push(crate::vi::object::vm_device::VirtualDevice::new_tpm(0));
        assert!(verify(&info, Some(TpmChange::Remove), &State::default()).is_err());
        assert!(verify(&info, None, &State::default()).is_ok(), "an unmanaged vTPM is no failure");
    }
}
