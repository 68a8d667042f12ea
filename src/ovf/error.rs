//! [`OvfError`]: every way reading an OVF descriptor or an OVA package can
//! fail. Hostile input always ends here, never in a panic.

use std::path::PathBuf;

/// An error from parsing an OVF descriptor or reading an OVA package.
#[derive(Debug, thiserror::Error)]
pub enum OvfError {
    /// The file could not be opened or read.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// The descriptor (or an archive member that must be read into memory)
    /// is bigger than the parser accepts.
    #[error("{what} is {size} bytes, more than the {limit} byte limit")]
    TooLarge { what: String, size: u64, limit: u64 },

    /// The descriptor is not well-formed XML (or not UTF-8).
    #[error("malformed OVF descriptor XML at byte {position}: {detail}")]
    Xml { position: u64, detail: String },

    /// A DOCTYPE (and with it any ENTITY declaration) was found. OVF never
    /// needs one, and entity expansion is how "billion laughs" attacks work.
    #[error("DOCTYPE and ENTITY declarations are not allowed in an OVF descriptor")]
    Doctype,

    /// A structural limit was exceeded (nesting depth, element count,
    /// attribute length, text length, archive entry count).
    #[error("OVF descriptor exceeds a limit: {0}")]
    Limit(String),

    /// Well-formed XML, but not an OVF envelope.
    #[error("not an OVF descriptor: {0}")]
    NotOvf(String),

    /// A required attribute or element is absent.
    #[error("OVF descriptor is missing {0}")]
    Missing(String),

    /// A value that the descriptor defines as a number, boolean, unit or
    /// qualifier list could not be understood.
    #[error("invalid {what} {value:?} in OVF descriptor: {detail}")]
    Invalid { what: String, value: String, detail: String },

    /// The OVA (tar) archive is damaged or unsafe.
    #[error("invalid OVA archive: {0}")]
    Archive(String),
}

impl OvfError {
    pub(crate) fn invalid(what: impl Into<String>, value: impl Into<String>, detail: impl Into<String>) -> OvfError {
        OvfError::Invalid { what: what.into(), value: value.into(), detail: detail.into() }
    }

    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> OvfError {
        OvfError::Io { path: path.into(), source }
    }
}
