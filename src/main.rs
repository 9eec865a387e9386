//! The `ystorfa` binary: parse arguments, run the command, map the outcome
//! to an exit code (0 success, 1 some documents failed / no match, 2 fatal).

fn main() {
    std::process::exit(ystorfa::cli::main());
}
