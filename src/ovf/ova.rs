//! OVA packages: a tar archive whose first file is the OVF descriptor,
//! followed by the files it references (disks, manifest, certificate).
//!
//! [`read_ova`] walks the headers only, with the `tar` crate, seeking over
//! file data, so a many-gigabyte OVA costs a few reads; it returns where
//! each file's bytes lie, for streaming them to an upload later. Damaged or
//! unsafe archives (bad checksums, truncation, sizes past the end, `..` or
//! absolute names, links, duplicates, oversized metadata) are refused with
//! [`OvfError::Archive`]; those checks are this module's (see [`tar`] for
//! what the crate leaves to us, and why metadata reads are bounded here).

mod tar;

use std::collections::HashSet;
use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use crate::ovf::limits::MAX_DESCRIPTOR_BYTES;
use crate::ovf::{FileRef, OvfDescriptor, OvfError, parse_ovf};

pub(crate) use tar::looks_like_header;

/// Most files accepted in one OVA (an appliance has a handful).
pub const MAX_ENTRIES: usize = 10_000;

/// A parsed OVA.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OvaPackage {
    pub descriptor: OvfDescriptor,
    /// The archive name of the descriptor (the first file).
    pub descriptor_name: String,
    /// Every regular file in archive order, the descriptor first.
    pub files: Vec<OvaEntry>,
}

/// One file inside an OVA.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OvaEntry {
    /// Name in the archive (a leading `./` removed).
    pub name: String,
    /// Size in bytes.
    pub size: u64,
    /// Byte offset of the file's data within the `.ova`.
    pub offset: u64,
}

impl OvaPackage {
    /// The file with this archive name.
    pub fn entry(&self, name: &str) -> Option<&OvaEntry> {
        self.files.iter().find(|f| f.name == name)
    }

    /// `References/File` entries with no file in the archive (for a file
    /// split with `ovf:chunkSize`, its first chunk `href.000000000`). An OVA
    /// cut short after a file boundary shows up here.
    pub fn missing_references(&self) -> Vec<&FileRef> {
        self.descriptor
            .references
            .iter()
            .filter(|r| match r.chunk_size {
                Some(_) => self.entry(&format!("{}.000000000", r.href)).is_none(),
                None => self.entry(&r.href).is_none(),
            })
            .collect()
    }
}

/// Reads the headers of the OVA at `path` and parses its descriptor.
pub fn read_ova(path: &Path) -> Result<OvaPackage, OvfError> {
    let mut file = crate::local_file::open_regular(path).map_err(|e| OvfError::io(path, e))?;
    let len = file.metadata().map_err(|e| OvfError::io(path, e))?.len();
    read_from(&mut file, len, path)
}

/// [`read_ova`] on any reader of `len` bytes; `path` names it in errors.
pub(crate) fn read_from<R: Read + Seek>(r: &mut R, len: u64, path: &Path) -> Result<OvaPackage, OvfError> {
    let files = list(r, len, path)?;
    let Some(first) = files.first() else {
        return Err(OvfError::Archive("the archive holds no files".into()));
    };
    if !first.name.to_ascii_lowercase().ends_with(".ovf") {
        return Err(OvfError::Archive(format!(
            "the first file is {:?}; an OVA must start with its .ovf descriptor",
            first.name
        )));
    }
    if first.size > MAX_DESCRIPTOR_BYTES as u64 {
        return Err(OvfError::TooLarge {
            what: format!("descriptor {}", first.name),
            size: first.size,
            limit: MAX_DESCRIPTOR_BYTES as u64,
        });
    }
    // Bounded by the check above.
    let xml = read_at(r, first.offset, first.size, path)?;
    let descriptor = parse_ovf(&xml)?;
    let descriptor_name = first.name.clone();
    Ok(OvaPackage { descriptor, descriptor_name, files })
}

