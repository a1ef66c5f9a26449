#!/usr/bin/env python3
"""Runs one real client of this machine against HTTPS servers and says what
it reached.

Used by tests/clients.rs (the captured clients' fidelity test) and by
scripts/capture-clients (which records each client's ClientHello for the
catalog). The clients are the software around the products, as Debian
and the JDK ship it:

    chromium   headless Chromium (BoringSSL), through browsers.py
    firefox    headless Firefox ESR (NSS), through browsers.py
    curl       curl (OpenSSL)
    python     Python's ssl module, default context (OpenSSL)
    jdk        a JDK HttpClient with its defaults (JSSE)
    gnutls     gnutls-cli (GnuTLS)

`clients.py version CLIENT` prints the client's version. `clients.py run
CLIENT` reads a job (JSON) on stdin:

    {"trust": "/path/ca.pem" or null, "hosts": ["peer.test", ...],
     "urls": ["https://peer.test:PORT/", ...]}

Every name in `hosts` resolves to 127.0.0.1; the CAs in `trust` are what
the client trusts (null: its own defaults). Prints one JSON object: the
client's version and, per URL, `established` with the TLS version, the
suite (IANA name) and the key-exchange group where the client names one,
or `failed` with what the client said. `established` means the server
answered an HTTP request over the connection: a TLS 1.3 server that
refuses the client's certificate does so after the client's handshake is
over. Every connection has a deadline.
"""

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import browsers  # noqa: E402  (next to this file)

DEADLINE = 10


def established(version, suite, group=None):
    return {"result": "established", "version": version, "suite": suite,
            "group": group, "error": None}


def failed(error):
    return {"result": "failed", "version": None, "suite": None, "group": None,
            "error": " ".join(str(error).split())[:300]}


def host_port(url):
    parts = urllib.parse.urlsplit(url)
    return parts.hostname, parts.port or 443


_OPENSSL_NAMES = None


def openssl_iana(name):
    """The IANA name of a suite OpenSSL names (`ECDHE-RSA-AES128-GCM-SHA256`);
    TLS 1.3 suites have one name."""
    global _OPENSSL_NAMES
    if _OPENSSL_NAMES is None:
        out = subprocess.run(["openssl", "ciphers", "-stdname", "ALL:COMPLEMENTOFALL:@SECLEVEL=0"],
                             capture_output=True, text=True, check=True).stdout
        _OPENSSL_NAMES = {}
        for line in out.splitlines():
            fields = line.split()
            if len(fields) >= 3:
                _OPENSSL_NAMES[fields[2]] = fields[0]
    return _OPENSSL_NAMES.get(name, name)


def tls_version(text):
    """`1.3` from `TLSv1.3`, `TLS1.3` or `TLS 1.3`; `1.0` from `TLSv1`."""
    number = re.sub(r"^TLS\s*v?", "", text.strip())
    return "1.0" if number == "1" else number


# ---- curl ----

def curl(job):
    visits = []
    for url in job["urls"]:
        host, port = host_port(url)
        argv = ["curl", "-sv", "--max-time", str(DEADLINE), "-o", "/dev/null",
                "--resolve", f"{host}:{port}:127.0.0.1", url]
        if job["trust"]:
            argv[1:1] = ["--cacert", job["trust"]]
        out = subprocess.run(argv, capture_output=True, text=True, timeout=DEADLINE + 5)
        using = re.search(r"SSL connection using (\S+) / (\S+)", out.stderr)
        if using and out.returncode == 0:
            visits.append(established(tls_version(using.group(1)), openssl_iana(using.group(2))))
        else:
            said = [l for l in out.stderr.splitlines() if "curl:" in l or "error" in l.lower()]
            visits.append(failed(f"exit {out.returncode}: {' '.join(said) or out.stderr[-200:]}"))
    return visits


