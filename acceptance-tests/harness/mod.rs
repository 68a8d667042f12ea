//! Shared helpers for the acceptance tests.
pub mod terraform;
pub mod vcsim;
