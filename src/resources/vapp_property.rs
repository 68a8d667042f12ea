//! `vi_vapp_property`: one vApp property of a VM or vApp, added, edited and
//! removed through `VmConfigSpec.property` (a VM's `ReconfigVM_Task`, a
//! vApp's `UpdateVAppConfig`), whether or not an OVF defined it.
//!
//! Everything that can be checked is checked at plan: the type, the values
//! against it, and (once the target is known) that the key and id are free
//! on the target. Apply checks again before changing anything.
use crate::vi::FaultKind;
use crate::vi::MoType;
use std::time::{Duration, Instant};

use async_trait::async_trait;

mod checks;
mod read;
mod schema;
mod state;
mod target;

use self::checks::{Slot, Twin};
use self::state::State;
use crate::plugin::{ApplyError, AttrPath, Diags, Plan, Resource, Schema, Value};
use crate::shared::Meta;
use crate::shared::diag::vi_diag;
use crate::vi::ViError;
use crate::vi::object::vapp_config::{GUESTINFO_TRANSPORT, VAppOptions, VAppPropertySpec, VmConfigSpec, vapp_props};

pub struct VappProperty;

/// How long a reconfiguration may take.
const TASK_TIMEOUT: Duration = Duration::from_secs(30 * 60);

/// Secrets shorter than this are not scrubbed from messages: replacing
/// every `ab` in a message would garble it without protecting anything.
const MIN_SCRUBBED: usize = 4;

/// A diagnostic for a failed call, without the password value should the
/// server have repeated it.
fn call_failed(e: &ViError, what: &str, secret: Option<&str>) -> Diags {
    let mut d = vi_diag(e, what, None);
    if let Some(secret) = secret.filter(|s| s.len() >= MIN_SCRUBBED) {
        for x in &mut d.0 {
            x.summary = x.summary.replace(secret, "(sensitive value)");
            x.detail = x.detail.replace(secret, "(sensitive value)");
        }
    }
    d
}

fn id_of(target_id: &str, key: i64) -> String {
    format!("{target_id}:{key}")
}

/// An add whose outcome cannot be known (its answer was lost). A property
/// is known by its target and key, which vSphere keeps unique, so there is
/// never a second copy: the state records it — untainted, the failure
/// turned into a warning, since a tainted property's replacement is planned
/// as a create, which its own key would refuse — and the next refresh reads
/// the target: the property there is kept, none is dropped and added again.
fn unsure(failed: Diags, made: State) -> ApplyError<State> {
    let why = failed.0.iter().map(|x| format!("{}: {}", x.summary, x.detail)).collect::<Vec<_>>().join("; ");
    ApplyError {
        diags: Diags::warning_at(
            AttrPath::attr("key"),
            "The vApp property may not have been added",
            format!(
                "The answer was lost ({why}). The property is recorded; the next plan or refresh reads its target: if \
                 the property is not there it leaves the state and the next apply adds it."
            ),
        ),
        partial: Some(made),
    }
}

/// The password value of `s`, if it has one (for scrubbing messages).
fn secret_of(s: &State) -> Option<&str> {
    if s.is_secret() == Some(true) { s.secret() } else { None }
}

/// Whether an update sends the password again: always for the stored form
/// (it is in the plan), for the write-only form when its version changed
/// or it replaces the stored form. Otherwise the edit leaves vSphere's
/// value alone: the value configured may differ from the one sent, but
/// nothing says which is wanted until the version changes.
fn sends_secret(prior: &State, want: &State) -> bool {
    !want.write_only()
        || prior.sensitive_value_wo_version != want.sensitive_value_wo_version
        || prior.sensitive_value.is_known()
}

/// Stops on errors (warnings alone let apply go on).
fn refuse(d: Diags) -> Result<(), Diags> {
    d.into_result().map(drop)
}

fn required<'a>(v: &'a Value<String>, name: &str) -> Result<&'a str, Diags> {
    v.as_deref().ok_or_else(|| Diags::error_at(AttrPath::attr(name), "Missing value", format!("{name} is not set")))
}

