//! rules: pure validation — no I/O, no async.
//!
//! - [`connection_uri`]: the forms of the provider's `url` (https/http/bare
//!   host, libvirt's `vpx://` and `esx://` with their parameters).
//! - [`vpx_path`]: splitting a `vpx://` path into datacenter and compute
//!   resource against the inventory (sans-I/O walk).
//! - [`provider_config`]: precedence of attributes, URL and environment.
pub mod connection_uri;
pub mod provider_config;
pub mod vpx_path;
