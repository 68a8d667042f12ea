//! What resources and data sources share, so that they import this room
//! and never each other: the provider's [`Meta`] (the connection every
//! call goes through), vSphere errors as diagnostics ([`diag`]), inventory
//! lookups ([`lookup`]), the vTPM ([`tpm`]), a catalog item's recorded
//! provenance ([`item_provenance`]), a VM's facts as the schemas name them
//! ([`vm_facts`]), the plan-time checks of names ([`name_checks`]) and of
//! the ids a configuration refers to ([`references`]), and what a create
//! whose answer was lost records ([`lost_create`]); guest customization
//! ([`customization`]); and the facts of an OVF descriptor as both
//! `data "vi_ovf"` and `vi_catalog_item` show them ([`ovf_facts`]); and
//! what every `moved` block from the vSphere provider shares
//! ([`moved_from_vsphere`]); and the lookups a provider process keeps
//! ([`memo`]).
pub mod customization;
pub mod diag;
pub mod item_provenance;
pub mod lookup;
pub mod lost_create;
pub mod memo;
mod meta;
pub mod moved_from_vsphere;
pub mod name_checks;
pub mod ovf_facts;
pub mod references;
pub mod tpm;
pub mod vm_facts;

pub use meta::Meta;
