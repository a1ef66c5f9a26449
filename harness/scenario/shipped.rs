//! The catalog and scenario files shipped with the source, built into the
//! binary (by `build.rs`) so that it works from any directory.

mod generated {
    include!(concat!(env!("OUT_DIR"), "/shipped.rs"));
}

/// The directory of the shipped catalog, relative to the package.
pub const CATALOG_DIR: &str = "scenarios/catalog/";

/// The shipped catalog's files: (path under the package, contents).
pub fn catalog() -> impl Iterator<Item = (&'static str, &'static str)> {
    generated::FILES
        .iter()
        .copied()
        .filter(|(path, _)| path.starts_with(CATALOG_DIR))
}

/// The shipped scenario files (everything under `scenarios/` but the
/// catalog): (path under the package, contents).
pub fn scenario_files() -> impl Iterator<Item = (&'static str, &'static str)> {
    generated::FILES
        .iter()
        .copied()
        .filter(|(path, _)| !path.starts_with(CATALOG_DIR))
}
