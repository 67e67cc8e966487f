//! The `kasane` binary: parses arguments and prints; all work is in the library.

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    cli::main()
}
