//! Entry points of the fuzz targets in `fuzz/`, kept in the library so the
//! inputs the fuzzers found (`fuzz/regressions/<target>/`) are replayed by
//! an ordinary unit test, with or without a fuzzer installed. Each takes
//! arbitrary bytes, must never panic, and checks what must hold of any
//! successful parse.
use crate::ovf::ova::read_from;
use crate::ovf::parse_ovf;
use crate::rules::connection_uri::{parse_connection_uri, parse_proxy};
use crate::rules::vapp_type::parse_type;
use crate::rules::vapp_value::check_value;
use crate::vi::core::soap::parse_response;
use crate::vi::core::types::ObjectContent;

/// A fuzz target's entry point.
pub type Target = fn(&[u8]);

/// The fuzz targets, by directory name under `fuzz/`.
pub const TARGETS: &[(&str, Target)] = &[
    ("connection_uri", connection_uri),
    ("vapp_type", vapp_type),
    ("ovf", ovf),
    ("ova", ova),
    ("soap_response", soap_response),
];

/// Connection URIs and `proxy=` values: parse; a parsed proxy prints back
/// to something that parses to the same proxy.
pub fn connection_uri(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    if let Err(e) = parse_connection_uri(text) {
        assert!(!e.to_string().is_empty());
    }
    if let Ok(p) = parse_proxy(text) {
        assert_eq!(parse_proxy(&p.to_string()).as_ref(), Ok(&p), "{text:?} printed as {p}");
    }
}

/// vApp property types (`int(1..5)`, `string(maxLength=3)`, `enum[...]`):
/// a parsed type prints back to the same type, and values are checked
/// against it without panicking. The input's first line is the type, the
/// rest the value.
pub fn vapp_type(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let (ty, value) = text.split_once('\n').unwrap_or((text, ""));
    match parse_type(ty) {
        Ok(t) => {
            let printed = t.to_string();
            match parse_type(&printed) {
                Ok(again) => assert_eq!(again.to_string(), printed, "{ty:?} does not print stably"),
                Err(e) => panic!("{ty:?} printed as {printed:?}, which does not parse: {e}"),
            }
            let _ = check_value(&t, value).map_err(|e| e.to_string());
        }
        Err(e) => assert!(!e.to_string().is_empty()),
    }
}

/// OVF descriptors.
pub fn ovf(data: &[u8]) {
    match parse_ovf(data) {
        Ok(d) => drop(format!("{d:?}")),
        Err(e) => drop(e.to_string()),
    }
}

/// OVA packages read from memory: every file listed lies inside the input,
/// names are unique and never climb out with `..`.
pub fn ova(data: &[u8]) {
    let len = data.len() as u64;
    match read_from(&mut std::io::Cursor::new(data), len, std::path::Path::new("fuzz.ova")) {
        Ok(p) => {
            let mut names = std::collections::HashSet::new();
            for f in &p.files {
                assert!(f.offset.checked_add(f.size).is_some_and(|end| end <= len), "{f:?} past {len}");
                assert!(names.insert(f.name.as_str()), "{} twice", f.name);
                assert!(!f.name.split(['/', '\\']).any(|c| c == ".."), "{}", f.name);
            }
            assert_eq!(p.files.first().map(|f| &f.name), Some(&p.descriptor_name));
        }
        Err(e) => drop(e.to_string()),
    }
}

/// SOAP answers as the client decodes them: the envelope, faults, and a
/// RetrievePropertiesEx result down to each object's properties. The first
/// byte picks the HTTP status.
pub fn soap_response(data: &[u8]) {
    let Some((&first, body)) = data.split_first() else { return };
    let status = [200u16, 500, 503, 404][usize::from(first % 4)];
    match parse_response("RetrievePropertiesEx", status, body) {
        Ok(node) => {
            for rv in node.children_named("returnval") {
                for o in rv.children_named("objects") {
                    if let Ok(oc) = ObjectContent::from_node(o) {
                        let _ = (oc.is_missing_object(), oc.str("name"), oc.moref("parent"), oc.i64("x"));
                    }
                }
            }
        }
        Err(e) => drop(e.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    /// Replays every input kept under `fuzz/regressions/<target>/` and
    /// `fuzz/seeds/<target>/`.
    #[test]
    fn fuzz_regressions_and_seeds_replay_cleanly() {
        let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fuzz");
        let mut replayed = 0;
        for (name, run) in super::TARGETS {
            for kind in ["regressions", "seeds"] {
                let Ok(entries) = std::fs::read_dir(root.join(kind).join(name)) else { continue };
                for entry in entries.flatten() {
                    let data = std::fs::read(entry.path()).unwrap();
                    run(&data);
                    replayed += 1;
                }
            }
        }
        assert!(replayed > 0, "no fuzz inputs found under {}", root.display());
    }
}