/// Lists the archive's files with the `tar` crate, seeking over data, and
/// checks what the crate leaves to its user: sizes within the file, an
/// end-of-archive block, safe and unique names, regular files only, pax
/// records that parse, the entry count; metadata payloads are bounded by
/// [`tar::SeekRuns`].
fn list<R: Read + Seek>(r: &mut R, len: u64, path: &Path) -> Result<Vec<OvaEntry>, OvfError> {
    let mut archive = ::tar::Archive::new(tar::SeekRuns::new(r));
    let mut files: Vec<OvaEntry> = Vec::new();
    let mut seen: HashSet<String> = HashSet::new();
    // Where the last entry's data ends: the end-of-archive block follows.
    let mut end: u64 = 0;
    for entry in archive.entries_with_seek().map_err(|e| tar_error(e, path))? {
        let mut entry = entry.map_err(|e| tar_error(e, path))?;
        let size = entry.size();
        let data = entry.raw_file_position();
        let shown = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let available = len.saturating_sub(data);
        let next = tar::padded(size).and_then(|p| data.checked_add(p));
        end = match next {
            Some(next) if size <= available && next <= len => next,
            _ => {
                return Err(OvfError::Archive(format!(
                    "entry {shown:?} claims {size} bytes but only {available} follow its header (truncated?)"
                )));
            }
        };
        match entry.header().entry_type().as_byte() {
            b'0' | b'\0' | b'7' => {
                check_pax(&mut entry, &shown, path)?;
                let name = tar::clean_name(&entry.path_bytes())?;
                if !seen.insert(name.clone()) {
                    return Err(OvfError::Archive(format!("file {name:?} appears twice")));
                }
                if files.len() >= MAX_ENTRIES {
                    return Err(OvfError::Limit(format!("the OVA holds more than {MAX_ENTRIES} files")));
                }
                files.push(OvaEntry { name, size, offset: data });
            }
            // Directories and global pax headers say nothing we use.
            b'5' | b'g' => {}
            b'1' | b'2' => {
                return Err(OvfError::Archive(format!("entry {shown:?} is a link; an OVA holds only regular files")));
            }
            other => {
                return Err(OvfError::Archive(format!("entry {shown:?} has unsupported type {:?}", char::from(other))));
            }
        }
    }
    // The crate ends a listing at an all-zero block or at the end of the
    // file; only the first is a whole archive.
    if len.saturating_sub(end) < tar::BLOCK {
        return Err(OvfError::Archive(format!(
            "the archive ends at byte {len} without an end-of-archive block (truncated?)"
        )));
    }
    Ok(files)
}

/// Refuses an entry whose pax extended header does not parse, or whose pax
/// `size` is not a number: the crate skips such records (and then takes the
/// header's size), where another reader may not — two readers must not see
/// two different archives.
fn check_pax<R: Read>(entry: &mut ::tar::Entry<'_, R>, shown: &str, path: &Path) -> Result<(), OvfError> {
    let size = entry.size();
    let Some(records) = entry.pax_extensions().map_err(|e| tar_error(e, path))? else { return Ok(()) };
    let bad = |d: &str| OvfError::Archive(format!("bad pax extended header for {shown:?}: {d}"));
    for record in records {
        let record = record.map_err(|_| bad("a record does not parse"))?;
        if record.key_bytes() == b"size" {
            let value = std::str::from_utf8(record.value_bytes()).map_err(|_| bad("size is not text"))?;
            if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) || value.parse::<u64>() != Ok(size) {
                return Err(bad("size is not a whole number that fits in 64 bits"));
            }
        }
    }
    Ok(())
}

/// An error of the `tar` crate: the file's own I/O errors as such, the
/// metadata bound as itself, anything else as a damaged archive.
fn tar_error(e: std::io::Error, path: &Path) -> OvfError {
    if e.raw_os_error().is_some() {
        return OvfError::io(path, e);
    }
    if e.get_ref().is_some_and(|inner| inner.is::<tar::MetadataTooLarge>()) {
        return OvfError::Archive(e.to_string());
    }
    OvfError::Archive(format!("damaged or truncated archive: {e}"))
}

/// Reads `size` bytes at `at`; callers bound `size`.
fn read_at<R: Read + Seek>(r: &mut R, at: u64, size: u64, path: &Path) -> Result<Vec<u8>, OvfError> {
    let n = usize::try_from(size).map_err(|_| OvfError::Archive(format!("an entry of {size} bytes is too large")))?;
    let mut buf = vec![0u8; n];
    r.seek(SeekFrom::Start(at)).and_then(|_| r.read_exact(&mut buf)).map_err(|e| OvfError::io(path, e))?;
    Ok(buf)
}

#[cfg(test)]
mod tests {
    use super::tar::tests::{header, seal};
    use super::*;
    use std::io::{Cursor, Write};

