//! Measures what a handshake costs per backend pairing, what the expensive
//! set-up steps cost and what a model prediction costs beside them, and
//! prints the figures. `just bench` runs it; it asserts nothing (behaviour
//! is the tests' business).

use std::path::Path;
use std::time::{Duration, Instant};

use tls_harness::backend::Pairing;
use tls_harness::endpoint::pairing_unsupported as unsupported;
use tls_harness::endpoint::Setup;
use tls_harness::model;
use tls_harness::pki::Pki;
use tls_harness::run::handshake;
use tls_harness::scenario::{Catalog, Scenario};

const ROUNDS: u32 = 200;

const SCENARIOS: &str = r#"
[[scenario]]
id = "tls12-rsa"
client = "api-client-modern"
server = "uccx-11-6-1-server"

[[scenario]]
id = "tls10-openssl-only"
client = "uccx-11-5-1-client"
server = "salesforce-production"
"#;

fn per_handshake(total: Duration) -> String {
    format!("{:>8.0} µs", total.as_secs_f64() * 1e6 / f64::from(ROUNDS))
}

fn main() {
    // `cargo bench` passes --bench; a test runner listing or running every
    // target (`cargo test --all-targets`, nextest) gets nothing to do.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let started = Instant::now();
    let catalog = Catalog::load(&root.join("scenarios/catalog")).expect("catalog loads");
    let file = catalog
        .parse_scenario_file(Path::new("bench.toml"), SCENARIOS)
        .expect("bench scenarios load");
    println!(
        "load catalog and scenarios: {:>8.1} ms",
        started.elapsed().as_secs_f64() * 1e3
    );

    let started = Instant::now();
    let mut pki = Pki::new();
    for ca in &file.cas {
        pki.add_ca(ca.clone()).expect("CA");
    }
    let issue = |s: &Scenario| {
        let c: Vec<_> = s
            .client
            .leaf_specs()
            .iter()
            .map(|l| pki.issue(l).expect("leaf"))
            .collect();
        let s: Vec<_> = s
            .server
            .leaf_specs()
            .iter()
            .map(|l| pki.issue(l).expect("leaf"))
            .collect();
        (c, s)
    };
    let issued: Vec<_> = file.scenarios.iter().map(issue).collect();
    println!(
        "make CAs and certificates (RSA keys): {:>8.1} ms",
        started.elapsed().as_secs_f64() * 1e3
    );
    let trust = vec![pki.ca_der("harness-root").expect("root")];

    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()
        .expect("runtime");
    println!("\n{ROUNDS} full handshakes each, fresh configurations, one thread:");
    for (scenario, (client_ids, server_ids)) in file.scenarios.iter().zip(&issued) {
        for pairing in Pairing::ALL {
            if let Some(why) = unsupported(pairing, &scenario.client, &scenario.server) {
                println!(
                    "{:<20} {:<16} unsupported: {why}",
                    scenario.id,
                    pairing.id()
                );
                continue;
            }
            let setup = |profile, ids: &Vec<_>| Setup {
                profile,
                identities: ids.clone(),
                trust: trust.clone(),
                server_name: &scenario.server_name,
                fallback_scsv: false,
                verify_at: tls_harness::moment::Moment::now(),
            };
            let started = Instant::now();
            for _ in 0..ROUNDS {
                let outcome = runtime.block_on(handshake(
                    pairing,
                    setup(&scenario.client, client_ids),
                    setup(&scenario.server, server_ids),
                    Duration::from_secs(10),
                ));
                std::hint::black_box(outcome);
            }
            println!(
                "{:<20} {:<16} {}",
                scenario.id,
                pairing.id(),
                per_handshake(started.elapsed())
            );
        }
    }

    // What checking each run against the model adds, and what `simulate`
    // costs: one prediction per pairing, no keys, no I/O.
    println!(
        "
{ROUNDS} model predictions each:"
    );
    let now = tls_harness::moment::Moment::now();
    for scenario in &file.scenarios {
        for pairing in Pairing::ALL {
            let started = Instant::now();
            for _ in 0..ROUNDS {
                let p = model::predict(scenario, &file.cas, pairing.into(), now);
                std::hint::black_box(p);
            }
            println!(
                "{:<20} {:<16} {}",
                scenario.id,
                pairing.id(),
                per_handshake(started.elapsed())
            );
        }
    }
}
