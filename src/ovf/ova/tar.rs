//! Just enough of the tar format to list an OVA: POSIX ustar headers (with
//! the name prefix field), GNU long names (`L`), pax extended headers (`x`,
//! for `path` and `size`) and GNU base-256 sizes (disks over 8 GiB). Every
//! field is checked; nothing here panics or allocates more than a header.

use crate::ovf::OvfError;

pub(super) const BLOCK: u64 = 512;

/// One header block, decoded.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Header {
    /// The name as stored (ustar prefix joined), not yet checked.
    pub name: Vec<u8>,
    pub size: u64,
    pub typeflag: u8,
}

/// `Ok(None)` for an all-zero block, which marks the end of the archive.
pub(super) fn parse_header(block: &[u8; 512], at: u64) -> Result<Option<Header>, OvfError> {
    if block.iter().all(|&b| b == 0) {
        return Ok(None);
    }
    if !checksum_ok(block) {
        return Err(archive(format!("bad header checksum at byte {at} (not a tar archive, or damaged)")));
    }
    let mut name = until_nul(&block[0..100]).to_vec();
    // Only POSIX ustar has a name prefix; GNU tar keeps other data there.
    if &block[257..263] == b"ustar\0" {
        let prefix = until_nul(&block[345..500]);
        if !prefix.is_empty() {
            let mut joined = prefix.to_vec();
            joined.push(b'/');
            joined.extend_from_slice(&name);
            name = joined;
        }
    }
    let size =
        numeric(&block[124..136]).map_err(|d| archive(format!("bad size field in the header at byte {at}: {d}")))?;
    Ok(Some(Header { name, size, typeflag: block[156] }))
}

/// True for a block that is a valid tar header (used to tell an OVA from
/// an OVF by content).
pub(crate) fn looks_like_header(head: &[u8]) -> bool {
    match head.get(..512).and_then(|b| <&[u8; 512]>::try_from(b).ok()) {
        Some(block) => !block.iter().all(|&b| b == 0) && checksum_ok(block),
        None => false,
    }
}

/// The stored checksum is the sum of all header bytes with the checksum
/// field itself read as spaces; old writers summed signed bytes.
fn checksum_ok(block: &[u8; 512]) -> bool {
    let Ok(stored) = numeric(&block[148..156]) else {
        return false;
    };
    let field = &block[148..156];
    let unsigned: u64 = block.iter().map(|&b| u64::from(b)).sum::<u64>()
        - field.iter().map(|&b| u64::from(b)).sum::<u64>()
        + 8 * u64::from(b' ');
    let signed: i64 = block.iter().map(|&b| i64::from(b as i8)).sum::<i64>()
        - field.iter().map(|&b| i64::from(b as i8)).sum::<i64>()
        + 8 * i64::from(b' ');
    stored == unsigned || i64::try_from(stored).is_ok_and(|s| s == signed)
}

/// A numeric header field: octal ASCII (space/NUL padded) or, with the high
/// bit of the first byte set, GNU base-256 big-endian.
fn numeric(field: &[u8]) -> Result<u64, String> {
    if let Some((&first, rest)) = field.split_first()
        && first & 0x80 != 0
    {
        if first & 0x40 != 0 {
            return Err("negative base-256 number".into());
        }
        let mut v = u64::from(first & 0x3f);
        for &b in rest {
            v = v.checked_mul(256).and_then(|v| v.checked_add(u64::from(b))).ok_or("base-256 number overflows")?;
        }
        return Ok(v);
    }
    let trimmed = field.iter().skip_while(|&&b| b == b' ').copied().collect::<Vec<u8>>();
    let digits_end = trimmed.iter().position(|&b| b == 0 || b == b' ').unwrap_or(trimmed.len());
    let (digits, tail) = trimmed.split_at(digits_end);
    if tail.iter().any(|&b| b != 0 && b != b' ') {
        return Err(format!("{:?} is not an octal number", String::from_utf8_lossy(field)));
    }
    let mut v: u64 = 0;
    for &d in digits {
        if !(b'0'..=b'7').contains(&d) {
            return Err(format!("{:?} is not an octal number", String::from_utf8_lossy(field)));
        }
        v = v.checked_mul(8).and_then(|v| v.checked_add(u64::from(d - b'0'))).ok_or("octal number overflows")?;
    }
    Ok(v)
}

fn until_nul(field: &[u8]) -> &[u8] {
    let end = field.iter().position(|&b| b == 0).unwrap_or(field.len());
    field.get(..end).unwrap_or_default()
}

/// Trailing NULs dropped (GNU long-name data is NUL-terminated).
pub(super) fn trim_nuls(data: &[u8]) -> &[u8] {
    until_nul(data)
}

/// What a pax extended header says about the next entry.
#[derive(Debug, Default, PartialEq, Eq)]
pub(super) struct Pax {
    pub path: Option<Vec<u8>>,
    pub size: Option<u64>,
}

