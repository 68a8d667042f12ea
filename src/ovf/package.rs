//! An OVF package on local disk as the files a content library item is
//! made of: the descriptor first, then every file it references, then the
//! manifest and certificate when there are any.
//!
//! - A `.ovf`: the descriptor, and the referenced files beside it.
//! - A `.ova`: the same files, as byte ranges of the archive, so nothing is
//!   unpacked or read into memory.
//!
//! A reference must be a plain file name (no directories, no `..`, no URL):
//! anything else would make the upload read files outside the package.
//! The package's [`manifest_sha256`] digest changes whenever any of its
//! files does, so a caller can tell a changed package from an unchanged one
//! without comparing archives byte by byte.

use std::collections::HashSet;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::ova::{MAX_ENTRIES, OvaPackage, looks_like_header, read_ova};
use super::{OvfDescriptor, OvfError, read_descriptor_file};

/// Where a package file's bytes lie inside an OVA archive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ByteRange {
    pub offset: u64,
    pub length: u64,
}

/// Whether the package is a descriptor with files beside it or an archive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PackageKind {
    Ovf,
    Ova,
}

/// A local OVF package, ready to upload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OvfPackage {
    pub kind: PackageKind,
    pub descriptor: OvfDescriptor,
    /// The descriptor's file name in the item (`photon.ovf`).
    pub descriptor_name: String,
    /// Every file to upload, in order, the descriptor first.
    pub files: Vec<PackageFile>,
}

/// One file of a package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PackageFile {
    /// Its name in the item.
    pub name: String,
    /// The local file holding its bytes (the `.ova` for archive members).
    pub path: PathBuf,
    /// The member's bytes within `path`; `None`: all of `path`.
    pub range: Option<ByteRange>,
    /// Bytes it holds.
    pub size: u64,
}

/// Reads the package at `path` (`.ovf` or `.ova`, told apart by content):
/// its descriptor and the files to upload. Fails when the descriptor does
/// not parse, a reference is not a plain file name, or a referenced file
/// is missing.
pub fn open_package(path: &Path) -> Result<OvfPackage, OvfError> {
    let mut head = Vec::with_capacity(512);
    crate::local_file::open_regular(path)
        .and_then(|f| f.take(512).read_to_end(&mut head))
        .map_err(|e| OvfError::io(path, e))?;
    if looks_like_header(&head) { from_ova(path, read_ova(path)?) } else { from_ovf(path) }
}

fn from_ovf(path: &Path) -> Result<OvfPackage, OvfError> {
    let descriptor = read_descriptor_file(path)?;
    let descriptor_name = path
        .file_name()
        .and_then(|n| n.to_str())
        .map(str::to_string)
        .ok_or_else(|| OvfError::invalid("descriptor file name", path.display().to_string(), "not valid UTF-8"))?;
    let dir = path.parent().unwrap_or_else(|| Path::new("."));
    let size_of =
        |p: &Path| -> Result<u64, OvfError> { crate::local_file::check_regular(p).map_err(|e| OvfError::io(p, e)) };
    let whole = |name: &str| -> Result<PackageFile, OvfError> {
        let p = dir.join(name);
        Ok(PackageFile { name: name.to_string(), size: size_of(&p)?, path: p, range: None })
    };
    let mut files = vec![PackageFile {
        name: descriptor_name.clone(),
        path: path.to_path_buf(),
        range: None,
        size: size_of(path)?,
    }];
    let mut seen: HashSet<String> = HashSet::from([descriptor_name.clone()]);
    for r in &descriptor.references {
        check_href(&r.href)?;
        if !seen.insert(r.href.clone()) {
            continue;
        }
        if r.chunk_size.is_some() {
            // Chunks are href.000000000, href.000000001, … with no gap.
            for i in 0..MAX_ENTRIES {
                let name = chunk_name(&r.href, i);
                if !dir.join(&name).is_file() {
                    if i == 0 {
                        return Err(missing(&name, path));
                    }
                    break;
                }
                files.push(whole(&name)?);
            }
        } else {
            if !dir.join(&r.href).is_file() {
                return Err(missing(&r.href, path));
            }
            files.push(whole(&r.href)?);
        }
    }
    let stem = descriptor_name.rsplit_once('.').map_or(descriptor_name.as_str(), |(s, _)| s);
    for extra in [format!("{stem}.mf"), format!("{stem}.cert")] {
        if !seen.contains(&extra) && dir.join(&extra).is_file() {
            files.push(whole(&extra)?);
        }
    }
    Ok(OvfPackage { kind: PackageKind::Ovf, descriptor, descriptor_name, files })
}

