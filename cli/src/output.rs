//! Outputs that never destroy a file, and standard output that may be closed early.
//!
//! Every output file is claimed before any work ([`Outputs::claim`]): its path is checked (not an input
//! file, not another output, in a folder that exists) and an empty hidden temporary file is created next to
//! it, so a read-only folder is refused before a long fit. Each output is written into its temporary file;
//! only when the whole run succeeded does [`Outputs::commit`] rename every temporary file into place. A run
//! that fails (or is dropped) removes its temporary files: existing files stay byte-identical and nothing
//! new appears.

use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use audience_engine::export::formula::InputCells;

/// Why a command stopped.
#[derive(Debug)]
pub enum Failure {
    /// A refusal or error, shown to the user.
    Message(String),
    /// Standard output was closed by the reader (`audience … | head -1`): stop quietly.
    BrokenPipe,
}

impl From<String> for Failure {
    fn from(message: String) -> Self {
        Failure::Message(message)
    }
}

impl From<&str> for Failure {
    fn from(message: &str) -> Self {
        Failure::Message(message.to_string())
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Message(message) => f.write_str(message),
            Failure::BrokenPipe => f.write_str("standard output was closed"),
        }
    }
}

/// Writes `text` to standard output; a reader that closed the pipe is [`Failure::BrokenPipe`].
pub fn print(text: &str) -> Result<(), Failure> {
    let mut stdout = io::stdout().lock();
    stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        .map_err(stdout_error)
}

/// The failure for an error writing to standard output.
pub fn stdout_error(error: io::Error) -> Failure {
    if error.kind() == io::ErrorKind::BrokenPipe {
        Failure::BrokenPipe
    } else {
        Failure::Message(format!("cannot write to standard output: {error}"))
    }
}

/// Standard output for a streamed writer that remembers whether the reader closed the pipe.
#[derive(Debug, Default)]
pub struct Stdout {
    broken: bool,
}

impl Stdout {
    /// The failure for `error`, an error of a writer that wrote to this standard output.
    pub fn failure(&self, error: impl fmt::Display) -> Failure {
        if self.broken {
            Failure::BrokenPipe
        } else {
            Failure::Message(format!("cannot write to standard output: {error}"))
        }
    }
}

impl Write for Stdout {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        let written = io::stdout().lock().write(bytes);
        self.broken |= matches!(&written, Err(e) if e.kind() == io::ErrorKind::BrokenPipe);
        written
    }

    fn flush(&mut self) -> io::Result<()> {
        let flushed = io::stdout().lock().flush();
        self.broken |= matches!(&flushed, Err(e) if e.kind() == io::ErrorKind::BrokenPipe);
        flushed
    }
}

/// A claimed output: where it goes and its temporary file.
#[derive(Debug)]
struct Pending {
    flag: &'static str,
    path: PathBuf,
    temporary: PathBuf,
    written: bool,
}

/// The output files of one run (see the module documentation).
#[derive(Debug, Default)]
pub struct Outputs {
    /// Canonical paths of the input files, with how the user gave them.
    inputs: Vec<(PathBuf, PathBuf)>,
    /// Canonical paths of the claimed outputs.
    claimed: Vec<PathBuf>,
    pending: Vec<Pending>,
}

/// A claimed output file, to write with [`Outputs::write`].
#[derive(Clone, Copy, Debug)]
pub struct Claim(usize);

impl Outputs {
    /// Outputs of a run that reads `inputs` (files that exist).
    pub fn new(inputs: &[&Path]) -> Result<Self, String> {
        let inputs = inputs
            .iter()
            .map(|path| {
                std::fs::canonicalize(path)
                    .map(|canonical| (canonical, path.to_path_buf()))
                    .map_err(|e| format!("cannot read {}: {e}", path.display()))
            })
            .collect::<Result<_, _>>()?;
        Ok(Outputs {
            inputs,
            claimed: Vec::new(),
            pending: Vec::new(),
        })
    }

