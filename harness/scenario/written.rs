//! The tables of profiles, CAs and scenarios exactly as their files wrote
//! them, kept beside the resolved types so that a repro bundle can write a
//! scenario back with everything it uses inlined, without a serialiser of
//! every resolved field: what goes out is what came in, and loads the same.

use std::collections::BTreeMap;
use std::sync::Arc;

/// Tables as written, by id.
#[derive(Clone, Debug, Default)]
pub struct Written {
    /// `[profile.ID]` tables.
    pub profiles: BTreeMap<String, Arc<toml::Table>>,
    /// `[ca.ID]` tables.
    pub cas: BTreeMap<String, Arc<toml::Table>>,
    /// `[[scenario]]` tables, by their `id`.
    pub scenarios: BTreeMap<String, Arc<toml::Table>>,
}

impl Written {
    /// The tables of one file's `text`; keys that are not tables (a file
    /// serde refused would never get here) are left out.
    pub(in crate::scenario) fn of(text: &str) -> Written {
        let Ok(file) = text.parse::<toml::Table>() else {
            return Written::default();
        };
        Written {
            profiles: by_key(file.get("profile")),
            cas: by_key(file.get("ca")),
            scenarios: by_id(file.get("scenario")),
        }
    }

    /// Adds `other`'s tables, replacing those of the same id (a scenario
    /// file's profile replaces the catalog's).
    pub(in crate::scenario) fn extend(&mut self, other: Written) {
        self.profiles.extend(other.profiles);
        self.cas.extend(other.cas);
        self.scenarios.extend(other.scenarios);
    }
}

fn by_key(value: Option<&toml::Value>) -> BTreeMap<String, Arc<toml::Table>> {
    value
        .and_then(toml::Value::as_table)
        .into_iter()
        .flatten()
        .filter_map(|(id, v)| Some((id.clone(), Arc::new(v.as_table()?.clone()))))
        .collect()
}

fn by_id(value: Option<&toml::Value>) -> BTreeMap<String, Arc<toml::Table>> {
    value
        .and_then(toml::Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|v| {
            let table = v.as_table()?;
            let id = table.get("id")?.as_str()?.to_string();
            Some((id, Arc::new(table.clone())))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_each_table_as_written_and_later_files_replace_earlier_ones() {
        let mut catalog =
            Written::of("[ca.a]\nsubject = \"A\"\n[profile.p]\nrole = \"server\"\nhost = \"x\"\n");
        let file = Written::of(
            "[profile.p]\nrole = \"client\"\n[[scenario]]\nid = \"s\"\nclient = \"p\"\n",
        );
        catalog.extend(file);
        assert_eq!(catalog.cas["a"]["subject"].as_str(), Some("A"));
        assert_eq!(catalog.profiles["p"]["role"].as_str(), Some("client"));
        assert!(!catalog.profiles["p"].contains_key("host"));
        assert_eq!(catalog.scenarios["s"]["client"].as_str(), Some("p"));
    }
}
