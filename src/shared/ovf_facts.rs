//! What an OVF descriptor says, as both `data "vi_ovf"` and
//! `vi_catalog_item` expose it: one model ([`model`]), one conversion from
//! [`crate::ovf::OvfDescriptor`] ([`convert`]), one set of property-type
//! checks ([`checks`], each user choosing the severity) and one schema for
//! the facts' attributes ([`schema`]).
pub mod checks;
pub mod convert;
pub mod model;
pub mod schema;

pub use model::OvfFacts;

#[cfg(test)]
mod tests;
