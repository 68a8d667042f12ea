//! `vi_catalog_item`: an OVF template in a catalog, uploaded from a local
//! `.ovf`/`.ova` (streamed through a library update session; an OVA's
//! members go up as byte ranges of the archive) or captured from a VM or
//! vApp. Name and description change in place; new content, a new capture
//! source or another catalog make a new item.
//!
//! For `vi_vm` and friends to deploy it later, the item exposes its `id`,
//! the OVF facts (`virtual_systems`, `networks`, …) and `instantiate_tpm`.
use async_trait::async_trait;

mod lost_create;
mod moved_from_vsphere;
mod plan;
mod provenance;
mod schema;
pub mod state;
mod upgrade;
use self::state::State;
use crate::ovf::limits::MAX_DESCRIPTOR_BYTES;
use crate::ovf::package::manifest_sha256;
use crate::ovf::parse_ovf;
use crate::plugin::{ApplyError, AttrPath, Diags, MoveSource, Plan, Resource, Schema, Value};
use crate::rules::object_name::NameKind;
use crate::shared::Meta;
use crate::shared::diag::library_diag;
use crate::shared::item_provenance::{compose, split};
use crate::shared::moved_from_vsphere as moved;
use crate::shared::ovf_facts::OvfFacts;
use crate::shared::tpm::template_origin::instantiate_tpm;
use crate::vi::{ByteRange, ItemFileSource, ItemModel, LibraryClient};

pub struct CatalogItem;

/// What vCenter stores as the description: the user's text and the
/// provenance line.
fn stored_description(s: &State) -> String {
    compose(s.description.as_deref().unwrap_or_default(), &provenance::of(s))
}

async fn library(meta: &Meta) -> Result<&LibraryClient, Diags> {
    meta.library().await.map_err(|e| library_diag(&e, "logging in to the content library API", None))
}

/// The facts of an item as vCenter holds it: its `.ovf` file parsed. An
/// item without one (vcsim's captures have no files) has empty facts.
async fn library_facts(lib: &LibraryClient, item_id: &str) -> Result<OvfFacts, Diags> {
    let files = lib.list_item_files(item_id).await.map_err(|e| library_diag(&e, "listing the item's files", None))?;
    let Some(ovf) = files.iter().find(|f| f.name.to_ascii_lowercase().ends_with(".ovf")) else {
        return Ok(OvfFacts::default());
    };
    let bytes = lib
        .download_item_file(item_id, &ovf.name, MAX_DESCRIPTOR_BYTES)
        .await
        .map_err(|e| library_diag(&e, &format!("downloading the item's descriptor {}", ovf.name), None))?;
    let descriptor = parse_ovf(&bytes).map_err(|e| {
        Diags::error("The item's OVF descriptor does not parse", format!("{} of item {item_id}: {e}", ovf.name))
    })?;
    Ok(OvfFacts::of(&descriptor))
}

/// `instantiate_tpm` for a state, by the TPM rules.
fn tpm_of(meta: &Meta, s: &State) -> Result<Value<String>, Diags> {
    let policy = provenance::origin(s)
        .and_then(|o| instantiate_tpm(meta.client.api_version(), o))
        .map_err(|e| Diags::error_at(AttrPath::attr("tpm_provisioning"), "Invalid tpm_provisioning", e.to_string()))?;
    Ok(Value::from_option(policy.map(|p| p.to_string())))
}

