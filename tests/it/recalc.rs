//! The report as a spreadsheet computes it: LibreOffice (headless) opens
//! the report socmon wrote with recalculation on load forced and saves it
//! again, and every formula's recalculated result must equal the value
//! socmon cached for readers that do not calculate — on the shipped Ruse
//! sample and on a national sample (subtotals per oblast, municipalities
//! that sent nothing).
//!
//! Needs `soffice` (Debian: `libreoffice-calc-nogui`, which `.ci/run`
//! installs). Without it the tests say so and pass, except under CI
//! (`CI` set to anything but `false`/`0`), where a missing LibreOffice
//! fails them: the check must never be skipped silently there.

use std::path::{Path, PathBuf};
use std::process::Command;

use calamine::{Data, Reader, Xlsx, open_workbook};

/// `soffice` on the PATH, or None (a panic under CI).
fn soffice() -> Option<PathBuf> {
    let found = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|dir| dir.join("soffice"))
            .find(|path| path.is_file())
    });
    let in_ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0");
    match found {
        Some(path) => Some(path),
        None if in_ci => panic!(
            "LibreOffice (soffice) is not installed, and CI must check the report's formulas with it: \
             apt-get install -y libreoffice-calc-nogui"
        ),
        None => {
            eprintln!("recalc: soffice not found, the LibreOffice check is skipped (it runs in CI)");
            None
        }
    }
}

/// A LibreOffice user profile that recalculates every formula of an
/// .xlsx (and .ods) file on load instead of trusting the cached values.
fn recalculating_profile(dir: &Path) -> String {
    let user = dir.join("user");
    std::fs::create_dir_all(&user).unwrap();
    let item = |name: &str| {
        format!(
            "<item oor:path=\"/org.openoffice.Office.Calc/Formula/Load\">\
             <prop oor:name=\"{name}\" oor:op=\"fuse\"><value>0</value></prop></item>\n"
        )
    };
    let xcu = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <oor:items xmlns:oor=\"http://openoffice.org/2001/registry\" \
         xmlns:xs=\"http://www.w3.org/2001/XMLSchema\" \
         xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\n{}{}</oor:items>\n",
        item("OOXMLRecalcMode"),
        item("ODFRecalcMode")
    );
    std::fs::write(user.join("registrymodifications.xcu"), xcu).unwrap();
    format!("file://{}", dir.display())
}

/// Opens each file in LibreOffice with recalculation forced and saves it as
/// .xlsx under `out` (same file name): the saved values are LibreOffice's.
fn recalculate(soffice: &Path, files: &[PathBuf], out: &Path) {
    let profile = tempfile::tempdir().unwrap();
    let status = Command::new(soffice)
        .arg(format!(
            "-env:UserInstallation={}",
            recalculating_profile(profile.path())
        ))
        .args([
            "--headless",
            "--norestore",
            "--nologo",
            "--convert-to",
            "xlsx",
            "--outdir",
        ])
        .arg(out)
        .args(files)
        .stdout(std::process::Stdio::null())
        .status()
        .expect("soffice starts");
    assert!(status.success(), "soffice failed: {status}");
    for file in files {
        assert!(
            out.join(file.file_name().unwrap()).is_file(),
            "LibreOffice did not convert {}",
            file.display()
        );
    }
}

/// A cell's value as compared: a number, a text, or blank (an empty text,
/// as a formula giving "" is cached, counts as blank).
#[derive(Debug, Clone, PartialEq)]
enum Seen {
    Number(f64),
    Text(String),
    Blank,
}

fn seen(data: Option<&Data>) -> Seen {
    match data {
        None | Some(Data::Empty) => Seen::Blank,
        Some(Data::String(s)) if s.is_empty() => Seen::Blank,
        Some(Data::String(s)) => Seen::Text(s.clone()),
        Some(Data::Float(f)) => Seen::Number(*f),
        Some(Data::Int(i)) => Seen::Number(*i as f64),
        Some(Data::Bool(b)) => Seen::Text(b.to_string().to_uppercase()),
        Some(Data::DateTime(d)) => Seen::Number(d.as_f64()),
        Some(other) => Seen::Text(other.to_string()),
    }
}

/// Numbers agree to a relative 1e-9 (LibreOffice may add in another
/// order); texts exactly.
fn agree(cached: &Seen, recalculated: &Seen) -> bool {
    match (cached, recalculated) {
        (Seen::Number(a), Seen::Number(b)) => (a - b).abs() <= 1e-9 * a.abs().max(b.abs()),
        (a, b) => a == b,
    }
}

