//! Keeps `docs/` in step with the schema and the functions: every page's
//! generated section must match what the provider declares. `UPDATE_DOCS=1`
//! rewrites them.
use std::path::PathBuf;

use terraform_provider_vi::data_sources;
use terraform_provider_vi::functions;
use terraform_provider_vi::plugin::Schema;
use terraform_provider_vi::plugin::docs::{splice, splice_function};
use terraform_provider_vi::provider;

fn pages() -> Vec<(PathBuf, Schema)> {
    let docs = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs");
    let mut out = vec![(docs.join("index.md"), provider::schema())];
    for ds in data_sources::all() {
        let short = ds.type_name().trim_start_matches("vi_").to_owned();
        out.push((docs.join("data-sources").join(format!("{short}.md")), ds.schema()));
    }
    for r in provider::resources() {
        let short = r.type_name().trim_start_matches("vi_").to_owned();
        out.push((docs.join("resources").join(format!("{short}.md")), r.schema()));
    }
    out
}

#[test]
fn docs_match_the_schema() {
    let update = std::env::var("UPDATE_DOCS").is_ok_and(|v| v == "1");
    let mut stale = Vec::new();
    for (path, schema) in pages() {
        let page = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{} is missing ({e})", path.display()));
        let fresh =
            splice(&page, &schema).unwrap_or_else(|| panic!("{} has no generated-schema markers", path.display()));
        assert!(page.contains("## Example Usage"), "{} has no example", path.display());
        if fresh != page {
            if update {
                std::fs::write(&path, fresh).expect("rewrite docs page");
            } else {
                stale.push(path.display().to_string());
            }
        }
    }
    assert!(
        stale.is_empty(),
        "docs out of step with the schema: {}\nrun `UPDATE_DOCS=1 cargo test --test acceptance docs` and review the diff",
        stale.join(", ")
    );
}

#[test]
fn docs_match_the_functions() {
    let update = std::env::var("UPDATE_DOCS").is_ok_and(|v| v == "1");
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("docs/functions");
    let mut stale = Vec::new();
    let all = functions::all();
    for f in &all {
        let path = dir.join(format!("{}.md", f.name()));
        let page = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{} is missing ({e})", path.display()));
        assert!(page.contains(&format!("# function: {}", f.name())), "{} has no title", path.display());
        assert!(page.contains(&format!("provider::vi::{}(", f.name())), "{} has no example call", path.display());
        assert!(page.contains("## Example Usage"), "{} has no example", path.display());
        let fresh = splice_function(&page, f.as_ref())
            .unwrap_or_else(|| panic!("{} has no generated-signature markers", path.display()));
        if fresh != page {
            if update {
                std::fs::write(&path, fresh).expect("rewrite docs page");
            } else {
                stale.push(path.display().to_string());
            }
        }
    }
    // No page for a function that is gone.
    for e in std::fs::read_dir(&dir).expect("docs/functions").flatten() {
        let name = e.file_name().to_string_lossy().trim_end_matches(".md").to_owned();
        assert!(all.iter().any(|f| f.name() == name), "docs/functions/{name}.md documents no function");
    }
    assert!(
        stale.is_empty(),
        "docs out of step with the functions: {}\nrun `UPDATE_DOCS=1 cargo test --test acceptance docs` and review the diff",
        stale.join(", ")
    );
}
