//! `vi_catalog`: a local content library on one datastore. Renamed and
//! re-described in place; a different datastore is a new library.
use async_trait::async_trait;
use serde::{Deserialize, Serialize};

use crate::plugin::{
    ApplyError, AttrPath, Attribute as A, Block, Diags, MoveSource, Plan, Resource, Schema, Type, Value,
};
use crate::shared::Meta;
use crate::shared::diag::{library_diag, vi_diag};
use crate::shared::lookup::object_exists;
use crate::shared::moved_from_vsphere as moved;
use crate::vi::LibraryModel;
use crate::vi::MoType;

mod lost_create;
mod moved_from_vsphere;

pub struct Catalog;

#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct State {
    pub id: Value<String>,
    pub name: Value<String>,
    pub description: Value<String>,
    pub datastore_id: Value<String>,
}

fn schema() -> Schema {
    Schema::new(
        Block::new(
            "A catalog: a local vCenter content library whose files live on one datastore. It holds OVF templates \
             (`vi_catalog_item`).",
        )
        .attr(A::computed("id", Type::String, "The content library's id (a UUID)."))
        .attr(A::required(
            "name",
            Type::String,
            "Library name, unique in vCenter (compared without regard to case). Renamed in place.",
        ))
        .attr(A::optional("description", Type::String, "Free text shown in vSphere. Changed in place.").default(""))
        .attr(
            A::required(
                "datastore_id",
                Type::String,
                "Datastore that stores the library's files (`vi_datastore.id`). A change creates a new library \
                 (and with it, new items).",
            )
            .force_new(),
        ),
    )
}

/// The state vCenter reports for library `lib`.
fn to_state(lib: &LibraryModel, id: &str) -> State {
    let datastore =
        lib.storage_backings.iter().find(|b| b.backing_type == "DATASTORE").and_then(|b| b.datastore_id.clone());
    State {
        id: Value::known(id.to_string()),
        name: Value::from_option(lib.name.clone()),
        description: Value::known(lib.description.clone().unwrap_or_default()),
        datastore_id: Value::from_option(datastore),
    }
}

fn blank(s: &Value<String>) -> bool {
    s.get().is_some_and(|v| v.trim().is_empty())
}

#[async_trait]
impl Resource<Meta> for Catalog {
    type State = State;

