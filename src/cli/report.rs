//! What the command line writes: its output on stdout, its errors on stderr
//! and in the log. Writing never panics (a closed pipe ends the program
//! quietly, a full disk is an error), and text from outside never reaches
//! the terminal or the log raw.

use crate::problems::Problems;
use crate::text::{escape_controls, escape_controls_by_line};
use crate::tui::i18n::{messages, Lang};
use clap::error::ContextValue;
use std::io::{self, Write};

/// Writes a command's output and a final newline.
pub fn print_output(text: &str) -> io::Result<()> {
    let mut out = io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.write_all(b"\n")?;
    out.flush()
}

/// The exit code after the output could not be written. A reader that
/// stopped reading (`| head`) is no failure of the command: its own exit
/// code stands and nothing is said.
pub fn output_failed(e: &io::Error, exit_code: i32, lang: Lang) -> i32 {
    if e.kind() == io::ErrorKind::BrokenPipe {
        return exit_code;
    }
    let english = format!("could not write the output: {e}");
    print_error_line(&messages::message(lang, &english), &english);
    1
}

/// Reports a failed command on stderr and in the log. Error messages carry
/// arguments, paths and names as they were given: every control character in
/// them is shown escaped, so the message stays on its line and inert. The
/// user reads it in `lang`; the log keeps the English wording.
pub fn print_error(e: &anyhow::Error, lang: Lang) {
    match e.downcast_ref::<Problems>() {
        Some(problems) => {
            for problem in &problems.0 {
                print_error_line(
                    &escape_controls(&messages::message(lang, problem)),
                    &escape_controls(problem),
                );
            }
        }
        None => print_error_line(
            &escape_controls(&messages::error_chain(lang, e)),
            &escape_controls(&format!("{e:#}")),
        ),
    }
}

/// A warning on stderr and in the log; the command goes on.
pub fn print_warning(text: &str) {
    let text = escape_controls(text);
    let _ = writeln!(io::stderr().lock(), "hotline: {text}");
    tracing::warn!("{text}");
}

fn print_error_line(text: &str, english: &str) {
    // stderr may be closed or full as well: then only the log has it.
    let _ = writeln!(io::stderr().lock(), "hotline: {text}");
    tracing::warn!("command failed: {english}");
}

/// Reports a command line clap refused (or `--help`, `--version`) and gives
/// the exit code. The values clap quotes back are escaped.
pub fn usage_error(e: clap::Error) -> i32 {
    let code = e.exit_code();
    if !e.use_stderr() {
        // Help and version text, written by clap to stdout.
        return match e.print() {
            Ok(()) => code,
            // clap words its own text in English.
            Err(io_err) => output_failed(&io_err, code, Lang::En),
        };
    }
    let mut e = e;
    let escaped: Vec<_> = e
        .context()
        .filter_map(|(kind, value)| Some((kind, escape_context(value)?)))
        .collect();
    for (kind, value) in escaped {
        e.insert(kind, value);
    }
    let text = e.render().to_string();
    let _ = io::stderr()
        .lock()
        .write_all(escape_controls_by_line(&text).as_bytes());
    code
}

/// A value clap quotes back, escaped; `None` when it needs no escaping.
fn escape_context(value: &ContextValue) -> Option<ContextValue> {
    match value {
        ContextValue::String(s) if escape_controls(s) != *s => {
            Some(ContextValue::String(escape_controls(s)))
        }
        ContextValue::Strings(v) if v.iter().any(|s| escape_controls(s) != *s) => Some(
            ContextValue::Strings(v.iter().map(|s| escape_controls(s)).collect()),
        ),
        _ => None,
    }
}
