//! `bundle --archive`: the bundle's directory as one `.tar.gz`, written with
//! the `tar` and `flate2` crates (the maintained pure-Rust pair).

use std::fs::File;
use std::path::Path;

use flate2::write::GzEncoder;
use flate2::Compression;

use crate::capture::CaptureError;

/// Writes `dir` and everything under it to `archive` as a gzipped tar, its
/// entries under `prefix/` (the directory's name, so it unpacks to one
/// directory as `tar xzf` users expect).
pub fn write_archive(dir: &Path, prefix: &str, archive: &Path) -> Result<(), CaptureError> {
    let error = |source| CaptureError {
        path: archive.to_path_buf(),
        source,
    };
    let out = File::create(archive).map_err(error)?;
    let mut tar = tar::Builder::new(GzEncoder::new(out, Compression::default()));
    tar.mode(tar::HeaderMode::Deterministic);
    tar.follow_symlinks(false);
    tar.append_dir_all(prefix, dir).map_err(error)?;
    let gz = tar.into_inner().map_err(error)?;
    gz.finish().map_err(error)?;
    Ok(())
}
