//! What a provider, a resource and a data source implement. Each works on
//! its own typed serde state; the erased wrappers below turn cty values into
//! those types and back, so nothing above this room sees the wire.
use std::sync::Arc;

use async_trait::async_trait;
use serde::Serialize;
use serde::de::DeserializeOwned;

use super::cty::{self, Dyn};
use super::diag::{AttrPath, Diags};
use super::schema::{Block, Schema};
use super::write_only;

/// Converts a cty value into a typed state struct.
pub fn decode<T: DeserializeOwned>(v: &Dyn) -> Result<T, Diags> {
    serde_json::from_value(cty::to_json(v)).map_err(|e| {
        // A number too large or fractional for its field is the user's
        // input: say which attribute and what it takes.
        super::number_fit::misfit_numbers::<T>(v).unwrap_or_else(|| {
            Diags::error("Provider could not read a value", format!("decoding into the typed state failed: {e}"))
        })
    })
}

/// Converts a typed state struct into a cty value of the schema's type.
pub fn encode<T: Serialize>(state: &T, schema: &Schema) -> Result<Dyn, Diags> {
    let j = serde_json::to_value(state).map_err(|e| {
        Diags::error("Provider could not write a value", format!("encoding the typed state failed: {e}"))
    })?;
    cty::from_json(&j, &schema.ty())
        .map_err(|e| Diags::error("Provider could not write a value", format!("state does not fit the schema: {e}")))
}

/// The provider itself: its configuration and what it serves.
#[async_trait]
pub trait Provider: Send + Sync + 'static {
    /// What `configure` builds and every resource then receives (a client…).
    type Meta: Send + Sync + 'static;
    type Config: DeserializeOwned + Send;

    fn schema(&self) -> Schema;
    fn validate(&self, _config: &Self::Config) -> Diags {
        Diags::none()
    }
    /// The meta every resource receives, with warnings to show (a
    /// configuration that works but is unwise).
    async fn configure(&self, config: Self::Config, terraform_version: &str) -> Result<(Self::Meta, Diags), Diags>;
    fn resources(&self) -> Vec<Arc<dyn AnyResource<Self::Meta>>>;
    fn data_sources(&self) -> Vec<Arc<dyn AnyDataSource<Self::Meta>>>;
    /// The provider's functions (`provider::<name>::<function>`), which
    /// need no configuration. None by default.
    fn functions(&self) -> Vec<Arc<dyn super::function::Function>> {
        Vec::new()
    }
    /// Releases what `configure` acquired (sessions) when the process is
    /// about to end. The server bounds it by a short timeout.
    async fn close(&self, _meta: &Self::Meta) {}
}

/// The plan in the making, handed to `Resource::plan`.
pub struct Plan<S> {
    /// None when the resource is being created.
    pub prior: Option<S>,
    pub config: S,
    /// Starts as Terraform's proposed new state, with computed attributes
    /// that the configuration leaves null marked unknown on create.
    pub planned: S,
    /// Attributes whose change needs a replacement, beyond those marked
    /// `force_new` in the schema (which are found automatically).
    pub requires_replace: Vec<AttrPath>,
}

/// Why an apply step failed, and what exists despite the failure.
pub struct ApplyError<S> {
    pub diags: Diags,
    /// State of what was made before the failure: returned so Terraform
    /// records (and taints) it instead of orphaning it.
    pub partial: Option<S>,
}

impl<S> From<Diags> for ApplyError<S> {
    fn from(diags: Diags) -> Self {
        ApplyError { diags, partial: None }
    }
}

/// The source of a `moved` block whose `from` is another resource type.
#[derive(Debug, Clone, Copy)]
pub struct MoveSource<'a> {
    /// The source's provider, e.g. `registry.terraform.io/hashicorp/vsphere`.
    pub provider_address: &'a str,
    pub type_name: &'a str,
    /// The schema version the source's state was written at.
    pub schema_version: i64,
}

impl MoveSource<'_> {
    /// The provider's type (`vsphere`), whatever registry or namespace
    /// it was installed from.
    pub fn provider_type(&self) -> &str {
        self.provider_address.rsplit('/').next().unwrap_or(self.provider_address)
    }
}

#[async_trait]
pub trait Resource<M: Send + Sync + 'static>: Send + Sync + 'static {
    type State: Serialize + DeserializeOwned + Send + Sync + Clone;

    fn type_name(&self) -> &'static str;
    fn schema(&self) -> Schema;

    /// Static checks on configuration (values may be unknown).
    fn validate(&self, _config: &Self::State) -> Diags {
        Diags::none()
    }

