#!/usr/bin/env python3
"""Hostile and odd TLS clients, built with tlslite-ng (an independent,
pure-Python TLS stack) and broken by hand, pointed at one server.

    hostile.py HOST PORT SERVER_NAME [CONVERSATION ...]

Runs each conversation (all of them by default) on its own connection and
prints one JSON line per conversation:

    {"conversation": "no-null-compression", "answer": "alert", "alert": 47}

where "answer" is what the server did first:

- "alert": a plaintext alert (its description in "alert");
- "server-hello": a ServerHello (it went on with the handshake);
- "closed": it closed the connection with no alert;
- "silent": nothing came within the wait (a server that hangs);
- "http": the first line of its HTTP answer, in "line";
- "close-notify": only its close_notify after ours, no data;
- "data-after-close-notify": it wrote data after our close_notify;
- "error": the conversation itself broke (in "detail").

Tests read the lines; nothing here decides what is right.
"""

import json
import os
import socket
import struct
import sys

from tlslite.api import HandshakeSettings, TLSConnection
from tlslite.constants import (
    AlertDescription,
    AlertLevel,
    CipherSuite,
    ContentType,
    ExtensionType,
    GroupName,
    HandshakeType,
    SignatureScheme,
)
from tlslite.extensions import (
    ClientKeyShareExtension,
    ECPointFormatsExtension,
    KeyShareEntry,
    PaddingExtension,
    SignatureAlgorithmsExtension,
    SNIExtension,
    SupportedGroupsExtension,
    SupportedVersionsExtension,
)
from tlslite.messages import Alert, ClientHello

# How long to wait for a first answer. A server under test has its own
# deadline (seconds); silence past this is reported, not waited out.
WAIT = 20.0

TLS12 = (3, 3)
TLS13 = (3, 4)
SUITES12 = [
    CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
    CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
    CipherSuite.TLS_RSA_WITH_AES_128_GCM_SHA256,
]
SUITES13 = [CipherSuite.TLS_AES_128_GCM_SHA256]
SCHEMES = [
    SignatureScheme.rsa_pss_rsae_sha256,
    SignatureScheme.rsa_pkcs1_sha256,
    SignatureScheme.ecdsa_secp256r1_sha256,
]


def extensions(server_name, tls13):
    """The extensions of an ordinary hello, for TLS 1.2 or up to 1.3."""
    ext = [
        SNIExtension().create(bytearray(server_name, "ascii")),
        SupportedGroupsExtension().create([GroupName.x25519, GroupName.secp256r1]),
        ECPointFormatsExtension().create([0]),
        SignatureAlgorithmsExtension().create(SCHEMES),
    ]
    if tls13:
        ext.append(SupportedVersionsExtension().create([TLS13, TLS12]))
        # Any 32 bytes are an X25519 public key; only the first answer
        # matters here.
        share = KeyShareEntry().create(GroupName.x25519, bytearray(os.urandom(32)))
        ext.append(ClientKeyShareExtension().create([share]))
    return ext


def hello(server_name, version=TLS12, suites=None, tls13=True, compression=None, extra=()):
    """A ClientHello handshake message (type and length included)."""
    suites = suites if suites is not None else SUITES13 + SUITES12
    ch = ClientHello().create(
        version,
        bytearray(os.urandom(32)),
        bytearray(os.urandom(32)),
        suites,
        extensions=extensions(server_name, tls13) + list(extra),
    )
    if compression is not None:
        ch.compression_methods = compression
    return bytes(ch.write())


def records(payload, content_type=ContentType.handshake, version=(3, 1), size=16384):
    """`payload` framed as records of at most `size` bytes."""
    out = b""
    for i in range(0, len(payload), size):
        chunk = payload[i : i + size]
        out += struct.pack(">BBBH", content_type, version[0], version[1], len(chunk)) + chunk
    return out


