//! The SOAP core: how the provider talks to vCenter at all. Nothing here
//! knows a VM from a datastore; [`super::object`] builds on it.
pub mod batch;
pub mod certificate_trust;
pub mod client;
pub mod datetime;
pub mod error;
#[cfg(test)]
pub(crate) mod fake_vsphere;
pub mod fault;
pub mod mo_type;
pub mod retry;
pub mod session_file;
pub mod soap;
pub mod task;
pub(crate) mod task_watch;
#[cfg(test)]
pub(crate) mod test_server;
pub mod types;
pub mod xml;
