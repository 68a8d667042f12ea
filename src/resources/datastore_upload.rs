//! `vi_datastore_upload`: a local file uploaded to a datastore, as
//! `linuxkit push vcenter` does. The local file is hashed at plan time, so a
//! plan knows whether the datastore copy is current; a change of content
//! replaces it (a new upload), and a copy deleted or cut short on the
//! datastore is uploaded again.
use crate::vi::FaultKind;
use crate::vi::MoType;
use std::path::Path;

use async_trait::async_trait;

mod local_file;
mod moved_from_vsphere;
mod schema;
mod state;
mod target_path;

use self::state::State;
use self::target_path::{DatastoreRef, check_path, parse_import_id};
use crate::plugin::diag::Severity;
use crate::plugin::{ApplyError, AttrPath, Diags, MoveSource, Plan, Resource, Schema, Value};
use crate::shared::Meta;
use crate::shared::diag::vi_diag;
use crate::shared::lookup;
use crate::shared::moved_from_vsphere as moved;
use crate::vi::{ManagedObjectReference, ViError};

pub struct DatastoreUpload;

/// Where an upload lives: the datastore's name and its datacenter.
struct Target {
    datastore: ManagedObjectReference,
    name: String,
    dc: lookup::Datacenter,
}

impl Target {
    /// `[name] path`.
    fn datastore_path(&self, path: &str) -> String {
        format!("[{}] {path}", self.name)
    }
}

fn datastore_ref(id: &str) -> ManagedObjectReference {
    MoType::Datastore.moref(id)
}

fn upload_id(datastore_id: &str, path: &str) -> String {
    format!("{datastore_id}:{path}")
}

/// The datastore's name and datacenter; None when it no longer exists.
async fn find_target(meta: &Meta, datastore_id: &str) -> Result<Option<Target>, Diags> {
    let attr = || Some(AttrPath::attr("datastore_id"));
    let datastore = datastore_ref(datastore_id);
    let o = match meta.batcher.retrieve_one(datastore.clone(), &["name", "parent"]).await {
        Ok(o) if o.is_missing_object() => return Ok(None),
        Ok(o) => o,
        Err(e) if e.is_fault(FaultKind::ManagedObjectNotFound) => return Ok(None),
        Err(e) => return Err(vi_diag(&e, "reading the datastore", attr())),
    };
    let name = o.str("name").unwrap_or_default().to_owned();
    // Start the walk at the parent already read.
    let start = o.moref("parent").unwrap_or_else(|| datastore.clone());
    let dc = lookup::datacenter_of(meta, &start, "datastore_id").await?;
    Ok(Some(Target { datastore, name, dc }))
}

/// Like [`find_target`], for an apply step that cannot go on without it.
async fn require_target(meta: &Meta, datastore_id: &str) -> Result<Target, Diags> {
    find_target(meta, datastore_id).await?.ok_or_else(|| {
        Diags::error_at(
            AttrPath::attr("datastore_id"),
            "Datastore not found",
            format!("no datastore has the id {datastore_id:?}"),
        )
    })
}

/// Static checks of known values.
fn validate(c: &State) -> Diags {
    let mut d = Diags::none();
    if let Some(p) = c.path.get()
        && let Err(e) = check_path(p)
    {
        d.push(Diags::error_at(AttrPath::attr("path"), "Invalid datastore file path", e.to_string()));
    }
    if c.source_file.as_deref().is_some_and(|s| s.trim().is_empty()) {
        d.push(Diags::error_at(AttrPath::attr("source_file"), "Empty source file", "name the local file to upload"));
    }
    d
}

#[async_trait]
impl Resource<Meta> for DatastoreUpload {
    type State = State;

