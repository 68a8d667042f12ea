//! Entry points of the fuzz targets in `fuzz/`, kept in the library so the
//! inputs the fuzzers found (`fuzz/regressions/<target>/`) are replayed by
//! an ordinary unit test, with or without a fuzzer installed. Each takes
//! arbitrary bytes, must never panic, and checks what must hold of any
//! successful parse.
use crate::ovf::ova::read_from;
use crate::ovf::parse_ovf;
use crate::plugin::cty::{self, Dyn, Type};
use crate::plugin::proto::tfplugin5 as pb;
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
    ("functions", functions),
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

/// Provider functions through `plugin::function::call`, the entry point a
/// CLI's `CallFunction` goes through. The first byte picks the function;
/// the rest, split at 0xff bytes, gives the arguments (more or fewer than
/// the function takes, too). An argument's first byte says how it is made:
/// 0 raw msgpack, 1 raw JSON, 2 unknown, 3 null; anything else makes a
/// value of the parameter's type from the remaining bytes (a number parsed
/// from them, else the text). Every answer is a result of the declared type
/// or an error whose argument index is one of the arguments.
pub fn functions(data: &[u8]) {
    let all = crate::functions::all();
    let Some((&pick, rest)) = data.split_first() else { return };
    let Some(f) = all.get(usize::from(pick) % all.len()) else { return };
    let sig = f.signature();
    let arguments: Vec<pb::DynamicValue> = if rest.is_empty() {
        Vec::new()
    } else {
        rest.split(|b| *b == 0xff)
            .enumerate()
            .map(|(i, chunk)| {
                let ty = sig.parameters.get(i).or(sig.variadic.as_ref()).map_or(Type::String, |p| p.ty.clone());
                argument(chunk, &ty)
            })
            .collect()
    };
    let given = arguments.len();
    let answer =
        crate::plugin::function::call(&all, &pb::call_function::Request { name: f.name().to_owned(), arguments });
    match (answer.result, answer.error) {
        (Some(result), None) => {
            if let Err(e) = cty::from_msgpack(&result.msgpack, &sig.returns) {
                panic!("{} returned a value that does not decode as its return type: {e}", f.name());
            }
        }
        (None, Some(e)) => {
            assert!(!e.text.is_empty(), "{}: an error without text", f.name());
            if let Some(at) = e.function_argument {
                assert!(
                    usize::try_from(at).is_ok_and(|at| at < given),
                    "{}: error on argument {at} of {given}",
                    f.name()
                );
            }
        }
        other => panic!("{}: neither a result nor an error: {other:?}", f.name()),
    }
}

/// One argument of [`functions`], as the wire would carry it.
fn argument(chunk: &[u8], ty: &Type) -> pb::DynamicValue {
    let raw = |msgpack: Vec<u8>, json: Vec<u8>| pb::DynamicValue { msgpack, json };
    let value = match chunk.split_first() {
        None => return pb::DynamicValue::default(),
        Some((0, bytes)) => return raw(bytes.to_vec(), Vec::new()),
        Some((1, bytes)) => return raw(Vec::new(), bytes.to_vec()),
        Some((2, _)) => Dyn::Unknown,
        Some((3, _)) => Dyn::Null,
        Some((_, bytes)) => {
            let text = String::from_utf8_lossy(bytes).into_owned();
            match ty {
                Type::Number => text.trim().parse::<serde_json::Number>().map_or(Dyn::Null, Dyn::Number),
                Type::Bool => Dyn::Bool(text.len().is_multiple_of(2)),
                _ => Dyn::String(text),
            }
        }
    };
    raw(cty::to_msgpack(&value, ty).unwrap_or_default(), Vec::new())
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    /// Every function is reached by some first byte, with its arguments.
    #[test]
    fn every_function_is_driven_through_the_entry_point() {
        let all = crate::functions::all();
        for (i, f) in all.iter().enumerate() {
            let mut data = vec![u8::try_from(i).unwrap()];
            for _ in 0..f.signature().parameters.len() {
                data.extend_from_slice(&[4, b'1', b'9', 0xff]);
            }
            super::functions(&data);
            super::functions(&data[..1]);
            super::functions(&[u8::try_from(i).unwrap(), 0, 0xc1, 0xff, 1, b'{', 0xff, 2]);
        }
    }

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
