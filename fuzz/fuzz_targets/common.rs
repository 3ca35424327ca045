//! Shared by the targets: the parsers read files, so each input is written to a file in a
//! per-process scratch folder first (the same code path a user's file takes).

use std::path::PathBuf;
use std::sync::OnceLock;

static SCRATCH: OnceLock<tempfile::TempDir> = OnceLock::new();

/// Writes `bytes` to `name` in the scratch folder and returns its path.
pub fn file(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = SCRATCH.get_or_init(|| tempfile::tempdir().expect("scratch folder"));
    let path = dir.path().join(name);
    std::fs::write(&path, bytes).expect("scratch write");
    path
}

/// Splits an input in two at a length given by its first two bytes (for two-file formats).
pub fn split(data: &[u8]) -> (&[u8], &[u8]) {
    if data.len() < 2 {
        return (data, &[]);
    }
    let at = usize::from(u16::from_le_bytes([data[0], data[1]])).min(data.len() - 2);
    data[2..].split_at(at)
}