    /// Checks the output `path` given with `flag` and creates its temporary file.
    ///
    /// Refused: a path that is an input file or already claimed by another output (compared after
    /// resolving `..` and links), a folder, a read-only file, a path in a folder that does not exist, and a
    /// folder where a file cannot be created.
    pub fn claim(&mut self, flag: &'static str, path: &Path) -> Result<Claim, String> {
        let canonical = canonical_output(flag, path)?;
        if let Some((_, input)) = self.inputs.iter().find(|(c, _)| *c == canonical) {
            return Err(format!(
                "{flag} {} is the input file {}: writing there would overwrite your data. \
                 Give {flag} a new file name.",
                path.display(),
                input.display()
            ));
        }
        if let Some(index) = self.claimed.iter().position(|c| *c == canonical) {
            let other = &self.pending[index];
            return Err(format!(
                "{flag} {} and {} {} are the same file; give each output its own file name.",
                path.display(),
                other.flag,
                other.path.display()
            ));
        }
        if std::fs::metadata(&canonical).is_ok_and(|m| m.permissions().readonly()) {
            return Err(format!(
                "{flag} {} is read-only; make it writable or give {flag} another file name.",
                path.display()
            ));
        }
        let temporary = create_temporary(flag, path, &canonical)?;
        self.claimed.push(canonical);
        self.pending.push(Pending {
            flag,
            path: path.to_path_buf(),
            temporary,
            written: false,
        });
        Ok(Claim(self.pending.len() - 1))
    }

    /// Writes the claimed output with `write`, into its temporary file.
    pub fn write(
        &mut self,
        claim: Claim,
        write: impl FnOnce(&mut BufWriter<File>) -> Result<(), String>,
    ) -> Result<(), String> {
        let pending = &mut self.pending[claim.0];
        let cannot = |e: &dyn fmt::Display| {
            format!(
                "cannot write {} ({}): {e}",
                pending.path.display(),
                pending.flag
            )
        };
        let file = OpenOptions::new()
            .write(true)
            .truncate(true)
            .open(&pending.temporary)
            .map_err(|e| cannot(&e))?;
        let mut writer = BufWriter::new(file);
        write(&mut writer).map_err(|e| cannot(&e))?;
        let file = writer.into_inner().map_err(|e| cannot(&e.into_error()))?;
        file.sync_all().map_err(|e| cannot(&e))?;
        pending.written = true;
        Ok(())
    }

    /// Renames every written output into place (an existing file keeps its permissions).
    pub fn commit(mut self) -> Result<(), String> {
        for pending in &mut self.pending {
            if !pending.written {
                continue;
            }
            if let Ok(metadata) = std::fs::metadata(&pending.path) {
                let _ = std::fs::set_permissions(&pending.temporary, metadata.permissions());
            }
            std::fs::rename(&pending.temporary, &pending.path)
                .map_err(|e| format!("cannot write {}: {e}", pending.path.display()))?;
            pending.written = false;
            pending.temporary = PathBuf::new();
        }
        Ok(())
    }
}

impl Drop for Outputs {
    /// Removes the temporary files that were not renamed into place.
    fn drop(&mut self) {
        for pending in &self.pending {
            if !pending.temporary.as_os_str().is_empty() {
                let _ = std::fs::remove_file(&pending.temporary);
            }
        }
    }
}

/// The canonical path `path` will have: itself if it exists, else its canonical folder joined with its name.
fn canonical_output(flag: &str, path: &Path) -> Result<PathBuf, String> {
    if path.is_dir() {
        return Err(format!(
            "{flag} {} is a folder; give a file name, e.g. {}",
            path.display(),
            path.join("out.csv").display()
        ));
    }
    if let Ok(canonical) = std::fs::canonicalize(path) {
        return Ok(canonical);
    }
    let name = path.file_name().ok_or_else(|| {
        format!(
            "{flag} {} does not name a file; give a file name such as out.csv",
            path.display()
        )
    })?;
    let folder = match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    };
    let folder = std::fs::canonicalize(folder).map_err(|_| {
        format!(
            "{flag} {}: the folder {} does not exist; create it first or choose another folder",
            path.display(),
            folder.display()
        )
    })?;
    Ok(folder.join(name))
}

