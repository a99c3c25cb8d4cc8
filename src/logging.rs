//! Logs go to a file, never to the screen.

use std::path::Path;
use std::sync::Mutex;

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
        .with_writer(Mutex::new(file))
        .try_init();
}
