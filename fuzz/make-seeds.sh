#!/usr/bin/env bash
# Writes the seed corpora under fuzz/corpus/<target>/ (committed; see
# README.md#fuzzing). Run from the repository root on a machine with
# openssl, dumpcap and tshark (Debian: openssl, tshark), as a user who may
# capture on the loopback interface, after `cargo build --release`.
# The seeds are real inputs: the shipped scenario and catalog files, the
# ClientHellos of `openssl s_client` (its -msg and -debug hex, dumpcap
# captures on lo and on `any`, over IPv4 and IPv6, as pcap and pcapng),
# the transcripts and keys of the harness's own handshakes (`run --pcap
# --keylog`), and certificates of each key type. Seeds are named for what
# they are; running it again replaces them.
set -euo pipefail
root=$(pwd)
corpus=$root/fuzz/corpus
harness=$root/target/release/tls-harness
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

for t in scenario_file catalog import_hello import_pcap import_pcapng import_hex \
    import_raw client_hello record transcript certificate import_capture infer_answer; do
    mkdir -p "$corpus/$t"
    find "$corpus/$t" -name 'seed-*' -delete
done

# Scenario files and catalog files as shipped; the hostile tests' catalog.
while IFS= read -r f; do
    name=seed-$(echo "${f#scenarios/}" | tr / -)
    case $f in
        scenarios/catalog/*) cp "$f" "$corpus/catalog/$name" ;;
        *) cp "$f" "$corpus/scenario_file/$name" ;;
    esac
done < <(find scenarios -name '*.toml' | sort)
cp tests/tools/hostile-catalog/servers.toml "$corpus/catalog/seed-hostile-servers.toml"

# A self-contained scenario file, as a repro bundle writes it.
"$harness" bundle ecdsa-leaf-from-rsa-ca-at-tls13 -o "$work/bundle" >/dev/null 2>&1 || true
if [ -f "$work/bundle/scenario.toml" ]; then
    cp "$work/bundle/scenario.toml" "$corpus/scenario_file/seed-bundle-self-contained.toml"
    for pem in "$work"/bundle/certificates/*.pem; do
        [ -f "$pem" ] || continue
        openssl x509 -in "$pem" -outform DER \
            -out "$corpus/certificate/seed-harness-$(basename "${pem%.pem}").der" 2>/dev/null || true
    done
fi

# Certificates of each key type (DER), self-signed by openssl.
for key in rsa:1024 ec:prime256v1 ec:secp384r1 ec:secp521r1 dsa ed25519; do
    case $key in
        rsa:*) args=(-newkey "rsa:${key#rsa:}") ;;
        ec:*) openssl ecparam -name "${key#ec:}" -out "$work/ec.pem"; args=(-newkey "ec:$work/ec.pem") ;;
        dsa) openssl dsaparam -out "$work/dsa.pem" 1024 2>/dev/null; args=(-newkey "dsa:$work/dsa.pem") ;;
        ed25519) args=(-newkey ed25519) ;;
    esac
    openssl req -x509 "${args[@]}" -nodes -keyout "$work/key.pem" -subj "/CN=fuzz-${key/:/-}" \
        -days 30 -outform DER -out "$corpus/certificate/seed-openssl-${key/:/-}.der" 2>/dev/null
done

# ClientHellos of openssl s_client against openssl s_server on loopback,
# each captured by dumpcap.
openssl req -x509 -newkey ec:"$work/ec.pem" -nodes -keyout "$work/server.key" \
    -subj /CN=localhost -days 30 -out "$work/server.pem" 2>/dev/null
port=44330
for address in 127.0.0.1 "[::1]"; do
    openssl s_server -accept "$address:$port" -cert "$work/server.pem" -key "$work/server.key" \
        -www -quiet >/dev/null 2>&1 &
done
sleep 1
hello() { # NAME INTERFACE HOST PCAP-FLAG S_CLIENT-ARGS...
    local name=$1 iface=$2 host=$3 flag=$4
    shift 4
    local file=$work/$name.cap
    dumpcap -q -i "$iface" $flag -f "tcp port $port" -a duration:3 -w "$file" 2>/dev/null &
    local cap=$!
    sleep 1
    openssl s_client -connect "[$host]:$port" -servername fuzz.example.com -msg "$@" \
        </dev/null >"$work/$name.msg" 2>/dev/null || true
    wait $cap
    # The client's bytes, from the capture: tshark follows the first stream.
    tshark -r "$file" -q -z follow,tcp,raw,0 2>/dev/null |
        python3 -c '
import sys
client, server = bytearray(), bytearray()
for line in sys.stdin:
    if line.startswith(("=", "Follow", "Filter", "Node")) or not line.strip():
        continue
    (server if line.startswith("\t") else client).extend(bytes.fromhex(line.strip()))
open(sys.argv[1], "wb").write(client)
open(sys.argv[2], "wb").write(server)
' "$work/$name.client" "$work/$name.server"
}
hello tls13-lo lo 127.0.0.1 "" -alpn h2,http/1.1
hello tls12-lo lo 127.0.0.1 -P -tls1_2 -cipher ECDHE-ECDSA-AES128-GCM-SHA256:AES256-SHA
hello tls13-v6 lo ::1 -P -tls1_3 -groups X25519:P-256
hello tls12-any any 127.0.0.1 "" -tls1_2 -alpn http/1.1
hello tls13-any any 127.0.0.1 -P -tls1_3 -curves P-384

cp "$work/tls13-lo.cap" "$corpus/import_pcapng/seed-s_client-tls13-lo-ethernet.pcapng"
cp "$work/tls12-any.cap" "$corpus/import_pcapng/seed-s_client-tls12-any-sll2.pcapng"
cp "$work/tls12-lo.cap" "$corpus/import_pcap/seed-s_client-tls12-lo-ethernet.pcap"
cp "$work/tls13-v6.cap" "$corpus/import_pcap/seed-s_client-tls13-lo-ipv6.pcap"
cp "$work/tls13-any.cap" "$corpus/import_pcap/seed-s_client-tls13-any-sll.pcap"
for name in tls13-lo tls12-lo tls13-v6; do
    cp "$work/$name.msg" "$corpus/import_hex/seed-s_client-msg-$name.txt"
    cp "$work/$name.client" "$corpus/import_raw/seed-s_client-$name.bin"
    cp "$work/$name.client" "$corpus/record/seed-s_client-client-$name.bin"
    cp "$work/$name.server" "$corpus/record/seed-s_client-server-$name.bin"
done
python3 - "$work" "$corpus" <<'PY'
import sys, os
work, corpus = sys.argv[1:]
for name in ["tls13-lo", "tls12-lo", "tls13-v6"]:
    stream = open(f"{work}/{name}.client", "rb").read()
    length = int.from_bytes(stream[3:5], "big")
    message = stream[5:5 + length]
    open(f"{corpus}/client_hello/seed-s_client-{name}.bin", "wb").write(message)
    open(f"{corpus}/import_raw/seed-s_client-bare-{name}.bin", "wb").write(message)
    # The record split in two, as a large hello comes.
    half = len(message) // 2
    split = bytes([22, 3, 1]) + half.to_bytes(2, "big") + message[:half]
    split += bytes([22, 3, 1]) + (len(message) - half).to_bytes(2, "big") + message[half:]
    open(f"{corpus}/import_raw/seed-split-records-{name}.bin", "wb").write(split)
    # Hex as people paste it: spaced, 0x-prefixed, and as BIO_dump prints it.
    record = stream[:5 + length]
    spaced = "\n".join(record[i:i + 16].hex(" ") for i in range(0, len(record), 16)) + "\n"
    open(f"{corpus}/import_hex/seed-spaced-{name}.txt", "w").write(spaced)
    prefixed = ", ".join(f"0x{b:02x}" for b in message) + "\n"
    open(f"{corpus}/import_hex/seed-0x-{name}.txt", "w").write("# a bare ClientHello\n" + prefixed)
    dump = ""
    for i in range(0, len(record), 16):
        chunk = record[i:i + 16]
        cols = " ".join(f"{b:02x}" + ("-" if j == 7 and len(chunk) > 8 else "") for j, b in enumerate(chunk))
        cols = cols.replace("- ", "-")
        text = "".join(chr(b) if 32 <= b < 127 else "." for b in chunk)
        dump += f"{i:04x} - {cols:<48}   {text}\n"
    open(f"{corpus}/import_hex/seed-bio-dump-{name}.txt", "w").write(dump)
PY

# The harness's own handshakes: transcripts with the server's handshake
# traffic secret (TLS 1.3), captures with keys inside, and the hellos of
# its backends.
"$harness" run --pcap "$work/pcap" --keylog "$work/keylog" \
    scenarios/backends/groups-and-alpn.toml scenarios/regressions/legacy-hello-versions.toml \
    >/dev/null 2>&1 || true
i=0
while IFS= read -r f; do
    i=$((i + 1))
    name=$(echo "${f#"$work"/pcap/}" | tr / - | sed 's/\.pcapng$//')
    tshark -r "$f" -q -z follow,tcp,raw,0 2>/dev/null | python3 -c '
import sys
client, server = bytearray(), bytearray()
for line in sys.stdin:
    if line.startswith(("=", "Follow", "Filter", "Node")) or not line.strip():
        continue
    (server if line.startswith("\t") else client).extend(bytes.fromhex(line.strip()))
keylog, out, hello_out = sys.argv[1:]
random = client[11:43].hex()
secret = b""
for line in open(keylog):
    words = line.split()
    if len(words) == 3 and words[0] == "SERVER_HANDSHAKE_TRAFFIC_SECRET" and words[1] == random:
        secret = bytes.fromhex(words[2])
if len(client) >= 2**16:
    sys.exit(0)
open(out, "wb").write(bytes([len(secret)]) + secret + len(client).to_bytes(2, "big") + client + server)
length = int.from_bytes(client[3:5], "big")
if client[:1] == b"\x16":
    open(hello_out, "wb").write(client[5:5 + length])
' "$work/keylog" "$corpus/transcript/seed-harness-$name.bin" "$corpus/client_hello/seed-harness-$name.bin"
    [ $((i % 4)) = 1 ] && cp "$f" "$corpus/import_pcapng/seed-harness-$name.pcapng"
    # Whole connections with their keys inside (a Decryption Secrets Block).
    cp "$f" "$corpus/import_capture/seed-harness-$name.pcapng"
done < <(find "$work/pcap" -name '*.pcapng' | sort |
    grep -E '/(rustls-openssl|openssl-rustls|jsse-jsse|openssl-openssl)\.pcapng$' |
    awk '{ all[NR] = $0 } END { step = int((NR + 15) / 16); for (i = 1; i <= NR; i += step) print all[i] }')

# The command's default, format told by the first bytes: one of each.
cp "$corpus/import_pcapng/seed-s_client-tls13-lo-ethernet.pcapng" "$corpus/import_hello/seed-pcapng.pcapng"
cp "$corpus/import_pcap/seed-s_client-tls12-lo-ethernet.pcap" "$corpus/import_hello/seed-pcap.pcap"
cp "$corpus/import_hex/seed-s_client-msg-tls13-lo.txt" "$corpus/import_hello/seed-msg.txt"
cp "$corpus/import_raw/seed-s_client-tls13-lo.bin" "$corpus/import_hello/seed-raw.bin"

# Whole connections of real tools, as import-capture reads them.
cp "$corpus"/import_pcap/seed-s_client-* "$corpus"/import_pcapng/seed-s_client-* "$corpus/import_capture/"

# What servers answered, as infer reads it: the server's side of each
# whole connection (tshark gives its TCP payloads in order).
for f in "$corpus"/import_capture/seed-*; do
    port=$(tshark -r "$f" -Y 'tls.handshake.type == 2' -T fields -e tcp.srcport 2>/dev/null | head -1)
    [ -n "$port" ] || continue
    name=$(basename "${f%.*}")
    tshark -r "$f" -Y "tcp.srcport == $port && tcp.len > 0" -T fields -e tcp.payload 2>/dev/null |
        tr -d '\n:' | xxd -r -p >"$corpus/infer_answer/seed-server-${name#seed-}.bin"
done

du -sh "$corpus"
for t in "$corpus"/*; do echo "$(basename "$t"): $(ls "$t" | wc -l) files"; done