    /// Refines the plan; `meta` is None while the provider is not configured
    /// yet (its configuration still unknown).
    async fn plan(&self, _meta: Option<&M>, _plan: &mut Plan<Self::State>) -> Diags {
        Diags::none()
    }

    async fn create(&self, meta: &M, planned: Self::State) -> Result<Self::State, ApplyError<Self::State>>;
    /// Ok(None) when the object no longer exists.
    async fn read(&self, meta: &M, current: Self::State) -> Result<Option<Self::State>, Diags>;
    async fn update(
        &self,
        meta: &M,
        prior: Self::State,
        planned: Self::State,
    ) -> Result<Self::State, ApplyError<Self::State>>;
    async fn delete(&self, meta: &M, prior: Self::State) -> Result<(), Diags>;
    /// A state with enough set (at least the id) for `read` to fill the rest.
    async fn import(&self, meta: &M, id: &str) -> Result<Self::State, Diags>;

    /// Brings a stored state (as JSON) from schema version `from` to the
    /// next one; called once per version until the current one. A resource
    /// whose schema changed in a way that renames or reshapes attributes
    /// says how here; the default knows no older version.
    fn upgrade_step(&self, from: i64, _state: serde_json::Value) -> Result<serde_json::Value, String> {
        Err(format!("no upgrade is known from schema version {from}"))
    }

    /// The string attributes of the state that identify an object for good
    /// (name, description), for the CLI's identity tracking and `import {
    /// identity = ... }`. None (the default) declares no identity.
    fn identity_attributes(&self) -> &'static [(&'static str, &'static str)] {
        &[]
    }

    /// The id `import` takes, from an identity's values in the order of
    /// `identity_attributes`. The default: the first value.
    fn import_id(&self, identity: &[String]) -> String {
        identity.first().cloned().unwrap_or_default()
    }

    /// The state of an object another resource type (of any provider)
    /// managed, for a `moved` block: the state, with warnings for what has
    /// no counterpart here. The result is then completed like an import's
    /// (defaults for what vSphere does not store) and refreshed by the CLI.
    /// The CLI may ask before it configures the provider (OpenTofu does):
    /// what only vSphere can tell is left for the read that follows. The
    /// default accepts no source.
    async fn move_from(
        &self,
        source: &MoveSource<'_>,
        _state: serde_json::Value,
    ) -> Result<(Self::State, Diags), Diags> {
        Err(Diags::error(
            "Move not supported",
            format!(
                "{} cannot take over the state of {} ({}): it accepts moves from no other resource type. Import \
                 the object instead.",
                self.type_name(),
                source.type_name,
                source.provider_address
            ),
        ))
    }

    /// Completes a state `move_from` made, with what only vSphere can tell
    /// (an id for a name, a digest to read back), before the first read
    /// after the move. The default has nothing to complete.
    async fn complete_moved(&self, _meta: &M, state: Self::State) -> Result<Self::State, Diags> {
        Ok(state)
    }
}

#[async_trait]
pub trait DataSource<M: Send + Sync + 'static>: Send + Sync + 'static {
    type State: Serialize + DeserializeOwned + Send + Sync;

    fn type_name(&self) -> &'static str;
    fn schema(&self) -> Schema;
    fn validate(&self, _config: &Self::State) -> Diags {
        Diags::none()
    }
    async fn read(&self, meta: &M, config: Self::State) -> Result<Self::State, Diags>;
    /// `read`, with warnings shown alongside a successful result. Override
    /// this (and have `read` drop the warnings) when a read can succeed yet
    /// has something to say; the default has nothing to add.
    async fn read_with_warnings(&self, meta: &M, config: Self::State) -> Result<(Self::State, Diags), Diags> {
        Ok((self.read(meta, config).await?, Diags::none()))
    }
}

// ------------------------------------------------------------ erased forms

