//! Guest customization as `vi_vm` (`clone.customize`,
//! `catalog_item.customize`) and `vi_customization_spec` (`spec`) share it:
//! the block's schema ([`schema`]), its typed state ([`model`]), the
//! plan-time checks with their attribute paths ([`checks`]), and the
//! conversion to and from vSphere's `CustomizationSpec` ([`convert`]).
pub mod checks;
pub mod convert;
pub mod model;
pub mod schema;