/// The state of `item` as vCenter reports it; what vCenter does not hold
/// (facts already read, a source without a provenance line) comes from
/// `current`.
async fn to_state(meta: &Meta, lib: &LibraryClient, item: &ItemModel, current: &State) -> Result<State, Diags> {
    let mut s = current.clone();
    if let Some(id) = &item.id {
        s.id = Value::known(id.clone());
    }
    if let Some(l) = &item.library_id {
        s.catalog_id = Value::known(l.clone());
    }
    s.name = Value::from_option(item.name.clone());
    let (description, provenance) = split(item.description.as_deref().unwrap_or_default());
    s.description = Value::known(description);
    if let Some(p) = provenance {
        provenance::apply(p, &mut s);
    }
    if !s.has_facts() {
        let id = s.id.get().cloned().unwrap_or_default();
        s.set_facts(library_facts(lib, &id).await?);
    }
    // A read reports, it does not judge: a recorded policy the rules now
    // refuse (the vCenter was downgraded?) reads as none.
    s.instantiate_tpm = tpm_of(meta, &s).unwrap_or_else(|d| {
        tracing::warn!(diags = ?d, "no TPM policy for the catalog item");
        Value::Null
    });
    Ok(s)
}

impl CatalogItem {
    async fn create_from_file(&self, meta: &Meta, want: State, path: &str) -> Result<State, ApplyError<State>> {
        let pkg = plan::load_package(path)?;
        let lib = library(meta).await?;
        let catalog = want.catalog_id.require("catalog_id")?;
        let name = want.name.require("name")?;
        // The provenance line holds the planned digest; one unknown at plan
        // (a path known only at apply) is recorded after the upload.
        let id = match lib.create_item(catalog, name, Some(&stored_description(&want)), "ovf").await {
            Ok(id) => id,
            Err(e) => {
                let attr = (e.api_kind() == Some("ALREADY_EXISTS")).then_some("name");
                let diags = library_diag(&e, "creating the catalog item", attr);
                return Err(lost_create::failed(lib, &e, diags, &want).await);
            }
        };
        tracing::info!(item = %id, name, files = pkg.files.len(), "catalog item created; uploading");
        let partial = State { id: Value::known(id.clone()), ..want.clone() };
        let fail = |d: Diags| ApplyError { diags: d, partial: Some(partial.clone()) };
        let sources: Vec<ItemFileSource> = pkg
            .files
            .iter()
            .map(|f| ItemFileSource {
                name: &f.name,
                path: &f.path,
                range: f.range.map(|r| ByteRange { offset: r.offset, length: r.length }),
            })
            .collect();
        let results = lib
            .upload_item_files(&id, &sources, |_, _| {})
            .await
            .map_err(|e| fail(library_diag(&e, &format!("uploading {path}"), Some("source_file"))))?;
        let sha = manifest_sha256(pkg.files.iter().zip(&results).map(|(f, r)| (f.name.as_str(), r.sha256.as_str())));
        if let Some(planned) = want.source_sha256.get()
            && *planned != sha
        {
            return Err(fail(Diags::error_at(
                AttrPath::attr("source_file"),
                "The OVF package changed during apply",
                format!("{path} no longer has the content planned (digest {planned}, uploaded {sha}); plan again"),
            )));
        }
        let mut state = State { id: Value::known(id.clone()), source_sha256: Value::known(sha), ..want };
        state.set_facts(OvfFacts::of(&pkg.descriptor));
        state.instantiate_tpm = tpm_of(meta, &state).map_err(fail)?;
        if !want_description_is_final(&partial, &state) {
            lib.update_item(&id, None, Some(&stored_description(&state)))
                .await
                .map_err(|e| fail(library_diag(&e, "recording the item's source", None)))?;
        }
        Ok(state)
    }

