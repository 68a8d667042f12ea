//! What the OVA reader adds to the `tar` crate: telling a tar header by
//! content, entry names made safe, and a bound on what tar metadata may
//! make us read into memory.
//!
//! Why the bound: `tar` (0.4.46, `Archive::entries`) reads a GNU long name
//! (`L`), long link (`K`) or pax extended header (`x`) whole into a `Vec`
//! before the entry it describes is returned, for whatever size its header
//! claims (`EntryFields::read_all`, a `read_to_end`; only the first 128 KiB
//! are reserved up front). A hostile OVA with a 4 GiB long name (cheap as a
//! sparse file) would make the provider allocate 4 GiB. The crate reads
//! that payload right after the header, with no seek in between, and seeks
//! before every header (`entries_with_seek`), so [`SeekRuns`] — a reader
//! that refuses to read more than [`MAX_RUN`] bytes between two seeks —
//! caps every such payload at [`MAX_META_BYTES`] without depending on how
//! the crate is built inside: whatever it reads, it cannot read more than
//! that in one go.
use std::io::{self, Read, Seek, SeekFrom};

use crate::ovf::OvfError;

pub(super) const BLOCK: u64 = 512;
/// Longest GNU long name, long link or pax extended header accepted.
pub(super) const MAX_META_BYTES: u64 = 1024 * 1024;
/// Most bytes read between two seeks: a header and its metadata payload.
pub(super) const MAX_RUN: u64 = BLOCK + MAX_META_BYTES;

/// True for a block that is a tar header the `tar` crate accepts (used to
/// tell an OVA from an OVF by content): not all zeros, and the stored
/// checksum is the unsigned sum of the header with the checksum field read
/// as spaces.
pub(crate) fn looks_like_header(head: &[u8]) -> bool {
    let Some(block) = head.get(..BLOCK as usize) else { return false };
    if block.iter().all(|&b| b == 0) {
        return false;
    }
    let mut header = tar::Header::new_old();
    header.as_mut_bytes().copy_from_slice(block);
    let sum = block[..148].iter().chain(&block[156..]).map(|&b| u32::from(b)).sum::<u32>() + 8 * u32::from(b' ');
    header.cksum().is_ok_and(|stored| stored == sum)
}

/// An entry name made safe to report and to look up: UTF-8, relative,
/// without `..` components or control characters; a leading `./` dropped,
/// and anything from the first NUL on (GNU long names end with one).
pub(super) fn clean_name(raw: &[u8]) -> Result<String, OvfError> {
    let raw = raw.split(|&b| b == 0).next().unwrap_or_default();
    let name = std::str::from_utf8(raw)
        .map_err(|_| archive(format!("entry name {:?} is not UTF-8", String::from_utf8_lossy(raw))))?;
    let mut rest = name;
    while let Some(r) = rest.strip_prefix("./") {
        rest = r;
    }
    if rest.is_empty() {
        return Err(archive(format!("entry name {name:?} is empty")));
    }
    let drive = rest.as_bytes().get(1) == Some(&b':');
    if rest.starts_with('/') || rest.starts_with('\\') || drive {
        return Err(archive(format!("entry name {name:?} is an absolute path")));
    }
    if rest.split(['/', '\\']).any(|part| part == "..") {
        return Err(archive(format!("entry name {name:?} contains '..'")));
    }
    if rest.chars().any(char::is_control) {
        return Err(archive(format!("entry name {name:?} contains control characters")));
    }
    Ok(rest.to_string())
}

/// Size rounded up to whole blocks, checked.
pub(super) fn padded(size: u64) -> Option<u64> {
    size.checked_add(BLOCK - 1).map(|s| s / BLOCK * BLOCK)
}

pub(super) fn archive(msg: String) -> OvfError {
    OvfError::Archive(msg)
}

/// A run of reads longer than [`MAX_RUN`]: a metadata entry too large.
#[derive(Debug, thiserror::Error)]
#[error("a GNU long name or pax extended header is larger than {MAX_META_BYTES} bytes")]
pub(super) struct MetadataTooLarge;

/// A reader that refuses to read more than [`MAX_RUN`] bytes between two
/// seeks (see the module documentation).
pub(super) struct SeekRuns<R> {
    inner: R,
    left: u64,
}

