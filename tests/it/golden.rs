//! Golden outputs: the default run on the shipped `input/` (Ruse) checked
//! against the expected files committed under `tests/golden/ruse/` — every
//! CSV, `run.json`, and the cells (values and formulas) of every sheet of
//! the report and of every feedback workbook, read back with calamine.
//!
//! A golden file changes only in a commit that says why. To write them
//! anew after an intended change: `SOCMON_BLESS=1 cargo test --test it golden`,
//! then read the diff before committing it.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use calamine::{Data, Reader, Xlsx, open_workbook};

use super::support::socmon;

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn golden_dir() -> PathBuf {
    manifest_dir().join("tests/golden/ruse")
}

fn blessing() -> bool {
    std::env::var_os("SOCMON_BLESS").is_some_and(|v| !v.is_empty() && v != "0")
}

/// One cell as the golden text shows it: its A1 place, its value with
/// the value's kind, and its formula when it has one.
fn cell_line(out: &mut String, row: u32, col: u32, value: &Data, formula: Option<&str>) {
    let place = a1(row, col);
    let shown = match value {
        Data::Empty => "empty".to_string(),
        Data::String(s) => format!("s {s:?}"),
        Data::Float(f) => format!("n {f:?}"),
        Data::Int(i) => format!("i {i}"),
        Data::Bool(b) => format!("b {b}"),
        Data::DateTime(d) => format!("d {}", d.as_f64()),
        Data::DateTimeIso(s) => format!("di {s}"),
        Data::DurationIso(s) => format!("du {s}"),
        Data::Error(e) => format!("e {e:?}"),
    };
    match formula {
        Some(f) => writeln!(out, "{place}\t{shown}\t={f}").unwrap(),
        None => writeln!(out, "{place}\t{shown}").unwrap(),
    }
}

fn a1(row: u32, col: u32) -> String {
    let mut letters = String::new();
    let mut c = col + 1;
    while c > 0 {
        let rem = (c - 1) % 26;
        letters.insert(0, (b'A' + rem as u8) as char);
        c = (c - 1) / 26;
    }
    format!("{letters}{}", row + 1)
}

/// Every sheet of a workbook, its cells in row order, as text.
fn workbook_text(path: &Path) -> String {
    let mut book: Xlsx<_> = open_workbook(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut out = String::new();
    for name in book.sheet_names() {
        writeln!(out, "## {name}").unwrap();
        let values = book.worksheet_range(&name).unwrap();
        let formulas: BTreeMap<(u32, u32), String> = match book.worksheet_formula(&name) {
            Ok(range) => {
                let (r0, c0) = range.start().unwrap_or((0, 0));
                range
                    .cells()
                    .filter(|(_, _, f)| !f.is_empty())
                    .map(|(r, c, f)| ((r0 + r as u32, c0 + c as u32), f.clone()))
                    .collect()
            }
            Err(_) => BTreeMap::new(),
        };
        let (r0, c0) = values.start().unwrap_or((0, 0));
        let mut seen = std::collections::BTreeSet::new();
        for (r, c, value) in values.cells() {
            let at = (r0 + r as u32, c0 + c as u32);
            let formula = formulas.get(&at).map(String::as_str);
            if matches!(value, Data::Empty) && formula.is_none() {
                continue;
            }
            seen.insert(at);
            cell_line(&mut out, at.0, at.1, value, formula);
        }
        for (at, formula) in &formulas {
            if !seen.contains(at) {
                cell_line(&mut out, at.0, at.1, &Data::Empty, Some(formula));
            }
        }
    }
    out
}

/// What the run wrote, as (golden file name, text) pairs.
fn outputs(out: &Path) -> BTreeMap<String, String> {
    let mut files = BTreeMap::new();
    files.insert(
        "run.json".to_string(),
        std::fs::read_to_string(out.join("run.json")).unwrap(),
    );
    for entry in std::fs::read_dir(out.join("data")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        files.insert(format!("data/{name}"), std::fs::read_to_string(&path).unwrap());
    }
    files.insert("report.txt".to_string(), workbook_text(&out.join("report.xlsx")));
    for entry in std::fs::read_dir(out.join("feedback")).unwrap() {
        let path = entry.unwrap().path();
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        files.insert(format!("feedback/{stem}.txt"), workbook_text(&path));
    }
    files
}

fn golden_files(dir: &Path) -> BTreeMap<String, String> {
    let mut files = BTreeMap::new();
    for sub in ["", "data", "feedback"] {
        let Ok(entries) = std::fs::read_dir(dir.join(sub)) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_file() {
                let name = path.file_name().unwrap().to_string_lossy().into_owned();
                let key = if sub.is_empty() { name } else { format!("{sub}/{name}") };
                files.insert(key, std::fs::read_to_string(&path).unwrap());
            }
        }
    }
    files
}

/// The first line where two texts part, for a message a person can act on.
fn first_difference(expected: &str, actual: &str) -> String {
    for (i, (e, a)) in expected.lines().zip(actual.lines()).enumerate() {
        if e != a {
            return format!("line {}:\n  expected: {e}\n  actual:   {a}", i + 1);
        }
    }
    format!(
        "lengths differ: expected {} lines, actual {}",
        expected.lines().count(),
        actual.lines().count()
    )
}

#[test]
fn the_default_run_on_the_shipped_sample_gives_the_golden_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let input = manifest_dir().join("input");
    let out = dir.path().join("output");
    let history = dir.path().join("history");
    let run = socmon(
        &[
            "run",
            "--input",
            input.to_str().unwrap(),
            "--output",
            out.to_str().unwrap(),
            "--history",
            history.to_str().unwrap(),
        ],
        dir.path(),
    );
    assert_eq!(run.status.code(), Some(0), "{}", String::from_utf8_lossy(&run.stderr));
    let actual = outputs(&out);
    let golden = golden_dir();
    if blessing() {
        let _ = std::fs::remove_dir_all(&golden);
        for (name, text) in &actual {
            let path = golden.join(name);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, text).unwrap();
        }
        return;
    }
    let expected = golden_files(&golden);
    assert!(
        !expected.is_empty(),
        "no golden files in {}: write them with SOCMON_BLESS=1",
        golden.display()
    );
    let expected_names: Vec<&String> = expected.keys().collect();
    let actual_names: Vec<&String> = actual.keys().collect();
    assert_eq!(
        expected_names, actual_names,
        "the run wrote other files than the golden set"
    );
    let differing: Vec<String> = expected
        .iter()
        .filter(|(name, text)| actual[*name] != **text)
        .map(|(name, text)| format!("{name}: {}", first_difference(text, &actual[name])))
        .collect();
    assert!(
        differing.is_empty(),
        "outputs differ from tests/golden/ruse (SOCMON_BLESS=1 writes them anew):\n{}",
        differing.join("\n")
    );
}
