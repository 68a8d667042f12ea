//! Diagnostics with attribute paths, so Terraform underlines the exact HCL
//! line that caused them.
use std::fmt;

use super::proto::tfplugin5 as pb;

/// One step from the root of a value towards an attribute or element.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    Attr(String),
    Key(String),
    Index(i64),
}

/// A path such as `disk[1].size`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AttrPath(pub Vec<Step>);

impl AttrPath {
    pub fn root() -> Self {
        AttrPath(Vec::new())
    }

    /// A path to a top-level attribute.
    pub fn attr(name: impl Into<String>) -> Self {
        AttrPath(vec![Step::Attr(name.into())])
    }

    pub fn then(mut self, name: impl Into<String>) -> Self {
        self.0.push(Step::Attr(name.into()));
        self
    }

    pub fn index(mut self, i: usize) -> Self {
        self.0.push(Step::Index(i64::try_from(i).unwrap_or(i64::MAX)));
        self
    }

    pub fn key(mut self, k: impl Into<String>) -> Self {
        self.0.push(Step::Key(k.into()));
        self
    }

    pub(crate) fn to_proto(&self) -> pb::AttributePath {
        use pb::attribute_path::step::Selector;
        pb::AttributePath {
            steps: self
                .0
                .iter()
                .map(|s| pb::attribute_path::Step {
                    selector: Some(match s {
                        Step::Attr(a) => Selector::AttributeName(a.clone()),
                        Step::Key(k) => Selector::ElementKeyString(k.clone()),
                        Step::Index(i) => Selector::ElementKeyInt(*i),
                    }),
                })
                .collect(),
        }
    }
}

impl fmt::Display for AttrPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, s) in self.0.iter().enumerate() {
            match s {
                Step::Attr(a) if i == 0 => write!(f, "{a}")?,
                Step::Attr(a) => write!(f, ".{a}")?,
                Step::Key(k) => write!(f, "[{k:?}]")?,
                Step::Index(n) => write!(f, "[{n}]")?,
            }
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    Error,
    Warning,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub summary: String,
    pub detail: String,
    pub path: Option<AttrPath>,
}

/// A list of diagnostics; empty means all is well.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[must_use]
pub struct Diags(pub Vec<Diagnostic>);

impl Diags {
    pub fn none() -> Self {
        Diags(Vec::new())
    }

    pub fn error(summary: impl Into<String>, detail: impl Into<String>) -> Self {
        Diags(vec![Diagnostic {
            severity: Severity::Error,
            summary: summary.into(),
            detail: detail.into(),
            path: None,
        }])
    }

    pub fn error_at(path: AttrPath, summary: impl Into<String>, detail: impl Into<String>) -> Self {
        Diags(vec![Diagnostic {
            severity: Severity::Error,
            summary: summary.into(),
            detail: detail.into(),
            path: Some(path),
        }])
    }

    pub fn warning_at(path: AttrPath, summary: impl Into<String>, detail: impl Into<String>) -> Self {
        Diags(vec![Diagnostic {
            severity: Severity::Warning,
            summary: summary.into(),
            detail: detail.into(),
            path: Some(path),
        }])
    }

    pub fn push(&mut self, d: Diags) {
        self.0.extend(d.0);
    }

    pub fn has_errors(&self) -> bool {
        self.0.iter().any(|d| d.severity == Severity::Error)
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok(())` when there is no error, so `?` can stop at the first failure.
    pub fn into_result(self) -> Result<Diags, Diags> {
        if self.has_errors() { Err(self) } else { Ok(self) }
    }

    pub(crate) fn to_proto(&self) -> Vec<pb::Diagnostic> {
        self.0
            .iter()
            .map(|d| pb::Diagnostic {
                severity: match d.severity {
                    Severity::Error => pb::diagnostic::Severity::Error as i32,
                    Severity::Warning => pb::diagnostic::Severity::Warning as i32,
                },
                summary: d.summary.clone(),
                detail: d.detail.clone(),
                attribute: d.path.as_ref().map(AttrPath::to_proto),
            })
            .collect()
    }
}

impl From<Diagnostic> for Diags {
    fn from(d: Diagnostic) -> Self {
        Diags(vec![d])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_print_like_hcl() {
        let p = AttrPath::attr("disk").index(1).then("size");
        assert_eq!(p.to_string(), "disk[1].size");
        assert_eq!(AttrPath::attr("extra_config").key("a").to_string(), "extra_config[\"a\"]");
    }

    #[test]
    fn warnings_are_not_errors() {
        let mut d = Diags::warning_at(AttrPath::attr("x"), "w", "");
        assert!(!d.has_errors());
        d.push(Diags::error("e", ""));
        assert!(d.has_errors());
        assert_eq!(d.to_proto().len(), 2);
    }
}
