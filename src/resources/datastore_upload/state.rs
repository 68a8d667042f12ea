//! The typed state of `vi_datastore_upload`, one field per schema attribute.
use serde::{Deserialize, Serialize};

use crate::plugin::Value;

#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq)]
pub struct State {
    pub id: Value<String>,
    pub source_file: Value<String>,
    pub datastore_id: Value<String>,
    pub path: Value<String>,
    pub create_directories: Value<bool>,
    pub datastore_path: Value<String>,
    pub size: Value<i64>,
    pub sha256: Value<String>,
}
