//! Acceptance tests: the real Terraform CLI against a real vcsim.
mod bench;
mod data_sources;
mod docs;
mod examples;
mod harness;
mod plugin_binary;
mod provider_config;
mod vi_check;
mod vi_client;
mod vi_datastore_file;
mod vi_library;
mod vm;
mod vm_snapshot;