def curl_version():
    """`curl 7.88.1 (OpenSSL/3.0.19)`: curl's version and its TLS library's."""
    words = subprocess.run(["curl", "--version"], capture_output=True, text=True).stdout.split()
    library = next((w for w in words if w.startswith(("OpenSSL/", "GnuTLS/"))), "?")
    return f"curl {words[1]} ({library})"


# ---- Python's ssl ----

def python(job):
    import socket
    import ssl
    visits = []
    for url in job["urls"]:
        host, port = host_port(url)
        context = ssl.create_default_context(cafile=job["trust"])
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=DEADLINE) as raw:
                with context.wrap_socket(raw, server_hostname=host) as tls:
                    tls.sendall(f"GET / HTTP/1.0\r\nHost: {host}\r\n\r\n".encode())
                    answer = tls.recv(64)
                    if not answer.startswith(b"HTTP/"):
                        raise OSError(f"no HTTP answer: {answer!r}")
                    visits.append(established(tls_version(tls.version()),
                                              openssl_iana(tls.cipher()[0])))
        except (OSError, ssl.SSLError) as e:
            visits.append(failed(e))
    return visits


def python_version():
    import ssl
    return f"Python {sys.version.split()[0]} ssl ({ssl.OPENSSL_VERSION})"


# ---- the JDK's HttpClient ----

JDK_CLIENT = r"""
import java.io.FileInputStream;
import java.net.URI;
import java.net.http.*;
import java.security.KeyStore;
import java.security.cert.*;
import java.time.Duration;
import javax.net.ssl.*;

public class Client {
    public static void main(String[] a) throws Exception {
        SSLContext ctx = SSLContext.getDefault();
        if (!a[0].isEmpty()) {
            KeyStore trust = KeyStore.getInstance("PKCS12");
            trust.load(null, null);
            int i = 0;
            for (Certificate c : CertificateFactory.getInstance("X.509")
                    .generateCertificates(new FileInputStream(a[0]))) {
                trust.setCertificateEntry("ca" + i++, c);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance("PKIX");
            tmf.init(trust);
            ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tmf.getTrustManagers(), null);
        }
        for (int i = 1; i < a.length; i++) {
            HttpClient client = HttpClient.newBuilder().sslContext(ctx)
                    .connectTimeout(Duration.ofSeconds(10)).build();
            HttpRequest request = HttpRequest.newBuilder(URI.create(a[i]))
                    .timeout(Duration.ofSeconds(10)).build();
            try {
                // Returns once the headers are in; the body is not read
                // (s_server -www ends it only when the client closes).
                HttpResponse<java.io.InputStream> r =
                        client.send(request, HttpResponse.BodyHandlers.ofInputStream());
                SSLSession s = r.sslSession().get();
                r.body().close();
                System.out.println("established " + s.getProtocol() + " " + s.getCipherSuite());
            } catch (Exception e) {
                System.out.println("failed " + e.toString().replace('\n', ' '));
            }
        }
    }
}
"""


def jdk(job):
    home = tempfile.mkdtemp(prefix="tls-harness-jdk-")
    try:
        source = os.path.join(home, "Client.java")
        with open(source, "w") as f:
            f.write(JDK_CLIENT)
        hosts = os.path.join(home, "hosts")
        with open(hosts, "w") as f:
            f.writelines(f"127.0.0.1 {h}\n" for h in job["hosts"])
        argv = ["java", f"-Djdk.net.hosts.file={hosts}", source, job["trust"] or "", *job["urls"]]
        out = subprocess.run(argv, capture_output=True, text=True,
                             timeout=30 + DEADLINE * len(job["urls"]))
    finally:
        shutil.rmtree(home, ignore_errors=True)
    lines = [l for l in out.stdout.splitlines() if l.startswith(("established ", "failed "))]
    if len(lines) != len(job["urls"]):
        raise SystemExit(f"the JDK client answered {len(lines)} of {len(job['urls'])}: {out}")
    visits = []
    for line in lines:
        word, _, rest = line.partition(" ")
        if word == "established":
            protocol, suite = rest.split()
            visits.append(established(tls_version(protocol), suite))
        else:
            visits.append(failed(rest))
    return visits


