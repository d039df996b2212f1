//! The `ascvault` binary: everything lives in the library.

fn main() -> std::process::ExitCode {
    ascvault::main()
}
