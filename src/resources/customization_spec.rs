//! `vi_customization_spec`: a guest customization specification stored in
//! vCenter. Created, overwritten in place (naming the change version it
//! replaces), renamed in place, deleted, imported by name.
use async_trait::async_trait;

use crate::plugin::{ApplyError, AttrPath, Diags, Plan, Resource, Schema, Value};
use crate::rules::customization::{Identity, Target};
use crate::shared::Meta;
use crate::shared::customization::model::SpecFields;
use crate::shared::customization::{checks, convert};
use crate::shared::diag::vi_diag;
use crate::vi::ViError;
use crate::vi::object::customization_spec::{CustomizationSpecInfo, CustomizationSpecItem};

mod schema;

pub use schema::State;

pub struct CustomizationSpec;

/// `Linux` or `Windows`, as vCenter names a specification's type.
fn type_of(spec: &SpecFields) -> Option<&'static str> {
    match checks::as_rules(spec).identity()? {
        Identity::Linux => Some("Linux"),
        Identity::Windows | Identity::SysprepText => Some("Windows"),
    }
}

fn spec_of(s: &State) -> Result<&SpecFields, Diags> {
    s.spec.as_ref().ok_or_else(|| Diags::error_at(AttrPath::attr("spec"), "Missing spec", "a `spec` block is required"))
}

/// The item to send for `want`, replacing `change_version` when set.
fn item(want: &State, change_version: Option<String>) -> Result<CustomizationSpecItem, Diags> {
    let spec = spec_of(want)?;
    Ok(CustomizationSpecItem {
        info: CustomizationSpecInfo {
            name: want.name.require("name")?.to_owned(),
            description: want.description.get().cloned().unwrap_or_default(),
            r#type: type_of(spec).unwrap_or("Linux").to_owned(),
            change_version,
            last_update_time: None,
        },
        // A stored spec is not tied to a VM: its interface list is as given.
        spec: convert::to_vi(spec, 0)?,
    })
}

/// The state of `item`, keeping from `prior` what vCenter does not give
/// back as written (secrets).
fn to_state(item: &CustomizationSpecItem, prior: &State) -> State {
    let prior_spec = prior.spec.clone().unwrap_or_default();
    State {
        id: Value::known(item.info.name.clone()),
        name: Value::known(item.info.name.clone()),
        r#type: Value::known(item.info.r#type.clone()),
        description: Value::known(item.info.description.clone()),
        change_version: Value::from_option(item.info.change_version.clone()),
        last_update_time: Value::from_option(item.info.last_update_time.clone()),
        spec: Some(convert::from_vi(&item.spec, &prior_spec)),
    }
}

/// `s` as a plan or state holds it: without write-only values (which the
/// resource sees, from the configuration, while it plans and applies).
fn stored(s: &State) -> State {
    State { spec: s.spec.as_ref().map(SpecFields::without_write_only), ..s.clone() }
}

async fn read_item(meta: &Meta, name: &str) -> Result<Option<CustomizationSpecItem>, Diags> {
    meta.client
        .get_customization_spec(name)
        .await
        .map_err(|e| vi_diag(&e, "reading the customization specification", None))
}

#[async_trait]
impl Resource<Meta> for CustomizationSpec {
    type State = State;

