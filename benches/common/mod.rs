//! What the benchmarks share: sizes from the environment, memory read from
//! `/proc`, percentiles, and the printed table.
#![allow(dead_code)]

use std::time::Duration;

/// A size from the environment, or `default`.
pub fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Resident memory of a process (`"self"` or a pid), in MB.
pub fn rss_mb(pid: &str) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

/// The `p` percentile of sorted durations, in milliseconds.
pub fn pct(sorted: &[Duration], p: f64) -> f64 {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize].as_secs_f64() * 1e3
}

pub fn row(what: &str, value: String) {
    println!("| {what:<52} | {value:>22} |");
}

/// The table's header and the machine's core count.
pub fn header() {
    println!("| {:<52} | {:>22} |", "measure", "value");
    println!("|{}|{}|", "-".repeat(54), "-".repeat(24));
    row(
        "machine",
        format!(
            "{} cores",
            std::thread::available_parallelism()
                .map(|n| n.get())
                .unwrap_or(1)
        ),
    );
}
