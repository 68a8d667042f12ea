//! vi: the VI (vSphere) SOAP client. Knows vSphere, nothing of Terraform.
//!
//! - `xml`: a bounded DOM over quick-xml, and escaping for requests.
//! - `soap`: envelopes, response unwrapping, fault decoding.
//! - `types`: the vim25 data objects the client needs.
//! - `client`: the session (login, re-login, cookie) and the calls built on it.
//! - `error`: [`ViError`].
//! - `ovf`: OVF descriptors parsed locally ([`ovf::parse_ovf`],
//!   [`ovf::read_descriptor_file`]).
//! - `ova`: OVA packages (tar) listed and their descriptor read
//!   ([`ova::read_ova`]).

pub mod batch;
pub mod client;
pub mod error;
pub mod ova;
pub mod ovf;
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
