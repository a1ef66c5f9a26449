//! What each fuzz target feeds its input to: the library's readers of
//! outside input, called as the commands call them. Shared, as this very
//! file, by the cargo-fuzz targets (`fuzz/fuzz_targets/`) and by the replay
//! of the committed corpora in `tests/fuzz_corpus.rs`, so that CI calls
//! exactly what the fuzzer called.
//!
//! Every function takes any bytes and must return: a panic is a bug of the
//! library (or, where a function asserts, of a property the library
//! documents).

use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::OnceLock;
use std::task::{Context, Poll, Waker};

use tls_harness::capture::{self, Conversation};
use tls_harness::flight;
use tls_harness::hello;
use tls_harness::import::{import, profile_toml, Identity, ImportError, InputFormat, Naming};
use tls_harness::keylog::{Secret, Secrets};
use tls_harness::outcome::Side;
use tls_harness::pki;
use tls_harness::record;
use tls_harness::scenario::{check_unique_ids, Catalog, InputErrors};
use tls_harness::version::ProtocolVersion;
use tls_harness::wire::{Tap, Transcript};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};

/// A fuzz target: its name (its file under `fuzz/fuzz_targets/` and its
/// corpus directory under `fuzz/corpus/`) and what it calls.
pub type Target = (&'static str, fn(&[u8]));

/// Every target, in the order `just fuzz` runs them.
pub const TARGETS: [Target; 13] = [
    ("scenario_file", scenario_file),
    ("catalog", catalog),
    ("import_hello", import_hello),
    ("import_pcap", import_pcap),
    ("import_pcapng", import_pcapng),
    ("import_hex", import_hex),
    ("import_raw", import_raw),
    ("client_hello", client_hello),
    ("record", record),
    ("transcript", transcript),
    ("certificate", certificate),
    ("import_capture", import_capture),
    ("infer_answer", infer_answer),
];

/// The catalog built into the binary, read once: what `run`, `list` and
/// `import-hello` use without `--catalog` outside the source tree.
fn built_in() -> &'static Catalog {
    static CATALOG: OnceLock<Catalog> = OnceLock::new();
    CATALOG.get_or_init(|| Catalog::built_in().expect("the built-in catalog loads"))
}

/// Renders input errors as the CLI prints them (miette, with the source
/// line and the label under the span), so a span that does not fit its
/// text is found too.
fn render(errors: InputErrors) -> String {
    let mut text: String = errors.errors.iter().map(|e| e.one_line()).collect();
    text.push_str(&format!("{:?}", miette::Report::new(errors)));
    text
}

/// `run`, `list`, `bundle` and the rest: a scenario file's text read
/// against the built-in catalog ([`Catalog::parse_scenario_file`]); its
/// errors rendered as the CLI renders them; a file that loads, checked for
/// ids used twice ([`check_unique_ids`]).
pub fn scenario_file(data: &[u8]) {
    // The CLI reads files with `read_to_string`: text that is not UTF-8
    // stops there.
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match built_in().parse_scenario_file(Path::new("fuzz.toml"), text) {
        Ok(file) => {
            let _ = check_unique_ids(std::slice::from_ref(&file));
        }
        Err(errors) => {
            let _ = render(errors);
        }
    }
}

/// A directory of this process and thread (tests replay in parallel).
fn scratch() -> PathBuf {
    let thread = format!("{:?}", std::thread::current().id());
    let name: String = thread.chars().filter(char::is_ascii_alphanumeric).collect();
    std::env::temp_dir().join(format!("tls-harness-fuzz-{}-{name}", std::process::id()))
}

/// `--catalog DIR`: a catalog directory holding the input as its one
/// file, read by [`Catalog::load`] (the library reads catalogs from
/// directories only); its errors rendered as the CLI renders them.
pub fn catalog(data: &[u8]) {
    let dir = scratch();
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    std::fs::write(dir.join("fuzz.toml"), data).expect("the catalog file is written");
    match Catalog::load(&dir) {
        Ok(_) => {}
        Err(errors) => {
            let _ = render(errors);
        }
    }
}