/// A resource seen through cty values; implemented for every `Resource`.
#[async_trait]
pub trait AnyResource<M>: Send + Sync {
    fn type_name(&self) -> &'static str;
    fn schema(&self) -> Schema;
    fn validate(&self, config: &Dyn) -> Diags;
    async fn plan(
        &self,
        meta: Option<&M>,
        prior: &Dyn,
        proposed: &Dyn,
        config: &Dyn,
    ) -> Result<(Dyn, Vec<AttrPath>, Diags), Diags>;
    /// `config` gives the write-only values, which the plan does not hold.
    async fn apply(&self, meta: &M, prior: &Dyn, planned: &Dyn, config: &Dyn) -> (Dyn, Diags);
    async fn read(&self, meta: &M, current: &Dyn) -> Result<Dyn, Diags>;
    async fn import(&self, meta: &M, id: &str) -> Result<Dyn, Diags>;
    fn identity_attributes(&self) -> &'static [(&'static str, &'static str)];
    fn import_id(&self, identity: &[String]) -> String;
    /// The state of another resource type's object, for a `moved` block.
    async fn move_from(&self, source: &MoveSource<'_>, state: serde_json::Value) -> Result<(Dyn, Diags), Diags>;
    /// A moved state completed before its first read.
    async fn complete_moved(&self, meta: &M, state: &Dyn) -> Result<Dyn, Diags>;
    /// A stored state (JSON, written at schema version `version`) brought
    /// to the current schema version.
    fn upgrade(&self, version: i64, state: serde_json::Value) -> Result<serde_json::Value, Diags>;
    /// Checks that the typed state has one field per schema attribute.
    fn self_check(&self) -> Result<(), String>;
}

/// A data source seen through cty values.
#[async_trait]
pub trait AnyDataSource<M>: Send + Sync {
    fn type_name(&self) -> &'static str;
    fn schema(&self) -> Schema;
    fn validate(&self, config: &Dyn) -> Diags;
    /// The state read, and warnings to show with it.
    async fn read(&self, meta: &M, config: &Dyn) -> Result<(Dyn, Diags), Diags>;
    /// Checks that the typed state has one field per schema attribute.
    fn self_check(&self) -> Result<(), String>;
}

/// Wraps a typed resource so the server can hold it as `AnyResource`.
pub struct Erased<R>(pub R);

pub fn resource<M: Send + Sync + 'static, R: Resource<M>>(r: R) -> Arc<dyn AnyResource<M>> {
    Arc::new(Erased(r))
}

pub fn data_source<M: Send + Sync + 'static, D: DataSource<M>>(d: D) -> Arc<dyn AnyDataSource<M>> {
    Arc::new(Erased(d))
}

#[async_trait]
impl<M: Send + Sync + 'static, R: Resource<M>> AnyResource<M> for Erased<R> {
    fn type_name(&self) -> &'static str {
        self.0.type_name()
    }
    fn schema(&self) -> Schema {
        self.0.schema()
    }
    fn validate(&self, config: &Dyn) -> Diags {
        match decode::<R::State>(config) {
            Ok(c) => self.0.validate(&c),
            // A dynamic block over a value known later (a module's
            // variable while Terraform validates): checked at plan.
            Err(_) if unknown_block(&self.0.schema().block, config) => Diags::none(),
            Err(d) => d,
        }
    }

    async fn plan(
        &self,
        meta: Option<&M>,
        prior: &Dyn,
        proposed: &Dyn,
        config: &Dyn,
    ) -> Result<(Dyn, Vec<AttrPath>, Diags), Diags> {
        if proposed.is_null() {
            // Destroy: nothing to refine.
            return Ok((Dyn::Null, Vec::new(), Diags::none()));
        }
        let schema = self.0.schema();
        let mut start = proposed.clone();
        // The resource plans with the write-only values, as configured…
        write_only::take_from_config(&schema.block, &mut start, config);
        fill_unset(&schema.block, &mut start, config, Some(prior));
        let mut plan = Plan {
            prior: if prior.is_null() { None } else { Some(decode(prior)?) },
            config: decode(config)?,
            planned: decode(&start)?,
            requires_replace: Vec::new(),
        };
        let diags = self.0.plan(meta, &mut plan).await;
        let mut planned = encode(&plan.planned, &schema)?;
        // …and the plan holds none of them.
        write_only::null_out(&schema.block, &mut planned);
        let mut replace = plan.requires_replace;
        if !prior.is_null() {
            for path in forced_replacements(&schema, prior, &planned) {
                if !replace.contains(&path) {
                    replace.push(path);
                }
            }
        }
        Ok((planned, replace, diags))
    }

    async fn apply(&self, meta: &M, prior: &Dyn, planned: &Dyn, config: &Dyn) -> (Dyn, Diags) {
        let schema = self.0.schema();
        let (mut state, diags) = self.apply_with(meta, &schema, prior, planned, config).await;
        write_only::null_out(&schema.block, &mut state);
        (state, diags)
    }

    async fn read(&self, meta: &M, current: &Dyn) -> Result<Dyn, Diags> {
        let state = decode::<R::State>(current)?;
        let schema = self.0.schema();
        match self.0.read(meta, state).await? {
            Some(s) => encode(&s, &schema).map(|mut v| {
                write_only::null_out(&schema.block, &mut v);
                v
            }),
            None => Ok(Dyn::Null),
        }
    }

    async fn import(&self, meta: &M, id: &str) -> Result<Dyn, Diags> {
        let state = self.0.import(meta, id).await?;
        adopted(&state, &self.0.schema())
    }

    fn identity_attributes(&self) -> &'static [(&'static str, &'static str)] {
        self.0.identity_attributes()
    }

    fn import_id(&self, identity: &[String]) -> String {
        self.0.import_id(identity)
    }

    async fn move_from(&self, source: &MoveSource<'_>, state: serde_json::Value) -> Result<(Dyn, Diags), Diags> {
        let (state, warnings) = self.0.move_from(source, state).await?;
        Ok((adopted(&state, &self.0.schema())?, warnings))
    }

    async fn complete_moved(&self, meta: &M, state: &Dyn) -> Result<Dyn, Diags> {
        let state = self.0.complete_moved(meta, decode::<R::State>(state)?).await?;
        adopted(&state, &self.0.schema())
    }

    fn upgrade(&self, version: i64, state: serde_json::Value) -> Result<serde_json::Value, Diags> {
        upgrade_chain(self.0.type_name(), self.0.schema().version, version, state, |from, s| {
            self.0.upgrade_step(from, s)
        })
    }

    fn self_check(&self) -> Result<(), String> {
        let schema = self.0.schema();
        if let Some(block) = write_only::in_set_block(&schema.block) {
            return Err(format!("set block {block} holds a write-only attribute"));
        }
        check_state_fields::<R::State>(&schema)
    }
}

