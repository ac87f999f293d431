//! What the CLI's integration tests share: running the `audience` binary built for this test run, and
//! fresh folders for what a test writes.
#![allow(dead_code)] // each test file uses the part it needs

use std::path::{Path, PathBuf};
use std::process::Command;

/// One run of the `audience` binary.
pub struct Run {
    /// Whether it exited with success.
    pub ok: bool,
    /// Its standard output (lossy UTF-8).
    pub stdout: String,
    /// Its standard error (lossy UTF-8).
    pub stderr: String,
}

/// Runs the built `audience` with `args`, from the `cli/` folder (so paths such as
/// `../tests/fixtures/…` work).
pub fn audience(args: &[&str]) -> Run {
    let output = Command::new(env!("CARGO_BIN_EXE_audience"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    Run {
        ok: output.status.success(),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

/// The standard output of a run that must have succeeded (the test fails with its standard error
/// otherwise).
pub fn succeeded(run: Run) -> String {
    assert!(run.ok, "{}", run.stderr);
    run.stdout
}

/// A fresh, empty folder for one test, unique to this test binary's process.
pub fn folder(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "audience-cli-{}-{test}-{}",
        env!("CARGO_CRATE_NAME"),
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The names of the entries of `dir`, sorted.
pub fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// `path` as the `&str` an argument list takes.
pub fn path(path: &Path) -> &str {
    path.to_str().unwrap()
}
