//! vi: vSphere over its APIs. Knows vSphere, nothing of Terraform. Three
//! layers, each importing only those below it:
//!
//! - [`core`]: the SOAP core — a bounded XML DOM ([`core::xml`]), envelopes
//!   and faults ([`core::soap`]), the vim25 data objects the provider uses
//!   ([`core::types`]), the session and its calls ([`core::client`]), which
//!   server certificates are trusted ([`core::certificate_trust`]), which
//!   calls are sent again ([`core::retry`]), the opt-in session cache
//!   ([`core::session_file`]), waiting for tasks ([`core::task`]), batched
//!   property reads ([`core::batch`]), [`ViError`] ([`core::error`]).
//! - [`object`]: operations on vSphere objects, built on the core — VMs
//!   (specs, devices, finding one whose create lost its answer), vApps and
//!   their options, snapshots, key providers and encryption ([`object::crypto`]),
//!   datastore files and streamed transfers.
//! - [`library`]: content libraries over the vAPI REST endpoints — the
//!   session, libraries, items, uploads, downloads, OVF deployments.
//!
//! OVF descriptors and OVA packages are not vSphere: they are the `ovf`
//! room beside this one.
pub mod core;
pub mod library;
pub mod object;

pub use self::core::batch::Batcher;
pub use self::core::certificate_trust::{CertificatePin, CertificateTrust, PinAlgorithm, PinMismatch};
pub use self::core::client::{Client, ClientConfig, ConnectOptions};
pub use self::core::error::ViError;
pub use self::core::fault::FaultKind;
pub use self::core::mo_type::MoType;
pub use self::core::session_file::{SessionFile, SessionFileError};
pub use self::core::task::TaskOutcome;
pub use self::core::types::*;
pub use self::core::xml::XmlNode;
pub use library::catalog::{LibraryClient, LibraryModel, StorageBacking};
pub use library::deploy::OvfDeploySpec;
pub use library::item::{ChecksumInfo, ItemFileInfo, ItemModel};
pub use library::upload::ItemFileSource;
pub use object::datastore_file::FileDigest;
pub use object::transfer::{ByteRange, Progress, UploadResult};
