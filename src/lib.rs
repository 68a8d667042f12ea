//! terraform-provider-vi: a Terraform provider for VMware vSphere over the
//! VI SOAP API.
//!
//! Rooms with arrows one way (see ARCHITECTURE.md): `provider` wires
//! `resources`, `data_sources` and `functions`; they share code through
//! `shared` (and `connection`), never through each other; everything above uses the
//! ground-floor rooms `plugin`, `vi`, `rules`, `ovf` and `local_file`,
//! which never use each other or anything above.
pub mod connection;
pub mod data_sources;
pub mod functions;
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
