//! The HCL of the guides in `docs/guides/`, so that tests apply what the
//! guides show: each tested block follows a `<!-- test: NAME -->` line.
use std::path::PathBuf;

/// The fenced code block after `<!-- test: {name} -->` in
/// `docs/guides/{guide}.md`.
pub fn hcl(guide: &str, name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/guides").join(format!("{guide}.md"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let marker = format!("<!-- test: {name} -->");
    let after = text.split_once(&marker).map(|(_, a)| a).unwrap_or_else(|| panic!("{marker} not in {guide}"));
    let body = after.split_once("```hcl\n").map(|(_, b)| b).unwrap_or_else(|| panic!("no hcl after {marker}"));
    body.split_once("```").map(|(b, _)| b.to_owned()).unwrap_or_else(|| panic!("unclosed hcl after {marker}"))
}
