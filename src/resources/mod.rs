//! Resources: each file maps Terraform's plan/apply onto VI calls for one
//! resource type.
use std::sync::Arc;

use crate::plugin::{AnyResource, resource};
use crate::provider::Meta;

pub mod tpm_checks;
pub mod tpm_device;
pub mod vm;
pub mod vtpm;

pub fn all() -> Vec<Arc<dyn AnyResource<Meta>>> {
    vec![resource(vm::Vm), resource(vtpm::Vtpm)]
}
