//! What resources and data sources share, so that they import this room
//! and never each other: the provider's [`Meta`] (the connection every
//! call goes through), vSphere errors as diagnostics ([`diag`]), inventory
//! lookups ([`lookup`]).
pub mod diag;
pub mod lookup;
mod meta;

pub use meta::Meta;
