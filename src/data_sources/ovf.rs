//! `data "vi_ovf"`: what a local `.ovf` or `.ova` holds and asks for, read
//! with the same parser the rest of the provider uses (`vi::ovf`), without
//! contacting vSphere.
use std::path::PathBuf;

use async_trait::async_trait;

mod convert;
mod schema;
mod state;

use self::state::State;
use crate::ovf::read_descriptor_file;
use crate::plugin::{AttrPath, DataSource, Diags, Schema};
use crate::shared::Meta;

pub struct OvfData;

#[async_trait]
impl DataSource<Meta> for OvfData {
    type State = State;

    fn type_name(&self) -> &'static str {
        "vi_ovf"
    }

    fn schema(&self) -> Schema {
        schema::schema()
    }

    fn validate(&self, config: &State) -> Diags {
        if config.path.as_deref().is_some_and(|p| p.trim().is_empty()) {
            return Diags::error_at(AttrPath::attr("path"), "Empty path", "name a local .ovf or .ova file");
        }
        Diags::none()
    }

    async fn read(&self, meta: &Meta, config: State) -> Result<State, Diags> {
        self.read_with_warnings(meta, config).await.map(|(s, _)| s)
    }

    async fn read_with_warnings(&self, _meta: &Meta, config: State) -> Result<(State, Diags), Diags> {
        let path = config.path.get().cloned().unwrap_or_default();
        let file = PathBuf::from(&path);
        // Parsing is synchronous file and CPU work: keep it off the runtime.
        let desc = tokio::task::spawn_blocking(move || read_descriptor_file(&file))
            .await
            .map_err(|e| Diags::error_at(AttrPath::attr("path"), "Reading the OVF was interrupted", e.to_string()))?
            .map_err(|e| Diags::error_at(AttrPath::attr("path"), "Cannot read the OVF package", e.to_string()))?;
        let (state, diags) = convert::to_state(&path, &desc);
        if diags.has_errors() { Err(diags) } else { Ok((state, diags)) }
    }
}
