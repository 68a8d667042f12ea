//! Files on datastores: HTTP transfers through the `/folder` service of
//! vCenter / ESXi (`https://host/folder/<path>?dcPath=<dc>&dsName=<ds>`,
//! authenticated by the SOAP session cookie), and the FileManager calls
//! that create directories and delete files.

use crate::vi::core::fault::FaultKind;
use crate::vi::core::mo_type::MoType;
use std::path::Path;

use sha2::{Digest, Sha256};
use tracing::{debug, info};
use url::Url;

use crate::vi::core::client::Client;
use crate::vi::core::error::ViError;
use crate::vi::core::types::ManagedObjectReference;
use crate::vi::core::xml::escape;
use crate::vi::object::transfer::{self, Progress, PutRequest, UploadResult};

/// What a datastore file holds, as size and digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileDigest {
    pub size: u64,
    /// Lower-case hex sha256.
    pub sha256: String,
}

impl Client {
    /// The `/folder` URL of `path` on datastore `datastore_name` of the
    /// datacenter at inventory path `datacenter_path` (`DC0`,
    /// `Folder/DC1`), on the SDK's host. Path segments are percent-encoded
    /// (spaces, non-ASCII); `.`/`..` and empty paths are refused.
    pub fn datastore_file_url(&self, datacenter_path: &str, datastore_name: &str, path: &str) -> Result<Url, ViError> {
        folder_url(self.url(), datacenter_path, datastore_name, path)
    }

    /// Uploads `source` to `path` on a datastore with one streamed HTTP PUT
    /// (memory stays flat whatever the size), computing its sha256 on the
    /// way. `progress` is called a few times per second; progress is also
    /// logged at INFO. The upload has no total time limit: it fails when no
    /// bytes move for the client's `api_timeout`. An expired session is
    /// renewed once. A missing datacenter or datastore gives
    /// [`ViError::NotFound`].
    pub async fn upload_file(
        &self,
        datacenter_path: &str,
        datastore_name: &str,
        path: &str,
        source: &Path,
        progress: impl Fn(Progress) + Send,
    ) -> Result<UploadResult, ViError> {
        let mut progress = progress;
        let url = self.datastore_file_url(datacenter_path, datastore_name, path)?;
        let what = format!("[{datastore_name}] {path}");
        let mut renewed = false;
        loop {
            let cookie = self.live_cookie()?;
            let req = PutRequest {
                http: self.http_client(),
                url: url.clone(),
                headers: vec![("Cookie", cookie.clone())],
                source,
                range: None,
                idle_timeout: self.api_timeout(),
                what: &what,
            };
            let answer = match transfer::put_file(req, &mut progress).await {
                Ok(a) => a,
                Err(e @ ViError::LocalFile { .. }) => return Err(e),
                Err(e) => return Err(self.explain_missing(datacenter_path, datastore_name, e).await),
            };
            match answer.status {
                200..=299 => return Ok(answer.result),
                401 if !renewed => {
                    debug!(what = %what, "datastore upload refused the session; logging in again");
                    self.renew_session(&cookie).await?;
                    renewed = true;
                }
                status => {
                    let err = ViError::Http { status, detail: http_detail(&answer.body, &what) };
                    return Err(self.explain_missing(datacenter_path, datastore_name, err).await);
                }
            }
        }
    }

    /// The size of a datastore file (HTTP HEAD on its `/folder` URL), or
    /// `None` when there is no such file — or no such datastore, which the
    /// `/folder` service does not tell apart.
    pub async fn datastore_file_info(
        &self,
        datacenter_path: &str,
        datastore_name: &str,
        path: &str,
    ) -> Result<Option<u64>, ViError> {
        let url = self.datastore_file_url(datacenter_path, datastore_name, path)?;
        let what = format!("HEAD [{datastore_name}] {path}");
        let mut renewed = false;
        loop {
            let cookie = self.live_cookie()?;
            let resp = self
                .http_client()
                .head(url.clone())
                .header("Cookie", &cookie)
                .send()
                .await
                .map_err(|e| ViError::from_transport(&e, url.as_str(), &what, self.api_timeout().as_secs()))?;
            match resp.status().as_u16() {
                200 => return content_length(&resp).map(Some),
                404 => return Ok(None),
                401 if !renewed => {
                    self.renew_session(&cookie).await?;
                    renewed = true;
                }
                status => return Err(ViError::Http { status, detail: format!("{what}: unexpected answer") }),
            }
        }
    }

