//! Shared helpers for the acceptance tests.
pub mod connect_proxy;
pub mod diagnostics;
pub mod fault_proxy;
pub mod guide;
pub mod peer;
pub mod plan_file;
pub mod socks_proxy;
pub mod terraform;
pub mod test_ca;
pub mod vcsim;
