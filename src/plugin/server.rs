//! The tfplugin5 `Provider` service: decodes each request against the right
//! schema, calls the provider, resource or data source, encodes the answer.
use std::collections::HashMap;
use std::sync::Arc;

use tokio::sync::{Notify, RwLock};
use tonic::{Request, Response, Status};

use super::cty::{self, Dyn, Type};
use super::diag::Diags;
use super::function::{self, Function};
use super::identity;
use super::proto::tfplugin5 as pb;
use super::schema::Schema;
use super::traits::{AnyDataSource, AnyResource, MoveSource, Provider, decode};
use super::write_only;

type Res<T> = Result<Response<T>, Status>;

pub struct ProviderService<P: Provider> {
    provider: Arc<P>,
    schema: Schema,
    resources: HashMap<&'static str, Arc<dyn AnyResource<P::Meta>>>,
    data_sources: HashMap<&'static str, Arc<dyn AnyDataSource<P::Meta>>>,
    functions: Vec<Arc<dyn Function>>,
    meta: RwLock<Option<Arc<P::Meta>>>,
    /// Signalled by `Stop` (and the controller's `Shutdown`).
    pub(crate) stop: Arc<Notify>,
}

impl<P: Provider> ProviderService<P> {
    pub fn new(provider: P, stop: Arc<Notify>) -> Self {
        let resources = provider.resources().into_iter().map(|r| (r.type_name(), r)).collect();
        let data_sources = provider.data_sources().into_iter().map(|d| (d.type_name(), d)).collect();
        ProviderService {
            schema: provider.schema(),
            functions: provider.functions(),
            provider: Arc::new(provider),
            resources,
            data_sources,
            meta: RwLock::new(None),
            stop,
        }
    }

    fn resource(&self, name: &str) -> Result<&Arc<dyn AnyResource<P::Meta>>, Diags> {
        self.resources.get(name).ok_or_else(|| {
            Diags::error("Unknown resource type", format!("this provider has no resource type {name:?}"))
        })
    }

    fn data_source(&self, name: &str) -> Result<&Arc<dyn AnyDataSource<P::Meta>>, Diags> {
        self.data_sources
            .get(name)
            .ok_or_else(|| Diags::error("Unknown data source", format!("this provider has no data source {name:?}")))
    }

    /// Ends what `configure` set up (once: later calls find nothing to
    /// close). Called when the process is about to end.
    pub(crate) async fn close(&self) {
        let meta = self.meta.write().await.take();
        if let Some(meta) = meta {
            self.provider.close(&meta).await;
        }
    }

    fn function_protos(&self) -> HashMap<String, pb::Function> {
        self.functions.iter().map(|f| (f.name().to_owned(), function::to_proto(f.as_ref()))).collect()
    }

    async fn meta(&self) -> Result<Arc<P::Meta>, Diags> {
        self.meta.read().await.clone().ok_or_else(|| {
            Diags::error(
                "Provider not configured",
                "the provider configuration is not known yet (it may depend on values known only after apply)",
            )
        })
    }
}

/// Decodes a DynamicValue (msgpack preferred, JSON accepted) against `ty`.
fn dv_decode(dv: Option<&pb::DynamicValue>, ty: &Type) -> Result<Dyn, Diags> {
    let Some(dv) = dv else { return Ok(Dyn::Null) };
    let r = if !dv.msgpack.is_empty() {
        cty::from_msgpack(&dv.msgpack, ty)
    } else if !dv.json.is_empty() {
        serde_json::from_slice::<serde_json::Value>(&dv.json)
            .map_err(|e| cty::CtyError::new(e.to_string()))
            .and_then(|j| cty::from_json(&j, ty))
    } else {
        Ok(Dyn::Null)
    };
    r.map_err(|e| Diags::error("Invalid value from Terraform", e.to_string()))
}

fn dv_encode(v: &Dyn, ty: &Type) -> Result<pb::DynamicValue, Diags> {
    cty::to_msgpack(v, ty)
        .map(|msgpack| pb::DynamicValue { msgpack, json: Vec::new() })
        .map_err(|e| Diags::error("Provider produced an invalid value", e.to_string()))
}

