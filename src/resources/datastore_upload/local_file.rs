//! The size and sha256 of a local file, read in fixed-size pieces on a
//! blocking thread: plan time knows the content of what apply will upload,
//! and memory stays flat whatever the file's size.
use std::io::Read;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

/// Bytes read per step.
const BUF: usize = 1024 * 1024;

/// What a local file holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalDigest {
    pub size: u64,
    /// Lower-case hex.
    pub sha256: String,
}

#[derive(Debug, thiserror::Error)]
pub enum LocalFileError {
    #[error("cannot read {path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} is not a regular file (a named pipe, device or directory cannot be uploaded)")]
    NotAFile { path: String },
    #[error("hashing {path} was interrupted")]
    Interrupted { path: String },
}

/// Hashes `path` without blocking the async runtime.
pub async fn digest(path: &Path) -> Result<LocalDigest, LocalFileError> {
    let owned: PathBuf = path.to_owned();
    tokio::task::spawn_blocking(move || digest_blocking(&owned))
        .await
        .unwrap_or_else(|_| Err(LocalFileError::Interrupted { path: path.display().to_string() }))
}

fn digest_blocking(path: &Path) -> Result<LocalDigest, LocalFileError> {
    let io = |source| LocalFileError::Io { path: path.display().to_string(), source };
    // Looked at before opening: opening a FIFO blocks until a writer comes.
    if !std::fs::metadata(path).map_err(io)?.is_file() {
        return Err(LocalFileError::NotAFile { path: path.display().to_string() });
    }
    let mut file = crate::local_file::open_regular(path).map_err(io)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; BUF];
    let mut size: u64 = 0;
    loop {
        let n = match file.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(io(e)),
        };
        hasher.update(buf.get(..n).unwrap_or_default());
        size += n as u64;
    }
    Ok(LocalDigest { size, sha256: format!("{:x}", hasher.finalize()) })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_files_of_any_size_and_explains_failures() {
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("empty");
        std::fs::write(&empty, b"").unwrap();
        let d = digest(&empty).await.unwrap();
        assert_eq!(d.size, 0);
        assert_eq!(d.sha256, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");

        let abc = dir.path().join("abc");
        std::fs::write(&abc, b"abc").unwrap();
        let d = digest(&abc).await.unwrap();
        assert_eq!(
            (d.size, d.sha256.as_str()),
            (3, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        );

        // Several buffers' worth, not a multiple of the buffer.
        let big = dir.path().join("big");
        let data: Vec<u8> = (0..(2 * BUF + 17)).map(|i| (i % 253) as u8).collect();
        std::fs::write(&big, &data).unwrap();
        let d = digest(&big).await.unwrap();
        assert_eq!(d.size, data.len() as u64);
        assert_eq!(d.sha256, format!("{:x}", Sha256::digest(&data)));

        let e = digest(&dir.path().join("nope.iso")).await.unwrap_err();
        assert!(matches!(e, LocalFileError::Io { .. }) && e.to_string().contains("nope.iso"), "{e}");
        let e = digest(dir.path()).await.unwrap_err();
        assert!(matches!(e, LocalFileError::NotAFile { .. }), "{e}");
    }
}
