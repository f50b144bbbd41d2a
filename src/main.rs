//! The `socmon` binary: everything lives in the library; see `socmon::cli`.

fn main() -> std::process::ExitCode {
    socmon::cli::main()
}
