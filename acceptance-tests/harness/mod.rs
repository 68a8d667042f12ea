//! Shared helpers for the acceptance tests.
pub mod vcsim;
