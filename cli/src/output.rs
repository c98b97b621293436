//! Where an answer goes: standard output, or `--output FILE` with a progress bar on stderr
//! when stderr is a terminal. A file is written beside its name (`FILE.part`) and renamed when
//! the answer is whole, so a failed download never looks like a finished one.

use crate::run::{Failure, exit};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::{BufWriter, IsTerminal, Write};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// What the progress counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    Bytes,
    Items,
}

/// An answer's destination.
pub struct Output {
    writer: BufWriter<Box<dyn Write + Send>>,
    file: Option<(PathBuf, PathBuf)>,
    bar: ProgressBar,
    unit: Unit,
    count: u64,
    started: Instant,
}

fn io(what: &str, e: std::io::Error) -> Failure {
    Failure {
        code: exit::TRANSPORT,
        message: format!("{what}: {e}"),
    }
}

impl Output {
    /// Standard output, or the file at `path` (`-` is standard output).
    pub fn open(path: Option<&str>, unit: Unit) -> Result<Self, Failure> {
        let (writer, file): (Box<dyn Write + Send>, _) = match path.filter(|p| *p != "-") {
            None => (Box::new(std::io::stdout()), None),
            Some(p) => {
                let done = PathBuf::from(p);
                let mut part = done.clone().into_os_string();
                part.push(".part");
                let part = PathBuf::from(part);
                let f = std::fs::File::create(&part).map_err(|e| Failure {
                    code: exit::USAGE,
                    message: format!("--output {p}: {e}"),
                })?;
                (Box::new(f), Some((part, done)))
            }
        };
        let bar = if file.is_some() && std::io::stderr().is_terminal() {
            let template = match unit {
                Unit::Bytes => "{spinner} {bytes} at {bytes_per_sec}, {elapsed}",
                Unit::Items => "{spinner} {human_pos} items at {per_sec}, {elapsed}",
            };
            let bar = ProgressBar::new_spinner().with_style(
                ProgressStyle::with_template(template).expect("a valid progress template"),
            );
            bar.enable_steady_tick(Duration::from_millis(200));
            bar
        } else {
            ProgressBar::hidden()
        };
        Ok(Self {
            writer: BufWriter::with_capacity(256 * 1024, writer),
            file,
            bar,
            unit,
            count: 0,
            started: Instant::now(),
        })
    }

    /// Whether the answer goes to a file.
    pub fn is_file(&self) -> bool {
        self.file.is_some()
    }

    /// Writes bytes; counts them when the unit is bytes.
    pub fn write(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.writer.write_all(bytes)?;
        if self.unit == Unit::Bytes {
            self.advance(bytes.len() as u64);
        }
        Ok(())
    }

    /// One JSON item and its newline (NDJSON).
    pub fn item(&mut self, item: &serde_json::Value) -> std::io::Result<()> {
        serde_json::to_writer(&mut self.writer, item)?;
        self.writer.write_all(b"\n")?;
        if self.unit == Unit::Items {
            self.advance(1);
        }
        Ok(())
    }

    fn advance(&mut self, n: u64) {
        self.count += n;
        self.bar.inc(n);
    }

    /// Hands written data on (a page at a time, so a reader of a pipe sees it as it comes).
    pub fn flush(&mut self) -> std::io::Result<()> {
        self.writer.flush()
    }

    /// Ends the answer: flushes, and for a file renames it into place and says on stderr what
    /// was written.
    pub fn finish(mut self) -> Result<u64, Failure> {
        self.writer.flush().map_err(Failure::writing)?;
        self.bar.finish_and_clear();
        if let Some((part, done)) = &self.file {
            std::fs::rename(part, done)
                .map_err(|e| io(&format!("moving {} into place", part.display()), e))?;
            let what = match self.unit {
                Unit::Bytes => format!("{} bytes", self.count),
                Unit::Items => format!("{} items", self.count),
            };
            eprintln!(
                "kbn: wrote {what} to {} in {:.1} s",
                done.display(),
                self.started.elapsed().as_secs_f64()
            );
        }
        Ok(self.count)
    }
}

impl Drop for Output {
    /// An answer cut short leaves its `.part` file, named on stderr (none when nothing came).
    fn drop(&mut self) {
        self.bar.finish_and_clear();
        if let Some((part, _)) = &self.file
            && part.exists()
        {
            if self.count == 0 {
                let _ = std::fs::remove_file(part);
                return;
            }
            let _ = self.writer.flush();
            eprintln!(
                "kbn: the answer was cut short; what came is in {}",
                part.display()
            );
        }
    }
}
