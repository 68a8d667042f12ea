//! Datastore paths: `[datastore] directory/file`, vSphere's way of naming a
//! file on a datastore (libvirt's ESX driver documentation).
//!
//! Accepted: `[ds] dir/file.iso`, `[ds]dir/file.iso`, and `[ds]` or `[ds] `
//! for the datastore's root. Names and paths may hold spaces and any Unicode.
//! Refused, since vSphere would misread them or they would leave the
//! datastore: a missing or unbalanced bracket, an empty datastore name, an
//! absolute path, `.` and `..` segments, empty segments (`a//b`, a trailing
//! `/`), segments with leading or trailing spaces, and control characters.

use std::fmt;

const FORM: &str = "expected \"[datastore] dir/file\", or \"[datastore]\" for its root";

/// A file or directory on a datastore, validated. The path is relative to
/// the datastore's root; empty means the root itself.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct DatastorePath {
    pub datastore: String,
    pub path: String,
}

/// Which half of a datastore path an error concerns, so a caller holding
/// them in two attributes (`cdrom { datastore_id, path }`) can point at the
/// right one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DatastorePathPart {
    Datastore,
    Path,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DatastorePathError {
    #[error("the datastore path is empty; {FORM}")]
    Empty,
    #[error("{value:?} does not start with a datastore name in brackets; {FORM}")]
    MissingDatastore { value: String },
    #[error("{value:?} has no `]` closing the datastore name; {FORM}")]
    UnclosedBracket { value: String },
    #[error("the datastore name is empty; {FORM}")]
    EmptyDatastore,
    #[error("datastore name {name:?} holds a bracket: brackets are unbalanced; {FORM}")]
    BracketInDatastore { name: String },
    #[error("datastore name {name:?} begins or ends with whitespace; remove it")]
    DatastoreWhitespace { name: String },
    #[error("the datastore name {name:?} holds a control character")]
    ControlInDatastore { name: String },
    #[error("path {path:?} holds a control character")]
    ControlInPath { path: String },
    #[error(
        "path {path:?} begins with a datastore in brackets, but the datastore is given separately; \
         write the path relative to it, like \"dir/file.iso\""
    )]
    DatastoreInPath { path: String },
    #[error("path {path:?} begins with a stray `]`: brackets are unbalanced; {FORM}")]
    StrayBracket { path: String },
    #[error(
        "path {path:?} is absolute; a datastore path is relative to the datastore's root \
         (\"[datastore] dir/file\"): remove the leading `/`"
    )]
    AbsolutePath { path: String },
    #[error("path {path:?} has a `..` segment; a path cannot leave its directory or datastore")]
    ParentSegment { path: String },
    #[error("path {path:?} has a `.` segment; remove it")]
    DotSegment { path: String },
    #[error("path {path:?} has an empty segment (`//`, or a trailing `/`); separate names with a single `/`")]
    EmptySegment { path: String },
    #[error("path {path:?} has a segment {segment:?} beginning or ending with whitespace; remove it")]
    SegmentWhitespace { path: String, segment: String },
}

impl DatastorePathError {
    /// The half of the path at fault.
    pub fn part(&self) -> DatastorePathPart {
        use DatastorePathError as E;
        match self {
            E::EmptyDatastore
            | E::BracketInDatastore { .. }
            | E::DatastoreWhitespace { .. }
            | E::ControlInDatastore { .. } => DatastorePathPart::Datastore,
            E::Empty
            | E::MissingDatastore { .. }
            | E::UnclosedBracket { .. }
            | E::ControlInPath { .. }
            | E::DatastoreInPath { .. }
            | E::StrayBracket { .. }
            | E::AbsolutePath { .. }
            | E::ParentSegment { .. }
            | E::DotSegment { .. }
            | E::EmptySegment { .. }
            | E::SegmentWhitespace { .. } => DatastorePathPart::Path,
        }
    }
}

