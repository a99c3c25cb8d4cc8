//! The command line: `hotline [OPTIONS] [COMMAND]`. With no command it opens the TUI.

mod args;
mod output;
mod run;
mod ticket;

pub use args::{Cli, Command};
pub use run::main_with;