impl VappProperty {
    /// Adds the property under the target's lock: picks the key, checks
    /// for clashes, turns vApp options on when needed, then changes vSphere.
    async fn add(&self, meta: &Meta, want: &State) -> Result<State, ApplyError<State>> {
        refuse(checks::config(want))?;
        let target_id = required(&want.target_id, "target_id")?;
        let target = target::reference(target_id)?;
        let _turn = target::lock(target_id).await;
        let options = target::options_now(meta, &target, target_id).await?;
        let key = match want.key.get() {
            Some(k) => *k,
            None => checks::next_free_key(options.properties()).ok_or_else(|| {
                Diags::error_at(AttrPath::attr("key"), "No free key", format!("{target_id} has no free key left"))
            })?,
        };
        refuse(checks::against_live(
            want,
            &Slot { key, key_chosen: true, own_key: None, target_id },
            options.properties(),
            Twin::Refuse,
        ))?;

        let mut spec =
            VmConfigSpec { property: vec![VAppPropertySpec::add(want.to_info(key, false))], ..Default::default() };
        if target.is(MoType::VirtualMachine) {
            let has_transport = matches!(&options, VAppOptions::Enabled(c) if !c.ovf_environment_transport.is_empty());
            if !has_transport {
                // Without a transport the guest never sees its properties.
                spec.ovf_environment_transport = vec![GUESTINFO_TRANSPORT.to_owned()];
            }
        }
        let made = State { id: Value::known(id_of(target_id, key)), key: Value::known(key), ..want.clone() };
        if let Err(e) = meta.client.update_vapp_options(&target, &spec, Some(Instant::now() + TASK_TIMEOUT)).await {
            let diags = call_failed(&e, "adding the vApp property", secret_of(want));
            if e.outcome_unknown() {
                return Err(unsure(diags, made));
            }
            return Err(diags.into());
        }
        tracing::info!(target = %target, key, property = %want.qualified_id(), "vApp property added");

        // The property exists from here on: failures keep it in the state.
        let after = target::options_now(meta, &target, target_id)
            .await
            .map_err(|diags| ApplyError { diags, partial: Some(made.clone()) })?;
        if after.property(key).is_none() {
            return Err(Diags::error_at(
                AttrPath::attr("key"),
                "vApp property not added",
                format!("vSphere accepted the new property {key} on {target_id} but does not list it"),
            )
            .into());
        }
        Ok(made)
    }
}

#[async_trait]
impl Resource<Meta> for VappProperty {
    type State = State;

