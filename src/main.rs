//! The `socmon` binary: everything lives in the library; see `socmon::cli`.

/// mimalloc rather than the system allocator: with glibc's, the resident
/// memory of a national run kept growing with every file read.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Gives freed memory back to the system after 1 ms instead of 10, and
/// commits arena memory as it is used rather than up front: the peak memory
/// of a national run ×10 went from 561 to about 440 MiB for 3 % more time
/// (BENCHMARKS.md).
fn tune_allocator() {
    // Numbers of mimalloc v2's `mi_option_e` (mimalloc.h), the version
    // libmimalloc-sys builds by default.
    const ARENA_EAGER_COMMIT: libmimalloc_sys::mi_option_t = 4;
    const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;
    // SAFETY: mi_option_set only stores a number in mimalloc's table of
    // options, which it reads when it next commits or purges memory; both
    // options accept these values at any time.
    unsafe {
        libmimalloc_sys::mi_option_set(ARENA_EAGER_COMMIT, 0);
        libmimalloc_sys::mi_option_set(PURGE_DELAY, 1);
    }
}

/// No transparent huge pages: mimalloc advises the kernel to back its
/// arenas with 2 MiB pages, which the kernel zeroes whole on first touch.
/// Without them a national run's peak resident memory fell from 169 to 129
/// MiB at the same speed (BENCHMARKS.md). mimalloc's own `allow_thp` option
/// comes too late: its first arena is mapped before `main`.
#[cfg(target_os = "linux")]
fn no_huge_pages() {
    // SAFETY: PR_SET_THP_DISABLE takes plain integers and only sets a flag
    // of this process; a kernel that does not know it returns an error,
    // which changes nothing.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

#[cfg(not(target_os = "linux"))]
fn no_huge_pages() {}

fn main() -> std::process::ExitCode {
    no_huge_pages();
    tune_allocator();
    socmon::cli::main()
}
