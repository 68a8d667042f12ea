//! OVF descriptors and OVA packages, parsed locally (no vCenter involved):
//! what a package asks for (hardware, networks, disks, vApp properties,
//! OVF environment transports, vService dependencies) before it is deployed.
//!
//! - [`parse_ovf`]: descriptor bytes → [`OvfDescriptor`].
//! - [`read_descriptor_file`]: a `.ovf` or `.ova` on disk, told apart by
//!   content.
//! - [`ova::read_ova`]: an OVA's descriptor and file list.
//! - [`package::open_package`]: a local `.ovf` or `.ova` as the files of a
//!   content library item, with a digest over them.
//!
//! A room of its own: pure file formats, no vSphere and no I/O beyond
//! reading the user's files (regular files only, [`crate::local_file`]).
//!
//! The input is treated as hostile: quick-xml's streaming namespace reader,
//! no DTDs (so no entity expansion), and the caps in [`limits`]. Failures
//! are [`OvfError`]s, never panics. Property types are returned as written;
//! checking them is the vApp property rules' job, not this module's.

mod descriptor;
mod error;
mod hardware;
pub mod limits;
pub mod ova;
pub mod package;
mod parse;
mod property_type;
mod stream;
mod units;

use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

pub use descriptor::*;
pub use error::OvfError;

use limits::MAX_DESCRIPTOR_BYTES;

/// Parses an OVF descriptor (OVF 1.x or 2.x envelope, UTF-8).
pub fn parse_ovf(xml: &[u8]) -> Result<OvfDescriptor, OvfError> {
    if xml.len() > MAX_DESCRIPTOR_BYTES {
        return Err(OvfError::TooLarge {
            what: "the OVF descriptor".into(),
            size: xml.len() as u64,
            limit: MAX_DESCRIPTOR_BYTES as u64,
        });
    }
    parse::parse(xml)
}

/// Reads the descriptor of a `.ovf` file or of a `.ova` package. The kind is
/// decided by content (a valid tar header means OVA), so a misnamed file
/// still works; a `.ova` name on something that is not a tar archive is an
/// error rather than a confusing XML message.
pub fn read_descriptor_file(path: &Path) -> Result<OvfDescriptor, OvfError> {
    let io = |e| OvfError::io(path, e);
    let mut file = crate::local_file::open_regular(path).map_err(io)?;
    let meta = file.metadata().map_err(io)?;

    let mut head = Vec::with_capacity(512);
    (&mut file).take(512).read_to_end(&mut head).map_err(io)?;
    if ova::looks_like_header(&head) {
        return ova::read_ova(path).map(|p| p.descriptor);
    }
    let named_ova = path.extension().is_some_and(|e| e.eq_ignore_ascii_case("ova"));
    if named_ova {
        return Err(OvfError::Archive(format!("{} is named .ova but is not a tar archive", path.display())));
    }

    if meta.len() > MAX_DESCRIPTOR_BYTES as u64 {
        return Err(OvfError::TooLarge {
            what: format!("descriptor {}", path.display()),
            size: meta.len(),
            limit: MAX_DESCRIPTOR_BYTES as u64,
        });
    }
    // Read at most one byte past the cap, in case the file grew meanwhile.
    file.seek(SeekFrom::Start(0)).map_err(io)?;
    let mut xml = Vec::new();
    file.take(MAX_DESCRIPTOR_BYTES as u64 + 1).read_to_end(&mut xml).map_err(io)?;
    parse_ovf(&xml)
}

#[cfg(test)]
mod tests;