    const OVF: &[u8] = include_bytes!("testdata/vsphere8-export.ovf");

    /// A tar archive of `(name, data, typeflag)` entries plus the end marker.
    fn archive(entries: &[(&str, &[u8], u8)]) -> Vec<u8> {
        let mut out = Vec::new();
        for (name, data, flag) in entries {
            out.extend_from_slice(&header(name, data.len() as u64, *flag));
            out.extend_from_slice(data);
            out.resize(out.len().div_ceil(512) * 512, 0);
        }
        out.extend_from_slice(&[0u8; 1024]);
        out
    }

    fn read_bytes(bytes: &[u8]) -> Result<OvaPackage, OvfError> {
        read_from(&mut Cursor::new(bytes), bytes.len() as u64, Path::new("test.ova"))
    }

    fn disk() -> Vec<u8> {
        (0..1500u32).map(|i| (i % 251) as u8).collect()
    }

    #[test]
    fn reads_an_ova_from_disk() {
        let disk = disk();
        let bytes = archive(&[
            ("photon-tpm.ovf", OVF, b'0'),
            ("photon-tpm.mf", b"SHA256(photon-tpm.ovf)= 00\n", b'0'),
            ("photon-tpm-disk1.vmdk", &disk, b'0'),
            ("photon-tpm-disk2.vmdk", b"", b'0'),
            ("photon-tpm-3.nvram", b"nvram", b'0'),
        ]);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("photon.ova");
        std::fs::write(&path, &bytes).unwrap();

        let pkg = read_ova(&path).unwrap();
        assert_eq!(pkg.descriptor_name, "photon-tpm.ovf");
        assert_eq!(pkg.files.len(), 5);
        assert_eq!(pkg.files[0], OvaEntry { name: "photon-tpm.ovf".into(), size: OVF.len() as u64, offset: 512 });
        let vmdk = pkg.entry("photon-tpm-disk1.vmdk").unwrap();
        assert_eq!(vmdk.size, 1500);
        let at = vmdk.offset as usize;
        assert_eq!(&bytes[at..at + 1500], &disk[..], "offset points at the file's bytes");
        assert_eq!(pkg.descriptor.virtual_systems[0].name.as_deref(), Some("photon-tpm"));
        assert!(pkg.missing_references().is_empty());

        // And through the generic entry point, by content.
        let desc = crate::ovf::read_descriptor_file(&path).unwrap();
        assert_eq!(desc, pkg.descriptor);
    }

    #[test]
    fn reports_missing_references() {
        let bytes = archive(&[("a.ovf", OVF, b'0'), ("photon-tpm-disk1.vmdk", b"x", b'0')]);
        let pkg = read_bytes(&bytes).unwrap();
        let missing: Vec<&str> = pkg.missing_references().iter().map(|r| r.href.as_str()).collect();
        assert_eq!(missing, ["photon-tpm-disk2.vmdk", "photon-tpm-3.nvram"]);
    }

    #[test]
    fn gnu_long_names_and_pax_paths() {
        let long = format!("{}.vmdk", "d".repeat(150));
        let mut name_data = long.clone().into_bytes();
        name_data.push(0);
        let pax_path = "pax-named-disk.vmdk";
        let record = format!("path={pax_path}\n");
        let pax = format!("{} {record}", record.len() + 3);
        let bytes = archive(&[
            ("./a.ovf", OVF, b'0'),
            ("dir/", b"", b'5'),
            ("././@LongLink", &name_data, b'L'),
            (&long[..99], b"abc", b'0'),
            ("PaxHeaders/x", pax.as_bytes(), b'x'),
            ("truncated-name", b"defg", b'0'),
            ("global", b"9 a=b\n", b'g'),
            ("plain.vmdk", b"", b'\0'),
        ]);
        let pkg = read_bytes(&bytes).unwrap();
        let names: Vec<&str> = pkg.files.iter().map(|f| f.name.as_str()).collect();
        assert_eq!(names, ["a.ovf", long.as_str(), pax_path, "plain.vmdk"]);
        assert_eq!(pkg.entry(pax_path).map(|e| e.size), Some(4));
    }

