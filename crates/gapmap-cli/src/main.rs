//! The `gapmap` command.

#![forbid(unsafe_code)]

fn main() -> std::process::ExitCode {
    gapmap_cli::main()
}