/// Creates an empty hidden temporary file in the output's folder.
fn create_temporary(flag: &str, path: &Path, canonical: &Path) -> Result<PathBuf, String> {
    let folder = canonical.parent().unwrap_or(Path::new("."));
    let name = canonical
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut last_error = None;
    for attempt in 0..100 {
        let temporary = folder.join(format!(
            ".{name}.audience-{}-{attempt}.tmp",
            std::process::id()
        ));
        match OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temporary)
        {
            Ok(_) => return Ok(temporary),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => continue,
            Err(e) => {
                last_error = Some(e);
                break;
            }
        }
    }
    Err(format!(
        "cannot write {flag} {}: {}; choose a folder you can write to",
        path.display(),
        last_error.map_or_else(|| "no free temporary name".to_string(), |e| e.to_string())
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folder(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("audience-output-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn listing(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn a_dropped_run_leaves_existing_files_and_the_folder_as_they_were() {
        let dir = folder("dropped");
        std::fs::write(dir.join("in.csv"), "a\n1\n").unwrap();
        std::fs::write(dir.join("out.csv"), "precious").unwrap();
        {
            let mut outputs = Outputs::new(&[&dir.join("in.csv")]).unwrap();
            let out = outputs.claim("--out", &dir.join("out.csv")).unwrap();
            outputs
                .claim("--summary-csv", &dir.join("new.csv"))
                .unwrap();
            outputs
                .write(out, |w| w.write_all(b"half").map_err(|e| e.to_string()))
                .unwrap();
        }
        assert_eq!(std::fs::read(dir.join("out.csv")).unwrap(), b"precious");
        assert_eq!(listing(&dir), ["in.csv", "out.csv"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn a_committed_run_replaces_the_outputs_and_leaves_no_temporary_file() {
        let dir = folder("committed");
        std::fs::write(dir.join("in.csv"), "a\n1\n").unwrap();
        std::fs::write(dir.join("out.csv"), "old").unwrap();
        let mut outputs = Outputs::new(&[&dir.join("in.csv")]).unwrap();
        let out = outputs.claim("--out", &dir.join("out.csv")).unwrap();
        outputs
            .write(out, |w| w.write_all(b"new").map_err(|e| e.to_string()))
            .unwrap();
        outputs.commit().unwrap();
        assert_eq!(std::fs::read(dir.join("out.csv")).unwrap(), b"new");
        assert_eq!(listing(&dir), ["in.csv", "out.csv"]);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn an_output_that_is_an_input_or_another_output_is_refused() {
        let dir = folder("same");
        std::fs::create_dir_all(dir.join("sub")).unwrap();
        std::fs::write(dir.join("in.csv"), "a\n1\n").unwrap();
        let mut outputs = Outputs::new(&[&dir.join("in.csv")]).unwrap();
        let err = outputs
            .claim("--out", &dir.join("sub").join("..").join("in.csv"))
            .unwrap_err();
        assert!(err.contains("is the input file"), "{err}");
        outputs.claim("--out", &dir.join("new.csv")).unwrap();
        let err = outputs
            .claim("--summary-csv", &dir.join("sub/../new.csv"))
            .unwrap_err();
        assert!(err.contains("are the same file"), "{err}");
        let err = outputs
            .claim("--personas", &dir.join("missing/p.json"))
            .unwrap_err();
        assert!(err.contains("does not exist"), "{err}");
        std::fs::write(dir.join("locked.csv"), "keep").unwrap();
        let mut permissions = std::fs::metadata(dir.join("locked.csv"))
            .unwrap()
            .permissions();
        permissions.set_readonly(true);
        std::fs::set_permissions(dir.join("locked.csv"), permissions).unwrap();
        let err = outputs.claim("--out", &dir.join("locked.csv")).unwrap_err();
        assert!(err.contains("is read-only"), "{err}");
        drop(outputs);
        assert_eq!(listing(&dir), ["in.csv", "locked.csv", "sub"]);
        assert_eq!(std::fs::read(dir.join("locked.csv")).unwrap(), b"keep");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}

/// How a written CSV treats an earlier segment column and cells a spreadsheet would run as formulas (the
/// flags `segment --out` and `profile --out` share).
#[derive(Debug, clap::Args)]
pub struct CsvWriteArgs {
    /// When the file already has a `segment` column (for `profile`, also `segment_name`), e.g. an earlier
    /// export: write the new values over it, in the same position.
    #[arg(long)]
    pub replace_segment: bool,
    /// Write the segments in a column of this name instead of `segment` (for `profile`, their names as
    /// NAME_name instead of `segment_name`).
    #[arg(long, value_name = "NAME")]
    pub segment_column: Option<String>,
    /// Write input cells that a spreadsheet would run as a formula (starting with = + - @, tab or CR, except
    /// plain numbers such as -3.5) with a leading ' so they show as text (the default).
    #[arg(long, overrides_with = "no_escape_formulas")]
    pub escape_formulas: bool,
    /// Write every input cell byte for byte as it was read, formulas included.
    #[arg(long)]
    pub no_escape_formulas: bool,
}

impl CsvWriteArgs {
    /// What happens to input cells that read as formulas.
    pub fn input_cells(&self) -> InputCells {
        if self.no_escape_formulas {
            InputCells::Unchanged
        } else {
            InputCells::EscapeFormulas
        }
    }
}
