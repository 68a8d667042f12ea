//! Acceptance tests: the real Terraform CLI against a real vcsim.
mod harness;
mod vi_client;