    fn type_name(&self) -> &'static str {
        "vi_vapp_property"
    }

    fn schema(&self) -> Schema {
        schema::schema()
    }

    fn validate(&self, config: &State) -> Diags {
        checks::config(config)
    }

    async fn plan(&self, meta: Option<&Meta>, p: &mut Plan<State>) -> Diags {
        let moved = p.prior.as_ref().is_some_and(|prior| prior.target_id != p.planned.target_id);
        if p.config.key.is_null() && moved {
            // A new target: the old key means nothing there.
            p.planned.key = Value::Unknown;
        }
        p.planned.id = match (p.planned.target_id.get(), p.planned.key.get()) {
            (Some(t), Some(k)) => Value::known(id_of(t, *k)),
            _ => Value::Unknown,
        };
        let Some(target_id) = p.planned.target_id.get().cloned() else { return Diags::none() };
        let target = match target::reference(&target_id) {
            Ok(t) => t,
            Err(d) => return d,
        };
        let Some(meta) = meta else { return Diags::none() };
        let options = match meta.batcher.retrieve_one(target.clone(), vapp_props(&target)).await {
            Ok(o) => VAppOptions::from_content(&o),
            Err(e) if e.is_fault(FaultKind::ManagedObjectNotFound) => VAppOptions::TargetMissing,
            Err(e) => return vi_diag(&e, "reading the vApp properties", Some(AttrPath::attr("target_id"))),
        };
        if options == VAppOptions::TargetMissing {
            return target::missing(&target_id);
        }
        let own = p.prior.as_ref().filter(|_| !moved).and_then(|prior| prior.key.get().copied());
        let live = options.properties();
        let (key, chosen) = match p.planned.key.get() {
            Some(k) => (*k, true),
            None => (checks::next_free_key(live).unwrap_or(0), false),
        };
        // Without a prior, this may be a replacement of a property that is
        // still there: a twin of it is only a warning.
        let twin = if p.prior.is_none() { Twin::Warn } else { Twin::Refuse };
        let slot = Slot { key, key_chosen: chosen, own_key: own, target_id: &target_id };
        checks::against_live(&p.planned, &slot, live, twin)
    }

    async fn create(&self, meta: &Meta, want: State) -> Result<State, ApplyError<State>> {
        self.add(meta, &want).await
    }

    async fn read(&self, meta: &Meta, current: State) -> Result<Option<State>, Diags> {
        let (Some(target_id), Some(key)) = (current.target_id.get(), current.key.get()) else { return Ok(None) };
        let target = target::reference(target_id)?;
        let options = match meta.batcher.retrieve_one(target.clone(), vapp_props(&target)).await {
            Ok(o) => VAppOptions::from_content(&o),
            Err(e) if e.is_fault(FaultKind::ManagedObjectNotFound) => VAppOptions::TargetMissing,
            Err(e) => return Err(vi_diag(&e, "reading the vApp properties", None)),
        };
        // A target or property removed outside Terraform: drop it, plan re-adds.
        Ok(options.property(*key).map(|live| read::to_state(target_id, live, &current)))
    }

    async fn update(&self, meta: &Meta, prior: State, want: State) -> Result<State, ApplyError<State>> {
        refuse(checks::config(&want))?;
        let target_id = required(&want.target_id, "target_id")?;
        let target = target::reference(target_id)?;
        let old_key = prior.key.get().copied().unwrap_or_default();
        let key = want.key.get().copied().unwrap_or(old_key);
        let _turn = target::lock(target_id).await;
        let options = target::options_now(meta, &target, target_id).await?;
        if options.property(old_key).is_none() {
            return Err(Diags::error(
                "vApp property gone",
                format!("{target_id} no longer has property {old_key}; run `terraform apply` again to add it back"),
            )
            .into());
        }
        refuse(checks::against_live(
            &want,
            &Slot { key, key_chosen: true, own_key: Some(old_key), target_id },
            options.properties(),
            Twin::Refuse,
        ))?;
        let mut info = want.to_info(key, true);
        if !sends_secret(&prior, &want) {
            info.value = None;
        }
        let property = if key == old_key {
            vec![VAppPropertySpec::edit(info)]
        } else {
            // A new key: remove and add in one reconfiguration.
            vec![VAppPropertySpec::remove(old_key), VAppPropertySpec::add(want.to_info(key, false))]
        };
        let spec = VmConfigSpec { property, ..Default::default() };
        meta.client
            .update_vapp_options(&target, &spec, Some(Instant::now() + TASK_TIMEOUT))
            .await
            .map_err(|e| call_failed(&e, "changing the vApp property", secret_of(&want)))?;
        tracing::info!(target = %target, key, property = %want.qualified_id(), "vApp property changed");
        Ok(State { id: Value::known(id_of(target_id, key)), key: Value::known(key), ..want })
    }

    async fn delete(&self, meta: &Meta, prior: State) -> Result<(), Diags> {
        let (Some(target_id), Some(key)) = (prior.target_id.get(), prior.key.get()) else { return Ok(()) };
        let target = target::reference(target_id)?;
        let _turn = target::lock(target_id).await;
        let options =
            meta.client.vapp_options(&target).await.map_err(|e| vi_diag(&e, "reading the vApp properties", None))?;
        // The VM or vApp is gone, or the property: nothing left to remove.
        if options.property(*key).is_none() {
            return Ok(());
        }
        let spec = VmConfigSpec { property: vec![VAppPropertySpec::remove(*key)], ..Default::default() };
        meta.client
            .update_vapp_options(&target, &spec, Some(Instant::now() + TASK_TIMEOUT))
            .await
            .map_err(|e| call_failed(&e, "removing the vApp property", None))?;
        tracing::info!(target = %target, key, "vApp property removed");
        Ok(())
    }

    async fn import(&self, meta: &Meta, id: &str) -> Result<State, Diags> {
        let bad = || {
            Diags::error(
                "Invalid import id",
                format!("expected `<target_id>:<key>`, as in `vm-42:0` or `resgroup-v12:3`; got {id:?}"),
            )
        };
        let (target_id, key) = id.rsplit_once(':').ok_or_else(bad)?;
        let key: i64 = key.trim().parse().map_err(|_| bad())?;
        let target_id = target_id.trim();
        let target = target::reference(target_id)?;
        let options = target::options_now(meta, &target, target_id).await?;
        let live = options.property(key).ok_or_else(|| {
            let keys: Vec<String> = options.properties().iter().map(|p| p.key.to_string()).collect();
            Diags::error(
                "vApp property not found",
                format!(
                    "{target_id} has no vApp property with key {key} (its keys: {})",
                    if keys.is_empty() { "none".to_owned() } else { keys.join(", ") }
                ),
            )
        })?;
        Ok(read::to_state(target_id, live, &State::default()))
    }

    fn identity_attributes(&self) -> &'static [(&'static str, &'static str)] {
        &[
            ("target_id", "The VM or vApp the property belongs to (`vm-42`, `resgroup-v12`)."),
            ("key", "The property's key within it (a number)."),
        ]
    }

    fn import_id(&self, identity: &[String]) -> String {
        identity.join(":")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plugin::resource;

    #[test]
    fn state_matches_schema() {
        let r = resource::<Meta, _>(VappProperty);
        assert_eq!(r.type_name(), "vi_vapp_property");
        if let Err(e) = r.self_check() {
            panic!("{e}");
        }
    }

    #[test]
    fn secrets_are_scrubbed_from_call_failures() {
        let e = ViError::Fault { kind: "InvalidArgument".into(), message: "bad value hunter22 for key 3".into() };
        let d = call_failed(&e, "adding the vApp property", Some("hunter22"));
        assert!(!format!("{d:?}").contains("hunter22"), "{d:?}");
        assert!(d.0[0].detail.contains("(sensitive value)"));
        let short = call_failed(&e, "x", Some("3"));
        assert!(short.0[0].detail.contains("key 3"), "short secrets are left alone");
    }

    #[test]
    fn the_write_only_password_is_sent_again_only_when_its_version_changes() {
        let at = |v: Option<i64>| State {
            r#type: Value::known("password".into()),
            sensitive_value_wo: Value::known("pw-1234".into()),
            sensitive_value_wo_version: Value::from_option(v),
            ..State::default()
        };
        let stored =
            |s: State| State { sensitive_value: Value::known("pw-0000".into()), sensitive_value_wo: Value::Null, ..s };
        // Prior states never hold the write-only value.
        let prior = |v| State { sensitive_value_wo: Value::Null, ..at(v) };
        assert!(!sends_secret(&prior(Some(1)), &at(Some(1))));
        assert!(sends_secret(&prior(Some(1)), &at(Some(2))));
        assert!(sends_secret(&prior(None), &at(Some(1))));
        assert!(sends_secret(&stored(at(None)), &at(None)), "from sensitive_value to the write-only form");
        assert!(sends_secret(&prior(Some(1)), &stored(at(None))), "the stored form is always sent");
    }

    #[test]
    fn secret_of_is_only_for_password_types() {
        let pw = State {
            r#type: Value::known("password".into()),
            sensitive_value: Value::known("pw-1234".into()),
            ..State::default()
        };
        assert_eq!(secret_of(&pw), Some("pw-1234"));
        let plain =
            State { r#type: Value::known("string".into()), value: Value::known("v".into()), ..State::default() };
        assert_eq!(secret_of(&plain), None);
    }
}