impl<R> SeekRuns<R> {
    pub(super) fn new(inner: R) -> Self {
        SeekRuns { inner, left: MAX_RUN }
    }
}

impl<R: Read> Read for SeekRuns<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        if self.left == 0 {
            return Err(io::Error::other(MetadataTooLarge));
        }
        let n = buf.len().min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let got = self.inner.read(&mut buf[..n])?;
        self.left = self.left.saturating_sub(got as u64);
        Ok(got)
    }
}

impl<R: Seek> Seek for SeekRuns<R> {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        self.left = MAX_RUN;
        self.inner.seek(pos)
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// Builds a ustar header block with a correct checksum.
    pub(crate) fn header(name: &str, size: u64, typeflag: u8) -> [u8; 512] {
        let mut b = [0u8; 512];
        b[..name.len()].copy_from_slice(name.as_bytes());
        b[100..107].copy_from_slice(b"0000644");
        b[108..115].copy_from_slice(b"0000000");
        b[116..123].copy_from_slice(b"0000000");
        let size_field = format!("{size:011o}");
        b[124..135].copy_from_slice(size_field.as_bytes());
        b[136..147].copy_from_slice(b"00000000000");
        b[156] = typeflag;
        b[257..263].copy_from_slice(b"ustar\0");
        b[263..265].copy_from_slice(b"00");
        seal(&mut b);
        b
    }

    /// Recomputes the checksum after a test edits a header.
    pub(crate) fn seal(b: &mut [u8; 512]) {
        b[148..156].copy_from_slice(b"        ");
        let sum: u64 = b.iter().map(|&x| u64::from(x)).sum();
        let field = format!("{sum:06o}\0 ");
        b[148..156].copy_from_slice(field.as_bytes());
    }

    #[test]
    fn tells_a_header_by_content() {
        let h = header("disk.vmdk", 1234, b'0');
        assert!(looks_like_header(&h));
        assert!(looks_like_header(&[&h[..], b"more"].concat()));
        assert!(!looks_like_header(&h[..511]));
        let mut damaged = h;
        damaged[0] = b'x';
        assert!(!looks_like_header(&damaged));
        damaged[148..156].copy_from_slice(b"zzzzzzz\0");
        assert!(!looks_like_header(&damaged));
        assert!(!looks_like_header(&[0u8; 512]));
        assert!(!looks_like_header(b"<?xml version='1.0'?>"));
    }

    #[test]
    fn names_are_cleaned() {
        assert_eq!(clean_name(b"./disk.vmdk").unwrap(), "disk.vmdk");
        assert_eq!(clean_name(b"dir/disk.vmdk").unwrap(), "dir/disk.vmdk");
        assert_eq!(clean_name(b"a..b.vmdk").unwrap(), "a..b.vmdk");
        assert_eq!(clean_name(b"long.vmdk\0\0").unwrap(), "long.vmdk");
        for bad in
            [&b""[..], b"./", b"/etc/passwd", b"../x", b"a/../../x", b"a\\..\\x", b"\\x", b"C:x", b"a\nb", b"\xff"]
        {
            assert!(clean_name(bad).is_err(), "{:?} accepted", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn padding() {
        assert_eq!(padded(0), Some(0));
        assert_eq!(padded(1), Some(512));
        assert_eq!(padded(512), Some(512));
        assert_eq!(padded(513), Some(1024));
        assert_eq!(padded(u64::MAX), None);
    }

    #[test]
    fn runs_between_seeks_are_bounded() {
        let data = vec![7u8; (MAX_RUN + 100) as usize];
        let mut r = SeekRuns::new(io::Cursor::new(&data));
        let mut all = Vec::new();
        let e = r.by_ref().read_to_end(&mut all).unwrap_err();
        assert!(e.get_ref().is_some_and(|i| i.is::<MetadataTooLarge>()), "{e}");
        assert_eq!(all.len() as u64, MAX_RUN, "reads stop at the cap");
        // A seek starts a new run.
        r.seek(SeekFrom::Start(0)).unwrap();
        let mut some = vec![0u8; 1000];
        r.read_exact(&mut some).unwrap();
        assert_eq!(r.inner.position(), 1000);
    }
}
