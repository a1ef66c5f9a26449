# tls-harness recipes. `just test` is what people and CI run.
set shell := ["bash", "-cu"]

# List the recipes.
default:
    @just --list

# Run every test: unit, API, and one test per scenario file (with snapshots).
test:
    cargo nextest run --no-fail-fast
    cargo test --doc

# Run the shipped scenarios and print the outcome table.
run *ARGS:
    cargo run --release -- run {{ARGS}}

# The model's property tests with 16 times the cases of `just test` (4096
# per pairing and per invariant test; release build).
soak:
    TLS_HARNESS_MODEL_CASES=4096 cargo nextest run --release --test model --no-fail-fast

# Measure handshake and set-up costs per pairing (release build).
bench:
    cargo bench --bench handshake

# Format and lint as CI does.
lint:
    cargo fmt --all -- --check
    cargo clippy --all-targets -- -D warnings

# Review snapshot changes after a deliberate change of outcome.
review:
    cargo insta review

# Exactly what CI runs.
ci: lint test
