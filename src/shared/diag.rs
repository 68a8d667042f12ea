//! vSphere's errors as diagnostics, for every resource and data source.
use crate::plugin::{AttrPath, Diags};
use crate::vi::ViError;

/// Turns a vSphere error into a diagnostic on `path`.
pub fn vi_diag(e: &ViError, what: &str, path: Option<AttrPath>) -> Diags {
    let summary = format!("vSphere call failed while {what}");
    let mut detail = e.to_string();
    if matches!(e, ViError::Timeout { .. }) {
        detail.push_str(
            "\n\nvSphere did not answer within the provider's `api_timeout`; raise it if vSphere is just slow.",
        );
    }
    match path {
        Some(p) => Diags::error_at(p, summary, detail),
        None => Diags::error(summary, detail),
    }
}

/// A diagnostic for a failed content library call.
pub fn library_diag(e: &ViError, what: &str, attr: Option<&str>) -> Diags {
    vi_diag(e, what, attr.map(AttrPath::attr))
}
