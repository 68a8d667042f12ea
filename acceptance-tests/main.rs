//! Acceptance tests: the real Terraform CLI against a real vcsim.
mod catalog;
mod data_sources;
mod datastore_upload;
mod docs;
mod examples;
mod harness;
mod ovf;
mod plugin_binary;
mod provider_config;
mod vapp;
mod vapp_property;
mod vi_check;
mod vi_client;
mod vi_datastore_file;
mod vi_library;
mod vm;
mod vm_snapshot;