    async fn create_by_capture(&self, meta: &Meta, want: State) -> Result<State, ApplyError<State>> {
        let lib = library(meta).await?;
        let catalog = want.catalog_id.require("catalog_id")?;
        let name = want.name.require("name")?;
        let description = stored_description(&want);
        let captured = match (want.source_vm_id.get(), want.source_vapp_id.get()) {
            (Some(vm), _) => lib.capture_vm(vm, catalog, name, Some(&description)).await,
            (None, Some(vapp)) => lib.capture_vapp(vapp, catalog, name, Some(&description)).await,
            (None, None) => return Err(Diags::error("No source", "internal: a capture source was expected").into()),
        };
        let id = match captured {
            Ok(id) => id,
            Err(e) => {
                let attr = (e.api_kind() == Some("ALREADY_EXISTS")).then_some("name");
                let diags = library_diag(&e, "capturing the template", attr);
                return Err(lost_create::failed(lib, &e, diags, &want).await);
            }
        };
        tracing::info!(item = %id, name, "template captured");
        let partial = State { id: Value::known(id.clone()), ..want.clone() };
        let fail = |d: Diags| ApplyError { diags: d, partial: Some(partial.clone()) };
        let mut state = State { id: Value::known(id.clone()), source_sha256: Value::Null, ..want };
        state.set_facts(library_facts(lib, &id).await.map_err(fail)?);
        state.instantiate_tpm = tpm_of(meta, &state).map_err(fail)?;
        Ok(state)
    }
}

/// Whether the description stored at create already holds everything (a
/// digest unknown at plan is only recorded after the upload).
fn want_description_is_final(created: &State, done: &State) -> bool {
    stored_description(created) == stored_description(done)
}

#[async_trait]
impl Resource<Meta> for CatalogItem {
    type State = State;

