//! rules: pure validation — no I/O, no async.
//!
//! - [`connection_uri`]: the forms of the provider's `url` (https/http/bare
//!   host, libvirt's `vpx://` and `esx://` with their parameters).
//! - [`vpx_path`]: splitting a `vpx://` path into datacenter and compute
//!   resource against the inventory (sans-I/O walk).
//! - [`provider_config`]: precedence of attributes, URL and environment.
//! - [`hardware`]: a `vi_vm`'s memory, vCPUs and cores per socket, firmware
//!   and secure boot, disk sizes and resizes, SCSI unit numbers; and
//!   [`hardware::HardwareError`], which names the attribute at fault.
//! - [`hardware_version`]: `vmx-NN` versions, the per-version limits and
//!   features, upgrade versus downgrade (replacement).
//! - [`mac_address`]: parsing MAC addresses and VMware's static/generated
//!   ranges.
//! - [`device_models`]: SCSI controller and NIC models, their vSphere API
//!   types and the hardware versions they need.
//! - [`datastore_path`]: `[datastore] dir/file` paths.
pub mod connection_uri;
pub mod datastore_path;
pub mod device_models;
pub mod hardware;
pub mod hardware_version;
pub mod mac_address;
pub mod provider_config;
pub mod vpx_path;

#[cfg(test)]
mod parsers_never_panic;