def jdk_version():
    out = subprocess.run(["java", "-version"], capture_output=True, text=True)
    found = re.search(r'version "([^"]+)"', out.stderr)
    return f"OpenJDK {found.group(1) if found else '?'} HttpClient"


# ---- gnutls-cli ----

def gnutls(job):
    visits = []
    for url in job["urls"]:
        host, port = host_port(url)
        argv = ["gnutls-cli", "-V", "-p", str(port), "--sni-hostname", host,
                "--verify-hostname", host, "127.0.0.1"]
        if job["trust"]:
            argv.insert(1, f"--x509cafile={job['trust']}")
        out = subprocess.run(argv, capture_output=True, text=True, timeout=DEADLINE + 5,
                             input=f"GET / HTTP/1.0\r\nHost: {host}\r\n\r\n", errors="replace")
        text = out.stdout + out.stderr
        field = lambda name: (re.search(rf"^- {name}: (.+)$", text, re.M) or [None, None])[1]
        if "- Handshake was completed" not in text or "HTTP/1." not in out.stdout:
            said = [l for l in text.splitlines() if l.startswith("*** ") or "rror" in l]
            visits.append(failed(" ".join(said) or text[-200:]))
            continue
        version = tls_version(field("Version"))
        kx = field("Key Exchange")
        description = field("Description") or ""
        group = re.search(r"\((?:EC)?DHE-([A-Z0-9]+)\)", description)
        visits.append(established(version, browsers.iana_suite(
            version, kx, field("Cipher"), field("MAC")),
            browsers.group_name(group.group(1) if group else None)))
    return visits


def gnutls_version():
    out = subprocess.run(["gnutls-cli", "--version"], capture_output=True, text=True)
    return out.stdout.splitlines()[0]


# ---- the browsers ----

def pem_certificates(path):
    """The base64 DER of each certificate in a PEM file."""
    with open(path) as f:
        text = f.read()
    return ["".join(body.split()) for body in re.findall(
        r"-----BEGIN CERTIFICATE-----(.*?)-----END CERTIFICATE-----", text, re.S)]


def browser(name):
    binary = {"chromium": "chromium", "firefox": "firefox-esr"}[name]
    session_of = {"chromium": browsers.chromium_session, "firefox": browsers.firefox_session}[name]

    def run(job):
        session = {"name": name, "hosts": job["hosts"], "exceptions": [], "urls": job["urls"],
                   "trust": pem_certificates(job["trust"]) if job["trust"] else []}
        home = tempfile.mkdtemp(prefix=f"tls-harness-{name}-")
        try:
            seen = {v["url"]: v for v in session_of(shutil.which(binary), session, home)}
        finally:
            shutil.rmtree(home, ignore_errors=True)
        visits = []
        for url in job["urls"]:
            v = seen[url]
            if v["loaded"]:
                visits.append(established(tls_version(v["version"]), v["suite"], v["group"]))
            else:
                visits.append(failed(v["error"]))
        return visits

    return run, lambda: browsers.version(shutil.which(binary))


CLIENTS = {
    "chromium": browser("chromium"),
    "firefox": browser("firefox"),
    "curl": (curl, curl_version),
    "python": (python, python_version),
    "jdk": (jdk, jdk_version),
    "gnutls": (gnutls, gnutls_version),
}


def main():
    command, client = sys.argv[1], sys.argv[2]
    run, version = CLIENTS[client]
    if command == "version":
        print(version())
        return
    job = json.load(sys.stdin)
    visits = [dict(v, url=url) for url, v in zip(job["urls"], run(job))]
    json.dump({"client": version(), "visits": visits}, sys.stdout, indent=1)


if __name__ == "__main__":
    main()