impl<R> Erased<R> {
    /// Create, update or delete, on the planned state with the write-only
    /// values put back from the configuration.
    async fn apply_with<M: Send + Sync + 'static>(
        &self,
        meta: &M,
        schema: &Schema,
        prior: &Dyn,
        planned: &Dyn,
        config: &Dyn,
    ) -> (Dyn, Diags)
    where
        R: Resource<M>,
    {
        let mut planned = planned.clone();
        if !planned.is_null() {
            write_only::take_from_config(&schema.block, &mut planned, config);
        }
        let planned = &planned;
        if planned.is_null() {
            let state = match decode::<R::State>(prior) {
                Ok(s) => s,
                Err(d) => return (prior.clone(), d),
            };
            return match self.0.delete(meta, state).await {
                Ok(()) => (Dyn::Null, Diags::none()),
                Err(d) => (prior.clone(), d),
            };
        }
        let planned_state = match decode::<R::State>(planned) {
            Ok(s) => s,
            Err(d) => return (prior.clone(), d),
        };
        let result = if prior.is_null() {
            self.0.create(meta, planned_state).await
        } else {
            match decode::<R::State>(prior) {
                Ok(p) => self.0.update(meta, p, planned_state).await,
                Err(d) => return (prior.clone(), d),
            }
        };
        match result {
            Ok(s) => match encode(&s, schema) {
                Ok(v) => (nulls_for_unknowns(v), Diags::none()),
                Err(d) => (prior.clone(), d),
            },
            Err(ApplyError { diags, partial }) => {
                let kept = match partial.map(|p| encode(&p, schema)) {
                    Some(Ok(v)) => nulls_for_unknowns(v),
                    // Nothing new exists: keep what Terraform had.
                    _ => prior.clone(),
                };
                (kept, diags)
            }
        }
    }
}

/// The state of an object adopted by import or move: every value known, and
/// settings vSphere does not store (timeouts, reboot_allowed…) at their
/// defaults, so a plan right after shows no change.
fn adopted<S: Serialize>(state: &S, schema: &Schema) -> Result<Dyn, Diags> {
    let mut v = nulls_for_unknowns(encode(state, schema)?);
    write_only::null_out(&schema.block, &mut v);
    for a in &schema.block.attributes {
        if let (Some(d), Some(slot)) = (&a.default, v.attr_mut(&a.name))
            && slot.is_null()
        {
            *slot = d.clone();
        }
    }
    Ok(v)
}