/// Parses pax records: `"<len> <key>=<value>\n"`, where `len` counts the
/// whole record.
pub(super) fn parse_pax(data: &[u8]) -> Result<Pax, OvfError> {
    let bad = |d: &str| archive(format!("bad pax extended header: {d}"));
    let mut pax = Pax::default();
    let mut rest = data;
    while !rest.is_empty() && !rest.iter().all(|&b| b == 0) {
        let space = rest.iter().position(|&b| b == b' ').ok_or_else(|| bad("record without a length"))?;
        let len_digits = rest.get(..space).unwrap_or_default();
        if len_digits.is_empty() || !len_digits.iter().all(u8::is_ascii_digit) {
            return Err(bad("record length is not a number"));
        }
        let len: usize = std::str::from_utf8(len_digits)
            .ok()
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| bad("record length is too large"))?;
        let record = rest.get(space + 1..len).ok_or_else(|| bad("record length runs past the header"))?;
        let record = record.strip_suffix(b"\n").ok_or_else(|| bad("record does not end with a newline"))?;
        let eq = record.iter().position(|&b| b == b'=').ok_or_else(|| bad("record without '='"))?;
        let (key, value) = record.split_at(eq);
        let value = value.get(1..).unwrap_or_default();
        match key {
            b"path" => pax.path = Some(value.to_vec()),
            b"size" => {
                let text = std::str::from_utf8(value).map_err(|_| bad("size is not text"))?;
                if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(bad("size is not a whole number"));
                }
                pax.size = Some(text.parse().map_err(|_| bad("size does not fit in 64 bits"))?);
            }
            _ => {}
        }
        rest = rest.get(len..).unwrap_or_default();
    }
    Ok(pax)
}

/// An entry name made safe to report and to look up: UTF-8, relative,
/// without `..` components or control characters; a leading `./` dropped.
pub(super) fn clean_name(raw: &[u8]) -> Result<String, OvfError> {
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
    fn reads_a_ustar_header() {
        let h = header("disk.vmdk", 1234, b'0');
        assert!(looks_like_header(&h));
        let parsed = parse_header(&h, 0).unwrap().unwrap();
        assert_eq!(parsed, Header { name: b"disk.vmdk".to_vec(), size: 1234, typeflag: b'0' });
        assert_eq!(parse_header(&[0u8; 512], 0).unwrap(), None);
        assert!(!looks_like_header(&[0u8; 512]));
        assert!(!looks_like_header(b"<?xml version='1.0'?>"));
    }

    #[test]
    fn joins_the_ustar_prefix() {
        let mut h = header("disk.vmdk", 0, b'0');
        h[345..351].copy_from_slice(b"a/b/cd");
        seal(&mut h);
        assert_eq!(parse_header(&h, 0).unwrap().unwrap().name, b"a/b/cd/disk.vmdk");
        // GNU magic: the prefix area is not a prefix.
        h[257..265].copy_from_slice(b"ustar  \0");
        seal(&mut h);
        assert_eq!(parse_header(&h, 0).unwrap().unwrap().name, b"disk.vmdk");
    }

    #[test]
    fn rejects_bad_checksums() {
        let mut h = header("x.ovf", 10, b'0');
        h[0] = b'y';
        assert!(matches!(parse_header(&h, 512), Err(OvfError::Archive(m)) if m.contains("checksum")));
        let mut h = header("x.ovf", 10, b'0');
        h[148..156].copy_from_slice(b"zzzzzzz\0");
        assert!(parse_header(&h, 0).is_err());
    }

    #[test]
    fn signed_checksums_are_accepted() {
        let mut h = header("caf\u{e9}.ovf", 0, b'0');
        h[148..156].copy_from_slice(b"        ");
        let sum: i64 = h.iter().map(|&x| i64::from(x as i8)).sum();
        h[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
        assert!(parse_header(&h, 0).is_ok());
    }

    #[test]
    fn numeric_fields() {
        assert_eq!(numeric(b"00000001750\0"), Ok(1000));
        assert_eq!(numeric(b"   1750 \0\0\0\0"), Ok(1000));
        assert_eq!(numeric(b"\0\0\0\0\0\0\0\0\0\0\0\0"), Ok(0));
        assert!(numeric(b"0000000175x\0").is_err());
        assert!(numeric(b"00000008\0\0\0\0").is_err());
        assert!(numeric(b"17 5\0\0\0\0\0\0\0\0").is_err());
        // 2^36 + 5 in base-256.
        let mut f = [0u8; 12];
        f[0] = 0x80;
        f[7] = 0x10;
        f[11] = 5;
        assert_eq!(numeric(&f), Ok((1 << 36) + 5));
        let mut neg = [0xffu8; 12];
        neg[0] = 0xff;
        assert!(numeric(&neg).is_err());
        let mut huge = [0xffu8; 12];
        huge[0] = 0x80 | 0x3f;
        assert!(numeric(&huge).is_err());
        assert!(numeric(b"77777777777777777777777").is_err());
    }

    #[test]
    fn pax_records() {
        let data = b"27 path=dir/long-name.vmdk\n18 size=123456789\n20 mtime=1700000000\n";
        let pax = parse_pax(data).unwrap();
        assert_eq!(pax.path.as_deref(), Some(&b"dir/long-name.vmdk"[..]));
        assert_eq!(pax.size, Some(123_456_789));
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
            assert!(parse_pax(bad).is_err(), "{:?} accepted", String::from_utf8_lossy(bad));
        }
        assert_eq!(parse_pax(b"\0\0\0").unwrap(), Pax::default());
    }

    #[test]
    fn names_are_cleaned() {
        assert_eq!(clean_name(b"./disk.vmdk").unwrap(), "disk.vmdk");
        assert_eq!(clean_name(b"dir/disk.vmdk").unwrap(), "dir/disk.vmdk");
        assert_eq!(clean_name(b"a..b.vmdk").unwrap(), "a..b.vmdk");
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
}
