//! vi: the VI (vSphere) SOAP client. Knows vSphere, nothing of Terraform.
//!
//! - `xml`: a bounded DOM over quick-xml, and escaping for requests.
//! - `soap`: envelopes, response unwrapping, fault decoding.
//! - `types`: the vim25 data objects the client needs.
//! - `client`: the session (login, re-login, cookie) and the calls built on it.
//! - `certificate_trust`: which server certificates are accepted (system
//!   CAs, a CA bundle, a pinned thumbprint, or any).
//! - `retry`: which failed calls are sent again (idempotent reads), and when.
//! - `session_file`: the opt-in session cache (a cookie per server and
//!   user, in a file only the user can read).
//! - `task`: waiting for tasks.
//! - `crypto`: key providers (CryptoManagerKmip) and VM encryption specs.
//! - `transfer`: streamed HTTP uploads with progress and an idle timeout.
//! - `datastore_file`: datastore files (`/folder` upload, HEAD, streamed
//!   read-back digest, FileManager).
//! - `library_session`, `library`, `library_item`, `library_upload`,
//!   `library_download`, `library_deploy`: content libraries over the vAPI
//!   REST endpoints.
//! - `vapp_config`: vApp options of a VM or vApp (properties, OVF
//!   environment transports) read and changed.
//! - `error`: [`ViError`].
//! - `vapp`, `vapp_spec`: vApps (create, configure, power, clone, destroy,
//!   children's start order) and the specs they take.
//! - `snapshot`: VM snapshot trees and the snapshot tasks.

pub mod batch;
pub mod certificate_trust;
pub mod client;
pub mod crypto;
pub mod datastore_file;
pub mod datetime;
pub mod error;
#[cfg(test)]
mod fake_vsphere;
pub mod library;
pub mod library_deploy;
pub mod library_download;
pub mod library_item;
mod library_session;
pub mod library_upload;
pub mod retry;
pub mod session_file;
pub mod snapshot;
pub mod soap;
pub mod task;
#[cfg(test)]
mod test_server;
pub mod transfer;
pub mod types;
pub mod vapp;
pub mod vapp_config;
pub mod vapp_spec;
pub mod vm;
pub mod vm_device;
pub mod vm_recover;
pub mod vm_spec;
pub mod xml;

pub use batch::Batcher;
pub use certificate_trust::{CertificatePin, CertificateTrust, PinAlgorithm, PinMismatch};
pub use client::{Client, ClientConfig, ConnectOptions};
pub use datastore_file::FileDigest;
pub use error::ViError;
pub use library::{LibraryClient, LibraryModel, StorageBacking};
pub use library_deploy::OvfDeploySpec;
pub use library_item::{ChecksumInfo, ItemFileInfo, ItemModel};
pub use library_upload::ItemFileSource;
pub use session_file::{SessionFile, SessionFileError};
pub use task::TaskOutcome;
pub use transfer::{ByteRange, Progress, UploadResult};
pub use types::*;
pub use xml::XmlNode;