def first_answer(sock):
    """What the server sent first: an alert, a ServerHello, a close, or
    nothing within WAIT."""
    sock.settimeout(WAIT)
    data = b""
    try:
        while len(data) < 6:
            chunk = sock.recv(4096)
            if not chunk:
                break
            data += chunk
    except socket.timeout:
        return {"answer": "silent"}
    except ConnectionResetError:
        return {"answer": "closed", "detail": "reset"}
    if len(data) < 5:
        return {"answer": "closed"}
    kind = data[0]
    if kind == ContentType.alert and len(data) >= 7:
        return {"answer": "alert", "alert": data[6], "level": data[5]}
    if kind == ContentType.alert:
        return {"answer": "alert", "alert": None}
    if kind == ContentType.handshake and data[5] == 2:
        return {"answer": "server-hello"}
    return {"answer": "other", "detail": data[:8].hex()}


def raw(host, port, payload, half_close=False):
    with socket.create_connection((host, port), timeout=WAIT) as sock:
        local = sock.getsockname()[1]
        try:
            sock.sendall(payload)
            if half_close:
                sock.shutdown(socket.SHUT_WR)
        except (BrokenPipeError, ConnectionResetError):
            # The server closed before it read everything: what it sent
            # first is still waiting to be read.
            pass
        return {**first_answer(sock), "port": local}


# ---- conversations built by hand ----


def sslv3_only(host, port, name):
    """A hello for SSL 3.0 alone (no supported_versions)."""
    return raw(host, port, records(hello(name, version=(3, 0), suites=SUITES12, tls13=False), version=(3, 0)))


def tls10_only(host, port, name):
    """A hello for TLS 1.0 alone."""
    suites = [CipherSuite.TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA, CipherSuite.TLS_RSA_WITH_AES_128_CBC_SHA]
    return raw(host, port, records(hello(name, version=(3, 1), suites=suites, tls13=False)))


def future_version_only(host, port, name):
    """supported_versions naming only a version after TLS 1.3 (0x0305)."""
    ext = extensions(name, False) + [SupportedVersionsExtension().create([(3, 5)])]
    ch = ClientHello().create(TLS12, bytearray(os.urandom(32)), bytearray(32), SUITES13 + SUITES12, extensions=ext)
    return raw(host, port, records(bytes(ch.write())))


def truncated_hello(host, port, name):
    """A hello cut short inside its extensions, the record and handshake
    lengths fitted to the cut (the message does not parse)."""
    msg = hello(name)
    body = msg[4:-10]
    return raw(host, port, records(bytes([1]) + len(body).to_bytes(3, "big") + body))