/// Runs `step` from `version` up to `current`, one version at a time. A
/// state from a newer provider is refused rather than guessed at.
pub fn upgrade_chain(
    type_name: &str,
    current: i64,
    version: i64,
    mut state: serde_json::Value,
    step: impl Fn(i64, serde_json::Value) -> Result<serde_json::Value, String>,
) -> Result<serde_json::Value, Diags> {
    if version > current {
        return Err(Diags::error(
            "State written by a newer provider",
            format!(
                "the stored {type_name} has schema version {version}; this provider knows versions up to {current}. \
                 Use the provider version that wrote it, or a newer one."
            ),
        ));
    }
    for from in version..current {
        state = step(from, state).map_err(|e| {
            Diags::error(
                "Stored state cannot be upgraded",
                format!("{type_name} from schema version {from} to {}: {e}", from + 1),
            )
        })?;
    }
    Ok(state)
}

#[async_trait]
impl<M: Send + Sync + 'static, D: DataSource<M>> AnyDataSource<M> for Erased<D> {
    fn type_name(&self) -> &'static str {
        self.0.type_name()
    }
    fn schema(&self) -> Schema {
        self.0.schema()
    }
    fn validate(&self, config: &Dyn) -> Diags {
        match decode::<D::State>(config) {
            Ok(c) => self.0.validate(&c),
            Err(_) if unknown_block(&self.0.schema().block, config) => Diags::none(),
            Err(d) => d,
        }
    }
    async fn read(&self, meta: &M, config: &Dyn) -> Result<(Dyn, Diags), Diags> {
        let c = decode::<D::State>(config)?;
        let (s, warnings) = self.0.read_with_warnings(meta, c).await?;
        Ok((encode(&s, &self.0.schema()).map(nulls_for_unknowns)?, warnings))
    }

    fn self_check(&self) -> Result<(), String> {
        check_state_fields::<D::State>(&self.0.schema())
    }
}

/// Every attribute set unknown must survive decode + encode: a state field
/// missing, misnamed or extra shows up as an error here instead of as a
/// value silently dropped at run time.
fn check_state_fields<T: Serialize + DeserializeOwned>(schema: &Schema) -> Result<(), String> {
    let mut probe = std::collections::BTreeMap::new();
    for a in &schema.block.attributes {
        probe.insert(a.name.clone(), Dyn::Unknown);
    }
    for b in &schema.block.blocks {
        probe.insert(b.type_name.clone(), Dyn::Null);
    }
    let probe = Dyn::Map(probe);
    let typed: T = decode(&probe).map_err(|d| format!("{d:?}"))?;
    let json = serde_json::to_value(&typed).map_err(|e| e.to_string())?;
    let fields: Vec<&String> = json.as_object().map(|m| m.keys().collect()).unwrap_or_default();
    for f in &fields {
        if probe.attr(f).is_none() {
            return Err(format!("state field {f:?} is not in the schema"));
        }
    }
    let back = encode(&typed, schema).map_err(|d| format!("{d:?}"))?;
    for a in &schema.block.attributes {
        if back.attr(&a.name) != Some(&Dyn::Unknown) {
            return Err(format!("schema attribute {:?} has no matching state field", a.name));
        }
    }
    Ok(())
}

/// Fills what the configuration leaves null: an attribute's default, else
/// (for an object being created, or a block element that did not exist
/// before) unknown for a computed attribute, known only after apply.
fn fill_unset(block: &super::schema::Block, value: &mut Dyn, config: &Dyn, prior: Option<&Dyn>) {
    let creating = prior.is_none_or(Dyn::is_null);
    for a in &block.attributes {
        if !config.attr(&a.name).is_none_or(Dyn::is_null) {
            continue;
        }
        let Some(v) = value.attr_mut(&a.name) else { continue };
        if let Some(d) = &a.default {
            *v = d.clone();
        } else if a.is_computed() && creating {
            *v = Dyn::Unknown;
        }
    }
    for b in &block.blocks {
        // A single block the configuration leaves out is absent from the
        // plan, whatever Terraform's proposal carried over from the prior.
        if b.nesting == super::schema::Nesting::Single
            && config.attr(&b.type_name).is_none_or(Dyn::is_null)
            && let Some(v) = value.attr_mut(&b.type_name)
        {
            *v = Dyn::Null;
            continue;
        }
        let prior_b = prior.and_then(|p| p.attr(&b.type_name));
        let (Some(v), Some(c)) = (value.attr_mut(&b.type_name), config.attr(&b.type_name)) else {
            continue;
        };
        match (v, c) {
            (Dyn::List(items), Dyn::List(cfg_items)) => {
                let prior_items = match prior_b {
                    Some(Dyn::List(p)) => p.as_slice(),
                    _ => &[],
                };
                for (i, (item, cfg)) in items.iter_mut().zip(cfg_items).enumerate() {
                    fill_unset(&b.block, item, cfg, prior_items.get(i));
                }
            }
            (v @ Dyn::Map(_), c) => fill_unset(&b.block, v, c, prior_b),
            _ => {}
        }
    }
}