/// What this server implements beyond the base protocol. Every resource
/// answers MoveResourceState (most by naming what they accept: nothing).
fn capabilities() -> pb::ServerCapabilities {
    pb::ServerCapabilities { plan_destroy: false, get_provider_schema_optional: true, move_resource_state: true }
}

/// The private data of a state `MoveResourceState` made, until the read
/// that completes it.
const MOVED: &[u8] = br#"{"vi":"moved"}"#;

/// Runs `f`, folding an `Err(Diags)` into the response's diagnostics.
fn diags_of<T>(r: Result<T, Diags>) -> (Option<T>, Diags) {
    match r {
        Ok(v) => (Some(v), Diags::none()),
        Err(d) => (None, d),
    }
}

#[tonic::async_trait]
impl<P: Provider> pb::provider_server::Provider for ProviderService<P> {
    async fn get_metadata(&self, _: Request<pb::get_metadata::Request>) -> Res<pb::get_metadata::Response> {
        let mut resources: Vec<_> = self.resources.keys().map(|k| (*k).to_owned()).collect();
        let mut data_sources: Vec<_> = self.data_sources.keys().map(|k| (*k).to_owned()).collect();
        resources.sort();
        data_sources.sort();
        Ok(Response::new(pb::get_metadata::Response {
            server_capabilities: Some(capabilities()),
            diagnostics: Vec::new(),
            data_sources: data_sources
                .into_iter()
                .map(|type_name| pb::get_metadata::DataSourceMetadata { type_name })
                .collect(),
            resources: resources
                .into_iter()
                .map(|type_name| pb::get_metadata::ResourceMetadata { type_name })
                .collect(),
            functions: self
                .functions
                .iter()
                .map(|f| pb::get_metadata::FunctionMetadata { name: f.name().to_owned() })
                .collect(),
        }))
    }

    async fn get_schema(&self, _: Request<pb::get_provider_schema::Request>) -> Res<pb::get_provider_schema::Response> {
        Ok(Response::new(pb::get_provider_schema::Response {
            provider: Some(self.schema.to_proto()),
            resource_schemas: self.resources.iter().map(|(k, r)| ((*k).to_owned(), r.schema().to_proto())).collect(),
            data_source_schemas: self
                .data_sources
                .iter()
                .map(|(k, d)| ((*k).to_owned(), d.schema().to_proto()))
                .collect(),
            functions: self.function_protos(),
            diagnostics: Vec::new(),
            provider_meta: Some(Schema::default().to_proto()),
            server_capabilities: Some(capabilities()),
        }))
    }

    async fn prepare_provider_config(
        &self,
        req: Request<pb::prepare_provider_config::Request>,
    ) -> Res<pb::prepare_provider_config::Response> {
        let req = req.into_inner();
        let ty = self.schema.ty();
        let r = dv_decode(req.config.as_ref(), &ty).and_then(|cfg| {
            let typed: P::Config = decode(&cfg)?;
            let diags = self.provider.validate(&typed);
            Ok((dv_encode(&cfg, &ty)?, diags))
        });
        let (ok, mut diags) = diags_of(r);
        let prepared = ok.map(|(dv, d)| {
            diags.push(d);
            dv
        });
        Ok(Response::new(pb::prepare_provider_config::Response {
            prepared_config: prepared,
            diagnostics: diags.to_proto(),
        }))
    }

    async fn validate_resource_type_config(
        &self,
        req: Request<pb::validate_resource_type_config::Request>,
    ) -> Res<pb::validate_resource_type_config::Response> {
        let req = req.into_inner();
        // Write-only values stay out of plans and state only with a CLI that
        // says so (Terraform 1.11+, OpenTofu 1.11+); older ones send no
        // capabilities at all (Terraform 1.0) or say they cannot.
        let no_write_only = !req.client_capabilities.is_some_and(|c| c.write_only_attributes_allowed);
        let diags = self
            .resource(&req.type_name)
            .and_then(|r| {
                let config = dv_decode(req.config.as_ref(), &r.schema().ty())?;
                let mut d = r.validate(&config);
                if no_write_only {
                    d.push(write_only::unsupported(&r.schema().block, &config));
                }
                Ok(d)
            })
            .unwrap_or_else(|d| d);
        Ok(Response::new(pb::validate_resource_type_config::Response { diagnostics: diags.to_proto() }))
    }

