//! The `tls-harness` command; see [`tls_harness::cli`].

fn main() {
    std::process::exit(tls_harness::cli::main());
}
