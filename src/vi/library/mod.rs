//! Content libraries over the vAPI REST endpoints: the session
//! ([`session`]), libraries ([`catalog`]), items ([`item`]), uploads,
//! downloads and OVF deployments. Built on [`super::core`] (the SOAP
//! session the vAPI login is derived from) and [`super::object::transfer`].
pub mod catalog;
pub mod deploy;
pub mod download;
pub mod item;
pub(crate) mod session;
pub mod upload;