    fn type_name(&self) -> &'static str {
        "vi_customization_spec"
    }

    fn schema(&self) -> Schema {
        schema::schema()
    }

    fn validate(&self, c: &State) -> Diags {
        let mut d = crate::shared::name_checks::name(&c.name, crate::rules::object_name::NameKind::Other);
        let spec = match spec_of(c) {
            Ok(s) => s,
            Err(missing) => {
                d.push(missing);
                return d;
            }
        };
        d.push(checks::check(spec, &Target::default(), &AttrPath::attr("spec")));
        if let (Some(given), Some(follows)) = (c.r#type.get(), type_of(spec))
            && given != follows
        {
            d.push(Diags::error_at(
                AttrPath::attr("type"),
                "Customization type does not match the spec",
                format!("type is {given:?}, and the spec block makes a {follows} specification"),
            ));
        }
        d
    }

    /// A name another specification already has fails here, not at apply.
    async fn plan(&self, meta: Option<&Meta>, p: &mut Plan<State>) -> Diags {
        if let Some(spec) = &p.planned.spec
            && let Some(t) = type_of(spec)
        {
            p.planned.r#type = Value::known(t.to_owned());
        }
        // The id is known once the specification exists (or is renamed):
        // a VM planned to use a new one then checks it at apply, not
        // against a vCenter that does not have it yet.
        let renamed = p.prior.as_ref().is_some_and(|prior| prior.name != p.planned.name);
        if let Some(prior) = &p.prior {
            p.planned.id = if renamed { Value::Unknown } else { prior.id.clone() };
        }
        if let Some(prior) = &p.prior
            && prior != &stored(&p.planned)
        {
            p.planned.change_version = Value::Unknown;
            p.planned.last_update_time = Value::Unknown;
        }
        let Some(meta) = meta else { return Diags::none() };
        let Some(name) = p.planned.name.get() else { return Diags::none() };
        if p.prior.is_some() && !renamed {
            return Diags::none();
        }
        match meta.client.customization_spec_exists(name).await {
            Ok(false) => Diags::none(),
            // A tainted one of the same name is deleted before the create.
            Ok(true) if p.prior.is_none() => Diags::warning_at(
                AttrPath::attr("name"),
                "Customization specification name already taken",
                format!(
                    "vCenter already has a specification named {name:?}. Unless it is this resource's own tainted \
                     one, which the apply deletes first, the apply will fail: import it instead."
                ),
            ),
            Ok(true) => Diags::error_at(
                AttrPath::attr("name"),
                "Customization specification name already taken",
                format!("vCenter already has a specification named {name:?}"),
            ),
            Err(e) => vi_diag(&e, "looking for the specification's name", Some(AttrPath::attr("name"))),
        }
    }

    async fn create(&self, meta: &Meta, want: State) -> Result<State, ApplyError<State>> {
        let item = item(&want, None)?;
        let name = &item.info.name;
        if let Err(e) = meta.client.create_customization_spec(&item).await {
            // Names are unique: whether a create whose answer was lost
            // happened is a lookup away, and an identical one is ours.
            let ours = if e.outcome_unknown() || e.is_fault(crate::vi::FaultKind::AlreadyExists) {
                read_item(meta, name).await.ok().flatten().filter(|found| found.spec == item.spec)
            } else {
                None
            };
            match ours {
                Some(found) => {
                    tracing::info!(name, "customization specification found after its create lost its answer");
                    return Ok(to_state(&found, &want));
                }
                None => return Err(create_err(&e)),
            }
        }
        tracing::info!(name, "customization specification created");
        let found = read_item(meta, name).await?.ok_or_else(|| {
            Diags::error("Customization specification not found", format!("{name:?} is gone right after its create"))
        })?;
        Ok(to_state(&found, &want))
    }

    async fn read(&self, meta: &Meta, current: State) -> Result<Option<State>, Diags> {
        let Some(name) = current.id.get().or(current.name.get()) else { return Ok(None) };
        Ok(read_item(meta, name).await?.map(|item| to_state(&item, &current)))
    }

    async fn update(&self, meta: &Meta, prior: State, want: State) -> Result<State, ApplyError<State>> {
        let old = prior.id.require("id")?.to_owned();
        let new = want.name.require("name")?.to_owned();
        // Content first, under the old name and the change version the
        // last refresh read (a rename is a change too, and would make that
        // version stale); then the rename.
        let same_content = stored(&prior).spec == stored(&want).spec && prior.description == want.description;
        if !same_content {
            let mut item = item(&want, prior.change_version.get().cloned())?;
            item.info.name = old.clone();
            meta.client.overwrite_customization_spec(&item).await.map_err(|e| {
                vi_diag(
                    &e,
                    "overwriting the customization specification (if it changed in vCenter since the last refresh, \
                     refresh and apply again)",
                    None,
                )
            })?;
        }
        if old != new {
            meta.client.rename_customization_spec(&old, &new).await.map_err(|e| ApplyError {
                diags: vi_diag(&e, "renaming the customization specification", Some(AttrPath::attr("name"))),
                // The content is written: state says so, under the old name.
                partial: Some(State {
                    spec: want.spec.clone(),
                    description: want.description.clone(),
                    ..prior.clone()
                }),
            })?;
        }
        let found = read_item(meta, &new).await?.ok_or_else(|| {
            Diags::error("Customization specification not found", format!("{new:?} is gone after its update"))
        })?;
        Ok(to_state(&found, &want))
    }

    async fn delete(&self, meta: &Meta, prior: State) -> Result<(), Diags> {
        let Some(name) = prior.id.get() else { return Ok(()) };
        match meta.client.delete_customization_spec(name).await {
            Ok(()) => Ok(()),
            Err(e) if e.is_fault(crate::vi::FaultKind::NotFound) => Ok(()),
            Err(e) => Err(vi_diag(&e, "deleting the customization specification", None)),
        }
    }

    async fn import(&self, meta: &Meta, id: &str) -> Result<State, Diags> {
        let item = read_item(meta, id).await?.ok_or_else(|| {
            Diags::error("Customization specification not found", format!("vCenter has no specification named {id:?}"))
        })?;
        Ok(to_state(&item, &State::default()))
    }
}

fn create_err(e: &ViError) -> ApplyError<State> {
    let attr = e.is_fault(crate::vi::FaultKind::AlreadyExists).then(|| AttrPath::attr("name"));
    vi_diag(e, "creating the customization specification", attr).into()
}
