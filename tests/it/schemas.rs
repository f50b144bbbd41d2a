//! Broken schemas, as a user who edits `schemas/*.toml` may leave them:
//! every kind of broken rule (and of broken field bounds) is a schema error
//! that names the file, the template, the rule and the field and says what
//! is wrong; never a panic. `socmon` stops with exit code 2.

use std::path::Path;

use socmon::error::Error;
use socmon::schema::{SchemaSource, Schemas};

use super::support::socmon;

const ADULTS: &str = "service_adults.toml";

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &to.join(entry.file_name()));
        } else {
            std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
    }
}

/// The shipped schemas in a fresh folder, with one file edited.
fn schemas_with(file: &str, edit: impl FnOnce(String) -> String) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas"), dir.path());
    let path = dir.path().join(file);
    let text = std::fs::read_to_string(&path).unwrap();
    let edited = edit(text.clone());
    assert_ne!(edited, text, "the edit of {file} changed nothing");
    std::fs::write(path, edited).unwrap();
    dir
}

/// Loads the schemas of `dir`; gives the file and message of the schema error.
fn schema_error(dir: &Path) -> (String, String) {
    match Schemas::load(&SchemaSource::Folder(dir.to_path_buf())) {
        Err(Error::Schema { file, message }) => (file, message),
        Err(other) => panic!("not a schema error: {other}"),
        Ok(_) => panic!("the broken schema was accepted"),
    }
}

/// The number the next rule of the shipped adults' card gets (rules count from 1).
fn next_rule() -> usize {
    let text = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas").join(ADULTS)).unwrap();
    text.matches("[[rules]]").count() + 1
}

/// Adds `rule` (the keys of one `[[rules]]` table) to the adults' card and
/// checks the schema error: the file, the template, the rule's number and
/// kind, and each of `says`.
fn refused(rule: &str, says: &[&str]) {
    let dir = schemas_with(ADULTS, |text| format!("{text}\n[[rules]]\n{rule}\n"));
    let (file, message) = schema_error(dir.path());
    assert!(file.ends_with(ADULTS), "{file}: {message}");
    let kind = rule
        .lines()
        .find_map(|l| l.strip_prefix("kind = "))
        .unwrap()
        .trim_matches('"');
    let place = format!("template service_adults, rule {} ({kind}): ", next_rule());
    assert!(message.starts_with(&place), "{message}");
    for said in says {
        assert!(message.contains(said), "{message} does not say {said:?}");
    }
}

/// Adds `rule` to the adults' card: the file cannot be parsed (a kind or key
/// the format does not know, a value of the wrong type, a key missing).
fn unreadable(rule: &str, says: &[&str]) {
    let dir = schemas_with(ADULTS, |text| format!("{text}\n[[rules]]\n{rule}\n"));
    let (file, message) = schema_error(dir.path());
    assert!(file.ends_with(ADULTS), "{file}: {message}");
    for said in says {
        assert!(message.contains(said), "{message} does not say {said:?}");
    }
}