/// Paths of `force_new` attributes (and blocks) whose planned value differs
/// from the prior state.
fn forced_replacements(schema: &Schema, prior: &Dyn, planned: &Dyn) -> Vec<AttrPath> {
    let mut out = Vec::new();
    for a in schema.block.attributes.iter().filter(|a| a.force_new) {
        if prior.attr(&a.name) != planned.attr(&a.name) {
            out.push(AttrPath::attr(a.name.clone()));
        }
    }
    for b in schema.block.blocks.iter().filter(|b| b.force_new) {
        // `imported`: the resource's own record that the object was
        // adopted by an import (the plugin cannot tell that from a state).
        let adopted =
            prior.attr(&b.type_name).is_none_or(Dyn::is_null) && prior.attr("imported") == Some(&Dyn::Bool(true));
        if b.adopt_on_import && adopted {
            continue;
        }
        let (before, after) = (prior.attr(&b.type_name).cloned(), planned.attr(&b.type_name).cloned());
        if before.map(|v| without_deployment_only(&b.block, v)) != after.map(|v| without_deployment_only(&b.block, v)) {
            out.push(AttrPath::attr(b.type_name.clone()));
        }
    }
    out
}

/// Whether a nested block somewhere in `v` is wholly unknown (a dynamic
/// block whose `for_each` is not known yet).
fn unknown_block(block: &Block, v: &Dyn) -> bool {
    block.blocks.iter().any(|b| match v.attr(&b.type_name) {
        Some(Dyn::Unknown) => true,
        Some(Dyn::List(items)) => items.iter().any(|i| matches!(i, Dyn::Unknown) || unknown_block(&b.block, i)),
        Some(m @ Dyn::Map(_)) => unknown_block(&b.block, m),
        _ => false,
    })
}

/// A block's value without its `deployment_only` children, which force
/// nothing when they change.
fn without_deployment_only(block: &Block, v: Dyn) -> Dyn {
    let strip = |item: Dyn| match item {
        Dyn::Map(mut m) => {
            for c in block.blocks.iter().filter(|c| c.deployment_only) {
                m.remove(&c.type_name);
            }
            Dyn::Map(m)
        }
        other => other,
    };
    match v {
        Dyn::List(items) => Dyn::List(items.into_iter().map(strip).collect()),
        other => strip(other),
    }
}