    async fn validate_data_source_config(
        &self,
        req: Request<pb::validate_data_source_config::Request>,
    ) -> Res<pb::validate_data_source_config::Response> {
        let req = req.into_inner();
        let diags = self
            .data_source(&req.type_name)
            .and_then(|d| Ok(d.validate(&dv_decode(req.config.as_ref(), &d.schema().ty())?)))
            .unwrap_or_else(|d| d);
        Ok(Response::new(pb::validate_data_source_config::Response { diagnostics: diags.to_proto() }))
    }

    async fn upgrade_resource_state(
        &self,
        req: Request<pb::upgrade_resource_state::Request>,
    ) -> Res<pb::upgrade_resource_state::Response> {
        let req = req.into_inner();
        let r = self.resource(&req.type_name).and_then(|r| {
            let ty = r.schema().ty();
            let raw = req.raw_state.map(|s| s.json).unwrap_or_default();
            let j: serde_json::Value = if raw.is_empty() {
                serde_json::Value::Null
            } else {
                serde_json::from_slice(&raw)
                    .map_err(|e| Diags::error("Stored state is not valid JSON", e.to_string()))?
            };
            let j = if j.is_null() { j } else { r.upgrade(req.version, j)? };
            // Attributes no longer in the schema are dropped by from_json.
            let v = cty::from_json(&j, &ty)
                .map_err(|e| Diags::error("Stored state does not fit the schema", e.to_string()))?;
            dv_encode(&v, &ty)
        });
        let (state, diags) = diags_of(r);
        Ok(Response::new(pb::upgrade_resource_state::Response { upgraded_state: state, diagnostics: diags.to_proto() }))
    }

    async fn get_resource_identity_schemas(
        &self,
        _: Request<pb::get_resource_identity_schemas::Request>,
    ) -> Res<pb::get_resource_identity_schemas::Response> {
        Ok(Response::new(pb::get_resource_identity_schemas::Response {
            identity_schemas: self
                .resources
                .iter()
                .filter(|(_, r)| !r.identity_attributes().is_empty())
                .map(|(k, r)| ((*k).to_owned(), identity::schema(r.identity_attributes())))
                .collect(),
            diagnostics: Vec::new(),
        }))
    }

    async fn upgrade_resource_identity(
        &self,
        req: Request<pb::upgrade_resource_identity::Request>,
    ) -> Res<pb::upgrade_resource_identity::Response> {
        let req = req.into_inner();
        let r = self.resource(&req.type_name).and_then(|res| {
            let raw = req.raw_identity.map(|s| s.json).unwrap_or_default();
            identity::upgrade(res.identity_attributes(), req.version, &raw)
        });
        let (upgraded_identity, diags) = diags_of(r);
        Ok(Response::new(pb::upgrade_resource_identity::Response { upgraded_identity, diagnostics: diags.to_proto() }))
    }

    async fn configure(&self, req: Request<pb::configure::Request>) -> Res<pb::configure::Response> {
        let req = req.into_inner();
        let r = async {
            let cfg = dv_decode(req.config.as_ref(), &self.schema.ty())?;
            let typed: P::Config = decode(&cfg)?;
            self.provider.configure(typed, &req.terraform_version).await
        }
        .await;
        let diags = match r {
            Ok((meta, warnings)) => {
                let old = self.meta.write().await.replace(Arc::new(meta));
                // A second Configure (Terraform sends one per process) must
                // not leave the first one's sessions open.
                if let Some(old) = old {
                    self.provider.close(&old).await;
                }
                warnings
            }
            Err(d) => d,
        };
        Ok(Response::new(pb::configure::Response { diagnostics: diags.to_proto() }))
    }