#[test]
fn the_shipped_schemas_load_from_a_copied_folder() {
    let dir = tempfile::tempdir().unwrap();
    copy_dir(&Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas"), dir.path());
    let schemas = Schemas::load(&SchemaSource::Folder(dir.path().to_path_buf())).unwrap();
    let adults = schemas.template("service_adults").unwrap();
    assert_eq!(adults.rules.len(), next_rule() - 1);
}

#[test]
fn a_sum_of_no_fields_is_refused() {
    refused(
        "kind = \"sum_le\"\nleft = []\nright = \"capacity\"",
        &["`left` lists no field"],
    );
}

#[test]
fn a_rule_naming_a_field_the_template_lacks_is_refused() {
    refused(
        "kind = \"le\"\nleft = \"capacty\"\nright = \"capacity\"",
        &["`left` names field capacty, which the template does not have"],
    );
    refused(
        "kind = \"le\"\nleft = \"avg_users\"\nright = \"capacty\"",
        &["`right` names field capacty"],
    );
    refused(
        "kind = \"sum_le\"\nleft = [\"budget_state\", \"budget_locl\"]\nright = \"budget_other\"",
        &["`left` names field budget_locl"],
    );
    refused(
        "kind = \"required_if\"\nfield = \"project_end\"\nwhen = \"financng\"\nin = [\"PROJECT_OTHER\"]",
        &["`when` names field financng"],
    );
    refused(
        "kind = \"required_unless\"\nfield = \"project_ed\"\nwhen = \"financing\"\nin = [\"PROJECT_OTHER\"]",
        &["`field` names field project_ed"],
    );
    refused(
        "kind = \"valid_through_period\"\nfield = \"licence_until\"",
        &["`field` names field licence_until"],
    );
    refused(
        "kind = \"matches_period\"\nleft = \"start_date\"\nright = \"period_end\"",
        &["`right` names field period_end"],
    );
}

#[test]
fn a_rule_on_fields_of_the_wrong_type_is_refused() {
    refused(
        "kind = \"le\"\nleft = \"service_name\"\nright = \"capacity\"",
        &["both must be numbers or both dates", "service_name is text"],
    );
    refused(
        "kind = \"le\"\nleft = \"capacity\"\nright = \"end_date\"",
        &["both must be numbers or both dates", "end_date is date"],
    );
    refused(
        "kind = \"sum_le\"\nleft = [\"budget_state\", \"changes\"]\nright = \"budget_other\"",
        &["numbers only", "changes is text"],
    );
    refused(
        "kind = \"valid_through_period\"\nfield = \"capacity\"",
        &["needs a date field", "capacity is integer"],
    );
    refused(
        "kind = \"matches_period\"\nleft = \"start_date\"\nright = \"capacity\"",
        &["needs two date fields", "capacity is integer"],
    );
    refused(
        "kind = \"required_if\"\nfield = \"project_end\"\nwhen = \"capacity\"\nin = [\"PROJECT_OTHER\"]",
        &["`when` names capacity, which is no enum of a reference table"],
    );
}

#[test]
fn a_rule_comparing_a_field_with_itself_is_refused() {
    refused(
        "kind = \"le\"\nleft = \"capacity\"\nright = \"capacity\"",
        &["compares capacity with itself"],
    );
    refused(
        "kind = \"matches_period\"\nleft = \"start_date\"\nright = \"start_date\"",
        &["compares start_date with itself"],
    );
    refused(
        "kind = \"sum_le\"\nleft = [\"budget_state\", \"budget_state\"]\nright = \"budget_other\"",
        &["`left` lists budget_state twice"],
    );
    refused(
        "kind = \"sum_le\"\nleft = [\"budget_state\", \"budget_other\"]\nright = \"budget_other\"",
        &["budget_other is both in `left` and `right`"],
    );
    refused(
        "kind = \"required_if\"\nfield = \"financing\"\nwhen = \"financing\"\nin = [\"PROJECT_OTHER\"]",
        &["`field` and `when` both name financing"],
    );
}

#[test]
fn a_bad_factor_is_refused() {
    for factor in ["0", "-2", "nan", "inf"] {
        refused(
            &format!("kind = \"le\"\nleft = \"avg_users\"\nright = \"capacity\"\nfactor = {factor}"),
            &["`factor` is", "it must be a number above 0"],
        );
    }
    refused(
        "kind = \"le\"\nleft = \"start_date\"\nright = \"end_date\"\nfactor = 2",
        &["`factor` only goes with numbers"],
    );
}

#[test]
fn a_rule_reported_at_a_field_it_does_not_compare_is_refused() {
    refused(
        "kind = \"le\"\nleft = \"avg_users\"\nright = \"capacity\"\nat = \"users_served\"",
        &["`at` names field users_served, which the rule does not compare"],
    );
    refused(
        "kind = \"sum_le\"\nleft = [\"budget_state\"]\nright = \"budget_other\"\nat = \"capacity\"",
        &["`at` names field capacity, which the rule does not compare"],
    );
    refused(
        "kind = \"le\"\nleft = \"avg_users\"\nright = \"capacity\"\nat = \"capacty\"",
        &["`at` names field capacty, which the template does not have"],
    );
}

#[test]
fn a_condition_on_no_code_or_an_unknown_code_is_refused() {
    refused(
        "kind = \"required_if\"\nfield = \"project_end\"\nwhen = \"financing\"\nin = []",
        &["`in` lists no code"],
    );
    refused(
        "kind = \"required_unless\"\nfield = \"project_end\"\nwhen = \"financing\"\nin = [\"PROJECT_ESF\"]",
        &["financing_types.csv has no code PROJECT_ESF"],
    );
}

#[test]
fn a_rule_the_format_does_not_know_is_refused_when_read() {
    // An unknown kind, an unknown key, a missing key, a value of the wrong type.
    unreadable("kind = \"ge\"\nleft = \"avg_users\"\nright = \"capacity\"", &["ge"]);
    unreadable(
        "kind = \"le\"\nleft = \"avg_users\"\nright = \"capacity\"\nfactr = 2",
        &["factr"],
    );
    unreadable("kind = \"le\"\nleft = \"avg_users\"", &["right"]);
    unreadable(
        "kind = \"sum_le\"\nleft = \"budget_state\"\nright = \"budget_other\"",
        &["left"],
    );
    unreadable(
        "kind = \"le\"\nleft = \"avg_users\"\nright = \"capacity\"\nfactor = \"2\"",
        &["factor"],
    );
    unreadable(
        "kind = \"le\"\nleft = \"avg_users\"\nright = \"capacity\"\nseverity = \"fatal\"",
        &["fatal"],
    );
    unreadable("left = \"avg_users\"\nright = \"capacity\"", &["kind"]);
}

#[test]
fn field_bounds_that_no_value_meets_are_refused() {
    let edit = |from: &'static str, to: &'static str| move |text: String| text.replacen(from, to, 1);
    for (from, to, says) in [
        // capacity: `min = 0` is its first bound.
        ("min = 0", "min = nan", "field capacity: `min` is NaN"),
        (
            "min = 0",
            "min = 10\nmax = 5",
            "field capacity: `min` (10) is above `max` (5)",
        ),
        ("min = 0", "min = 0\nmax = inf", "field capacity: `max` is inf"),
        (
            "outlier_min_change = 5",
            "outlier_min_change = -1",
            "field capacity: `outlier_min_change` is a number of at least 0",
        ),
        (
            "outlier_change = 0.3",
            "outlier_change = inf",
            "field capacity: `outlier_change` is a share above 0",
        ),
        (
            "id = \"capacity\"",
            "id = \"\"",
            "a field with label \"Капацитет (брой места)\" has an empty id",
        ),
    ] {
        let dir = schemas_with(ADULTS, edit(from, to));
        let (file, message) = schema_error(dir.path());
        assert!(file.ends_with(ADULTS), "{file}");
        assert!(message.contains(says), "{message} does not say {says:?}");
    }
}

#[test]
fn socmon_stops_with_exit_code_2_and_names_the_broken_rule() {
    let dir = schemas_with(ADULTS, |text| {
        format!("{text}\n[[rules]]\nkind = \"sum_le\"\nleft = []\nright = \"capacity\"\n")
    });
    let input = dir.path().join("input");
    std::fs::create_dir_all(&input).unwrap();
    for command in ["validate", "run"] {
        let out = socmon(
            &[
                command,
                "--input",
                input.to_str().unwrap(),
                "--schemas",
                dir.path().to_str().unwrap(),
                "--oblast",
                "RSE",
            ],
            dir.path(),
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{command}: {stderr}");
        assert!(!stderr.contains("panicked"), "{command}: {stderr}");
        for said in [ADULTS, "template service_adults", "(sum_le)", "`left` lists no field"] {
            assert!(stderr.contains(said), "{command}: {stderr} does not say {said:?}");
        }
    }
}