def cut_record(host, port, name):
    """A record that promises more bytes than come, then the client's
    half-close."""
    msg = records(hello(name))
    return raw(host, port, msg[: len(msg) // 2], half_close=True)


def oversized_hello(host, port, name):
    """A hello of over 64 KiB, over five records: 20000 suites no one
    assigned (40000 bytes; a list's length has two bytes) and a padding
    extension of 30000 bytes."""
    unassigned = [0x0100 + i for i in range(20000)]
    pad = PaddingExtension().create(30000)
    return raw(host, port, records(hello(name, suites=SUITES13 + SUITES12 + unassigned, extra=[pad])))


def no_null_compression(host, port, name):
    """Compression methods [DEFLATE] alone, without null."""
    return raw(host, port, records(hello(name, compression=[1])))


def compression_offered(host, port, name):
    """Compression methods [DEFLATE, null]: legal below TLS 1.3."""
    return raw(host, port, records(hello(name, tls13=False, suites=SUITES12, compression=[1, 0])))


def fallback_scsv(host, port, name):
    """A TLS 1.2 hello carrying TLS_FALLBACK_SCSV (RFC 7507)."""
    suites = SUITES12 + [CipherSuite.TLS_FALLBACK_SCSV]
    return raw(host, port, records(hello(name, suites=suites, tls13=False)))


def no_shared_suite(host, port, name):
    """Only suites no server here enables (NULL, RC4 and export)."""
    suites = [0x0001, 0x0004, 0x0003]
    return raw(host, port, records(hello(name, suites=suites, tls13=False)))


def plaintext_http(host, port, name):
    """An HTTP request where a ClientHello belongs."""
    return raw(host, port, b"GET / HTTP/1.0\r\n\r\n")


def garbage(host, port, name):
    """Bytes that are no TLS record at all."""
    return raw(host, port, bytes(range(256)) * 4)


# ---- conversations after a real handshake (tlslite-ng's own client) ----


def connect(host, port, name):
    sock = socket.create_connection((host, port), timeout=WAIT)
    conn = TLSConnection(sock)
    settings = HandshakeSettings()
    settings.minVersion = TLS12
    settings.maxVersion = TLS13
    conn.handshakeClientCert(settings=settings, serverName=name)
    return conn


def read_to_end(conn):
    data = b""
    try:
        while True:
            chunk = conn.read()
            if not chunk:
                break
            data += bytes(chunk)
    except Exception:  # the server's close without close_notify
        pass
    return data


def http_answer(conn):
    """The first line of the server's answer to the request just sent."""
    local = conn.sock.getsockname()[1]
    answer = read_to_end(conn)
    conn.sock.close()
    if not answer:
        return {"answer": "closed", "port": local}
    return {"answer": "http", "line": answer.split(b"\r\n")[0].decode("latin-1"), "port": local}


def bare_lf_request(host, port, name):
    """`GET / HTTP/1.0` with lines ended by a bare LF."""
    conn = connect(host, port, name)
    conn.write(b"GET / HTTP/1.0\n\n")
    return http_answer(conn)


def crlf_request(host, port, name):
    """`GET / HTTP/1.0` with lines ended by CRLF: the ordinary request."""
    conn = connect(host, port, name)
    conn.write(b"GET / HTTP/1.0\r\n\r\n")
    return http_answer(conn)


def close_after_handshake(host, port, name):
    """The handshake, then a TCP close with no request and no alert."""
    conn = connect(host, port, name)
    local = conn.sock.getsockname()[1]
    conn.sock.close()
    return {"answer": "closed", "port": local}


def close_notify_without_request(host, port, name):
    """The handshake, then close_notify and no request: the server may
    answer with its own close_notify, never with data (RFC 5246 §7.2.1,
    RFC 8446 §6.1)."""
    conn = connect(host, port, name)
    local = conn.sock.getsockname()[1]
    for _ in conn._sendMsg(Alert().create(AlertDescription.close_notify, AlertLevel.warning)):
        pass
    wanted = (ContentType.alert, ContentType.application_data, ContentType.handshake)
    try:
        while True:
            result = None
            for result in conn._getMsg(wanted, HandshakeType.new_session_ticket):
                if result in (0, 1):
                    continue
                break
            if result.contentType == ContentType.application_data:
                return {"answer": "data-after-close-notify", "port": local}
            if result.contentType == ContentType.alert:
                if result.description == AlertDescription.close_notify:
                    return {"answer": "close-notify", "port": local}
                return {"answer": "alert", "alert": result.description, "port": local}
            # A TLS 1.3 ticket: read on.
    except Exception as e:  # a close without close_notify
        return {"answer": "closed", "detail": f"{type(e).__name__}: {e}", "port": local}
    finally:
        conn.sock.close()


CONVERSATIONS = {
    "sslv3-only": sslv3_only,
    "tls10-only": tls10_only,
    "future-version-only": future_version_only,
    "truncated-hello": truncated_hello,
    "cut-record": cut_record,
    "oversized-hello": oversized_hello,
    "no-null-compression": no_null_compression,
    "compression-offered": compression_offered,
    "fallback-scsv": fallback_scsv,
    "no-shared-suite": no_shared_suite,
    "plaintext-http": plaintext_http,
    "garbage": garbage,
    "crlf-request": crlf_request,
    "bare-lf-request": bare_lf_request,
    "close-after-handshake": close_after_handshake,
    "close-notify-without-request": close_notify_without_request,
}


def main():
    host, port, name = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    wanted = sys.argv[4:] or list(CONVERSATIONS)
    for conversation in wanted:
        try:
            result = CONVERSATIONS[conversation](host, port, name)
        except Exception as e:
            result = {"answer": "error", "detail": f"{type(e).__name__}: {e}"}
        result = {"conversation": conversation, **result}
        print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()
