//! Resources: each file maps Terraform's plan/apply onto VI calls for one
//! resource type.
use std::sync::Arc;

use crate::plugin::AnyResource;
use crate::provider::Meta;

pub fn all() -> Vec<Arc<dyn AnyResource<Meta>>> {
    Vec::new()
}