    /// The size and sha256 of a datastore file, read back through its
    /// `/folder` URL (streamed: memory stays flat whatever the size), or
    /// `None` when there is no such file. Costs a full download; meant for
    /// rare moments such as an import, when nothing else tells what a file
    /// holds. Fails when no bytes arrive for the client's `api_timeout`.
    pub async fn datastore_file_digest(
        &self,
        datacenter_path: &str,
        datastore_name: &str,
        path: &str,
    ) -> Result<Option<FileDigest>, ViError> {
        let url = self.datastore_file_url(datacenter_path, datastore_name, path)?;
        let what = format!("download of [{datastore_name}] {path}");
        let idle = self.api_timeout();
        let transport = |e: &reqwest::Error| ViError::from_transport(e, url.as_str(), &what, idle.as_secs());
        let stalled = || ViError::Timeout { what: what.clone(), after_secs: idle.as_secs().max(1) };
        let mut renewed = false;
        let mut resp = loop {
            let cookie = self.live_cookie()?;
            let request = self
                .http_client()
                .get(url.clone())
                .timeout(transfer::NO_TOTAL_TIMEOUT)
                .header("Cookie", &cookie)
                .send();
            let resp = tokio::time::timeout(idle, request).await.map_err(|_| stalled())?.map_err(|e| transport(&e))?;
            match resp.status().as_u16() {
                200 => break resp,
                404 => return Ok(None),
                401 if !renewed => {
                    self.renew_session(&cookie).await?;
                    renewed = true;
                }
                status => return Err(ViError::Http { status, detail: format!("{what}: unexpected answer") }),
            }
        };
        let mut hasher = Sha256::new();
        let mut size: u64 = 0;
        while let Some(chunk) =
            tokio::time::timeout(idle, resp.chunk()).await.map_err(|_| stalled())?.map_err(|e| transport(&e))?
        {
            size += chunk.len() as u64;
            hasher.update(&chunk);
        }
        info!(what = %what, bytes = size, "datastore file read back and hashed");
        Ok(Some(FileDigest { size, sha256: transfer::hex(&hasher.finalize()) }))
    }

