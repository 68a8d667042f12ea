//! The session cache: one file per (server, user) and API holding the
//! session of a login (the SOAP cookie, the vAPI session id), so the
//! provider processes of one Terraform run share it. Never the password. Files are the user's alone (0600 in a 0700
//! folder); one that others can read is not trusted.
use std::io::Write as _;
use std::path::{Path, PathBuf};

use sha2::Digest as _;
use url::Url;

use crate::vi::core::client::SESSION_COOKIE;

/// Largest session file read; a cookie is well under 1 KiB.
const MAX_BYTES: u64 = 4096;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SessionFileError {
    #[error("{path}: {detail}")]
    Io { path: String, detail: String },
    #[error(
        "{path} can be read by other users (mode {mode:03o}); it is not used, and is replaced by a file only \
         you can read"
    )]
    TooOpen { path: String, mode: u32 },
}

/// Which session a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Api {
    /// `vmware_soap_session=…`, as sent in a Cookie header.
    Soap,
    /// The content library's `vmware-api-session-id` value.
    Vapi,
}

/// The session file of one (server URL, user) and API.
#[derive(Debug, Clone)]
pub struct SessionFile {
    path: PathBuf,
    api: Api,
}

impl SessionFile {
    /// The SOAP session file for `url` and `user` in `dir`: its name is a
    /// SHA-256 of both, so neither shows in the folder listing.
    pub fn new(dir: &Path, url: &Url, user: &str) -> SessionFile {
        SessionFile { path: dir.join(format!("{}.session", name(url, user))), api: Api::Soap }
    }

    /// The content library (vAPI) session file for `url` and `user`.
    pub fn vapi(dir: &Path, url: &Url, user: &str) -> SessionFile {
        SessionFile { path: dir.join(format!("{}.vapi-session", name(url, user))), api: Api::Vapi }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    fn err(&self, e: impl std::fmt::Display) -> SessionFileError {
        SessionFileError::Io { path: self.path.display().to_string(), detail: e.to_string() }
    }

    /// The saved cookie; `None` when there is no file or it holds no
    /// cookie. A file others can read is refused.
    pub fn load(&self) -> Result<Option<String>, SessionFileError> {
        let meta = match std::fs::metadata(&self.path) {
            Ok(m) => m,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(self.err(e)),
        };
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = meta.permissions().mode() & 0o777;
            if mode & 0o077 != 0 {
                return Err(SessionFileError::TooOpen { path: self.path.display().to_string(), mode });
            }
        }
        if !meta.is_file() || meta.len() > MAX_BYTES {
            return Ok(None);
        }
        let text = std::fs::read_to_string(&self.path).map_err(|e| self.err(e))?;
        let value = text.trim();
        let well_formed = match self.api {
            Api::Soap => {
                value.strip_prefix(SESSION_COOKIE).is_some_and(|r| r.starts_with('=') && r.len() > 1)
                    && !value.contains(['\n', '\r', ';'])
            }
            // vCenter and vcsim ids are hex, dashes and the like.
            Api::Vapi => {
                !value.is_empty() && value.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
            }
        };
        Ok(well_formed.then(|| value.to_owned()))
    }

    /// Writes `cookie`, replacing the file at once (a new file, mode 0600,
    /// renamed over the old), in a folder created 0700 if missing.
    pub fn save(&self, cookie: &str) -> Result<(), SessionFileError> {
        let dir = self.path.parent().ok_or_else(|| self.err("no parent folder"))?;
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(dir).map_err(|e| self.err(format!("cannot create the folder: {e}")))?;

        let tmp = self.path.with_extension(format!("tmp{}", std::process::id()));
        let mut open = std::fs::OpenOptions::new();
        open.write(true).create(true).truncate(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut open, 0o600);
        let written = open.open(&tmp).and_then(|mut f| {
            // The mode above only applies to a file that did not exist.
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt as _;
                f.set_permissions(std::fs::Permissions::from_mode(0o600))?;
            }
            f.write_all(cookie.as_bytes())?;
            f.sync_all()
        });
        let result = written.and_then(|()| std::fs::rename(&tmp, &self.path));
        if result.is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
        result.map_err(|e| self.err(e))
    }
}

