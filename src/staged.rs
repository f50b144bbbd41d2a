//! A staged swap: takes a live folder (the output folder, the history) and
//! the new entries written beside it, and puts them in place all at once —
//! written first to a staging folder inside the live one, then each previous
//! entry moved aside, the new one moved in, and the previous ones removed.
//! A failure before the swap leaves the live folder as it was; one during it
//! puts the previous entries back; what a crash in the middle of a swap left
//! behind is undone by [`recover`], the next time the folder is used. Runs
//! into the same folder at the same time are not supported.

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};
use crate::paths::{PREVIOUS_PREFIX, REMOVED_PREFIX, STAGING_PREFIX};

/// Makes the error of a path that cannot be written or moved (an
/// [`Error::Output`] for the report, an [`Error::History`] for the history).
pub type Fail = fn(&Path, String) -> Error;

/// New entries staged inside a live folder, waiting to be swapped in.
/// Dropping it without [`StagedDir::commit`] discards the staging.
#[derive(Debug)]
pub struct StagedDir {
    live: PathBuf,
    staging: PathBuf,
    /// Paths relative to both folders that the swap replaces.
    entries: Vec<PathBuf>,
    fail: Fail,
    done: bool,
}

/// Removes a folder, or nothing when it is not there.
pub fn remove_dir(path: &Path, fail: Fail) -> Result<()> {
    match std::fs::remove_dir_all(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        Err(e) => Err(fail(path, e.to_string())),
    }
}

/// Moves `from` to `to`.
pub fn rename(from: &Path, to: &Path, fail: Fail) -> Result<()> {
    std::fs::rename(from, to).map_err(|e| fail(to, format!("cannot move {} here: {e}", from.display())))
}

/// The folders inside `dir`, by name (none when `dir` does not exist).
pub fn subfolders(dir: &Path, fail: Fail) -> Result<Vec<(String, PathBuf)>> {
    entries(dir, fail).map(|found| found.into_iter().filter(|(_, path)| path.is_dir()).collect())
}

fn entries(dir: &Path, fail: Fail) -> Result<Vec<(String, PathBuf)>> {
    let read = match std::fs::read_dir(dir) {
        Ok(read) => read,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(fail(dir, e.to_string())),
    };
    let mut found: Vec<(String, PathBuf)> = read
        .filter_map(|e| e.ok())
        .map(|e| (e.file_name().to_string_lossy().into_owned(), e.path()))
        .collect();
    found.sort();
    Ok(found)
}

/// Undoes what a swap that a crash (or a power cut) cut short left in
/// `live`: an entry it had moved aside and not yet replaced is put back,
/// and its staging (and a removal's leftover) is removed. The swapped
/// entries lie `depth` folders deep (1: `report.xlsx`; 2: `oblast=…/period=…`).
///
/// Errors: `fail` naming a leftover that cannot be moved or removed.
pub fn recover(live: &Path, depth: usize, fail: Fail) -> Result<()> {
    for (name, path) in subfolders(live, fail)? {
        if name.starts_with(PREVIOUS_PREFIX) {
            put_back(&path, live, Path::new(""), depth, fail)?;
            remove_dir(&path, fail)?;
        } else if name.starts_with(STAGING_PREFIX) || name.starts_with(REMOVED_PREFIX) {
            remove_dir(&path, fail)?;
        }
    }
    Ok(())
}

/// Puts each entry `depth` deep below `aside` back into `live` where the
/// live one is missing.
fn put_back(aside: &Path, live: &Path, relative: &Path, depth: usize, fail: Fail) -> Result<()> {
    for (name, path) in entries(&aside.join(relative), fail)? {
        let entry = relative.join(name);
        if depth > 1 {
            if path.is_dir() {
                put_back(aside, live, &entry, depth - 1, fail)?;
            }
            continue;
        }
        let target = live.join(&entry);
        if !target.exists() {
            if let Some(parent) = target.parent() {
                std::fs::create_dir_all(parent).map_err(|e| fail(parent, e.to_string()))?;
            }
            rename(&path, &target, fail)?;
        }
    }
    Ok(())
}

impl StagedDir {
    /// An empty staging folder inside `live` (created when missing). Call
    /// [`recover`] first when the folder may hold a crashed run's leftovers.
    ///
    /// Errors: `fail` when the staging folder cannot be made.
    pub fn begin(live: &Path, fail: Fail) -> Result<StagedDir> {
        let staging = live.join(format!("{STAGING_PREFIX}{}", std::process::id()));
        remove_dir(&staging, fail)?;
        std::fs::create_dir_all(&staging).map_err(|e| fail(&staging, e.to_string()))?;
        Ok(StagedDir {
            live: live.to_path_buf(),
            staging,
            entries: Vec::new(),
            fail,
            done: false,
        })
    }

    /// The staging folder, where the new entries are written.
    pub fn path(&self) -> &Path {
        &self.staging
    }

    /// An entry the swap replaces; when it was not staged, the live one is
    /// removed (a stale output that this run does not write).
    pub fn replace(&mut self, relative: impl Into<PathBuf>) {
        self.entries.push(relative.into());
    }

    /// Swaps every entry in: the live one (if any) aside, the staged one
    /// in. On a failure the entries already swapped get their previous
    /// copies back.
    ///
    /// Errors: `fail` naming what could not be moved; the live folder is
    /// then as it was.
    pub fn commit(mut self) -> Result<()> {
        let fail = self.fail;
        let previous = self.live.join(format!("{PREVIOUS_PREFIX}{}", std::process::id()));
        remove_dir(&previous, fail)?;
        let mut swapped: Vec<(&PathBuf, bool)> = Vec::new();
        let mut outcome = Ok(());
        for relative in &self.entries {
            match self.swap(relative, &previous) {
                Ok(had) => swapped.push((relative, had)),
                Err(e) => {
                    outcome = Err(e);
                    break;
                }
            }
        }
        if outcome.is_err() {
            // Put back what was there before.
            for (relative, had) in swapped.iter().rev() {
                let live = self.live.join(relative);
                let _ = if live.is_dir() {
                    std::fs::remove_dir_all(&live)
                } else {
                    std::fs::remove_file(&live)
                };
                if *had {
                    let _ = std::fs::rename(previous.join(relative), &live);
                }
            }
        }
        let _ = std::fs::remove_dir_all(&previous);
        let _ = std::fs::remove_dir_all(&self.staging);
        self.done = true;
        outcome
    }

    /// One entry: the live one aside, the staged one in; whether there was a
    /// live one. A failure to move the new one in puts the live one back.
    fn swap(&self, relative: &Path, previous: &Path) -> Result<bool> {
        let fail = self.fail;
        let live = self.live.join(relative);
        let aside = previous.join(relative);
        let staged = self.staging.join(relative);
        let had = live.exists();
        if had {
            if let Some(parent) = aside.parent() {
                std::fs::create_dir_all(parent).map_err(|e| fail(parent, e.to_string()))?;
            }
            rename(&live, &aside, fail)?;
        }
        if staged.exists() {
            let moved_in = match live.parent() {
                Some(parent) => std::fs::create_dir_all(parent).map_err(|e| fail(parent, e.to_string())),
                None => Ok(()),
            }
            .and_then(|()| rename(&staged, &live, fail));
            if let Err(e) = moved_in {
                if had {
                    let _ = std::fs::rename(&aside, &live);
                }
                return Err(e);
            }
        }
        Ok(had)
    }
}

impl Drop for StagedDir {
    fn drop(&mut self) {
        if !self.done {
            let _ = std::fs::remove_dir_all(&self.staging);
        }
    }
}
