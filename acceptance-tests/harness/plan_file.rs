//! The entries of a saved plan file, which is a zip archive (the plan, the
//! prior state, the configuration snapshot…) whose entries are usually
//! deflated: a secret in one would not show in the file's raw bytes, so
//! tests look into each entry.

fn u16_at(b: &[u8], at: usize) -> Option<usize> {
    b.get(at..at + 2).map(|x| usize::from(u16::from_le_bytes([x[0], x[1]])))
}

fn u32_at(b: &[u8], at: usize) -> Option<usize> {
    b.get(at..at + 4).and_then(|x| usize::try_from(u32::from_le_bytes([x[0], x[1], x[2], x[3]])).ok())
}

/// Every entry of the zip archive `zip` as (name, contents), read through
/// the central directory (Go's writer puts sizes there, not in the local
/// headers). Panics on an archive it cannot read: the test then says so.
pub fn entries(zip: &[u8]) -> Vec<(String, Vec<u8>)> {
    const END: &[u8] = b"PK\x05\x06";
    let end = zip.windows(4).rposition(|w| w == END).expect("a zip archive (no end of central directory)");
    let count = u16_at(zip, end + 10).expect("entry count");
    let mut at = u32_at(zip, end + 16).expect("central directory offset");
    let mut out = Vec::new();
    for _ in 0..count {
        assert_eq!(zip.get(at..at + 4), Some(&b"PK\x01\x02"[..]), "central directory entry at {at}");
        let method = u16_at(zip, at + 10).expect("method");
        let compressed = u32_at(zip, at + 20).expect("compressed size");
        let (name_len, extra_len, comment_len) = (
            u16_at(zip, at + 28).expect("name"),
            u16_at(zip, at + 30).expect("extra"),
            u16_at(zip, at + 32).expect("comment"),
        );
        let local = u32_at(zip, at + 42).expect("local header offset");
        let name = String::from_utf8_lossy(&zip[at + 46..at + 46 + name_len]).into_owned();
        let data_at =
            local + 30 + u16_at(zip, local + 26).expect("local name") + u16_at(zip, local + 28).expect("local extra");
        let raw = &zip[data_at..data_at + compressed];
        let data = match method {
            0 => raw.to_vec(),
            8 => miniz_oxide::inflate::decompress_to_vec(raw).unwrap_or_else(|e| panic!("inflating {name}: {e:?}")),
            m => panic!("{name}: zip method {m} not read here"),
        };
        out.push((name, data));
        at += 46 + name_len + extra_len + comment_len;
    }
    out
}