/// Hex SHA-256 of the URL and the user.
fn name(url: &Url, user: &str) -> String {
    let mut h = sha2::Sha256::new();
    h.update(url.as_str().as_bytes());
    h.update([0u8]);
    h.update(user.as_bytes());
    h.finalize().iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    const COOKIE: &str = "vmware_soap_session=\"52a1-77\"";

    #[test]
    fn one_file_per_server_and_user() {
        let dir = Path::new("/x");
        let a = SessionFile::new(dir, &url("https://vc1/sdk"), "admin");
        assert_eq!(a.path(), SessionFile::new(dir, &url("https://vc1/sdk"), "admin").path());
        assert_ne!(a.path(), SessionFile::new(dir, &url("https://vc2/sdk"), "admin").path());
        assert_ne!(a.path(), SessionFile::new(dir, &url("https://vc1/sdk"), "other").path());
        let name = a.path().file_name().unwrap().to_string_lossy().into_owned();
        assert!(!name.contains("vc1") && !name.contains("admin"), "{name}");
    }

    #[test]
    fn saves_privately_and_loads_back() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("sessions");
        let f = SessionFile::new(&dir, &url("https://vc/sdk"), "u");
        assert_eq!(f.load().unwrap(), None);
        f.save(COOKIE).unwrap();
        assert_eq!(f.load().unwrap().as_deref(), Some(COOKIE));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            assert_eq!(std::fs::metadata(f.path()).unwrap().permissions().mode() & 0o777, 0o600);
            assert_eq!(std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777, 0o700);
        }
        f.save("vmware_soap_session=other").unwrap();
        assert_eq!(f.load().unwrap().as_deref(), Some("vmware_soap_session=other"));
    }

    #[cfg(unix)]
    #[test]
    fn a_file_others_can_read_is_refused_then_replaced() {
        use std::os::unix::fs::PermissionsExt as _;
        let tmp = tempfile::tempdir().unwrap();
        let f = SessionFile::new(tmp.path(), &url("https://vc/sdk"), "u");
        std::fs::write(f.path(), COOKIE).unwrap();
        std::fs::set_permissions(f.path(), std::fs::Permissions::from_mode(0o644)).unwrap();
        let e = f.load().unwrap_err();
        assert!(matches!(e, SessionFileError::TooOpen { mode: 0o644, .. }), "{e:?}");
        assert!(e.to_string().contains("other users"), "{e}");
        f.save(COOKIE).unwrap();
        assert_eq!(f.load().unwrap().as_deref(), Some(COOKIE));
    }

    #[test]
    fn garbage_is_no_cookie() {
        let tmp = tempfile::tempdir().unwrap();
        let f = SessionFile::new(tmp.path(), &url("https://vc/sdk"), "u");
        for junk in ["", "hello", "vmware_soap_session=", "other=1", "vmware_soap_session=a\nx"] {
            f.save(junk).unwrap();
            assert_eq!(f.load().unwrap(), None, "{junk:?}");
        }
        let v = SessionFile::vapi(tmp.path(), &url("https://vc/sdk"), "u");
        assert_ne!(v.path(), f.path());
        for junk in ["", "a b", "id;x", "a\nb", "vmware_soap_session=x"] {
            v.save(junk).unwrap();
            assert_eq!(v.load().unwrap(), None, "{junk:?}");
        }
        v.save("5d1c2f0e-77aa-4b2e-9c3f-0a1b2c3d4e5f").unwrap();
        assert_eq!(v.load().unwrap().as_deref(), Some("5d1c2f0e-77aa-4b2e-9c3f-0a1b2c3d4e5f"));
    }
}