    async fn read_resource(&self, req: Request<pb::read_resource::Request>) -> Res<pb::read_resource::Response> {
        let req = req.into_inner();
        let r = async {
            let res = self.resource(&req.type_name)?;
            let ty = res.schema().ty();
            let current = dv_decode(req.current_state.as_ref(), &ty)?;
            let meta = self.meta().await?;
            let current = if req.private == MOVED { res.complete_moved(&meta, &current).await? } else { current };
            let new = res.read(&meta, &current).await?;
            Ok((dv_encode(&new, &ty)?, identity::of_state(res.identity_attributes(), &new)))
        }
        .await;
        let (ok, diags) = diags_of(r);
        let (state, new_identity) = ok.unzip();
        // A moved state, once completed, is like any other.
        let private = if state.is_some() && req.private == MOVED { Vec::new() } else { req.private };
        Ok(Response::new(pb::read_resource::Response {
            // On failure hand back what Terraform had, so nothing is lost.
            new_state: state.or(req.current_state),
            diagnostics: diags.to_proto(),
            private,
            new_identity: new_identity.flatten().or(req.current_identity),
        }))
    }

    async fn plan_resource_change(
        &self,
        req: Request<pb::plan_resource_change::Request>,
    ) -> Res<pb::plan_resource_change::Response> {
        let req = req.into_inner();
        let r = async {
            let res = self.resource(&req.type_name)?;
            let ty = res.schema().ty();
            let prior = dv_decode(req.prior_state.as_ref(), &ty)?;
            let proposed = dv_decode(req.proposed_new_state.as_ref(), &ty)?;
            let config = dv_decode(req.config.as_ref(), &ty)?;
            let meta = self.meta.read().await.clone();
            let (planned, replace, diags) = res.plan(meta.as_deref(), &prior, &proposed, &config).await?;
            // An object keeps its identity; a new one has it after apply.
            let planned_identity = if planned.is_null() {
                None
            } else {
                identity::of_state(res.identity_attributes(), &planned).or(req.prior_identity.clone())
            };
            Ok((dv_encode(&planned, &ty)?, replace, diags, planned_identity))
        }
        .await;
        let (planned, replace, diags, planned_identity) = match r {
            Ok(v) => v,
            Err(d) => (req.proposed_new_state.clone().unwrap_or_default(), Vec::new(), d, req.prior_identity.clone()),
        };
        Ok(Response::new(pb::plan_resource_change::Response {
            planned_state: Some(planned),
            requires_replace: replace.iter().map(|p| p.to_proto()).collect(),
            planned_private: req.prior_private,
            diagnostics: diags.to_proto(),
            legacy_type_system: false,
            planned_identity,
        }))
    }

    async fn apply_resource_change(
        &self,
        req: Request<pb::apply_resource_change::Request>,
    ) -> Res<pb::apply_resource_change::Response> {
        let req = req.into_inner();
        let r = async {
            let res = self.resource(&req.type_name)?;
            let ty = res.schema().ty();
            let prior = dv_decode(req.prior_state.as_ref(), &ty)?;
            let planned = dv_decode(req.planned_state.as_ref(), &ty)?;
            let config = dv_decode(req.config.as_ref(), &ty)?;
            let meta = self.meta().await?;
            let (new, diags) = res.apply(&meta, &prior, &planned, &config).await;
            Ok((dv_encode(&new, &ty)?, diags, identity::of_state(res.identity_attributes(), &new)))
        }
        .await;
        let (state, diags, new_identity) = match r {
            Ok(v) => v,
            Err(d) => (req.prior_state.clone().unwrap_or_default(), d, req.planned_identity.clone()),
        };
        Ok(Response::new(pb::apply_resource_change::Response {
            new_state: Some(state),
            private: req.planned_private,
            diagnostics: diags.to_proto(),
            legacy_type_system: false,
            new_identity,
        }))
    }

