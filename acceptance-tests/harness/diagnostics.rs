//! Reading Terraform's error output: one block per diagnostic, with the
//! resource address (`with <address>,`) and the configuration line the
//! diagnostic's attribute path points at.

/// The error blocks of Terraform's output, one per diagnostic, with
/// whitespace collapsed (Terraform wraps details at 78 columns).
pub fn errors(out: &str) -> Vec<String> {
    out.split("Error: ").skip(1).map(|e| e.split_whitespace().collect::<Vec<_>>().join(" ")).collect()
}

/// Asserts an error names `address` (Terraform's `with <address>,` line)
/// and says each of `says`.
pub fn assert_error(out: &str, address: &str, says: &[&str]) {
    let with = format!("with {address},");
    let found = errors(out).iter().any(|e| e.contains(&with) && says.iter().all(|s| e.contains(s)));
    assert!(found, "no error on {address} saying {says:?}:\n{out}");
}

/// Like [`assert_error`], and the configuration line Terraform quotes (the
/// line of the attribute the diagnostic is on) holds `line`: a check that
/// the diagnostic's path names that attribute.
pub fn assert_error_on_line(out: &str, address: &str, line: &str, says: &[&str]) {
    let with = format!("with {address},");
    let quoted = |e: &str| {
        // `12: host_name = "x"` after the `in resource ...:` header.
        e.split(": ").any(|part| part.trim_start().starts_with(line))
    };
    let found = errors(out).iter().any(|e| e.contains(&with) && quoted(e) && says.iter().all(|s| e.contains(s)));
    assert!(found, "no error on {address} at a line holding {line:?} saying {says:?}:\n{out}");
}