impl DatastorePath {
    /// Parses `[datastore] dir/file` (one optional space after `]`).
    pub fn parse(text: &str) -> Result<Self, DatastorePathError> {
        if text.is_empty() {
            return Err(DatastorePathError::Empty);
        }
        let Some(rest) = text.strip_prefix('[') else {
            return Err(DatastorePathError::MissingDatastore { value: text.to_owned() });
        };
        let Some((datastore, after)) = rest.split_once(']') else {
            return Err(DatastorePathError::UnclosedBracket { value: text.to_owned() });
        };
        let path = after.strip_prefix(' ').unwrap_or(after);
        Self::new(datastore, path)
    }

    /// Validates a datastore name and a path relative to its root (empty for
    /// the root), as `cdrom { datastore_id, path }` gives them.
    pub fn new(datastore: &str, path: &str) -> Result<Self, DatastorePathError> {
        check_datastore_name(datastore)?;
        check_relative_path(path)?;
        Ok(DatastorePath { datastore: datastore.to_owned(), path: path.to_owned() })
    }

    /// Whether this names the datastore's root directory.
    pub fn is_root(&self) -> bool {
        self.path.is_empty()
    }
}

impl fmt::Display for DatastorePath {
    /// `[datastore] dir/file`, or `[datastore]` for the root.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            write!(f, "[{}]", self.datastore)
        } else {
            write!(f, "[{}] {}", self.datastore, self.path)
        }
    }
}

fn check_datastore_name(name: &str) -> Result<(), DatastorePathError> {
    let owned = || name.to_owned();
    if name.trim().is_empty() {
        return Err(DatastorePathError::EmptyDatastore);
    }
    if name.contains(['[', ']']) {
        return Err(DatastorePathError::BracketInDatastore { name: owned() });
    }
    if name.chars().any(char::is_control) {
        return Err(DatastorePathError::ControlInDatastore { name: owned() });
    }
    if name.trim() != name {
        return Err(DatastorePathError::DatastoreWhitespace { name: owned() });
    }
    Ok(())
}

