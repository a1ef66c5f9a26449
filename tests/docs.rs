//! The project's documentation holds together: no file cites the notes that
//! lived outside the repository, every `docs/<page>.md#anchor` cited anywhere
//! names a heading that exists, and every page under `docs/` is reachable
//! from `docs/README.md`.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Component, Path, PathBuf};
use std::process::Command;

mod support;

use support::root;

/// This file names the retired citations in order to look for them.
const THIS_FILE: &str = "tests/docs.rs";

/// Citations a user of the tool cannot follow: files that were never part of
/// the repository.
const RETIRED: [&str; 3] = ["PRODUCTS.md", "BACKENDS.md", "../shared"];

/// The repository's tracked (and not ignored, not yet committed) text files,
/// as paths relative to the root, without this file.
fn text_files() -> Vec<(String, String)> {
    let out = Command::new("git")
        .args([
            "ls-files",
            "--cached",
            "--others",
            "--exclude-standard",
            "-z",
        ])
        .current_dir(root())
        .output()
        .expect("git ls-files runs (the docs tests need a git checkout)");
    assert!(out.status.success(), "git ls-files failed: {out:?}");
    let listing = String::from_utf8(out.stdout).expect("git prints UTF-8 paths");
    let mut files: Vec<(String, String)> = listing
        .split('\0')
        .filter(|p| !p.is_empty() && *p != THIS_FILE)
        .filter_map(|p| {
            // Deleted but still listed, or binary: not text to check.
            let text = fs::read_to_string(root().join(p)).ok()?;
            Some((p.to_owned(), text))
        })
        .collect();
    files.sort();
    files.dedup_by(|a, b| a.0 == b.0);
    files
}

/// GitHub's anchor for a heading: lowercase, letters, digits, `-` and `_`
/// kept, spaces turned into `-`, everything else dropped.
fn github_anchor(heading: &str) -> String {
    heading
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            '-' | '_' => Some(c),
            c if c.is_alphanumeric() => Some(c),
            _ => None,
        })
        .collect()
}

/// The anchors of a Markdown page's headings (outside fenced code), with
/// GitHub's `-1`, `-2` suffixes for repeated headings.
fn anchors(markdown: &str) -> BTreeSet<String> {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    let mut out = BTreeSet::new();
    let mut fenced = false;
    for line in markdown.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced || line.starts_with("    ") {
            continue;
        }
        let level = trimmed.chars().take_while(|&c| c == '#').count();
        if !(1..=6).contains(&level) || !trimmed[level..].starts_with(' ') {
            continue;
        }
        let text = trimmed[level..].trim().trim_end_matches('#');
        let slug = github_anchor(text);
        let n = seen.entry(slug.clone()).or_insert(0);
        out.insert(if *n == 0 {
            slug.clone()
        } else {
            format!("{slug}-{n}")
        });
        *n += 1;
    }
    out
}

/// A citation of a page under `docs/`, optionally with an anchor.
#[derive(Debug)]
struct Citation {
    file: String,
    line: usize,
    page: String,
    anchor: Option<String>,
}

/// Every `docs/<path>.md` or `docs/<path>.md#anchor` in a text, not part of
/// a longer name (`wt-docs/`, `mydocs/`).
fn citations(file: &str, text: &str) -> Vec<Citation> {
    let path_char = |c: char| c.is_ascii_alphanumeric() || "_-./".contains(c);
    let anchor_char = |c: char| c.is_ascii_alphanumeric() || "_-".contains(c);
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let mut rest = line;
        let mut offset = 0;
        while let Some(at) = rest.find("docs/") {
            let start = offset + at;
            let before = line[..start].chars().next_back();
            let tail = &line[start..];
            let path_len = tail.find(|c: char| !path_char(c)).unwrap_or(tail.len());
            let path = tail[..path_len].trim_end_matches('.');
            let standalone = !before.is_some_and(|c| c.is_ascii_alphanumeric() || "_-".contains(c));
            if standalone && path.ends_with(".md") {
                let after = &tail[path.len()..];
                let anchor = after.strip_prefix('#').map(|a| {
                    let len = a.find(|c: char| !anchor_char(c)).unwrap_or(a.len());
                    a[..len].to_owned()
                });
                out.push(Citation {
                    file: file.to_owned(),
                    line: i + 1,
                    page: path.to_owned(),
                    anchor,
                });
            }
            offset = start + "docs/".len();
            rest = &line[offset..];
        }
    }
    out
}

/// The targets of the Markdown links `](target)` of a page.
fn link_targets(markdown: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    for (i, line) in markdown.lines().enumerate() {
        let mut rest = line;
        while let Some(at) = rest.find("](") {
            let tail = &rest[at + 2..];
            let Some(end) = tail.find(')') else { break };
            out.push((i + 1, tail[..end].to_owned()));
            rest = &tail[end..];
        }
    }
    out
}