    fn type_name(&self) -> &'static str {
        "vi_datastore_upload"
    }

    fn schema(&self) -> Schema {
        schema::schema()
    }

    fn validate(&self, config: &State) -> Diags {
        validate(config)
    }

    async fn plan(&self, meta: Option<&Meta>, p: &mut Plan<State>) -> Diags {
        // Values unknown at validation may be known now.
        let d = Diags(validate(&p.config).0.into_iter().filter(|x| x.severity == Severity::Error).collect());
        if d.has_errors() {
            return d;
        }
        // The content apply will upload, known now.
        match p.config.source_file.get() {
            Some(src) => match local_file::digest(Path::new(src)).await {
                Ok(dg) => {
                    p.planned.size = Value::known(i64::try_from(dg.size).unwrap_or(i64::MAX));
                    p.planned.sha256 = Value::known(dg.sha256);
                }
                Err(e) => {
                    return Diags::error_at(
                        AttrPath::attr("source_file"),
                        "Cannot read the file to upload",
                        e.to_string(),
                    );
                }
            },
            None => {
                p.planned.size = Value::Unknown;
                p.planned.sha256 = Value::Unknown;
            }
        }
        let same_place =
            p.prior.as_ref().is_some_and(|pr| pr.datastore_id == p.planned.datastore_id && pr.path == p.planned.path);
        if !same_place {
            p.planned.id = match (p.planned.datastore_id.get(), p.planned.path.get()) {
                (Some(ds), Some(path)) => Value::known(upload_id(ds, path)),
                _ => Value::Unknown,
            };
            p.planned.datastore_path = Value::Unknown;
            if let (Some(meta), Some(ds), Some(path)) = (meta, p.planned.datastore_id.get(), p.planned.path.get()) {
                match find_target(meta, ds).await {
                    Ok(Some(t)) => p.planned.datastore_path = Value::known(t.datastore_path(path)),
                    Ok(None) => {
                        return Diags::error_at(
                            AttrPath::attr("datastore_id"),
                            "Datastore not found",
                            format!("no datastore has the id {ds:?}"),
                        );
                    }
                    Err(e) => return e,
                }
            }
        }
        // New content is a new upload.
        if let Some(prior) = &p.prior
            && prior.sha256 != p.planned.sha256
        {
            p.requires_replace.push(AttrPath::attr("sha256"));
        }
        Diags::none()
    }

    async fn create(&self, meta: &Meta, want: State) -> Result<State, ApplyError<State>> {
        let ds_id = want.datastore_id.require("datastore_id")?;
        let path = want.path.require("path")?;
        let source = want.source_file.require("source_file")?;
        let t = require_target(meta, ds_id).await?;
        if want.create_directories.get() != Some(&false)
            && let Some((dir, _)) = path.rsplit_once('/')
        {
            meta.client
                .make_directory(&t.dc.moref, &t.datastore_path(dir), true)
                .await
                .map_err(|e| vi_diag(&e, "creating the directory", Some(AttrPath::attr("path"))))?;
        }
        // Whether a file was there before: a failed upload that leaves one
        // where there was none made it, and must not be forgotten.
        let existed = meta.client.datastore_file_info(&t.dc.path, &t.name, path).await.ok().flatten().is_some();
        // What state records of a file now on the datastore.
        let on_datastore = |size: u64, sha256: String| State {
            id: Value::known(upload_id(ds_id, path)),
            datastore_path: Value::known(t.datastore_path(path)),
            size: Value::known(i64::try_from(size).unwrap_or(i64::MAX)),
            sha256: Value::known(sha256),
            ..want.clone()
        };
        // Progress (percent, MB/s) is logged at INFO by the transfer itself.
        let sent = match meta.client.upload_file(&t.dc.path, &t.name, path, Path::new(source), |_| {}).await {
            Ok(sent) => sent,
            Err(e) => {
                let attr = if matches!(e, ViError::LocalFile { .. }) { "source_file" } else { "path" };
                let diags = vi_diag(&e, "uploading the file", Some(AttrPath::attr(attr)));
                if matches!(e, ViError::LocalFile { .. }) || existed {
                    return Err(diags.into());
                }
                return Err(match meta.client.datastore_file_info(&t.dc.path, &t.name, path).await {
                    // The upload failed but a file now exists (the server
                    // took the bytes and the answer was lost, or a partial
                    // write): recorded, so Terraform taints it and uploads
                    // again.
                    Ok(Some(size)) => ApplyError { diags, partial: Some(on_datastore(size, String::new())) },
                    // The server answers that there is none: its transfer
                    // ended with the connection, so none will appear.
                    Ok(None) => diags.into(),
                    Err(_) if !e.outcome_unknown() => diags.into(),
                    // The server cannot be asked and may still write it (it
                    // took the request and went quiet): recorded without a
                    // size, tainted; the next refresh keeps it if it is
                    // there, drops it if not.
                    Err(_) => {
                        let mut diags = diags;
                        diags.push(Diags::error_at(
                            AttrPath::attr("path"),
                            "The file may have been written",
                            format!(
                                "The upload's answer was lost, so {} may exist. It is recorded in the state as \
                                 tainted; the next plan or refresh looks for it: a file there is uploaded again, \
                                 and if there is none it is uploaded.",
                                t.datastore_path(path)
                            ),
                        ));
                        let pending =
                            State { size: Value::Null, sha256: Value::Null, ..on_datastore(0, String::new()) };
                        ApplyError { diags, partial: Some(pending) }
                    }
                });
            }
        };
        tracing::info!(datastore = %t.datastore, path, bytes = sent.size, "file uploaded");
        let done = on_datastore(sent.size, sent.sha256.clone());
        if let Some(planned) = want.sha256.get()
            && *planned != sent.sha256
        {
            // The file on the datastore is not what the plan showed: keep it
            // in state so Terraform taints it and uploads again next time.
            return Err(ApplyError {
                diags: Diags::error_at(
                    AttrPath::attr("source_file"),
                    "The file changed between plan and apply",
                    format!(
                        "{source} had sha256 {planned} at plan time but {} was uploaded; run terraform apply again",
                        sent.sha256
                    ),
                ),
                partial: Some(done),
            });
        }
        Ok(done)
    }

    async fn read(&self, meta: &Meta, current: State) -> Result<Option<State>, Diags> {
        let (Some(ds_id), Some(path)) = (current.datastore_id.get(), current.path.get()) else { return Ok(None) };
        // A datastore that is gone took the file with it.
        let Some(t) = find_target(meta, ds_id).await? else { return Ok(None) };
        let size = meta
            .client
            .datastore_file_info(&t.dc.path, &t.name, path)
            .await
            .map_err(|e| vi_diag(&e, "looking the file up on the datastore", None))?;
        let Some(size) = size.and_then(|s| i64::try_from(s).ok()) else {
            tracing::info!(datastore = %t.datastore, path, "file no longer on the datastore; it will be uploaded again");
            return Ok(None);
        };
        if current.size.get().is_some_and(|s| *s != size) {
            // Cut short or overwritten outside Terraform: upload again.
            tracing::info!(datastore = %t.datastore, path, size, "file on the datastore has another size");
            return Ok(None);
        }
        Ok(Some(State { datastore_path: Value::known(t.datastore_path(path)), size: Value::known(size), ..current }))
    }

    async fn update(&self, _meta: &Meta, _prior: State, want: State) -> Result<State, ApplyError<State>> {
        // Same content at the same place (anything else is a replacement):
        // only `source_file` or `create_directories` changed, which moves
        // nothing on the datastore.
        Ok(want)
    }

    async fn delete(&self, meta: &Meta, prior: State) -> Result<(), Diags> {
        let (Some(ds_id), Some(path)) = (prior.datastore_id.get(), prior.path.get()) else { return Ok(()) };
        let Some(t) = find_target(meta, ds_id).await? else { return Ok(()) };
        match meta.client.delete_datastore_file(&t.dc.moref, &t.datastore_path(path)).await {
            Ok(()) => Ok(()),
            // Already gone: nothing to delete.
            Err(e) if e.is_fault(FaultKind::FileNotFound) => Ok(()),
            Err(e) => Err(vi_diag(&e, "deleting the file from the datastore", None)),
        }
    }

    async fn import(&self, meta: &Meta, id: &str) -> Result<State, Diags> {
        let parsed = parse_import_id(id).map_err(|e| Diags::error("Invalid import id", e.to_string()))?;
        let ds_id = match &parsed.datastore {
            DatastoreRef::Id(ds) => ds.clone(),
            DatastoreRef::Name(name) => {
                let dc = lookup::datacenter(meta, None, "datastore_id").await?;
                lookup::by_name(meta, &dc, MoType::Datastore, "datastore", name, &["name"]).await?.obj.value
            }
        };
        let t = require_target(meta, &ds_id).await?;
        // Nothing else tells what the datastore copy holds: read it back once.
        let digest = meta
            .client
            .datastore_file_digest(&t.dc.path, &t.name, &parsed.path)
            .await
            .map_err(|e| vi_diag(&e, "reading the file back from the datastore", None))?
            .ok_or_else(|| {
                Diags::error(
                    "File not found",
                    format!("there is no file {} on the datastore", t.datastore_path(&parsed.path)),
                )
            })?;
        Ok(State {
            id: Value::known(upload_id(&ds_id, &parsed.path)),
            source_file: Value::from_option(parsed.source_file),
            datastore_id: Value::known(ds_id),
            datastore_path: Value::known(t.datastore_path(&parsed.path)),
            path: Value::known(parsed.path),
            create_directories: Value::Null,
            size: Value::known(i64::try_from(digest.size).unwrap_or(i64::MAX)),
            sha256: Value::known(digest.sha256),
        })
    }

    fn identity_attributes(&self) -> &'static [(&'static str, &'static str)] {
        &[
            ("datastore_id", "Managed object id of the datastore (`datastore-17`)."),
            ("path", "The file's path on the datastore (`iso/tools.iso`)."),
        ]
    }

    fn import_id(&self, identity: &[String]) -> String {
        identity.join(":")
    }

    /// The datastore's id and the copy's digest are left for
    /// `complete_moved`.
    async fn move_from(&self, source: &MoveSource<'_>, state: serde_json::Value) -> Result<(State, Diags), Diags> {
        use moved_from_vsphere::SOURCE;
        moved::accept("vi_datastore_upload", &SOURCE, source)?;
        let m = moved_from_vsphere::map(source.schema_version, &state).map_err(|e| moved::error(&SOURCE, &e))?;
        let state = State {
            source_file: Value::known(m.source_file),
            datastore_path: Value::known(format!("[{}] {}", m.datastore, m.path)),
            path: Value::known(m.path),
            create_directories: if m.create_directories { Value::known(true) } else { Value::Null },
            ..State::default()
        };
        Ok((state, Diags::none()))
    }

    /// The datastore named, and the file read back once, as an import does.
    async fn complete_moved(&self, meta: &Meta, state: State) -> Result<State, Diags> {
        let (Some(at), Some(source)) = (state.datastore_path.get(), state.source_file.get()) else { return Ok(state) };
        let imported = self.import(meta, &format!("{at}|{source}")).await?;
        Ok(State { create_directories: state.create_directories, ..imported })
    }
}
