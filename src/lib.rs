//! terraform-provider-vi: a Terraform provider for VMware vSphere over the
//! VI SOAP API.
//!
//! Four rooms, arrows one way (see DESIGN.md): `resources` and
//! `data_sources` use `plugin`, `vi` and `rules`; those three never use each
//! other or the top.
pub mod connection;
pub mod data_sources;
#[doc(hidden)]
pub mod fuzzing;
pub mod local_file;
pub mod ovf;
pub mod plugin;
pub mod provider;
pub mod resources;
pub mod rules;
pub mod shared;
pub mod vi;