/// `base/relative`, with `.` and `..` resolved, as a root-relative path.
fn resolve(base: &Path, relative: &str) -> PathBuf {
    let mut out = PathBuf::new();
    for part in base.join(relative).components() {
        match part {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

/// The Markdown pages under `docs/`, root-relative, found on disk.
fn docs_pages() -> Vec<PathBuf> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in fs::read_dir(dir).expect("docs/ is readable") {
            let path = entry.expect("a docs/ entry").path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "md") {
                out.push(path);
            }
        }
    }
    let mut out = Vec::new();
    walk(&root().join("docs"), &mut out);
    let mut pages: Vec<PathBuf> = out
        .into_iter()
        .map(|p| p.strip_prefix(root()).expect("under the root").to_owned())
        .collect();
    pages.sort();
    pages
}

/// Why a cited page and anchor do not resolve, if they do not.
fn check_target(page: &Path, anchor: Option<&str>) -> Option<String> {
    let Ok(text) = fs::read_to_string(root().join(page)) else {
        return Some(format!("{} does not exist", page.display()));
    };
    let anchor = anchor?;
    let known = anchors(&text);
    (!known.contains(anchor)).then(|| {
        format!(
            "{} has no heading with anchor #{anchor} (its anchors: {})",
            page.display(),
            known.into_iter().collect::<Vec<_>>().join(", ")
        )
    })
}

#[test]
fn github_anchor_drops_punctuation_and_joins_words_with_hyphens() {
    assert_eq!(
        github_anchor("Agent experience after the 11.5 upgrade"),
        "agent-experience-after-the-115-upgrade"
    );
    assert_eq!(
        github_anchor("Versions as a server (inbound)"),
        "versions-as-a-server-inbound"
    );
    assert_eq!(
        github_anchor("Alerts for a TLS 1.0-only hello"),
        "alerts-for-a-tls-10-only-hello"
    );
    let page = "# T\n## Same\n```\n## not a heading\n```\n## Same\n";
    let found: Vec<String> = anchors(page).into_iter().collect();
    assert_eq!(found, ["same", "same-1", "t"]);
}

#[test]
fn no_file_cites_the_notes_that_live_outside_the_repository() {
    let mut found = Vec::new();
    for (file, text) in text_files() {
        for (i, line) in text.lines().enumerate() {
            for retired in RETIRED {
                if line.contains(retired) {
                    found.push(format!(
                        "{file}:{}: cites {retired}: {}",
                        i + 1,
                        line.trim()
                    ));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "{} citation(s) of files outside the repository; cite a docs/ page instead:\n{}",
        found.len(),
        found.join("\n")
    );
}

#[test]
fn every_docs_citation_names_a_page_and_heading_that_exist() {
    let mut broken = Vec::new();
    let mut checked = 0;
    for (file, text) in text_files() {
        for c in citations(&file, &text) {
            checked += 1;
            if let Some(why) = check_target(Path::new(&c.page), c.anchor.as_deref()) {
                broken.push(format!("{}:{}: {}", c.file, c.line, why));
            }
        }
    }
    assert!(
        checked > 100,
        "only {checked} docs/ citations found: is the scan broken?"
    );
    assert!(
        broken.is_empty(),
        "{} broken docs/ citation(s):\n{}",
        broken.len(),
        broken.join("\n")
    );
}

#[test]
fn links_between_docs_pages_resolve() {
    let mut broken = Vec::new();
    for page in docs_pages() {
        let text = fs::read_to_string(root().join(&page)).expect("a docs page");
        let dir = page.parent().expect("a page has a directory");
        for (line, target) in link_targets(&text) {
            if target.contains("://") || target.starts_with("mailto:") {
                continue;
            }
            let (path, anchor) = match target.split_once('#') {
                Some((path, anchor)) => (path, Some(anchor)),
                None => (target.as_str(), None),
            };
            let file = if path.is_empty() {
                page.clone()
            } else {
                resolve(dir, path)
            };
            if file.extension().is_none_or(|e| e != "md") {
                if !root().join(&file).exists() {
                    broken.push(format!(
                        "{}:{line}: {} does not exist",
                        page.display(),
                        file.display()
                    ));
                }
                continue;
            }
            if let Some(why) = check_target(&file, anchor) {
                broken.push(format!("{}:{line}: {why}", page.display()));
            }
        }
    }
    assert!(
        broken.is_empty(),
        "{} broken link(s) in docs/:\n{}",
        broken.len(),
        broken.join("\n")
    );
}

#[test]
fn every_docs_page_is_linked_from_the_docs_index() {
    let index = Path::new("docs/README.md");
    let text = fs::read_to_string(root().join(index)).expect("docs/README.md exists");
    let linked: BTreeSet<PathBuf> = link_targets(&text)
        .into_iter()
        .map(|(_, target)| {
            let path = target.split('#').next().unwrap_or_default().to_owned();
            resolve(Path::new("docs"), &path)
        })
        .collect();
    let missing: Vec<String> = docs_pages()
        .into_iter()
        .filter(|page| page != index && !linked.contains(page))
        .map(|page| page.display().to_string())
        .collect();
    assert!(
        missing.is_empty(),
        "pages under docs/ that docs/README.md does not link: {}",
        missing.join(", ")
    );
}