/// Every formula cell of `original` whose cached value differs from its
/// value in `recalculated`, as "sheet!cell formula: cached … , recalculated …";
/// and how many formulas were compared.
fn differences(original: &Path, recalculated: &Path) -> (Vec<String>, usize) {
    let mut socmon: Xlsx<_> = open_workbook(original).unwrap();
    let mut office: Xlsx<_> = open_workbook(recalculated).unwrap();
    let mut found = Vec::new();
    let mut compared = 0;
    for sheet in socmon.sheet_names() {
        let formulas = socmon.worksheet_formula(&sheet).unwrap();
        let cached = socmon.worksheet_range(&sheet).unwrap();
        let recalculated = office
            .worksheet_range(&sheet)
            .unwrap_or_else(|e| panic!("LibreOffice's file has no sheet {sheet}: {e}"));
        let (top, left) = formulas.start().unwrap_or((0, 0));
        for (row, col, formula) in formulas.used_cells() {
            let at = (top + row as u32, left + col as u32);
            compared += 1;
            let (a, b) = (seen(cached.get_value(at)), seen(recalculated.get_value(at)));
            if !agree(&a, &b) {
                found.push(format!(
                    "{sheet}!{} ={formula}: socmon cached {a:?}, LibreOffice gives {b:?}",
                    socmon::sheet::CellRef::new(at.0, at.1)
                ));
            }
        }
    }
    (found, compared)
}

/// A workbook whose one formula caches a wrong value: LibreOffice must
/// correct it, or it did not recalculate and the comparison proves nothing.
fn canary(path: &Path) {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.write_number(0, 0, 2.0).unwrap();
    sheet
        .write_formula(0, 1, rust_xlsxwriter::Formula::new("=A1*21").set_result("1"))
        .unwrap();
    workbook.save(path).unwrap();
}

fn socmon(dir: &Path, args: &[&str]) {
    let output = Command::new(env!("CARGO_BIN_EXE_socmon"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "socmon {args:?} failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Recalculates the reports (name → file) in one LibreOffice start and
/// asserts that every formula agrees with its cached value.
fn assert_recalculation_agrees(soffice: &Path, dir: &Path, reports: &[(&str, PathBuf)]) {
    let to_convert = dir.join("to-convert");
    let converted = dir.join("converted");
    std::fs::create_dir_all(&to_convert).unwrap();
    let mut files = vec![to_convert.join("canary.xlsx")];
    canary(&files[0]);
    for (name, report) in reports {
        let copy = to_convert.join(format!("{name}.xlsx"));
        std::fs::copy(report, &copy).unwrap();
        files.push(copy);
    }
    recalculate(soffice, &files, &converted);

    let mut canary: Xlsx<_> = open_workbook(converted.join("canary.xlsx")).unwrap();
    let first = canary.sheet_names()[0].clone();
    let value = canary.worksheet_range(&first).unwrap().get_value((0, 1)).cloned();
    assert_eq!(
        seen(value.as_ref()),
        Seen::Number(42.0),
        "LibreOffice kept a cached value instead of recalculating"
    );

    let mut failures = Vec::new();
    for (name, report) in reports {
        let (found, compared) = differences(report, &converted.join(format!("{name}.xlsx")));
        assert!(compared > 100, "{name}: only {compared} formulas in the report");
        if !found.is_empty() {
            failures.push(format!(
                "{name}: {} of {compared} formulas give another value than socmon cached:\n{}",
                found.len(),
                found.join("\n")
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Runs socmon on the shipped Ruse sample and, with `--oblast all`, on a
/// sample of `oblasts` (every oblast when empty); gives the two reports.
fn reports(dir: &Path, oblasts: &[&str]) -> [(&'static str, PathBuf); 2] {
    let ruse_input = Path::new(env!("CARGO_MANIFEST_DIR")).join("input");
    let ruse_input = ruse_input.to_str().unwrap();
    socmon(
        dir,
        &[
            "run",
            "--quiet",
            "--no-history",
            "--input",
            ruse_input,
            "--output",
            "ruse",
        ],
    );
    let mut sample = vec!["sample", "--output", "national-input"];
    if oblasts.is_empty() {
        sample.push("--all");
    }
    for oblast in oblasts {
        sample.extend(["--oblast", oblast]);
    }
    socmon(dir, &sample);
    socmon(
        dir,
        &[
            "run",
            "--quiet",
            "--no-history",
            "--oblast",
            "all",
            "--input",
            "national-input",
            "--output",
            "national",
        ],
    );
    [
        ("ruse", dir.join("ruse/report.xlsx")),
        ("national", dir.join("national/report.xlsx")),
    ]
}

/// The national run reads three oblasts' returns (the capital's, a small
/// and a middle one), so that the test stays quick: the report still has
/// every municipality of the country (most with nothing sent: no
/// population, no DSP row), a subtotal per oblast and a country total.
#[test]
fn every_formula_of_the_report_gives_the_value_socmon_cached() {
    let Some(soffice) = soffice() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let reports = reports(dir.path(), &["SOF", "GAB", "VID"]);
    assert_recalculation_agrees(&soffice, dir.path(), &reports);
}

/// The same on the whole national sample (about 3,000 files; a minute in
/// the debug profile): `cargo test --test it recalc -- --ignored`.
#[test]
#[ignore = "slow: the whole national sample"]
fn every_formula_of_a_national_report_gives_the_value_socmon_cached() {
    let Some(soffice) = soffice() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let reports = reports(dir.path(), &[]);
    assert_recalculation_agrees(&soffice, dir.path(), &reports);
}
