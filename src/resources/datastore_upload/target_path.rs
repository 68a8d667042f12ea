//! The datastore-side names of an upload: checking `path`, and reading the
//! ids `terraform import` accepts.
//!
//! Import ids: `datastore-17:dir/file.iso` (the resource's own id) or
//! `[LocalDS_0] dir/file.iso` (a datastore path, the datastore looked up by
//! name in the provider's datacenter), either optionally followed by
//! `|<local file>` to record `source_file` too, so that a plan right after
//! the import shows no change.
use crate::rules::datastore_path::{DatastorePath, DatastorePathError};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PathError {
    #[error(transparent)]
    Rule(#[from] DatastorePathError),
    #[error("the path is empty; name a file, like \"dir/file.iso\"")]
    Empty,
    #[error("path {path:?} holds a `\\`; separate directories with `/`")]
    Backslash { path: String },
}

/// Checks an upload's `path`: a file below the datastore's root.
pub fn check_path(path: &str) -> Result<(), PathError> {
    if path.is_empty() {
        return Err(PathError::Empty);
    }
    if path.contains('\\') {
        return Err(PathError::Backslash { path: path.to_owned() });
    }
    // The datastore's name is checked by vSphere; only the path matters here.
    DatastorePath::new("datastore", path)?;
    Ok(())
}

/// How an import id names the datastore.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatastoreRef {
    /// A managed object id, `datastore-17`.
    Id(String),
    /// A name, from `[name] dir/file`.
    Name(String),
}

/// A parsed import id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportId {
    pub datastore: DatastoreRef,
    pub path: String,
    pub source_file: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportIdError {
    #[error(
        "import id {id:?} is neither \"<datastore_id>:<dir/file>\" nor \"[<datastore>] <dir/file>\" \
         (optionally followed by \"|<local file>\")"
    )]
    Form { id: String },
    #[error("import id {id:?} ends with `|` but names no local file after it")]
    EmptySource { id: String },
    #[error("import id {id:?}: {source}")]
    Path {
        id: String,
        #[source]
        source: PathError,
    },
}

/// Reads an import id (see the module documentation).
pub fn parse_import_id(id: &str) -> Result<ImportId, ImportIdError> {
    let (target, source_file) = match id.split_once('|') {
        Some((_, s)) if s.trim().is_empty() => return Err(ImportIdError::EmptySource { id: id.to_owned() }),
        Some((t, s)) => (t.trim(), Some(s.trim().to_owned())),
        None => (id.trim(), None),
    };
    let path_err = |source: PathError| ImportIdError::Path { id: id.to_owned(), source };
    let (datastore, path) = if target.starts_with('[') {
        let p = DatastorePath::parse(target).map_err(|e| path_err(e.into()))?;
        (DatastoreRef::Name(p.datastore), p.path)
    } else {
        match target.split_once(':') {
            Some((ds, path)) if !ds.is_empty() && !ds.contains(char::is_whitespace) => {
                (DatastoreRef::Id(ds.to_owned()), path.to_owned())
            }
            _ => return Err(ImportIdError::Form { id: id.to_owned() }),
        }
    };
    check_path(&path).map_err(path_err)?;
    Ok(ImportId { datastore, path, source_file })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_name_a_file_below_the_root() {
        for ok in ["a.iso", "iso/linuxkit.iso", "my dir/ünï cödé.iso", ".hidden/..x"] {
            assert_eq!(check_path(ok), Ok(()), "{ok}");
        }
        assert_eq!(check_path(""), Err(PathError::Empty));
        assert!(matches!(check_path("a\\b"), Err(PathError::Backslash { .. })));
        for bad in ["../etc/passwd", "a/../../b", "a/..", "/abs", "a//b", "a/", "./a", "[ds] a"] {
            assert!(matches!(check_path(bad), Err(PathError::Rule(_))), "{bad}");
        }
        let e = check_path("iso/../../x").unwrap_err().to_string();
        assert!(e.contains("`..`"), "{e}");
    }

    #[test]
    fn import_ids_by_id_or_datastore_path_with_an_optional_source() {
        assert_eq!(
            parse_import_id("datastore-17:iso/a b.iso"),
            Ok(ImportId {
                datastore: DatastoreRef::Id("datastore-17".into()),
                path: "iso/a b.iso".into(),
                source_file: None
            })
        );
        assert_eq!(
            parse_import_id("[Local DS] iso/a.iso|./images/a.iso"),
            Ok(ImportId {
                datastore: DatastoreRef::Name("Local DS".into()),
                path: "iso/a.iso".into(),
                source_file: Some("./images/a.iso".into())
            })
        );
        // A colon inside the path stays in the path.
        assert_eq!(parse_import_id("datastore-1:a:b.iso").map(|i| i.path), Ok("a:b.iso".into()));
    }

    #[test]
    fn bad_import_ids_say_what_is_expected() {
        for bad in ["", "iso/a.iso", ":a.iso", "data store:a.iso"] {
            assert!(matches!(parse_import_id(bad), Err(ImportIdError::Form { .. })), "{bad}");
        }
        assert!(matches!(parse_import_id("datastore-1:a.iso| "), Err(ImportIdError::EmptySource { .. })));
        for bad in ["datastore-1:", "datastore-1:../x", "[ds]", "[ds] a/../../x", "[ds a.iso"] {
            assert!(matches!(parse_import_id(bad), Err(ImportIdError::Path { .. })), "{bad}");
        }
    }
}