    #[test]
    fn pax_size_overrides_the_header() {
        // The header says 0; the pax record says 600, and 600 bytes follow.
        let pax = "12 size=600\n";
        let mut bytes = archive(&[("a.ovf", OVF, b'0'), ("PaxHeaders/d", pax.as_bytes(), b'x')]);
        bytes.truncate(bytes.len() - 1024);
        bytes.extend_from_slice(&header("big.vmdk", 0, b'0'));
        bytes.extend_from_slice(&[7u8; 1024]); // 600 bytes of data, padded
        bytes.extend_from_slice(&[0u8; 1024]);
        let pkg = read_bytes(&bytes).unwrap();
        let e = pkg.entry("big.vmdk").unwrap();
        assert_eq!(e.size, 600);
        assert_eq!(pkg.files.len(), 2);
    }

    #[test]
    fn base256_sizes() {
        let mut bytes = archive(&[("a.ovf", OVF, b'0')]);
        bytes.truncate(bytes.len() - 1024);
        let mut h = header("big.vmdk", 0, b'0');
        h[124..136].copy_from_slice(&[0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x00]);
        seal(&mut h);
        bytes.extend_from_slice(&h);
        bytes.extend_from_slice(&[1u8; 512]);
        bytes.extend_from_slice(&[0u8; 1024]);
        assert_eq!(read_bytes(&bytes).unwrap().entry("big.vmdk").map(|e| e.size), Some(512));
    }

    fn archive_err(bytes: &[u8]) -> String {
        match read_bytes(bytes) {
            Err(e) => e.to_string(),
            Ok(p) => panic!("accepted: {p:?}"),
        }
    }

    #[test]
    fn damaged_archives_are_refused() {
        let good = archive(&[("a.ovf", OVF, b'0'), ("d.vmdk", &disk(), b'0')]);

        let mut bad_sum = good.clone();
        bad_sum[0] = b'b';
        assert!(archive_err(&bad_sum).contains("checksum"));

        // Truncated: inside the descriptor, inside the disk, inside a header,
        // and with the end-of-archive blocks missing.
        for cut in [600, good.len() - 1024 - 100, 512 + OVF.len().div_ceil(512) * 512 + 100, good.len() - 1024] {
            let e = archive_err(&good[..cut]);
            assert!(e.contains("truncated"), "cut at {cut}: {e}");
        }
        assert!(archive_err(&[]).contains("truncated"));
        assert!(archive_err(&[0u8; 1024]).contains("no files"));
        assert!(archive_err(b"<?xml version='1.0'?><Envelope/>").contains("truncated"));
    }

    #[test]
    fn unsafe_entries_are_refused() {
        let e = archive_err(&archive(&[("a.ovf", OVF, b'0'), ("../../etc/cron.d/x", b"x", b'0')]));
        assert!(e.contains(".."), "{e}");
        let e = archive_err(&archive(&[("a.ovf", OVF, b'0'), ("/abs.vmdk", b"x", b'0')]));
        assert!(e.contains("absolute"), "{e}");
        let e = archive_err(&archive(&[("a.ovf", OVF, b'0'), ("link.vmdk", b"", b'2')]));
        assert!(e.contains("link"), "{e}");
        let e = archive_err(&archive(&[("a.ovf", OVF, b'0'), ("dev", b"", b'3')]));
        assert!(e.contains("unsupported type"), "{e}");
        let e = archive_err(&archive(&[("a.ovf", OVF, b'0'), ("d.vmdk", b"1", b'0'), ("./d.vmdk", b"2", b'0')]));
        assert!(e.contains("twice"), "{e}");
        let e = archive_err(&archive(&[("d.vmdk", b"x", b'0'), ("a.ovf", OVF, b'0')]));
        assert!(e.contains("must start with"), "{e}");
        let pax = "13 path=../x\n";
        let e = archive_err(&archive(&[("a.ovf", OVF, b'0'), ("p", pax.as_bytes(), b'x'), ("ok", b"", b'0')]));
        assert!(e.contains(".."), "{e}");
    }

