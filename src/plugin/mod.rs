//! The Terraform side: go-plugin handshake, AutoMTLS, the tfplugin5 gRPC
//! service, cty values, schemas, diagnostics, write-only attributes, and the
//! traits a resource, a data source or a function implements. Knows nothing
//! of vSphere.
pub mod cty;
pub mod diag;
pub mod docs;
pub mod function;
pub mod identity;
mod lifetime;
pub mod log;
mod number_fit;
pub mod proto;
pub mod schema;
pub mod serve;
pub mod server;
mod side_services;
pub mod tls;
pub mod traits;
pub mod value;
pub mod write_only;

pub use cty::{Dyn, Type};
pub use diag::{AttrPath, Diags};
pub use function::{Args, Function, FunctionError, Parameter, Signature};
pub use schema::{Attribute, Block, NestedBlock, Schema};
pub use traits::{
    AnyDataSource, AnyResource, ApplyError, DataSource, MoveSource, Plan, Provider, Resource, data_source, resource,
};
pub use value::Value;
