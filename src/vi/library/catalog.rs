//! Content libraries over the vSphere Automation REST API:
//! [`LibraryClient`] and the library calls (create / get / update / delete /
//! list / find). Items live in `library_item.rs`, uploads in
//! `library_upload.rs`, OVF deploy and capture in `library_deploy.rs`.

use std::sync::Arc;

use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::vi::core::client::Client;
use crate::vi::core::error::ViError;
use crate::vi::library::session::RestSession;

/// `/rest/com/vmware/content/library`: reads and finds (any library type).
pub(crate) const LIBRARY: &[&str] = &["rest", "com", "vmware", "content", "library"];
/// `/rest/com/vmware/content/local-library`: create, update, delete.
const LOCAL_LIBRARY: &[&str] = &["rest", "com", "vmware", "content", "local-library"];

/// A content library client: one vAPI REST session on the same host as the
/// SOAP client, with the same TLS settings and timeout. Clones share the
/// session.
#[derive(Clone, Debug)]
pub struct LibraryClient {
    pub(crate) rest: Arc<RestSession>,
}

/// `LibraryModel`: a content library as the API returns it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LibraryModel {
    #[serde(default)]
    pub id: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    /// `LOCAL` or `SUBSCRIBED`.
    #[serde(default, rename = "type")]
    pub library_type: Option<String>,
    #[serde(default)]
    pub storage_backings: Vec<StorageBacking>,
    #[serde(default)]
    pub version: Option<String>,
    #[serde(default)]
    pub creation_time: Option<String>,
    #[serde(default)]
    pub last_modified_time: Option<String>,
}

/// `StorageBacking`: where a library keeps its files.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StorageBacking {
    /// `DATASTORE` or `OTHER`.
    #[serde(rename = "type")]
    pub backing_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub datastore_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub storage_uri: Option<String>,
}

impl LibraryClient {
    /// Logs in to the vAPI REST endpoint of `vi`'s server with `vi`'s
    /// credentials (the REST side does not accept the SOAP session).
    pub async fn connect(vi: &Client) -> Result<LibraryClient, ViError> {
        Self::connect_resuming(vi, None).await
    }

    /// Like [`Self::connect`], taking over the `saved` session id instead
    /// of logging in when the server still knows it.
    pub async fn connect_resuming(vi: &Client, saved: Option<String>) -> Result<LibraryClient, ViError> {
        let (user, password) = vi.credentials();
        let rest = RestSession::new(vi.http_client().clone(), vi.url(), user, password, vi.api_timeout())?;
        let resumed = match saved {
            Some(id) => rest.resume(id).await,
            None => false,
        };
        if !resumed {
            rest.login().await?;
        }
        Ok(LibraryClient { rest: Arc::new(rest) })
    }

    /// The vAPI session id (a credential: never log it), for the session
    /// cache.
    pub fn session_id(&self) -> Option<String> {
        self.rest.session_id()
    }

    /// Ends the REST session; later calls fail.
    pub async fn logout(&self) -> Result<(), ViError> {
        self.rest.logout().await
    }

    /// Creates a local library backed by datastore `datastore_id`
    /// (`datastore-12`); returns its id. A library with the same name
    /// (compared case-insensitively) gives `ALREADY_EXISTS` — checked here
    /// first, since vcsim would otherwise accept duplicates.
    pub async fn create_local_library(
        &self,
        name: &str,
        description: Option<&str>,
        datastore_id: &str,
    ) -> Result<String, ViError> {
        if let Some(existing) = self.find_libraries(name).await?.into_iter().next() {
            return Err(ViError::Api {
                status: 400,
                kind: "ALREADY_EXISTS".into(),
                message: format!("a content library named {name:?} already exists ({existing})"),
            });
        }
        let body = json!({
            "create_spec": {
                "name": name,
                "description": description.unwrap_or_default(),
                "type": "LOCAL",
                "storage_backings": [{"type": "DATASTORE", "datastore_id": datastore_id}],
            }
        });
        let v = self.rest.call(Method::POST, self.rest.url(LOCAL_LIBRARY, None, &[]), Some(&body), None).await?;
        id_of(v, "library create")
    }