    #[test]
    fn sizes_beyond_the_file_are_refused() {
        let mut bytes = archive(&[("a.ovf", OVF, b'0')]);
        bytes.truncate(bytes.len() - 1024);
        let mut h = header("huge.vmdk", 0, b'0');
        // Base-256 size near 2^64: padding would overflow.
        h[124..136].copy_from_slice(&[0x80, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
        seal(&mut h);
        bytes.extend_from_slice(&h);
        bytes.extend_from_slice(&[0u8; 1024]);
        let e = archive_err(&bytes);
        assert!(e.contains("overflow"), "{e}");

        let mut bytes = archive(&[("a.ovf", OVF, b'0')]);
        bytes.truncate(bytes.len() - 1024);
        bytes.extend_from_slice(&header("big.vmdk", 1 << 32, b'0'));
        bytes.extend_from_slice(&[0u8; 1024]);
        assert!(archive_err(&bytes).contains("claims"));

        // A long-name entry one byte too big is refused once the bound is
        // read; one at the bound is read.
        for (size, refused) in [(tar::MAX_META_BYTES + 1, true), (tar::MAX_META_BYTES, false)] {
            let mut bytes = Vec::new();
            bytes.extend_from_slice(&header("././@LongLink", size, b'L'));
            let mut name = vec![b'n'; size as usize - 1];
            name.push(0);
            bytes.extend_from_slice(&name);
            bytes.resize(bytes.len().div_ceil(512) * 512, 0);
            bytes.extend_from_slice(&header("short", 0, b'0'));
            bytes.extend_from_slice(&[0u8; 1024]);
            let e = archive_err(&bytes);
            assert_eq!(e.contains("long name or pax extended header is larger"), refused, "{size}: {e}");
        }
    }

    /// The measurement behind `tar::SeekRuns`: a 4 GiB GNU long name (a
    /// sparse file: it costs nothing on disk) is refused after reading at
    /// most the bound, not read into memory whole.
    #[test]
    fn a_huge_long_name_is_refused_without_reading_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hostile.ova");
        let size = 4u64 << 30;
        let mut f = std::fs::File::create(&path).unwrap();
        f.write_all(&header("././@LongLink", size, b'L')).unwrap();
        f.set_len(512 + size + 1024).unwrap();
        drop(f);
        let mut file = std::fs::File::open(&path).unwrap();
        let mut counted = Counted { inner: &mut file, read: 0 };
        let e = read_from(&mut counted, 512 + size + 1024, &path).unwrap_err();
        assert!(e.to_string().contains("larger than"), "{e}");
        assert!(counted.read <= tar::MAX_RUN, "read {} bytes", counted.read);
    }

    /// Counts the bytes read through it.
    struct Counted<'a, R> {
        inner: &'a mut R,
        read: u64,
    }

