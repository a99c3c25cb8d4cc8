//! Logs go to a file, never to the screen.

use std::io::{self, Write};
use std::path::Path;
use std::sync::{Mutex, MutexGuard};

/// Starts logging to `path` (appending). `HOTLINE_LOG_LEVEL` sets the filter (default `info`).
/// Failing to open the log is not fatal: the program runs without logs.
pub fn init(path: &Path) {
    // The log names callers and tickets: only its owner may read it.
    let Ok(file) = crate::private_files::open_append(path) else {
        return;
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("HOTLINE_LOG_LEVEL")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(false)
        .with_writer(LogFile(Mutex::new(file)))
        .try_init();
}

/// The log file, written one event at a time through [`OneLine`].
struct LogFile<W>(Mutex<W>);

impl<'a, W: Write + 'a> tracing_subscriber::fmt::MakeWriter<'a> for LogFile<W> {
    type Writer = OneLine<MutexGuard<'a, W>>;

    fn make_writer(&'a self) -> Self::Writer {
        OneLine(self.0.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

/// Keeps every log event on its one line: messages and fields carry text
/// from outside (arguments, file names, user names), and a newline or an
/// escape sequence in them must neither forge a log line nor act on the
/// terminal of whoever reads the log. The formatter writes each event in one
/// piece ending in a newline; every other control character is escaped.
pub(crate) struct OneLine<W>(pub(crate) W);

impl<W> Write for OneLine<W>
where
    W: std::ops::DerefMut,
    W::Target: Write,
{
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        let (body, end) = match text.strip_suffix('\n') {
            Some(body) => (body, "\n"),
            None => (&*text, ""),
        };
        let line = crate::text::escape_controls(body) + end;
        self.0.write_all(line.as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_event_stays_on_one_line() {
        let mut written = Vec::new();
        OneLine(&mut written)
            .write_all(b"WARN command failed: '\x1b[31mx\nFORGED' is bad\n")
            .unwrap();
        assert_eq!(
            String::from_utf8(written).unwrap(),
            "WARN command failed: '\\u{1b}[31mx\\nFORGED' is bad\n"
        );
    }
}
