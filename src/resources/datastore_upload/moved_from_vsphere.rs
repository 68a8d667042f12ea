//! `moved { from = vsphere_file.x  to = vi_datastore_upload.x }`: an upload
//! the vSphere provider v2.16.1 made, by its datastore (a name), path and
//! local file; the resource completes it on the first read as an import
//! does (the datastore's id; the copy read back once to learn its digest:
//! nothing else says what it holds). A copy between datastores
//! (`source_datastore`) is no upload: refused.
use serde_json::Value as Json;

use crate::shared::moved_from_vsphere::{MoveError, Source, attrs};

pub const SOURCE: Source = Source { type_name: "vsphere_file", versions: &[0] };

pub struct Mapped {
    pub datastore: String,
    /// Relative to the datastore's root.
    pub path: String,
    pub source_file: String,
    pub create_directories: bool,
}

pub fn map(version: i64, state: &Json) -> Result<Mapped, MoveError> {
    let src = attrs(&SOURCE, version, state)?;
    if src.str("source_datastore").is_some() || src.str("source_datacenter").is_some() {
        return Err(MoveError::Unsupported(
            "the file was copied from another datastore (source_datastore); vi_datastore_upload uploads local \
             files only"
                .to_owned(),
        ));
    }
    let datastore = src.required("datastore")?;
    let path = src.required("destination_file")?;
    let source = src.required("source_file")?;
    // The vSphere provider takes a leading `/` as the datastore's root.
    Ok(Mapped {
        datastore,
        path: path.trim_start_matches('/').to_owned(),
        source_file: source,
        create_directories: src.bool("create_directories") == Some(true),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the vSphere provider v2.16.1 wrote on vcsim.
    fn written() -> Json {
        serde_json::json!({"create_directories": true, "datacenter": "DC0", "datastore": "LocalDS_0",
            "destination_file": "iso/hello.iso", "id": "[LocalDS_0] DC0/iso/hello.iso", "source_datacenter": null,
            "source_datastore": null, "source_file": "./hello.iso"})
    }

    #[test]
    fn an_upload_moves_by_its_datastore_path() {
        let m = map(0, &written()).unwrap();
        assert_eq!((m.datastore.as_str(), m.path.as_str()), ("LocalDS_0", "iso/hello.iso"));
        assert_eq!(m.source_file, "./hello.iso");
        assert!(m.create_directories);
    }

    #[test]
    fn a_copy_between_datastores_is_refused() {
        let mut j = written();
        j["source_datastore"] = "LocalDS_1".into();
        let e = map(0, &j).err().unwrap();
        assert!(e.to_string().contains("uploads local files only"), "{e}");
    }

    #[test]
    fn broken_states_are_refused() {
        let mut j = written();
        j["destination_file"] = 3.into();
        assert!(matches!(map(0, &j), Err(MoveError::Missing { attr: "destination_file", .. })));
        assert!(matches!(map(1, &written()), Err(MoveError::Version { .. })));
    }
}