fn check_relative_path(path: &str) -> Result<(), DatastorePathError> {
    let owned = || path.to_owned();
    if path.is_empty() {
        return Ok(());
    }
    if path.chars().any(char::is_control) {
        return Err(DatastorePathError::ControlInPath { path: owned() });
    }
    if path.starts_with('[') {
        return Err(DatastorePathError::DatastoreInPath { path: owned() });
    }
    if path.starts_with(']') {
        return Err(DatastorePathError::StrayBracket { path: owned() });
    }
    if path.starts_with('/') {
        return Err(DatastorePathError::AbsolutePath { path: owned() });
    }
    for segment in path.split('/') {
        match segment {
            "" => return Err(DatastorePathError::EmptySegment { path: owned() }),
            ".." => return Err(DatastorePathError::ParentSegment { path: owned() }),
            "." => return Err(DatastorePathError::DotSegment { path: owned() }),
            s if s.trim() != s => {
                return Err(DatastorePathError::SegmentWhitespace { path: owned(), segment: s.to_owned() });
            }
            _ => {}
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints_canonically() {
        // (input, datastore, path, canonical form)
        let table: &[(&str, &str, &str, &str)] = &[
            ("[datastore1] dir/file.iso", "datastore1", "dir/file.iso", "[datastore1] dir/file.iso"),
            ("[local-storage] Fedora11/Fedora11.vmdk", "local-storage", "Fedora11/Fedora11.vmdk", ""),
            ("[ds]dir/file.iso", "ds", "dir/file.iso", "[ds] dir/file.iso"),
            ("[ds] file.iso", "ds", "file.iso", ""),
            ("[ds]", "ds", "", "[ds]"),
            ("[ds] ", "ds", "", "[ds]"),
            ("[datastore 1] my dir/my file.iso", "datastore 1", "my dir/my file.iso", ""),
            ("[Datenspeicher Größe] Ordner/Datei ä.iso", "Datenspeicher Größe", "Ordner/Datei ä.iso", ""),
            ("[データストア] 仮想マシン/ディスク.vmdk", "データストア", "仮想マシン/ディスク.vmdk", ""),
            ("[ds-😀] 😀/😀.iso", "ds-😀", "😀/😀.iso", ""),
            ("[a/b] c", "a/b", "c", ""),
            ("[ds] a/b/c/d/e.vmdk", "ds", "a/b/c/d/e.vmdk", ""),
            ("[ds] .hidden/..file", "ds", ".hidden/..file", ""),
            ("[ds] dir/[x] y.iso", "ds", "dir/[x] y.iso", ""),
            ("[ds] a]b", "ds", "a]b", ""),
            ("[ds] dir\\file", "ds", "dir\\file", ""),
        ];
        for (input, ds, path, canonical) in table {
            let p = DatastorePath::parse(input).unwrap_or_else(|e| panic!("{input:?}: {e}"));
            assert_eq!(p.datastore, *ds, "{input:?}");
            assert_eq!(p.path, *path, "{input:?}");
            let want = if canonical.is_empty() { *input } else { *canonical };
            assert_eq!(p.to_string(), want, "{input:?}");
            assert_eq!(DatastorePath::parse(&p.to_string()), Ok(p.clone()), "round trip of {input:?}");
            assert_eq!(DatastorePath::new(ds, path), Ok(p.clone()), "new for {input:?}");
            assert_eq!(p.is_root(), path.is_empty());
        }
    }

    type ErrCase = (&'static str, fn(&DatastorePathError) -> bool, DatastorePathPart);

    #[test]
    fn rejects_malformed_paths() {
        use DatastorePathError as E;
        use DatastorePathPart::{Datastore, Path};
        let table: &[ErrCase] = &[
            ("", |e| matches!(e, E::Empty), Path),
            ("ds/file.iso", |e| matches!(e, E::MissingDatastore { .. }), Path),
            (" [ds] file.iso", |e| matches!(e, E::MissingDatastore { .. }), Path),
            ("ds] file.iso", |e| matches!(e, E::MissingDatastore { .. }), Path),
            ("/vmfs/volumes/ds/file.iso", |e| matches!(e, E::MissingDatastore { .. }), Path),
            ("[ds file.iso", |e| matches!(e, E::UnclosedBracket { .. }), Path),
            ("[", |e| matches!(e, E::UnclosedBracket { .. }), Path),
            ("[]", |e| matches!(e, E::EmptyDatastore), Datastore),
            ("[] file.iso", |e| matches!(e, E::EmptyDatastore), Datastore),
            ("[   ] file.iso", |e| matches!(e, E::EmptyDatastore), Datastore),
            ("[[ds] file.iso", |e| matches!(e, E::BracketInDatastore { .. }), Datastore),
            ("[d[s] file.iso", |e| matches!(e, E::BracketInDatastore { .. }), Datastore),
            ("[ ds] file.iso", |e| matches!(e, E::DatastoreWhitespace { .. }), Datastore),
            ("[ds ] file.iso", |e| matches!(e, E::DatastoreWhitespace { .. }), Datastore),
            ("[d\ts] file.iso", |e| matches!(e, E::ControlInDatastore { .. }), Datastore),
            ("[ds]] file.iso", |e| matches!(e, E::StrayBracket { .. }), Path),
            ("[ds] [ds2] file.iso", |e| matches!(e, E::DatastoreInPath { .. }), Path),
            ("[ds][ds2] file.iso", |e| matches!(e, E::DatastoreInPath { .. }), Path),
            ("[ds] /dir/file.iso", |e| matches!(e, E::AbsolutePath { .. }), Path),
            ("[ds]/dir/file.iso", |e| matches!(e, E::AbsolutePath { .. }), Path),
            ("[ds] /", |e| matches!(e, E::AbsolutePath { .. }), Path),
            ("[ds] ..", |e| matches!(e, E::ParentSegment { .. }), Path),
            ("[ds] ../other/file.iso", |e| matches!(e, E::ParentSegment { .. }), Path),
            ("[ds] dir/../../file.iso", |e| matches!(e, E::ParentSegment { .. }), Path),
            ("[ds] dir/..", |e| matches!(e, E::ParentSegment { .. }), Path),
            ("[ds] ./file.iso", |e| matches!(e, E::DotSegment { .. }), Path),
            ("[ds] dir/./file.iso", |e| matches!(e, E::DotSegment { .. }), Path),
            ("[ds] a//b", |e| matches!(e, E::EmptySegment { .. }), Path),
            ("[ds] dir/", |e| matches!(e, E::EmptySegment { .. }), Path),
            ("[ds]  file.iso", |e| matches!(e, E::SegmentWhitespace { .. }), Path),
            ("[ds] dir /file.iso", |e| matches!(e, E::SegmentWhitespace { .. }), Path),
            ("[ds] dir/file.iso ", |e| matches!(e, E::SegmentWhitespace { .. }), Path),
            ("[ds]  ", |e| matches!(e, E::SegmentWhitespace { .. }), Path),
            ("[ds] dir/fi\nle.iso", |e| matches!(e, E::ControlInPath { .. }), Path),
            ("[ds] dir\0", |e| matches!(e, E::ControlInPath { .. }), Path),
        ];
        for (input, want, part) in table {
            match DatastorePath::parse(input) {
                Err(e) => {
                    assert!(want(&e), "{input:?}: unexpected {e:?}");
                    assert_eq!(e.part(), *part, "{input:?}: {e:?}");
                    assert!(!e.to_string().is_empty());
                }
                Ok(p) => panic!("{input:?} should fail, got {p:?}"),
            }
        }
    }

    #[test]
    fn messages_say_what_is_allowed() {
        let msg = |s: &str| DatastorePath::parse(s).unwrap_err().to_string();
        assert!(msg("ds/file.iso").contains("[datastore] dir/file"));
        assert!(msg("[ds file.iso").contains("no `]`"));
        assert!(msg("[ds] /x").contains("remove the leading `/`"));
        assert!(msg("[ds] ../x").contains("`..`"));
        assert!(msg("[ds] a//b").contains("empty segment"));
        assert!(msg("[ds] a//b").contains("\"a//b\""));
        assert!(msg("[] x").contains("datastore name is empty"));
    }

    #[test]
    fn new_validates_each_half() {
        use DatastorePathPart::{Datastore, Path};
        let ok: &[(&str, &str)] =
            &[("ds", ""), ("ds", "iso/linuxkit.iso"), ("datastore 1", "a b/c d.iso"), ("データ", "ü/ß.iso")];
        for (ds, path) in ok {
            let p = DatastorePath::new(ds, path).unwrap_or_else(|e| panic!("{ds:?} {path:?}: {e}"));
            assert_eq!(DatastorePath::parse(&p.to_string()), Ok(p));
        }
        let bad: &[(&str, &str, DatastorePathPart)] = &[
            ("", "a.iso", Datastore),
            (" ", "a.iso", Datastore),
            ("[ds]", "a.iso", Datastore),
            ("ds]", "a.iso", Datastore),
            ("ds\n", "a.iso", Datastore),
            (" ds", "a.iso", Datastore),
            ("ds", "[ds] a.iso", Path),
            ("ds", "/a.iso", Path),
            ("ds", "../a.iso", Path),
            ("ds", "a//b.iso", Path),
            ("ds", "a/", Path),
            ("ds", " a.iso", Path),
            ("ds", ".", Path),
        ];
        for (ds, path, part) in bad {
            match DatastorePath::new(ds, path) {
                Err(e) => assert_eq!(e.part(), *part, "{ds:?} {path:?}: {e}"),
                Ok(p) => panic!("{ds:?} {path:?} should fail, got {p:?}"),
            }
        }
        let e = DatastorePath::new("ds", "[ds] a.iso").unwrap_err();
        assert!(e.to_string().contains("relative to it"), "{e}");
    }
}