    async fn import_resource_state(
        &self,
        req: Request<pb::import_resource_state::Request>,
    ) -> Res<pb::import_resource_state::Response> {
        let req = req.into_inner();
        let r = async {
            let res = self.resource(&req.type_name)?;
            // `import { identity = {...} }` gives an identity, not an id.
            let id = match &req.identity {
                Some(given) if req.id.is_empty() => {
                    if res.identity_attributes().is_empty() {
                        return Err(Diags::error(
                            "Import by identity not supported",
                            format!("{} has no identity; import it by id", req.type_name),
                        ));
                    }
                    res.import_id(&identity::values(res.identity_attributes(), given)?)
                }
                _ => req.id.clone(),
            };
            let meta = self.meta().await?;
            let state = res.import(&meta, &id).await?;
            Ok((dv_encode(&state, &res.schema().ty())?, identity::of_state(res.identity_attributes(), &state)))
        }
        .await;
        let (state, diags) = diags_of(r);
        Ok(Response::new(pb::import_resource_state::Response {
            imported_resources: state
                .map(|(s, identity)| {
                    vec![pb::import_resource_state::ImportedResource {
                        type_name: req.type_name.clone(),
                        state: Some(s),
                        private: Vec::new(),
                        identity,
                    }]
                })
                .unwrap_or_default(),
            diagnostics: diags.to_proto(),
        }))
    }

    async fn move_resource_state(
        &self,
        req: Request<pb::move_resource_state::Request>,
    ) -> Res<pb::move_resource_state::Response> {
        let req = req.into_inner();
        let r = async {
            let res = self.resource(&req.target_type_name)?;
            let source = MoveSource {
                provider_address: &req.source_provider_address,
                type_name: &req.source_type_name,
                schema_version: req.source_schema_version,
            };
            let raw = req.source_state.as_ref().map(|s| s.json.as_slice()).unwrap_or_default();
            let json: serde_json::Value = serde_json::from_slice(raw).map_err(|e| {
                Diags::error(
                    "Moved state is not valid JSON",
                    format!("the state of {} handed over for the move: {e}", req.source_type_name),
                )
            })?;
            let (state, warnings) = res.move_from(&source, json).await?;
            let target_identity = identity::of_state(res.identity_attributes(), &state);
            Ok::<_, Diags>((dv_encode(&state, &res.schema().ty())?, warnings, target_identity))
        }
        .await;
        let (state, diags, target_identity) = match r {
            Ok((state, warnings, id)) => (Some(state), warnings, id),
            Err(d) => (None, d, None),
        };
        Ok(Response::new(pb::move_resource_state::Response {
            target_state: state,
            diagnostics: diags.to_proto(),
            // The source's private data is the other provider's business;
            // ours says the state is still to be completed (on its read).
            target_private: MOVED.to_vec(),
            target_identity,
        }))
    }

    async fn read_data_source(
        &self,
        req: Request<pb::read_data_source::Request>,
    ) -> Res<pb::read_data_source::Response> {
        let req = req.into_inner();
        let r = async {
            let ds = self.data_source(&req.type_name)?;
            let ty = ds.schema().ty();
            let config = dv_decode(req.config.as_ref(), &ty)?;
            let meta = self.meta().await?;
            let (state, warnings) = ds.read(&meta, &config).await?;
            Ok((dv_encode(&state, &ty)?, warnings))
        }
        .await;
        let (state, diags) = match r {
            Ok((state, warnings)) => (Some(state), warnings),
            Err(d) => (None, d),
        };
        Ok(Response::new(pb::read_data_source::Response { state, diagnostics: diags.to_proto() }))
    }

    async fn get_functions(&self, _: Request<pb::get_functions::Request>) -> Res<pb::get_functions::Response> {
        Ok(Response::new(pb::get_functions::Response { functions: self.function_protos(), diagnostics: Vec::new() }))
    }

    async fn call_function(&self, req: Request<pb::call_function::Request>) -> Res<pb::call_function::Response> {
        Ok(Response::new(function::call(&self.functions, &req.into_inner())))
    }

    async fn stop(&self, _: Request<pb::stop::Request>) -> Res<pb::stop::Response> {
        tracing::info!("stop requested by Terraform");
        self.stop.notify_waiters();
        Ok(Response::new(pb::stop::Response { error: String::new() }))
    }
}
