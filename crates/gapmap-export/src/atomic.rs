//! Write-then-rename, so a reader never sees a half-written file and an interrupted run leaves
//! the previous file in place.

use std::io::{BufWriter, Write};
use std::path::Path;
#[cfg(feature = "gdal")]
use std::path::PathBuf;

use crate::ExportError;

/// Writes `path` through `write`, to a temporary file in the same folder renamed on success.
pub fn write_atomic(
    path: &Path,
    write: impl FnOnce(&mut dyn Write) -> std::io::Result<()>,
) -> Result<(), ExportError> {
    let io = |source| ExportError::Io {
        path: path.to_owned(),
        source,
    };
    let parent = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(io)?;
    let mut builder = tempfile::Builder::new();
    builder.prefix(".gapmap-").suffix(".tmp");
    // A temporary file is private (0600) by default; the output is for publishing, so it gets
    // the usual 0644 (less the umask), like any file a program writes.
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o644));
    let temporary = builder.tempfile_in(parent).map_err(io)?;
    {
        let mut writer = BufWriter::new(temporary.as_file());
        write(&mut writer).map_err(io)?;
        writer.flush().map_err(io)?;
    }
    temporary.as_file().sync_all().map_err(io)?;
    temporary.persist(path).map_err(|e| io(e.error))?;
    Ok(())
}

/// A temporary path beside `path` with the same extension (for writers that write by path, as
/// GDAL does), removed on drop unless renamed into place with [`TempPath::commit`].
#[cfg(feature = "gdal")]
pub(crate) struct TempPath {
    temporary: PathBuf,
    target: PathBuf,
    committed: bool,
}

#[cfg(feature = "gdal")]
impl TempPath {
    pub(crate) fn beside(target: &Path) -> Result<Self, ExportError> {
        let parent = target
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(parent).map_err(|source| ExportError::Io {
            path: target.to_owned(),
            source,
        })?;
        let name = target
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or("output");
        let temporary = parent.join(format!(".gapmap-{}-{name}", std::process::id()));
        Ok(Self {
            temporary,
            target: target.to_owned(),
            committed: false,
        })
    }

    pub(crate) fn path(&self) -> &Path {
        &self.temporary
    }

    pub(crate) fn commit(mut self) -> Result<(), ExportError> {
        std::fs::rename(&self.temporary, &self.target).map_err(|source| ExportError::Io {
            path: self.target.clone(),
            source,
        })?;
        self.committed = true;
        Ok(())
    }
}

#[cfg(feature = "gdal")]
impl Drop for TempPath {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_file(&self.temporary);
        }
    }
}

#[cfg(test)]
mod tests {
    #[cfg(unix)]
    #[test]
    fn outputs_are_readable_by_others_like_any_published_file() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("a.csv");
        super::write_atomic(&path, |out| out.write_all(b"x")).expect("write");
        let mode = std::fs::metadata(&path)
            .expect("metadata")
            .permissions()
            .mode();
        assert_eq!(mode & 0o044, 0o044, "group and others can read: {mode:o}");
    }

    use super::*;

    #[test]
    fn a_failed_write_leaves_the_previous_file_and_no_temporary() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("layer.csv");
        write_atomic(&path, |w| w.write_all(b"first")).expect("first write");
        let failed = write_atomic(&path, |w| {
            w.write_all(b"half")?;
            Err(std::io::Error::other("disk full"))
        });
        assert!(failed.is_err());
        assert_eq!(std::fs::read_to_string(&path).expect("read"), "first");
        let leftovers = std::fs::read_dir(dir.path()).expect("list").count();
        assert_eq!(leftovers, 1, "no temporary file is left behind");
    }
}