    fn type_name(&self) -> &'static str {
        "vi_catalog"
    }

    fn schema(&self) -> Schema {
        schema()
    }

    fn validate(&self, c: &State) -> Diags {
        let mut d = Diags::none();
        if blank(&c.name) {
            d.push(Diags::error_at(AttrPath::attr("name"), "Invalid catalog name", "the name must not be empty"));
        } else {
            d.push(crate::shared::name_checks::name(&c.name, crate::rules::object_name::NameKind::Other));
        }
        if blank(&c.datastore_id) {
            d.push(Diags::error_at(
                AttrPath::attr("datastore_id"),
                "Invalid datastore",
                "datastore_id must be a datastore's id, such as `datastore-12` (see the `vi_datastore` data source)",
            ));
        }
        d
    }

    /// Checks what vCenter would refuse half-way through apply: a datastore
    /// that does not exist, a name another library already has.
    async fn plan(&self, meta: Option<&Meta>, plan: &mut Plan<State>) -> Diags {
        let Some(meta) = meta else { return Diags::none() };
        let mut d = Diags::none();
        let prior = plan.prior.as_ref();
        if let Some(ds) = plan.planned.datastore_id.get()
            && prior.is_none_or(|p| p.datastore_id.get() != Some(ds))
        {
            match object_exists(meta, MoType::Datastore, ds).await {
                Ok(true) => {}
                Ok(false) => d.push(Diags::error_at(
                    AttrPath::attr("datastore_id"),
                    "Datastore not found",
                    format!("vSphere has no datastore with the id {ds:?}"),
                )),
                Err(e) => d.push(vi_diag(&e, "checking the datastore", Some(AttrPath::attr("datastore_id")))),
            }
        }
        if let Some(name) = plan.planned.name.get()
            && prior.is_none_or(|p| p.name.get() != Some(name))
        {
            let own = prior.and_then(|p| p.id.get());
            let taken = match meta.library().await {
                Ok(lib) => lib.find_libraries(name).await,
                Err(e) => Err(e),
            };
            match taken {
                Ok(ids) => {
                    if let Some(other) = ids.iter().find(|id| Some(*id) != own) {
                        let detail = format!("vCenter already has a content library named {name:?} (id {other})");
                        d.push(match prior {
                            Some(_) => Diags::error_at(AttrPath::attr("name"), "Catalog name already taken", detail),
                            // Terraform plans the replacement of a tainted
                            // catalog as a create (no prior), and that
                            // library may be this resource's own, deleted
                            // first: only a warning, the apply refuses a
                            // name still taken.
                            None => Diags::warning_at(
                                AttrPath::attr("name"),
                                "Catalog name already taken",
                                format!(
                                    "{detail}. Unless it is this resource's own tainted catalog, which the apply \
                                     deletes first, the apply will fail."
                                ),
                            ),
                        });
                    }
                }
                Err(e) => d.push(library_diag(&e, "looking for libraries with the same name", Some("name"))),
            }
        }
        d
    }

    async fn create(&self, meta: &Meta, want: State) -> Result<State, ApplyError<State>> {
        let lib = meta.library().await.map_err(|e| library_diag(&e, "logging in to the content library API", None))?;
        let name = want.name.require("name")?;
        let ds = want.datastore_id.require("datastore_id")?;
        let id = match lib.create_local_library(name, want.description.as_deref(), ds).await {
            Ok(id) => id,
            Err(e) => {
                let attr = (e.api_kind() == Some("ALREADY_EXISTS")).then_some("name");
                let diags = library_diag(&e, "creating the content library", attr);
                return Err(lost_create::failed(lib, &e, diags, &want).await);
            }
        };
        tracing::info!(library = %id, name, "content library created");
        Ok(State { id: Value::known(id), ..want })
    }

    async fn read(&self, meta: &Meta, current: State) -> Result<Option<State>, Diags> {
        if current.id.is_null() && current.name.is_null() {
            return Ok(None);
        }
        let lib = meta.library().await.map_err(|e| library_diag(&e, "logging in to the content library API", None))?;
        // A library whose create lost its answer is looked for here.
        let Some(id) = lost_create::locate(lib, &current).await? else { return Ok(None) };
        match lib.get_library(&id).await {
            Ok(Some(l)) => Ok(Some(to_state(&l, &id))),
            // Deleted outside Terraform: dropped from state, planned anew.
            Ok(None) => Ok(None),
            Err(e) => Err(library_diag(&e, "reading the content library", None)),
        }
    }

    async fn update(&self, meta: &Meta, prior: State, want: State) -> Result<State, ApplyError<State>> {
        let lib = meta.library().await.map_err(|e| library_diag(&e, "logging in to the content library API", None))?;
        let id = lost_create::locate(lib, &prior).await?.ok_or_else(|| {
            Diags::error(
                "Catalog not found",
                "the catalog whose create lost its answer does not exist; refresh, then apply",
            )
        })?;
        let name = want.name.get().filter(|n| prior.name.get() != Some(*n));
        let description = want.description.get().filter(|d| prior.description.get() != Some(*d));
        if name.is_some() || description.is_some() {
            lib.update_library(&id, name.map(String::as_str), description.map(String::as_str)).await.map_err(|e| {
                let attr = (e.api_kind() == Some("ALREADY_EXISTS")).then_some("name");
                library_diag(&e, "updating the content library", attr)
            })?;
        }
        Ok(State { id: Value::known(id), ..want })
    }

    async fn delete(&self, meta: &Meta, prior: State) -> Result<(), Diags> {
        if prior.id.is_null() && prior.name.is_null() {
            return Ok(());
        }
        let lib = meta.library().await.map_err(|e| library_diag(&e, "logging in to the content library API", None))?;
        // A pending library (its create lost its answer) may exist after all.
        let Some(id) = lost_create::locate(lib, &prior).await? else { return Ok(()) };
        match lib.delete_library(&id).await {
            Ok(()) => Ok(()),
            Err(e) if e.api_kind() == Some("NOT_FOUND") => Ok(()),
            Err(e) => Err(library_diag(&e, "deleting the content library", None)),
        }
    }

    async fn import(&self, meta: &Meta, id: &str) -> Result<State, Diags> {
        let lib = meta.library().await.map_err(|e| library_diag(&e, "logging in to the content library API", None))?;
        let l =
            lib.get_library(id).await.map_err(|e| library_diag(&e, "reading the content library", None))?.ok_or_else(
                || Diags::error("Catalog not found", format!("vCenter has no content library with id {id:?}")),
            )?;
        if l.library_type.as_deref().is_some_and(|t| t != "LOCAL") {
            return Err(Diags::error(
                "Not a local library",
                format!(
                    "content library {id} is of type {}; vi_catalog manages local libraries only",
                    l.library_type.as_deref().unwrap_or_default()
                ),
            ));
        }
        Ok(to_state(&l, id))
    }

    fn identity_attributes(&self) -> &'static [(&'static str, &'static str)] {
        &[("id", "The content library's id (a UUID).")]
    }

    /// The rest is read by the refresh right after.
    async fn move_from(&self, source: &MoveSource<'_>, state: serde_json::Value) -> Result<(State, Diags), Diags> {
        use moved_from_vsphere::SOURCE;
        moved::accept("vi_catalog", &SOURCE, source)?;
        let (id, dropped) =
            moved_from_vsphere::map(source.schema_version, &state).map_err(|e| moved::error(&SOURCE, &e))?;
        Ok((
            State { id: Value::known(id), ..State::default() },
            moved::dropped_warning("vi_catalog", &SOURCE, &dropped),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plugin::resource;
    use crate::vi::StorageBacking;

    #[test]
    fn state_matches_schema() {
        resource(Catalog).self_check().unwrap();
    }

    #[test]
    fn state_from_a_library() {
        let lib = LibraryModel {
            name: Some("images".into()),
            description: None,
            storage_backings: vec![
                StorageBacking {
                    backing_type: "OTHER".into(),
                    storage_uri: Some("nfs://x".into()),
                    datastore_id: None,
                },
                StorageBacking {
                    backing_type: "DATASTORE".into(),
                    datastore_id: Some("datastore-1".into()),
                    storage_uri: None,
                },
            ],
            ..LibraryModel::default()
        };
        let s = to_state(&lib, "lib-1");
        assert_eq!(s.id.as_deref(), Some("lib-1"));
        assert_eq!(s.name.as_deref(), Some("images"));
        assert_eq!(s.description.as_deref(), Some(""), "no description reads as the default");
        assert_eq!(s.datastore_id.as_deref(), Some("datastore-1"));
        let none = to_state(&LibraryModel::default(), "x");
        assert!(none.datastore_id.is_null());
    }

    #[test]
    fn validation() {
        let ok = State {
            name: Value::known("a".into()),
            datastore_id: Value::known("datastore-1".into()),
            ..State::default()
        };
        assert!(Catalog.validate(&ok).is_empty());
        let bad = State { name: Value::known("  ".into()), datastore_id: Value::known(String::new()), ..ok.clone() };
        let d = Catalog.validate(&bad);
        assert_eq!(d.0.len(), 2, "{d:?}");
        let unknown = State { name: Value::Unknown, datastore_id: Value::Unknown, ..ok };
        assert!(Catalog.validate(&unknown).is_empty());
    }
}
