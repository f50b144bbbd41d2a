//! Finds the returns: takes the input folder and gives every file below it in
//! a deterministic order (paths sorted byte-wise, folders before their
//! contents), skipping hidden files and folders and Office lock files
//! (`~$name.xlsx`), and never following a directory link into a loop.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

/// A file found in the input folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundFile {
    pub path: PathBuf,
    /// Relative to the input folder, with "/" between parts.
    pub relative: String,
    /// When the file was last written, as the walk found it (`None` when
    /// the system cannot tell): a received date of last resort.
    pub modified: Option<std::time::SystemTime>,
}

/// A directory link that was not followed, because it leads to a folder
/// already walked (a loop) or nowhere.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedLink {
    pub relative: String,
    pub reason: LinkProblem,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LinkProblem {
    /// It points to a folder already walked (itself or one above it).
    Loop,
    /// It points to nothing that can be read.
    Broken,
}

/// What the walk found.
#[derive(Debug, Default)]
pub struct Walk {
    pub files: Vec<FoundFile>,
    pub skipped_links: Vec<SkippedLink>,
}

fn is_hidden_or_lock(name: &str) -> bool {
    name.starts_with('.') || name.starts_with("~$")
}

/// Walks `root` recursively.
///
/// Errors: [`Error::Input`] when `root` itself cannot be read; folders below
/// it that cannot be read are reported as broken links or skipped.
pub fn walk(root: &Path) -> Result<Walk> {
    let canonical_root = std::fs::canonicalize(root).map_err(|source| Error::Input {
        path: root.to_path_buf(),
        source,
    })?;
    if !canonical_root.is_dir() {
        return Err(Error::Input {
            path: root.to_path_buf(),
            source: std::io::Error::new(std::io::ErrorKind::NotADirectory, "not a folder"),
        });
    }
    let mut visited = HashSet::new();
    visited.insert(canonical_root.clone());
    let mut found = Walk::default();
    walk_dir(root, "", &mut visited, &mut found)?;
    Ok(found)
}

fn walk_dir(dir: &Path, prefix: &str, visited: &mut HashSet<PathBuf>, found: &mut Walk) -> Result<()> {
    let entries = std::fs::read_dir(dir).map_err(|source| Error::Input {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut names: Vec<(String, std::fs::DirEntry)> = entries
        .filter_map(|entry| entry.ok())
        .map(|entry| (entry.file_name().to_string_lossy().into_owned(), entry))
        .filter(|(name, _)| !is_hidden_or_lock(name))
        .collect();
    names.sort_by(|a, b| a.0.cmp(&b.0));
    for (name, entry) in names {
        let path = entry.path();
        let relative = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}/{name}")
        };
        // The entry's type comes with the folder's listing; only a link is
        // looked up twice (itself, then what it points to).
        let link = entry.file_type().map(|t| t.is_symlink()).unwrap_or(false);
        let metadata = if link {
            std::fs::metadata(&path)
        } else {
            entry.metadata()
        };
        let Ok(metadata) = metadata else {
            if link {
                found.skipped_links.push(SkippedLink {
                    relative,
                    reason: LinkProblem::Broken,
                });
            } else {
                found.files.push(FoundFile {
                    path,
                    relative,
                    modified: None,
                });
            }
            continue;
        };
        if metadata.is_dir() {
            let Ok(canonical) = std::fs::canonicalize(&path) else {
                found.skipped_links.push(SkippedLink {
                    relative,
                    reason: LinkProblem::Broken,
                });
                continue;
            };
            if !visited.insert(canonical) {
                found.skipped_links.push(SkippedLink {
                    relative,
                    reason: LinkProblem::Loop,
                });
                continue;
            }
            if walk_dir(&path, &relative, visited, found).is_err() {
                found.skipped_links.push(SkippedLink {
                    relative,
                    reason: LinkProblem::Broken,
                });
            }
        } else if metadata.is_file() {
            found.files.push(FoundFile {
                path,
                relative,
                modified: metadata.modified().ok(),
            });
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walks_sorted_skipping_hidden_and_lock_files() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("Русе/деца")).unwrap();
        std::fs::create_dir_all(root.join(".git")).unwrap();
        for name in [
            "b.xlsx",
            "a.xlsx",
            "~$a.xlsx",
            ".hidden.xlsx",
            "Русе/карта.xls",
            "Русе/деца/цоп.ods",
            ".git/x.xlsx",
        ] {
            std::fs::write(root.join(name), b"x").unwrap();
        }
        let found = walk(root).unwrap();
        let names: Vec<&str> = found.files.iter().map(|f| f.relative.as_str()).collect();
        assert_eq!(names, ["a.xlsx", "b.xlsx", "Русе/деца/цоп.ods", "Русе/карта.xls"]);
    }

    #[cfg(unix)]
    #[test]
    fn a_link_back_up_the_tree_is_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("sub")).unwrap();
        std::fs::write(root.join("sub/a.xlsx"), b"x").unwrap();
        std::os::unix::fs::symlink(root, root.join("sub/loop")).unwrap();
        std::os::unix::fs::symlink(root.join("nowhere"), root.join("broken")).unwrap();
        let found = walk(root).unwrap();
        assert_eq!(found.files.len(), 1);
        assert_eq!(
            found.skipped_links,
            [
                SkippedLink {
                    relative: "broken".into(),
                    reason: LinkProblem::Broken
                },
                SkippedLink {
                    relative: "sub/loop".into(),
                    reason: LinkProblem::Loop
                },
            ]
        );
    }
}
