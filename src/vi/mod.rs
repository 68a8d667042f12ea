//! vi: the VI (vSphere) SOAP client. Knows vSphere, nothing of Terraform.
//!
//! - `xml`: a bounded DOM over quick-xml, and escaping for requests.
//! - `soap`: envelopes, response unwrapping, fault decoding.
//! - `types`: the vim25 data objects the client needs.
//! - `client`: the session (login, re-login, cookie) and the calls built on it.
//! - `error`: [`ViError`].

pub mod batch;
pub mod client;
pub mod error;
pub mod soap;
pub mod task;
pub mod types;
pub mod vm;
pub mod vm_device;
pub mod vm_spec;
pub mod xml;

pub use batch::Batcher;
pub use client::{Client, ClientConfig};
pub use error::ViError;
pub use types::*;
pub use xml::XmlNode;
