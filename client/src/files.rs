//! Files on disk: data files to contribute (hashed as the registry expects) and atomic writes.

use crate::ClientError;
use alloy::primitives::{keccak256, B256};
use std::path::{Path, PathBuf};

/// A file to contribute: where it is and keccak256 of its bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DataFile {
    pub path: PathBuf,
    pub content_hash: B256,
}

/// Expands files and folders (recursively, skipping hidden entries) into a sorted, de-duplicated
/// list of files, hashed.
pub fn collect(paths: &[PathBuf]) -> Result<Vec<DataFile>, ClientError> {
    let mut files = Vec::new();
    for path in paths {
        let meta = std::fs::metadata(path).map_err(|e| ClientError::file(path, e))?;
        if meta.is_dir() {
            walk(path, &mut files)?;
        } else {
            files.push(path.clone());
        }
    }
    files.sort();
    files.dedup();
    files
        .into_iter()
        .map(|path| {
            let bytes = std::fs::read(&path).map_err(|e| ClientError::file(&path, e))?;
            Ok(DataFile {
                content_hash: keccak256(&bytes),
                path,
            })
        })
        .collect()
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), ClientError> {
    for entry in std::fs::read_dir(dir).map_err(|e| ClientError::file(dir, e))? {
        let entry = entry.map_err(|e| ClientError::file(dir, e))?;
        let path = entry.path();
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        if path.is_dir() {
            walk(&path, out)?;
        } else {
            out.push(path);
        }
    }
    Ok(())
}

/// Writes `bytes` to a temporary name beside `path`, then renames it: a crash never leaves half a
/// file.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), ClientError> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    std::fs::write(&tmp, bytes).map_err(|e| ClientError::file(&tmp, e))?;
    std::fs::rename(&tmp, path).map_err(|e| ClientError::file(path, e))
}
