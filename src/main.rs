//! The `ystorfa` binary: parse arguments, run the command, map the outcome
//! to an exit code (0 success, 1 some documents failed / no match, 2 fatal).

/// mimalloc: the build's threads allocate millions of small rows and
/// free them on other threads, where the system allocator serialises.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::process::exit(ystorfa::cli::main());
}