fn from_ova(path: &Path, ova: OvaPackage) -> Result<OvfPackage, OvfError> {
    check_href(&ova.descriptor_name)?;
    let member = |name: &str| {
        ova.entry(name).map(|e| PackageFile {
            name: e.name.clone(),
            path: path.to_path_buf(),
            range: Some(ByteRange { offset: e.offset, length: e.size }),
            size: e.size,
        })
    };
    let mut files: Vec<PackageFile> = member(&ova.descriptor_name).into_iter().collect();
    let mut seen: HashSet<String> = HashSet::from([ova.descriptor_name.clone()]);
    for r in &ova.descriptor.references {
        check_href(&r.href)?;
        if !seen.insert(r.href.clone()) {
            continue;
        }
        if r.chunk_size.is_some() {
            let prefix = format!("{}.", r.href);
            let chunks: Vec<PackageFile> = ova
                .files
                .iter()
                .filter(|e| {
                    e.name.strip_prefix(&prefix).is_some_and(|n| n.len() == 9 && n.bytes().all(|b| b.is_ascii_digit()))
                })
                .filter_map(|e| member(&e.name))
                .collect();
            if chunks.is_empty() {
                return Err(missing(&chunk_name(&r.href, 0), path));
            }
            files.extend(chunks);
        } else {
            files.push(member(&r.href).ok_or_else(|| missing(&r.href, path))?);
        }
    }
    for e in &ova.files {
        let lower = e.name.to_ascii_lowercase();
        if (lower.ends_with(".mf") || lower.ends_with(".cert")) && seen.insert(e.name.clone()) {
            check_href(&e.name)?;
            files.extend(member(&e.name));
        }
    }
    Ok(OvfPackage { kind: PackageKind::Ova, descriptor: ova.descriptor, descriptor_name: ova.descriptor_name, files })
}

fn chunk_name(href: &str, i: usize) -> String {
    format!("{href}.{i:09}")
}

fn missing(name: &str, package: &Path) -> OvfError {
    OvfError::Missing(format!("file {name:?}, which the descriptor references, in {}", package.display()))
}

/// A reference the item can hold under the same name, and that cannot
/// point outside the package.
fn check_href(href: &str) -> Result<(), OvfError> {
    let bad = |why: &str| Err(OvfError::invalid("file reference", href, why));
    if href.is_empty() || href == "." || href == ".." {
        return bad("it is not a file name");
    }
    if href.contains('/') || href.contains('\\') {
        return bad("only files beside the descriptor are supported (no directories)");
    }
    if href.contains(':') {
        return bad("remote (URL) references are not supported; download the file next to the descriptor");
    }
    if href.chars().any(char::is_control) {
        return bad("it contains control characters");
    }
    Ok(())
}

impl PackageFile {
    /// Lower-case hex sha256 of the file's bytes (reads them all: call it
    /// off the async runtime's threads).
    pub fn sha256(&self) -> Result<String, OvfError> {
        let io = |e| OvfError::io(&self.path, e);
        let mut file = crate::local_file::open_regular(&self.path).map_err(io)?;
        let (offset, length) = match self.range {
            Some(r) => (r.offset, r.length),
            None => (0, file.metadata().map_err(io)?.len()),
        };
        file.seek(SeekFrom::Start(offset)).map_err(io)?;
        let mut hasher = Sha256::new();
        let mut buf = vec![0u8; 1024 * 1024];
        let mut left = length;
        while left > 0 {
            let want = usize::try_from(left).map_or(buf.len(), |l| l.min(buf.len()));
            let chunk = buf.get_mut(..want).unwrap_or_default();
            let n = file.read(chunk).map_err(io)?;
            if n == 0 {
                return Err(io(std::io::Error::new(
                    std::io::ErrorKind::UnexpectedEof,
                    format!("{} ended {left} bytes early", self.name),
                )));
            }
            hasher.update(chunk.get(..n).unwrap_or_default());
            left -= n as u64;
        }
        Ok(hex(&hasher.finalize()))
    }
}

impl OvfPackage {
    /// The package digest ([`manifest_sha256`]) over every file, read from
    /// disk (blocking; see [`PackageFile::sha256`]).
    pub fn sha256(&self) -> Result<String, OvfError> {
        let mut lines = Vec::with_capacity(self.files.len());
        for f in &self.files {
            lines.push((f.name.clone(), f.sha256()?));
        }
        Ok(manifest_sha256(lines.iter().map(|(n, s)| (n.as_str(), s.as_str()))))
    }
}

/// sha256 of the text `<sha256> <name>\n`, one line per `(name, sha256)`
/// in order: one digest for a set of files, computable from the local
/// files before an upload and from the upload's own digests after it.
pub fn manifest_sha256<'a>(files: impl IntoIterator<Item = (&'a str, &'a str)>) -> String {
    let mut hasher = Sha256::new();
    for (name, sha) in files {
        hasher.update(sha.as_bytes());
        hasher.update(b" ");
        hasher.update(name.as_bytes());
        hasher.update(b"\n");
    }
    hex(&hasher.finalize())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests;
