//! The `socmon` binary: everything lives in the library; see `socmon::cli`.

/// mimalloc rather than the system allocator: with glibc's, the resident
/// memory of a national run kept growing with every file read.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    socmon::cli::main()
}