    fn type_name(&self) -> &'static str {
        "vi_catalog_item"
    }

    fn schema(&self) -> Schema {
        schema::schema()
    }

    fn validate(&self, config: &State) -> Diags {
        let mut d = plan::validate(config);
        d.push(crate::shared::name_checks::name(&config.name, NameKind::Other));
        d
    }

    async fn plan(&self, meta: Option<&Meta>, p: &mut Plan<State>) -> Diags {
        plan::refine(meta, p).await
    }

    async fn create(&self, meta: &Meta, want: State) -> Result<State, ApplyError<State>> {
        match want.source_file.get().cloned() {
            Some(path) => self.create_from_file(meta, want, &path).await,
            None => self.create_by_capture(meta, want).await,
        }
    }

    async fn read(&self, meta: &Meta, current: State) -> Result<Option<State>, Diags> {
        if current.id.is_null() && current.name.is_null() {
            return Ok(None);
        }
        let lib = library(meta).await?;
        // An item whose create lost its answer is looked for here.
        let Some(id) = lost_create::locate(lib, &current).await? else { return Ok(None) };
        let current = State { id: Value::known(id.clone()), ..current };
        match lib.get_item(&id).await {
            Ok(Some(item)) => to_state(meta, lib, &item, &current).await.map(Some),
            // Deleted outside Terraform: dropped from state, planned anew.
            Ok(None) => Ok(None),
            Err(e) => Err(library_diag(&e, "reading the catalog item", None)),
        }
    }

    async fn update(&self, meta: &Meta, prior: State, want: State) -> Result<State, ApplyError<State>> {
        let lib = library(meta).await?;
        let id = lost_create::locate(lib, &prior).await?.ok_or_else(|| {
            Diags::error(
                "Catalog item not found",
                "the item whose create lost its answer does not exist; refresh, then apply",
            )
        })?;
        let name = want.name.get().filter(|n| prior.name.get() != Some(*n));
        let (old, new) = (stored_description(&prior), stored_description(&want));
        let description = (old != new).then_some(new.as_str());
        if name.is_some() || description.is_some() {
            lib.update_item(&id, name.map(String::as_str), description).await.map_err(|e| {
                let attr = (e.api_kind() == Some("ALREADY_EXISTS")).then_some("name");
                library_diag(&e, "updating the catalog item", attr)
            })?;
        }
        let mut state = State { id: Value::known(id), ..want };
        state.instantiate_tpm = tpm_of(meta, &state)?;
        Ok(state)
    }

    async fn delete(&self, meta: &Meta, prior: State) -> Result<(), Diags> {
        if prior.id.is_null() && prior.name.is_null() {
            return Ok(());
        }
        let lib = library(meta).await?;
        // A pending item (its create lost its answer) may exist after all.
        let Some(id) = lost_create::locate(lib, &prior).await? else { return Ok(()) };
        match lib.delete_item(&id).await {
            Ok(()) => Ok(()),
            Err(e) if e.api_kind() == Some("NOT_FOUND") => Ok(()),
            Err(e) => Err(library_diag(&e, "deleting the catalog item", None)),
        }
    }

    fn upgrade_step(&self, from: i64, state: serde_json::Value) -> Result<serde_json::Value, String> {
        upgrade::step(from, state)
    }

    async fn import(&self, meta: &Meta, id: &str) -> Result<State, Diags> {
        let lib = library(meta).await?;
        let item = lib
            .get_item(id)
            .await
            .map_err(|e| library_diag(&e, "reading the catalog item", None))?
            .ok_or_else(|| Diags::error("Catalog item not found", format!("vCenter has no library item {id:?}")))?;
        if let Some(t) = item.item_type.as_deref().filter(|t| !t.eq_ignore_ascii_case("ovf")) {
            return Err(Diags::error(
                "Not an OVF template",
                format!("library item {id} is of type {t}; vi_catalog_item manages OVF templates"),
            ));
        }
        let start = State { id: Value::known(id.to_string()), ..State::default() };
        to_state(meta, lib, &item, &start).await
    }

    fn identity_attributes(&self) -> &'static [(&'static str, &'static str)] {
        &[("id", "The library item's id (a UUID).")]
    }

    /// The OVF facts are read by the refresh right after.
    async fn move_from(&self, source: &MoveSource<'_>, state: serde_json::Value) -> Result<(State, Diags), Diags> {
        use moved_from_vsphere::SOURCE;
        moved::accept("vi_catalog_item", &SOURCE, source)?;
        let m = moved_from_vsphere::map(source.schema_version, &state).map_err(|e| moved::error(&SOURCE, &e))?;
        let mut warnings = moved::dropped_warning("vi_catalog_item", &SOURCE, &m.dropped);
        let mut state = State {
            id: Value::known(m.id),
            catalog_id: Value::from_option(m.catalog_id),
            name: Value::from_option(m.name),
            description: Value::known(m.description),
            ..State::default()
        };
        if let Some(path) = m.source_file {
            // The item is taken to hold what the file it was uploaded from
            // holds now; a file that changed since plans a replacement.
            match plan::load_package(&path) {
                Ok(pkg) => state.source_sha256 = Value::known(plan::package_sha256(pkg, &path).await?.1),
                Err(d) => warnings.push(Diags::warning_at(
                    AttrPath::root(),
                    "Source file not read",
                    format!(
                        "{path}, the file the vSphere provider uploaded this item from, cannot be read as an OVF \
                         package here, so what the item holds is unknown: a configuration naming a source plans \
                         a replacement. {}",
                        d.0.iter().map(|d| d.detail.as_str()).collect::<Vec<_>>().join("; ")
                    ),
                )),
            }
            state.source_file = Value::known(path);
        }
        Ok((state, warnings))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plugin::resource;

    #[test]
    fn state_matches_schema() {
        resource(CatalogItem).self_check().unwrap();
    }

    #[test]
    fn the_stored_description_carries_the_source() {
        let s = State {
            description: Value::known("web template".into()),
            source_vm_id: Value::known("vm-42".into()),
            tpm_provisioning: Value::known("replace".into()),
            ..State::default()
        };
        let stored = stored_description(&s);
        let (user, p) = split(&stored);
        assert_eq!(user, "web template");
        let mut back = State::default();
        provenance::apply(p.unwrap(), &mut back);
        assert_eq!((back.source_vm_id, back.tpm_provisioning), (s.source_vm_id.clone(), s.tpm_provisioning.clone()));
        // A digest learnt at apply changes what is stored.
        let file = State { source_file: Value::known("a.ova".into()), source_sha256: Value::Unknown, ..s };
        let done = State { source_sha256: Value::known("ab".into()), ..file.clone() };
        assert!(!want_description_is_final(&file, &done));
        assert!(want_description_is_final(&done, &done));
    }
}