    /// The library, or `None` when there is none with this id.
    pub async fn get_library(&self, id: &str) -> Result<Option<LibraryModel>, ViError> {
        let url = self.rest.url(&with_id(LIBRARY, id), None, &[]);
        match self.rest.call(Method::GET, url, None, None).await {
            Ok(v) => decode(v, "library").map(Some),
            Err(e) if e.api_kind() == Some("NOT_FOUND") => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Changes name and/or description (`None` leaves a field alone).
    pub async fn update_library(&self, id: &str, name: Option<&str>, description: Option<&str>) -> Result<(), ViError> {
        let body = json!({ "update_spec": patch_spec(name, description) });
        let url = self.rest.url(&with_id(LOCAL_LIBRARY, id), None, &[]);
        self.rest.call(Method::PATCH, url, Some(&body), None).await.map(|_| ())
    }

    /// Deletes a local library and its items.
    pub async fn delete_library(&self, id: &str) -> Result<(), ViError> {
        let url = self.rest.url(&with_id(LOCAL_LIBRARY, id), None, &[]);
        self.rest.call(Method::DELETE, url, None, None).await.map(|_| ())
    }

    /// Ids of all libraries.
    pub async fn list_libraries(&self) -> Result<Vec<String>, ViError> {
        let v = self.rest.call(Method::GET, self.rest.url(LIBRARY, None, &[]), None, None).await?;
        decode_ids(v, "library list")
    }

    /// Ids of the libraries named `name` (case-insensitively, as the
    /// server compares).
    pub async fn find_libraries(&self, name: &str) -> Result<Vec<String>, ViError> {
        let body = json!({ "spec": { "name": name } });
        let v = self.rest.call(Method::POST, self.rest.url(LIBRARY, Some("find"), &[]), Some(&body), None).await?;
        decode_ids(v, "library find")
    }
}

/// `segments` + `id:<id>`, the vAPI REST way of addressing one object.
pub(crate) fn with_id<'a>(segments: &[&'a str], id: &'a str) -> Vec<String> {
    let mut v: Vec<String> = segments.iter().map(|s| s.to_string()).collect();
    v.push(format!("id:{id}"));
    v
}

/// The update spec for name/description: only the fields given.
pub(crate) fn patch_spec(name: Option<&str>, description: Option<&str>) -> Value {
    let mut spec = serde_json::Map::new();
    if let Some(n) = name {
        spec.insert("name".into(), Value::from(n));
    }
    if let Some(d) = description {
        spec.insert("description".into(), Value::from(d));
    }
    Value::Object(spec)
}

/// A created object's id (the payload is a bare string).
pub(crate) fn id_of(v: Value, what: &str) -> Result<String, ViError> {
    match v {
        Value::String(s) if !s.is_empty() => Ok(s),
        other => Err(ViError::Decode(format!("{what} returned {other} instead of an id"))),
    }
}

/// A list of ids; `null` (vcsim's empty list) is empty.
pub(crate) fn decode_ids(v: Value, what: &str) -> Result<Vec<String>, ViError> {
    if v.is_null() {
        return Ok(Vec::new());
    }
    decode(v, what)
}

pub(crate) fn decode<T: serde::de::DeserializeOwned>(v: Value, what: &str) -> Result<T, ViError> {
    serde_json::from_value(v).map_err(|e| ViError::Decode(format!("unexpected {what} answer: {e}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_a_library() {
        let v = json!({
            "id": "a1", "name": "iso", "description": "d", "type": "LOCAL", "version": "2",
            "storage_backings": [{"type": "DATASTORE", "datastore_id": "datastore-1"}],
            "creation_time": "2024-01-01T00:00:00.000Z", "Item": {}, "unknown": 1
        });
        let lib: LibraryModel = decode(v, "library").unwrap();
        assert_eq!(lib.id.as_deref(), Some("a1"));
        assert_eq!(lib.library_type.as_deref(), Some("LOCAL"));
        assert_eq!(
            lib.storage_backings,
            [StorageBacking {
                backing_type: "DATASTORE".into(),
                datastore_id: Some("datastore-1".into()),
                storage_uri: None
            }]
        );
        let empty: LibraryModel = decode(json!({}), "library").unwrap();
        assert_eq!(empty, LibraryModel::default());
        assert!(decode::<LibraryModel>(json!("x"), "library").is_err());
    }

    #[test]
    fn helpers() {
        assert_eq!(with_id(LIBRARY, "x"), ["rest", "com", "vmware", "content", "library", "id:x"]);
        assert_eq!(patch_spec(Some("n"), None), json!({"name": "n"}));
        assert_eq!(patch_spec(None, Some("")), json!({"description": ""}));
        assert_eq!(id_of(json!("abc"), "x").unwrap(), "abc");
        assert!(id_of(json!(""), "x").is_err());
        assert!(id_of(Value::Null, "x").is_err());
        assert_eq!(decode_ids(Value::Null, "x").unwrap(), Vec::<String>::new());
        assert_eq!(decode_ids(json!(["a", "b"]), "x").unwrap(), ["a", "b"]);
        assert!(decode_ids(json!([1]), "x").is_err());
    }
}