/// `import-hello`: [`import`] in `format` (`None`: told by the first
/// bytes, the command's default), then [`profile_toml`] against the
/// built-in catalog, whose text "always loads": a profile that does not is
/// a bug of the importer, and so a panic here (found so: a hello that
/// lists a group, scheme, key share or ALPN protocol twice, or an empty
/// ALPN id; fuzz/corpus/import_raw/regression-profile-*).
fn import_as(data: &[u8], format: Option<InputFormat>) {
    let Ok(imported) = import(data, format, "fuzz-input") else {
        return;
    };
    let _ = imported.hello.offered();
    if let Err(ImportError::Profile { message, .. }) =
        profile_toml(&imported, &Identity::default(), built_in())
    {
        assert!(
            !message.contains("does not load"),
            "import-hello wrote a profile the loader refuses: {message}"
        );
    }
}

/// `import-capture CAPTURE`, then `--stream 2`: the scenario file it
/// writes "always loads" (checked with the loader before it is handed
/// out), so an error that says it does not is a bug of the importer.
pub fn import_capture(data: &[u8]) {
    let naming = Naming {
        id: "captured".into(),
        product: "captured".into(),
        connection: "https".into(),
    };
    for stream in [None, Some(2)] {
        let result = tls_harness::import::import_capture(
            data,
            "fuzz-input",
            "",
            stream,
            &naming,
            built_in(),
        );
        if let Err(ImportError::Profile { message, .. }) = result {
            assert!(
                !message.contains("does not load"),
                "import-capture wrote a scenario the loader refuses: {message}"
            );
        }
    }
}

/// `infer`'s reading of a live server's answer: the input is what the
/// server sent back to a hello offering TLS 1.2 and 1.3 with key shares
/// and ALPN, read whole and in 7-byte pieces (each piece a read).
pub fn infer_answer(data: &[u8]) {
    let offer = tls_harness::infer::Offer {
        versions: vec![ProtocolVersion::Tls12, ProtocolVersion::Tls13],
        suites: vec![0x1301, 0x1302, 0x1303, 0xC02F, 0xC030, 0x009E, 0x002F],
        groups: vec![0x001D, 0x0017, 0x0018, 0x0100],
        shares: true,
        schemes: vec![0x0804, 0x0403, 0x0401, 0x0201],
        alpn: vec!["h2".into(), "http/1.1".into()],
        server_name: Some("fuzz.example.com".into()),
    };
    for piece in [data.len(), 7] {
        let _ = tls_harness::infer::answer_to(&offer, data, piece);
    }
}

/// `import-hello INPUT`: the format told by the input's first bytes.
pub fn import_hello(data: &[u8]) {
    import_as(data, None);
}

/// `import-hello --input-format pcap`.
pub fn import_pcap(data: &[u8]) {
    import_as(data, Some(InputFormat::Pcap));
}

/// `import-hello --input-format pcapng`.
pub fn import_pcapng(data: &[u8]) {
    import_as(data, Some(InputFormat::Pcapng));
}

/// `import-hello --input-format hex`.
pub fn import_hex(data: &[u8]) {
    import_as(data, Some(InputFormat::Hex));
}

/// `import-hello --input-format raw`.
pub fn import_raw(data: &[u8]) {
    import_as(data, Some(InputFormat::Raw));
}

/// A ClientHello handshake message ([`hello::parse_client_hello`]) and,
/// when it parses, its offer by name as `serve` logs it.
pub fn client_hello(data: &[u8]) {
    if let Ok(hello) = hello::parse_client_hello(data) {
        let _ = hello.offered();
    }
}

/// The record de-framer: every record of the stream ([`record::all`]),
/// and one record at an offset and with a limit taken from the first
/// three bytes ([`record::read`]).
pub fn record(data: &[u8]) {
    for r in record::all(data) {
        let _ = r.end();
    }
    if let [a, b, c, rest @ ..] = data {
        let at = usize::from(u16::from_be_bytes([*a, *b]));
        let max = match c % 3 {
            0 => record::MAX_PLAINTEXT,
            1 => record::MAX_PROTECTED,
            _ => usize::from(*c),
        };
        let _ = record::read(rest, at, max);
        let _ = record::read(rest, 0, max);
    }
}

/// Splits `data` as the transcript target reads it:
/// `[n] secret[n] [len hi] [len lo] client[len] server...`, each part as
/// long as what is left allows.
pub fn split_transcript(data: &[u8]) -> (&[u8], &[u8], &[u8]) {
    fn take<'a>(rest: &mut &'a [u8], n: usize) -> &'a [u8] {
        let (a, b) = rest.split_at(n.min(rest.len()));
        *rest = b;
        a
    }
    let mut rest = data;
    let n = take(&mut rest, 1).first().copied().unwrap_or(0);
    let secret = take(&mut rest, usize::from(n));
    let len = match take(&mut rest, 2) {
        [hi, lo] => usize::from(u16::from_be_bytes([*hi, *lo])),
        _ => 0,
    };
    let client = take(&mut rest, len);
    (secret, client, rest)
}