    /// FileManager.MakeDirectory: creates `"[ds] dir/sub"` in datacenter
    /// `datacenter`; an existing directory is not an error.
    pub async fn make_directory(
        &self,
        datacenter: &ManagedObjectReference,
        datastore_path: &str,
        create_parents: bool,
    ) -> Result<(), ViError> {
        let fm = self.file_manager()?;
        let args = format!(
            "<name>{}</name>{}<createParentDirectories>{create_parents}</createParentDirectories>",
            escape(datastore_path),
            datacenter.to_xml("datacenter")
        );
        match self.invoke("MakeDirectory", &fm, &args).await {
            Ok(_) => Ok(()),
            Err(e) if e.is_fault(FaultKind::FileAlreadyExists) => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// FileManager.DeleteDatastoreFile_Task on `"[ds] dir/file"` (a
    /// directory goes with its contents), waiting for the task. A missing
    /// file is the server's `FileNotFound` fault.
    pub async fn delete_datastore_file(
        &self,
        datacenter: &ManagedObjectReference,
        datastore_path: &str,
    ) -> Result<(), ViError> {
        let fm = self.file_manager()?;
        let args = format!("<name>{}</name>{}", escape(datastore_path), datacenter.to_xml("datacenter"));
        let resp = self.invoke("DeleteDatastoreFile_Task", &fm, &args).await?;
        let task = resp
            .child("returnval")
            .and_then(ManagedObjectReference::from_node)
            .ok_or_else(|| ViError::Decode("DeleteDatastoreFile_Task returned no task".into()))?;
        self.wait_for_task(&task, None).await.map(|_| ())
    }

    fn file_manager(&self) -> Result<ManagedObjectReference, ViError> {
        self.service_content()
            .file_manager
            .clone()
            .ok_or_else(|| ViError::Config("the server has no FileManager".into()))
    }

    fn live_cookie(&self) -> Result<String, ViError> {
        self.session_cookie().ok_or_else(|| ViError::Fault {
            kind: "NotAuthenticated".into(),
            message: "the client has logged out".into(),
        })
    }

    /// After a failed transfer: [`ViError::NotFound`] when the datacenter or
    /// datastore does not exist (the `/folder` service only answers 404, or
    /// drops the connection mid-upload), else `original`.
    async fn explain_missing(&self, datacenter_path: &str, datastore_name: &str, original: ViError) -> ViError {
        let dc = match self.find_by_inventory_path(datacenter_path).await {
            Ok(Some(dc)) if dc.is(MoType::Datacenter) => dc,
            Ok(_) => return ViError::NotFound { what: format!("datacenter {datacenter_path:?}") },
            Err(_) => return original,
        };
        match self.list_by_type(&dc, "Datastore", &["name"]).await {
            Ok(list) if !list.iter().any(|d| d.str("name") == Some(datastore_name)) => {
                ViError::NotFound { what: format!("datastore {datastore_name:?} in datacenter {datacenter_path:?}") }
            }
            _ => original,
        }
    }
}

/// `<scheme>://<host>/folder/<path>?dcPath=…&dsName=…` on `sdk`'s host.
fn folder_url(sdk: &Url, datacenter_path: &str, datastore_name: &str, path: &str) -> Result<Url, ViError> {
    let segments = datastore_path_segments(path)?;
    let mut url = sdk.clone();
    url.set_query(None);
    url.set_fragment(None);
    url.path_segments_mut()
        .map_err(|_| ViError::Config(format!("cannot build a datastore URL from {sdk}")))?
        .clear()
        .push("folder")
        .extend(segments);
    url.query_pairs_mut().append_pair("dcPath", datacenter_path).append_pair("dsName", datastore_name);
    Ok(url)
}

/// The segments of a datastore-relative path (`iso/my image.iso`), checked.
fn datastore_path_segments(path: &str) -> Result<Vec<&str>, ViError> {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    if segments.is_empty() {
        return Err(ViError::Config(format!("datastore file path {path:?} is empty")));
    }
    if segments.iter().any(|s| *s == "." || *s == "..") {
        return Err(ViError::Config(format!("datastore file path {path:?} must not contain . or .. segments")));
    }
    if path.contains('\\') {
        return Err(ViError::Config(format!("datastore file path {path:?} must use / as separator")));
    }
    Ok(segments)
}

fn content_length(resp: &reqwest::Response) -> Result<u64, ViError> {
    // Not resp.content_length(): for HEAD that is the (empty) body's size.
    resp.headers()
        .get(reqwest::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok())
        .ok_or_else(|| ViError::Decode("the datastore answered HEAD without a Content-Length".into()))
}

fn http_detail(body: &str, what: &str) -> String {
    let snippet: String = body.chars().take(300).collect();
    if snippet.is_empty() {
        format!("upload of {what} refused")
    } else {
        format!("upload of {what} refused: {snippet}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_segments_are_checked() {
        assert_eq!(datastore_path_segments("iso/a b.iso").unwrap(), ["iso", "a b.iso"]);
        assert_eq!(datastore_path_segments("/iso//x/").unwrap(), ["iso", "x"]);
        for bad in ["", "/", "a/../b", "./a", "a\\b"] {
            assert!(matches!(datastore_path_segments(bad), Err(ViError::Config(_))), "{bad}");
        }
    }

    #[test]
    fn url_is_percent_encoded() {
        let sdk = Url::parse("https://vc.example:8443/sdk?x=1#f").unwrap();
        let url = folder_url(&sdk, "Folder A/DC 0", "Local DS&1", "my dir/ünï cödé #1?.iso").unwrap();
        assert_eq!(
            url.as_str(),
            "https://vc.example:8443/folder/my%20dir/%C3%BCn%C3%AF%20c%C3%B6d%C3%A9%20%231%3F.iso\
             ?dcPath=Folder+A%2FDC+0&dsName=Local+DS%261"
        );
        assert!(folder_url(&sdk, "DC0", "ds", "..").is_err());
    }
}
