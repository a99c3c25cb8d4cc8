//! Logs go to a file, never to the screen.

use std::path::Path;
use std::sync::Mutex;

/// Starts logging to `path` (appending). `HOTLINE_LOG_LEVEL` sets the filter (default `info`).
/// Failing to open the log is not fatal: the program runs without logs.
pub fn init(path: &Path) {
    if let Some(dir) = path.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    let Ok(file) = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
    else {
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
