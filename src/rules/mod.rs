//! rules: pure validation — no I/O, no async.
//!
//! - [`connection_uri`]: the forms of the provider's `url` (https/http/bare
//!   host, libvirt's `vpx://` and `esx://` with their parameters).
//! - [`vpx_path`]: splitting a `vpx://` path into datacenter and compute
//!   resource against the inventory (sans-I/O walk).
//! - [`provider_config`]: precedence of attributes, URL and environment.
//! - [`tls_trust`]: certificate thumbprints, govc known_hosts lines and
//!   where a CA bundle comes from.
//! - [`tpm`]: vTPM rules and their error type; [`tpm_prerequisites`] (what a
//!   VM needs before a vTPM is added or removed) and [`tpm_policy`] (copy,
//!   replace or new TPM by operation, vCenter version and template origin).
//! - [`vapp_type`]: the vApp property type grammar (`int(0..255)`,
//!   `string["a", "b"]`, `ip:network`, …) with its canonical printing.
//! - [`vapp_value`]: whether a value fits a vApp property type.
//! - [`vapp_property`]: a vApp property's whole schema (ids, key, type,
//!   default and value) and key/id uniqueness; [`vapp_error`] its errors.
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
//! - [`object_name`]: names of VMs, vApps, snapshots and library objects
//!   (empty, control characters, vSphere's 80-character inventory limit).
//! - [`extra_config`]: VMX option keys and values.
//! - [`vm_filter`]: `vi_vms`' filters (name regex, power state) and the
//!   stable order of what they select.
//! - [`resource_allocation`]: CPU/memory shares, reservations and limits of
//!   a pool or vApp.
//! - [`vapp_settings`]: a vApp's transports, IP protocol and allocation
//!   policy, power state, and its children's start/stop settings.
//! - [`customization`]: a guest customization specification as a whole
//!   (identity against the guest family, interfaces against the VM's, domain
//!   join); built on [`host_name`] (RFC 1123 host names, NetBIOS computer
//!   names), [`time_zone`] (IANA names, Windows indexes) and [`ip_settings`]
//!   (addresses, prefixes, gateways inside a subnet).
pub mod connection_uri;
pub mod customization;
pub mod datastore_path;
pub mod device_models;
pub mod extra_config;
pub mod hardware;
pub mod hardware_version;
pub mod host_name;
pub mod ip_settings;
pub mod mac_address;
pub mod object_name;
pub mod provider_config;
pub mod resource_allocation;
pub mod time_zone;
pub mod tls_trust;
pub mod tpm;
pub mod tpm_policy;
pub mod tpm_prerequisites;
pub mod vapp_error;
pub mod vapp_property;
pub mod vapp_settings;
pub mod vapp_type;
pub mod vapp_value;
pub mod vm_filter;
pub mod vpx_path;

#[cfg(test)]
mod parsers_never_panic;
