//! The command line: `hotline [OPTIONS] [COMMAND]`. With no command it opens the TUI.

mod args;
mod import;
mod login;
mod output;
mod report;
mod run;
mod ticket;

pub use args::{Cli, Command};
pub use report::usage_error;
pub use run::main_with;