    impl<R: std::io::Read> std::io::Read for Counted<'_, R> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.inner.read(buf)?;
            self.read += n as u64;
            Ok(n)
        }
    }

    impl<R: std::io::Seek> std::io::Seek for Counted<'_, R> {
        fn seek(&mut self, pos: SeekFrom) -> std::io::Result<u64> {
            self.inner.seek(pos)
        }
    }

    /// Archives another writer made (Python's `tarfile`, in its ustar, GNU
    /// and pax formats; kept as the OVA fuzz target's seeds).
    #[test]
    fn archives_from_another_writer() {
        let long = format!("{}.vmdk", "d".repeat(120));
        for (bytes, names) in [
            (&include_bytes!("../../fuzz/seeds/ova/ustar.ova")[..], vec!["tiny.ovf", "tiny-disk1.vmdk"]),
            (include_bytes!("../../fuzz/seeds/ova/gnu-longname.ova"), vec!["tiny.ovf", "tiny-disk1.vmdk", &long]),
            (include_bytes!("../../fuzz/seeds/ova/pax-path.ova"), vec!["tiny.ovf", "tiny-disk1.vmdk", &long]),
        ] {
            let pkg = read_bytes(bytes).unwrap();
            assert_eq!(pkg.files.iter().map(|f| f.name.as_str()).collect::<Vec<_>>(), names);
            let disk = pkg.entry("tiny-disk1.vmdk").unwrap();
            let at = disk.offset as usize;
            assert_eq!(&bytes[at..at + disk.size as usize], "disk bytes\n".repeat(3).as_bytes());
            assert!(pkg.missing_references().is_empty(), "{:?}", pkg.missing_references());
        }
    }

    #[test]
    fn ustar_prefixes_are_joined_and_gnu_headers_have_none() {
        let mut h = header("disk.vmdk", 0, b'0');
        h[345..351].copy_from_slice(b"a/b/cd");
        seal(&mut h);
        let mut bytes = archive(&[("a.ovf", OVF, b'0')]);
        bytes.truncate(bytes.len() - 1024);
        bytes.extend_from_slice(&h);
        // GNU magic: the prefix area is not a prefix.
        let mut gnu = header("gnu.vmdk", 0, b'0');
        gnu[345..351].copy_from_slice(b"a/b/cd");
        gnu[257..265].copy_from_slice(b"ustar  \0");
        seal(&mut gnu);
        bytes.extend_from_slice(&gnu);
        bytes.extend_from_slice(&[0u8; 1024]);
        let names: Vec<String> = read_bytes(&bytes).unwrap().files.into_iter().map(|f| f.name).collect();
        assert_eq!(names, ["a.ovf", "a/b/cd/disk.vmdk", "gnu.vmdk"]);
    }

    #[test]
    fn bad_pax_records_are_refused() {
        for bad in [
            &b"99 path=x\n"[..],
            b"5 path=x\n",
            b"x path=y\n",
            b"nolength",
            b"11 path_x\n\n",
            b"10 size=x\n",
            b"12 size=-1\n",
            b"29 size=99999999999999999999\n",
            b"10 path=x!",
        ] {
            let bytes = archive(&[("a.ovf", OVF, b'0'), ("PaxHeaders/d", bad, b'x'), ("d.vmdk", b"", b'0')]);
            let e = archive_err(&bytes);
            assert!(e.contains("pax"), "{:?}: {e}", String::from_utf8_lossy(bad));
        }
    }

    #[test]
    fn checksums_are_checked() {
        let mut bytes = archive(&[("a.ovf", OVF, b'0'), ("d.vmdk", b"x", b'0')]);
        let second = 512 + OVF.len().div_ceil(512) * 512;
        bytes[second] = b'e';
        assert!(archive_err(&bytes).contains("checksum"));
        // Old writers summed signed bytes; the `tar` crate (and so this
        // reader) takes only the POSIX unsigned sum.
        let mut h = header("caf\u{e9}.ovf", 0, b'0');
        h[148..156].copy_from_slice(b"        ");
        let sum: i64 = h.iter().map(|&x| i64::from(x as i8)).sum();
        h[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
        assert!(!tar::looks_like_header(&h));
    }

    #[test]
    fn oversized_descriptor_is_refused_unread() {
        // A sparse file: a header claiming a 17 MiB descriptor, without the
        // bytes ever being written (or read).
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("big.ova");
        let size = MAX_DESCRIPTOR_BYTES as u64 + (1 << 20);
        let mut f = std::fs::File::create(&path).unwrap();
        f.write_all(&header("big.ovf", size, b'0')).unwrap();
        f.set_len(512 + size.div_ceil(512) * 512 + 1024).unwrap();
        drop(f);
        assert!(matches!(read_ova(&path), Err(OvfError::TooLarge { .. })));
    }

    #[test]
    fn descriptor_errors_come_through() {
        let e = archive_err(&archive(&[("a.ovf", b"<!DOCTYPE x><x/>", b'0')]));
        assert!(e.contains("DOCTYPE"), "{e}");
    }

    #[test]
    fn missing_file_is_an_io_error() {
        let e = read_ova(Path::new("/nonexistent/dir/x.ova")).unwrap_err();
        assert!(matches!(e, OvfError::Io { .. }));
        assert!(e.to_string().contains("/nonexistent/dir/x.ova"));
    }

    #[test]
    fn random_archives_never_panic() {
        let good = archive(&[("a.ovf", OVF, b'0'), ("d.vmdk", &disk(), b'0')]);
        let mut rng = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = move || {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            rng
        };
        for _ in 0..400 {
            let mut bytes = good.clone();
            for _ in 0..(next() % 8 + 1) {
                let at = (next() as usize) % bytes.len();
                bytes[at] = next() as u8;
            }
            // Re-seal the first header half of the time so damage reaches
            // past the checksum check.
            if next() % 2 == 0 {
                let mut h: [u8; 512] = bytes[..512].try_into().unwrap();
                seal(&mut h);
                bytes[..512].copy_from_slice(&h);
            }
            let cut = (next() as usize) % (bytes.len() + 1);
            let _ = read_bytes(&bytes);
            let _ = read_bytes(&bytes[..cut]);
        }
    }
}
