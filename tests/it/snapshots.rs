//! CLI snapshots: the help of every command and what `validate` prints on
//! the shipped sample, with the exit code, pinned as insta snapshots in
//! `tests/it/snapshots/`. A snapshot changes only in a commit that says
//! why (`INSTA_UPDATE=always cargo test --test it snapshots`, then read
//! the diff).

use std::path::PathBuf;
use std::process::Output;

use super::support::socmon;

/// What a person sees of one command: the exit code, then stdout and stderr.
fn screen(output: &Output) -> String {
    format!(
        "exit code: {}\n--- stdout\n{}--- stderr\n{}",
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

fn settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/it/snapshots"));
    settings.set_prepend_module_to_snapshot(false);
    settings
}

#[test]
fn help_of_every_command() {
    let dir = tempfile::tempdir().unwrap();
    let _guard = settings().bind_to_scope();
    for (name, args) in [
        ("help", vec!["--help"]),
        ("help_run", vec!["run", "--help"]),
        ("help_validate", vec!["validate", "--help"]),
        ("help_templates", vec!["templates", "--help"]),
        ("help_sample", vec!["sample", "--help"]),
        ("help_history", vec!["history", "--help"]),
    ] {
        insta::assert_snapshot!(name, screen(&socmon(&args, dir.path())));
    }
}

#[test]
fn validate_on_the_shipped_sample() {
    let dir = tempfile::tempdir().unwrap();
    let _guard = settings().bind_to_scope();
    let input = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("input");
    for (name, lang) in [("validate_sample_bg", "bg"), ("validate_sample_en", "en")] {
        let output = socmon(
            &["validate", "--input", input.to_str().unwrap(), "--lang", lang],
            dir.path(),
        );
        insta::assert_snapshot!(name, screen(&output));
    }
}
