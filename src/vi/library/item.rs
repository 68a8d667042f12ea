//! Content library items: create / get / update / delete / list, and the
//! files an item holds.

use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::vi::core::error::ViError;
use crate::vi::library::catalog::{LibraryClient, decode, decode_ids, id_of, patch_spec, with_id};

/// `/rest/com/vmware/content/library/item`.
const ITEM: &[&str] = &["rest", "com", "vmware", "content", "library", "item"];
/// `/rest/com/vmware/content/library/item/file`.
const ITEM_FILE: &[&str] = &["rest", "com", "vmware", "content", "library", "item", "file"];

/// `ItemModel`: a library item as the API returns it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemModel {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub library_id: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    /// `ovf`, `iso`, `vm-template`, … (free-form for other content).
    #[serde(default, rename = "type")]
    pub item_type: Option<String>,
    /// Bytes of all the item's files.
    #[serde(default)]
    pub size: Option<u64>,
    #[serde(default)]
    pub content_version: Option<String>,
    #[serde(default)]
    pub metadata_version: Option<String>,
    #[serde(default)]
    pub cached: Option<bool>,
    #[serde(default)]
    pub creation_time: Option<String>,
    #[serde(default)]
    pub last_modified_time: Option<String>,
}

/// `library.item.File.Info`: one file of an item.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ItemFileInfo {
    pub name: String,
    #[serde(default)]
    pub size: Option<u64>,
    #[serde(default)]
    pub version: Option<String>,
    #[serde(default)]
    pub cached: Option<bool>,
    #[serde(default)]
    pub checksum_info: Option<ChecksumInfo>,
}

/// `library.item.File.ChecksumInfo`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChecksumInfo {
    /// `SHA1`, `MD5`, `SHA256`, `SHA512`.
    #[serde(default)]
    pub algorithm: Option<String>,
    pub checksum: String,
}

impl LibraryClient {
    /// Creates an (empty) item of `item_type` (`ovf`, `iso`, …) in a
    /// library; returns its id. A duplicate name in the library is the
    /// server's `ALREADY_EXISTS`.
    pub async fn create_item(
        &self,
        library_id: &str,
        name: &str,
        description: Option<&str>,
        item_type: &str,
    ) -> Result<String, ViError> {
        let body = json!({
            "create_spec": {
                "library_id": library_id,
                "name": name,
                "description": description.unwrap_or_default(),
                "type": item_type,
            }
        });
        let v = self.rest.call(Method::POST, self.rest.url(ITEM, None, &[]), Some(&body), None).await?;
        id_of(v, "library item create")
    }

    /// The item, or `None` when there is none with this id.
    pub async fn get_item(&self, id: &str) -> Result<Option<ItemModel>, ViError> {
        let url = self.rest.url(&with_id(ITEM, id), None, &[]);
        match self.rest.call(Method::GET, url, None, None).await {
            Ok(v) => decode(v, "library item").map(Some),
            Err(e) if e.api_kind() == Some("NOT_FOUND") => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Changes name and/or description (`None` leaves a field alone).
    pub async fn update_item(&self, id: &str, name: Option<&str>, description: Option<&str>) -> Result<(), ViError> {
        let body = json!({ "update_spec": patch_spec(name, description) });
        let url = self.rest.url(&with_id(ITEM, id), None, &[]);
        self.rest.call(Method::PATCH, url, Some(&body), None).await.map(|_| ())
    }

    /// Deletes an item and its files.
    pub async fn delete_item(&self, id: &str) -> Result<(), ViError> {
        let url = self.rest.url(&with_id(ITEM, id), None, &[]);
        self.rest.call(Method::DELETE, url, None, None).await.map(|_| ())
    }

    /// Ids of the items of a library.
    pub async fn list_items(&self, library_id: &str) -> Result<Vec<String>, ViError> {
        let url = self.rest.url(ITEM, None, &[("library_id", library_id)]);
        decode_ids(self.rest.call(Method::GET, url, None, None).await?, "library item list")
    }

    /// Ids of the items of library `library_id` named `name` (the server
    /// decides how names compare: vCenter ignores case, vcsim does not).
    pub async fn find_items(&self, library_id: &str, name: &str) -> Result<Vec<String>, ViError> {
        let body = json!({ "spec": { "library_id": library_id, "name": name } });
        let v = self.rest.call(Method::POST, self.rest.url(ITEM, Some("find"), &[]), Some(&body), None).await?;
        decode_ids(v, "library item find")
    }

    /// The files an item holds.
    pub async fn list_item_files(&self, item_id: &str) -> Result<Vec<ItemFileInfo>, ViError> {
        let url = self.rest.url(ITEM_FILE, None, &[("library_item_id", item_id)]);
        decode_files(self.rest.call(Method::GET, url, None, None).await?)
    }
}

fn decode_files(v: serde_json::Value) -> Result<Vec<ItemFileInfo>, ViError> {
    if v.is_null() {
        return Ok(Vec::new());
    }
    decode(v, "library item file list")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_items_and_files() {
        let item: ItemModel = decode(
            json!({"id": "i1", "library_id": "l1", "name": "photon", "type": "ovf", "size": 1024,
                   "cached": true, "File": null, "Template": null}),
            "item",
        )
        .unwrap();
        assert_eq!(item.item_type.as_deref(), Some("ovf"));
        assert_eq!(item.size, Some(1024));
        let files = decode_files(json!([
            {"name": "a.ovf", "size": 10, "version": "1", "cached": true},
            {"name": "disk.vmdk", "checksum_info": {"algorithm": "SHA256", "checksum": "ab"}}
        ]))
        .unwrap();
        assert_eq!(files.len(), 2);
        assert_eq!(files.first().and_then(|f| f.size), Some(10));
        assert_eq!(files.get(1).and_then(|f| f.checksum_info.clone()).map(|c| c.checksum), Some("ab".into()));
        assert!(decode_files(serde_json::Value::Null).unwrap().is_empty());
        assert!(decode_files(json!([{"size": 1}])).is_err(), "a file needs a name");
    }
}