/// A peer's bytes, as `serve` and `probe` meet them on a socket: the
/// client's bytes read through a socket [`Tap`] (so recorded as the
/// peer's), the server's written through it; then every reader of the
/// transcript ([`hello::client_hello`], alerts, the key-exchange group,
/// HelloRetryRequest, the client random, [`flight::signatures`] at each
/// version and TLS 1.3 suite with the input's secret as both handshake
/// traffic secrets), and the pcapng capture of it ([`capture::pcapng`]),
/// read back by [`import`]: when the client's bytes import as records, the
/// capture must import as the same ClientHello.
pub fn transcript(data: &[u8]) {
    let (secret, client, server) = split_transcript(data);
    let (mut tap, transcript) =
        Tap::socket(tokio::io::join(client, tokio::io::sink()), Side::Server);
    let mut cx = Context::from_waker(Waker::noop());
    let mut buffer = [0u8; 4096];
    loop {
        let mut read = ReadBuf::new(&mut buffer);
        match Pin::new(&mut tap).poll_read(&mut cx, &mut read) {
            Poll::Ready(Ok(())) if !read.filled().is_empty() => {}
            _ => break,
        }
    }
    let mut written = server;
    while !written.is_empty() {
        match Pin::new(&mut tap).poll_write(&mut cx, written) {
            Poll::Ready(Ok(n)) if n > 0 => written = &written[n..],
            _ => break,
        }
    }
    read_transcript(&transcript, secret);

    let random = transcript.client_random().unwrap_or_default();
    let secrets = handshake_secrets(random, secret);
    let conversation = Conversation {
        transcript: &transcript,
        client: std::net::SocketAddrV4::new(capture::CLIENT_IP, 50_000),
        server: capture::SERVER,
        start: capture::FIXED_START,
    };
    let pcapng = capture::pcapng(&[conversation], &secrets);
    let from_capture = import(&pcapng, None, "capture");
    if client.starts_with(&[0x16, 0x03]) {
        if let Ok(direct) = import(client, Some(InputFormat::Raw), "client") {
            match from_capture {
                Ok(captured) => assert_eq!(
                    captured.hello, direct.hello,
                    "the capture of a transcript imports another ClientHello"
                ),
                Err(e) => panic!("the capture of a transcript whose hello imports does not: {e}"),
            }
        }
    }
}

/// `secret` as both sides' TLS 1.3 handshake traffic secret.
fn handshake_secrets(client_random: [u8; 32], secret: &[u8]) -> Secrets {
    let labels = [
        "SERVER_HANDSHAKE_TRAFFIC_SECRET",
        "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
    ];
    Secrets::new(
        labels
            .map(|label| Secret {
                label: label.into(),
                client_random,
                secret: secret.to_vec(),
            })
            .to_vec(),
    )
}

/// Every reader of a transcript.
fn read_transcript(transcript: &Transcript, secret: &[u8]) {
    let _ = hello::client_hello(transcript);
    let _ = transcript.client_random();
    let _ = transcript.hello_retry();
    let _ = transcript.key_exchange_group();
    for side in [Side::Client, Side::Server] {
        let _ = transcript.plaintext_alerts(side);
        let _ = transcript.with_records(side, |records| records.len());
        for kind in [1, 2, 11, 12, 13, 15, 20] {
            let _ = transcript.handshake_message(side, kind);
        }
    }
    let secrets = handshake_secrets([0; 32], secret);
    for version in ProtocolVersion::ALL {
        for suite in [0x1301, 0x1302, 0x1303, 0x1304, 0xC02F] {
            let _ = flight::signatures(transcript, &secrets, version, suite);
        }
    }
}

/// A certificate the peer sent (DER), as `probe` summarises the server's
/// chain and a handshake's outcome its peer's leaf ([`pki::summarize`],
/// [`pki::fingerprint`]).
pub fn certificate(data: &[u8]) {
    let _ = pki::summarize(data);
    let _ = pki::fingerprint(data);
}
