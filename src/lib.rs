//! hotline: a terminal application for Ho Chi Minh City's 1022 hotline.
//!
//! See `README.md` for the product and `DESIGN` notes in the module docs.
#![forbid(unsafe_code)]

pub mod api;
pub mod cli;
pub mod client;
pub mod config;
pub mod demo;
pub mod domain;
pub mod logging;
pub mod notify;
pub mod paths;
pub mod private_files;
pub mod problems;
pub mod reference;
pub mod sched;
pub mod search;
pub mod server;
pub mod sla_files;
pub mod store;
pub mod sync;
pub mod text;
pub mod tui;

/// The allocator for every binary that links hotline (the app, tests,
/// benches). Building the search index makes tens of millions of small
/// strings on several threads; glibc's allocator spent a quarter of the
/// build in its own bookkeeping there (measured with perf).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