/// After apply every value must be known; an unknown left behind by a
/// resource would make Terraform reject the whole result, so it becomes null
/// (and is logged as the provider bug it is).
fn nulls_for_unknowns(v: Dyn) -> Dyn {
    match v {
        Dyn::Unknown => {
            tracing::warn!("a value was still unknown after apply; recorded as null");
            Dyn::Null
        }
        Dyn::List(items) => Dyn::List(items.into_iter().map(nulls_for_unknowns).collect()),
        Dyn::Map(m) => Dyn::Map(m.into_iter().map(|(k, v)| (k, nulls_for_unknowns(v))).collect()),
        other => other,
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn upgrades_run_one_version_at_a_time_and_refuse_newer_states() {
        let step = |from: i64, mut v: serde_json::Value| -> Result<serde_json::Value, String> {
            v["steps"].as_array_mut().ok_or("no steps")?.push(serde_json::json!(from));
            Ok(v)
        };
        let up = upgrade_chain("vi_x", 3, 1, serde_json::json!({"steps": []}), step).unwrap();
        assert_eq!(up["steps"], serde_json::json!([1, 2]));
        let same = upgrade_chain("vi_x", 3, 3, serde_json::json!({"steps": []}), step).unwrap();
        assert_eq!(same["steps"], serde_json::json!([]));
        let newer = upgrade_chain("vi_x", 1, 2, serde_json::json!({}), step).unwrap_err();
        assert!(format!("{newer:?}").contains("schema version 2"), "{newer:?}");
        let broken = upgrade_chain("vi_x", 2, 0, serde_json::json!({}), step).unwrap_err();
        assert!(format!("{broken:?}").contains("from schema version 0 to 1: no steps"), "{broken:?}");
    }

    use super::*;
    use crate::plugin::cty::Type;
    use crate::plugin::schema::{Attribute, Block, NestedBlock};
    use std::collections::BTreeMap;

    fn schema() -> Schema {
        Schema::new(
            Block::new("t")
                .attr(Attribute::computed("id", Type::String, ""))
                .attr(Attribute::required("name", Type::String, "").force_new())
                .attr(Attribute::optional_computed("memory", Type::Number, ""))
                .block(NestedBlock::list("disk", Block::new("").attr(Attribute::computed("uuid", Type::String, "")))),
        )
    }

    fn obj(pairs: &[(&str, Dyn)]) -> Dyn {
        Dyn::Map(pairs.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect::<BTreeMap<_, _>>())
    }

    #[test]
    fn create_marks_unset_computed_attributes_unknown_even_in_blocks() {
        let cfg = obj(&[
            ("id", Dyn::Null),
            ("name", Dyn::String("a".into())),
            ("memory", Dyn::Number(1024.into())),
            ("disk", Dyn::List(vec![obj(&[("uuid", Dyn::Null)])])),
        ]);
        let mut v = cfg.clone();
        fill_unset(&schema().block, &mut v, &cfg, None);
        assert_eq!(v.attr("id"), Some(&Dyn::Unknown));
        assert_eq!(v.attr("memory"), Some(&Dyn::Number(1024.into())));
        let Some(Dyn::List(d)) = v.attr("disk") else { panic!("disk") };
        assert_eq!(d[0].attr("uuid"), Some(&Dyn::Unknown));
    }

    #[test]
    fn defaults_fill_null_config_and_new_block_items_get_unknowns() {
        let s = Schema::new(
            Block::new("t")
                .attr(Attribute::optional("power", Type::String, "").default("on"))
                .attr(Attribute::computed("ip", Type::String, ""))
                .block(NestedBlock::list("disk", Block::new("").attr(Attribute::computed("uuid", Type::String, "")))),
        );
        let prior = obj(&[
            ("power", Dyn::String("off".into())),
            ("ip", Dyn::Null),
            ("disk", Dyn::List(vec![obj(&[("uuid", Dyn::String("u1".into()))])])),
        ]);
        let cfg = obj(&[
            ("power", Dyn::Null),
            ("ip", Dyn::Null),
            ("disk", Dyn::List(vec![obj(&[("uuid", Dyn::Null)]), obj(&[("uuid", Dyn::Null)])])),
        ]);
        // Terraform's proposal keeps prior computed values where it can.
        let mut v = obj(&[
            ("power", Dyn::String("off".into())),
            ("ip", Dyn::Null),
            ("disk", Dyn::List(vec![obj(&[("uuid", Dyn::String("u1".into()))]), obj(&[("uuid", Dyn::Null)])])),
        ]);
        fill_unset(&s.block, &mut v, &cfg, Some(&prior));
        assert_eq!(v.attr("power"), Some(&Dyn::String("on".into())));
        // An existing null computed value stays null: no perpetual diff.
        assert_eq!(v.attr("ip"), Some(&Dyn::Null));
        let Some(Dyn::List(d)) = v.attr("disk") else { panic!("disk") };
        assert_eq!(d[0].attr("uuid"), Some(&Dyn::String("u1".into())));
        assert_eq!(d[1].attr("uuid"), Some(&Dyn::Unknown));
    }

    #[test]
    fn force_new_changes_are_found() {
        let a = obj(&[("name", Dyn::String("a".into())), ("memory", Dyn::Number(1.into()))]);
        let b = obj(&[("name", Dyn::String("b".into())), ("memory", Dyn::Number(2.into()))]);
        assert_eq!(forced_replacements(&schema(), &a, &b), vec![AttrPath::attr("name")]);
        assert!(forced_replacements(&schema(), &a, &a).is_empty());
    }

    #[test]
    fn unknown_nested_blocks_are_found() {
        use crate::plugin::NestedBlock;
        let s = Block::new("").block(NestedBlock::single(
            "outer",
            Block::new("")
                .block(NestedBlock::list("inner", Block::new("").attr(Attribute::optional("x", Type::String, "")))),
        ));
        assert!(unknown_block(&s, &obj(&[("outer", obj(&[("inner", Dyn::Unknown)]))])));
        assert!(!unknown_block(&s, &obj(&[("outer", obj(&[("inner", Dyn::List(vec![]))]))])));
        assert!(!unknown_block(&s, &obj(&[("outer", Dyn::Null)])));
    }

    #[test]
    fn deployment_only_blocks_force_nothing_inside_a_creation_block() {
        use crate::plugin::NestedBlock;
        let inner = Block::new("").attr(Attribute::optional("source", Type::String, "")).block(
            NestedBlock::single("customize", Block::new("").attr(Attribute::optional("host", Type::String, "")))
                .deployment_only(),
        );
        let s = Schema::new(Block::new("").block(NestedBlock::single("clone", inner).creation_only()));
        let clone = |src: &str, host: &str| {
            obj(&[(
                "clone",
                obj(&[("source", Dyn::String(src.into())), ("customize", obj(&[("host", Dyn::String(host.into()))]))]),
            )])
        };
        assert!(forced_replacements(&s, &clone("a", "h1"), &clone("a", "h2")).is_empty());
        assert_eq!(forced_replacements(&s, &clone("a", "h1"), &clone("b", "h1")), vec![AttrPath::attr("clone")]);
    }

    #[derive(serde::Serialize, serde::Deserialize)]
    struct Echo {
        name: crate::plugin::Value<String>,
    }

    struct Warns;

    #[async_trait]
    impl DataSource<()> for Warns {
        type State = Echo;
        fn type_name(&self) -> &'static str {
            "t_warns"
        }
        fn schema(&self) -> Schema {
            Schema::new(Block::new("t").attr(Attribute::required("name", Type::String, "")))
        }
        async fn read(&self, meta: &(), config: Echo) -> Result<Echo, Diags> {
            self.read_with_warnings(meta, config).await.map(|(s, _)| s)
        }
        async fn read_with_warnings(&self, _: &(), config: Echo) -> Result<(Echo, Diags), Diags> {
            Ok((config, Diags::warning_at(AttrPath::attr("name"), "odd", "but fine")))
        }
    }

    #[tokio::test]
    async fn data_source_warnings_come_with_the_state() {
        let ds = data_source(Warns);
        let cfg = obj(&[("name", Dyn::String("a".into()))]);
        let (state, warnings) = ds.read(&(), &cfg).await.unwrap();
        assert_eq!(state, cfg);
        assert_eq!(warnings.0.len(), 1);
        assert!(!warnings.has_errors());
    }

    #[derive(serde::Serialize, serde::Deserialize, Clone)]
    struct Thing {
        id: crate::plugin::Value<String>,
        size: crate::plugin::Value<i64>,
    }

    struct Things;

    #[async_trait]
    impl Resource<()> for Things {
        type State = Thing;
        fn type_name(&self) -> &'static str {
            "t_thing"
        }
        fn schema(&self) -> Schema {
            Schema::new(
                Block::new("t")
                    .attr(Attribute::computed("id", Type::String, ""))
                    .attr(Attribute::optional("size", Type::Number, "").default(3i64)),
            )
        }
        async fn create(&self, _: &(), s: Thing) -> Result<Thing, ApplyError<Thing>> {
            Ok(s)
        }
        async fn read(&self, _: &(), s: Thing) -> Result<Option<Thing>, Diags> {
            Ok(Some(s))
        }
        async fn update(&self, _: &(), _: Thing, s: Thing) -> Result<Thing, ApplyError<Thing>> {
            Ok(s)
        }
        async fn delete(&self, _: &(), _: Thing) -> Result<(), Diags> {
            Ok(())
        }
        async fn import(&self, _: &(), id: &str) -> Result<Thing, Diags> {
            Ok(Thing { id: crate::plugin::Value::known(id.to_owned()), size: crate::plugin::Value::Null })
        }
    }

    #[tokio::test]
    async fn moves_are_refused_by_default_naming_both_types() {
        let r = resource(Things);
        let src = MoveSource {
            provider_address: "registry.terraform.io/hashicorp/vsphere",
            type_name: "vsphere_thing",
            schema_version: 0,
        };
        assert_eq!(src.provider_type(), "vsphere");
        let e = r.move_from(&src, serde_json::json!({})).await.unwrap_err();
        let text = format!("{e:?}");
        assert!(text.contains("t_thing cannot take over the state of vsphere_thing"), "{text}");
        assert!(text.contains("hashicorp/vsphere"), "{text}");
    }

    #[tokio::test]
    async fn an_adopted_state_gets_the_defaults_of_what_it_leaves_null() {
        let v = resource(Things).import(&(), "x-1").await.unwrap();
        assert_eq!(v.attr("size"), Some(&Dyn::Number(3.into())));
        assert_eq!(v.attr("id"), Some(&Dyn::String("x-1".into())));
    }

    #[test]
    fn unknowns_left_after_apply_become_null() {
        let v = nulls_for_unknowns(obj(&[("id", Dyn::Unknown), ("l", Dyn::List(vec![Dyn::Unknown]))]));
        assert!(!v.has_unknown());
    }
}
