#![forbid(unsafe_code)]

use clap::Parser;

fn main() {
    let code = match hotline::cli::Cli::try_parse() {
        Ok(cli) => hotline::cli::main_with(cli),
        Err(e) => hotline::cli::usage_error(e),
    };
    std::process::exit(code);
}
