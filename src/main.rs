#![forbid(unsafe_code)]

use clap::Parser;

fn main() {
    let cli = hotline::cli::Cli::parse();
    std::process::exit(hotline::cli::main_with(cli));
}
