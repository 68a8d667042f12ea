//! Operations on vSphere objects, built on [`super::core`]: VMs, vApps,
//! snapshots, key providers, guest customization, datastore files and
//! transfers.
pub mod crypto;
pub mod customization;
pub mod customization_spec;
pub mod datastore_file;
pub mod snapshot;
pub mod transfer;
pub mod vapp;
pub mod vapp_config;
pub mod vapp_spec;
pub mod virtual_machine;
pub mod vm;
pub mod vm_device;
pub mod vm_recover;
pub mod vm_spec;
