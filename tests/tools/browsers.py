#!/usr/bin/env python3
"""Loads pages in a real browser and says what the browser made of each.

Used by tests/browsers.rs. Drives headless Chromium over the DevTools
protocol and headless Firefox over WebDriver BiDi, both through the
browser's own debugging port (no driver binary). Reads a job (JSON) on
stdin:

    {"sessions": [{"name": "...",
                   "hosts": ["uccx115.example.com", ...],
                   "trust": ["<base64 DER of a CA>", ...],
                   "exceptions": [{"host": "...", "port": 443,
                                   "der": "<base64 DER>",
                                   "spki-sha256": "<base64>"}],
                   "urls": ["https://uccx115.example.com:PORT/", ...]}]}

Each session is one browser with a fresh profile: the CAs in `trust` are
trusted as an IT department would install them (Chromium: the NSS store
of the user, filled with certutil; Firefox: its certificate database, by
the browser's own API), and each exception is given as a user gives it
(Chromium: --ignore-certificate-errors-spki-list; Firefox: where a page
shows one of them, the override its "Accept the risk" button records, and
the page loads again). Every name in `hosts` resolves to
127.0.0.1. Prints one JSON object: the browser's version and, per URL,
whether the page loaded, the browser's error name if not, the SHA-256 of
the leaf certificate the browser was shown, and the TLS version, suite
(IANA name) and key-exchange group it saw.
"""

import base64
import concurrent.futures
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

from websockets.sync.client import connect

# How long a browser has to start or to answer one command: a guard against
# a browser that hangs, not a measure of speed. On 2 cores with other
# tests' browsers starting, Firefox once took over 20 s for session.new.
DEADLINE = 90.0


class Connection:
    """A JSON-over-WebSocket command channel (CDP and BiDi alike)."""

    def __init__(self, ws):
        self.ws = ws
        self.next_id = 0
        self.events = []

    def send(self, method, params=None, session=None):
        """Sends a command and returns its id; `reply` waits for the answer."""
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        self.ws.send(json.dumps(message))
        return self.next_id

    def reply(self, wanted):
        """The answer to command `wanted`; whatever else arrives meanwhile
        (events, other answers) is kept in `events`."""
        end = time.monotonic() + DEADLINE
        while True:
            for i, message in enumerate(self.events):
                if message.get("id") == wanted:
                    return self.events.pop(i)
            left = end - time.monotonic()
            if left <= 0:
                raise SystemExit(f"no answer to command {wanted} within {DEADLINE} s")
            self.events.append(json.loads(self.ws.recv(timeout=left)))

    def call(self, method, params=None, session=None):
        return self.reply(self.send(method, params, session))

    def wait_event(self, accept, seconds):
        """The first stored or arriving event that `accept` takes, or None."""
        end = time.monotonic() + seconds
        while True:
            for i, event in enumerate(self.events):
                if accept(event):
                    return self.events.pop(i)
            left = end - time.monotonic()
            if left <= 0:
                return None
            try:
                self.events.append(json.loads(self.ws.recv(timeout=left)))
            except TimeoutError:
                return None



def start(argv, env, pattern):
    """Starts a browser and returns it with the WebSocket address it prints."""
    proc = subprocess.Popen(argv, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    end = time.monotonic() + DEADLINE
    for line in proc.stderr:
        found = re.search(pattern, line)
        if found:
            return proc, found.group(1)
        if time.monotonic() > end:
            break
    proc.kill()
    raise SystemExit(f"{argv[0]} printed no debugging address")


def sha256_hex(der_b64):
    return hashlib.sha256(base64.b64decode(der_b64)).hexdigest()


def iana_suite(version, kx, cipher, mac):
    """The IANA name of a suite a browser or gnutls-cli names by its parts:
    version `1.2`, key exchange `ECDHE_RSA` (none in TLS 1.3), cipher
    `AES_128_GCM`, MAC `HMAC-SHA1` (none for an AEAD cipher)."""
    cipher = cipher.replace("-", "_")
    if cipher.endswith(("GCM", "POLY1305", "CCM")):
        digest = "SHA384" if cipher == "AES_256_GCM" else "SHA256"
        if cipher.endswith("CCM") and version != "1.3":
            digest = None
    else:
        digest = {"HMAC_SHA1": "SHA", "SHA1": "SHA", "HMAC_SHA256": "SHA256",
                  "SHA256": "SHA256", "HMAC_SHA384": "SHA384",
                  "SHA384": "SHA384"}[(mac or "").replace("-", "_").upper()]
    name = f"{cipher}_{digest}" if digest else cipher
    if version == "1.3":
        return f"TLS_{name}"
    return f"TLS_{kx.replace('-', '_')}_WITH_{name}"


GROUP_NAMES = {
    "x25519": "x25519", "p256": "secp256r1", "p_256": "secp256r1",
    "secp256r1": "secp256r1", "p384": "secp384r1", "p_384": "secp384r1",
    "secp384r1": "secp384r1", "p521": "secp521r1", "p_521": "secp521r1",
    "secp521r1": "secp521r1", "x448": "x448", "x25519mlkem768": "X25519MLKEM768",
    "mlkem768x25519": "X25519MLKEM768", "ffdhe2048": "ffdhe2048",
    "ffdhe3072": "ffdhe3072", "ffdhe4096": "ffdhe4096",
}


def group_name(name):
    """A client's name of a key-exchange group (`P-256`, `X25519`,
    `mlkem768x25519`) as IANA names it, or None for none."""
    if not name:
        return None
    return GROUP_NAMES.get(name.lower().replace("-", "_"), name)


def stop(proc):
    proc.kill()
    proc.wait()


# ---- Chromium ----

CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-extensions", "--remote-debugging-port=0",
    # A refused certificate's error page waits up to 3 s, partly for a
    # captive-portal check that cannot succeed on a closed network; without
    # it some of those waits go (the verdict is the same). The rest is why
    # chromium_visits loads a session's pages all at once.
    "--disable-features=CaptivePortalInterstitial",
]


def chromium_session(binary, session, home):
    nssdb = os.path.join(home, ".pki", "nssdb")
    os.makedirs(nssdb)
    subprocess.run(["certutil", "-N", "-d", "sql:" + nssdb, "--empty-password"], check=True)
    for i, der in enumerate(session["trust"]):
        pem = os.path.join(home, f"ca{i}.pem")
        with open(pem, "wb") as f:
            f.write(base64.b64decode(der))
        subprocess.run(["certutil", "-A", "-d", "sql:" + nssdb, "-t", "C,,",
                        "-n", f"ca{i}", "-i", pem], check=True)
    rules = ", ".join(f"MAP {h} 127.0.0.1" for h in session["hosts"])
    argv = [binary, *CHROMIUM_FLAGS, f"--user-data-dir={home}/profile",
            f"--host-resolver-rules={rules}"]
    spki = [e["spki-sha256"] for e in session["exceptions"]]
    if spki:
        argv.append("--ignore-certificate-errors-spki-list=" + ",".join(spki))
    argv.append("about:blank")
    proc, url = start(argv, dict(os.environ, HOME=home), r"(ws://\S+)")
    try:
        with connect(url, max_size=None, open_timeout=DEADLINE) as ws:
            cdp = Connection(ws)
            return chromium_visits(cdp, session["urls"])
    finally:
        stop(proc)


def chromium_visits(cdp, urls):
    """Loads each URL in a tab of its own, all at once: no event of one page
    is taken for another's, and a refused certificate's error page, which
    Chromium shows only after a pause of up to 3 s, does not hold up the
    others."""
    tabs = []
    for url in urls:
        target = cdp.call("Target.createTarget", {"url": "about:blank"})["result"]["targetId"]
        attached = cdp.call("Target.attachToTarget", {"targetId": target, "flatten": True})
        tab = attached["result"]["sessionId"]
        cdp.call("Security.enable", {}, tab)
        tabs.append((url, target, tab))
    pending = [cdp.send("Page.navigate", {"url": url}, tab) for url, _, tab in tabs]
    visits = [chromium_visit(cdp, tab, cdp.reply(sent)) for (_, _, tab), sent in zip(tabs, pending)]
    for url, target, _ in tabs:
        cdp.call("Target.closeTarget", {"targetId": target})
    return [dict(visit, url=url) for (url, _, _), visit in zip(tabs, visits)]


def chromium_visit(cdp, tab, navigated):
    """What the page in `tab` came to, from its navigation's answer and the
    security state Chromium shows for it."""
    error = navigated["result"].get("errorText")
    # A page that loaded, or was refused for its certificate, has a
    # security state; a handshake that failed before any certificate
    # (no shared version, suite or group) has none to wait for.
    shown = error is None or "CERT" in error
    state = cdp.wait_event(
        lambda e: e.get("sessionId") == tab
        and e.get("method") == "Security.visibleSecurityStateChanged"
        and "certificateSecurityState" in e["params"]["visibleSecurityState"],
        5.0 if shown else 0.0,
    )
    seen = state["params"]["visibleSecurityState"]["certificateSecurityState"] if state else {}
    chain = seen.get("certificate") or []
    version = seen.get("protocol")
    suite = None
    if version and seen.get("cipher"):
        suite = iana_suite(version.removeprefix("TLS "), seen.get("keyExchange"),
                           seen["cipher"], seen.get("mac"))
    return {
        "loaded": error is None,
        "error": error.removeprefix("net::") if error else None,
        "certificate": sha256_hex(chain[0]) if chain else None,
        "version": version,
        "suite": suite,
        "group": group_name(seen.get("keyExchangeGroup")),
    }


# ---- Firefox ----

FIREFOX_PREFS = {
    "browser.shell.checkDefaultBrowser": False,
    "app.update.enabled": False,
    "datareporting.policy.dataSubmissionEnabled": False,
    "toolkit.telemetry.enabled": False,
    "network.captive-portal-service.enabled": False,
    "network.connectivity-service.enabled": False,
    "browser.safebrowsing.update.enabled": False,
    "remote.prefs.recommended": True,
}


def firefox_session(binary, session, home):
    profile = os.path.join(home, "profile")
    os.makedirs(profile)
    prefs = dict(FIREFOX_PREFS, **{"network.dns.localDomains": ",".join(session["hosts"])})
    with open(os.path.join(profile, "user.js"), "w") as f:
        for name, value in prefs.items():
            f.write(f"user_pref({json.dumps(name)}, {json.dumps(value)});\n")
    argv = [binary, "--headless", "--no-remote", "--profile", profile,
            "--remote-debugging-port", "0", "--remote-allow-system-access"]
    proc, url = start(argv, dict(os.environ, HOME=home), r"(ws://\S+)")
    try:
        with connect(url + "/session", max_size=None, open_timeout=DEADLINE) as ws:
            bidi = Connection(ws)
            bidi.call("session.new", {"capabilities": {}})
            chrome = bidi.call("browsingContext.getTree", {"moz:scope": "chrome"})
            chrome = chrome["result"]["contexts"][0]["context"]
            tab = bidi.call("browsingContext.getTree", {})["result"]["contexts"][0]["context"]
            firefox_setup(bidi, chrome, session)
            return [
                firefox_visit(bidi, chrome, tab, url, session["exceptions"])
                for url in session["urls"]
            ]
    finally:
        stop(proc)


def evaluate(bidi, context, expression):
    reply = bidi.call("script.evaluate", {
        "expression": expression, "target": {"context": context}, "awaitPromise": False,
    })
    result = reply.get("result", {})
    if result.get("type") != "success":
        raise SystemExit(f"Firefox could not evaluate {expression[:80]}: {reply}")
    return result["result"].get("value")


def firefox_setup(bidi, chrome, session):
    """Trusts the CAs with the browser's own API."""
    for der in session["trust"]:
        evaluate(bidi, chrome, f'{CERT_DB}.addCertFromBase64({json.dumps(der)}, "C,,"); "ok"')


CERT_DB = 'Cc["@mozilla.org/security/x509certdb;1"].getService(Ci.nsIX509CertDB)'
OVERRIDES = 'Cc["@mozilla.org/security/certoverride;1"].getService(Ci.nsICertOverrideService)'


def firefox_accept(bidi, chrome, host, port, der):
    """What the "Accept the risk and continue" button does: an override for
    this certificate on this host and port. Firefox keeps one per host and
    port, so it is recorded for the certificate the page showed."""
    evaluate(bidi, chrome, (
        f"{OVERRIDES}.rememberValidityOverride({json.dumps(host)}, {int(port)}, {{}},"
        f" {CERT_DB}.constructX509FromBase64({json.dumps(der)}), false); 'ok'"))


FIREFOX_VERSIONS = {1: "TLS 1.0", 2: "TLS 1.1", 3: "TLS 1.2", 4: "TLS 1.3"}


def firefox_visit(bidi, chrome, tab, url, exceptions):
    """Loads `url`; where the browser refuses a certificate the agent has
    accepted (one of `exceptions` for this host and port), accepts it as
    the agent would and loads the page again."""
    visit = firefox_load(bidi, chrome, tab, url)
    shown = visit.pop("der")
    for e in exceptions:
        if not visit["loaded"] and e["der"] == shown and url.endswith(f":{e['port']}/"):
            firefox_accept(bidi, chrome, e["host"], e["port"], shown)
            visit = firefox_load(bidi, chrome, tab, url)
            visit.pop("der")
            break
    return visit


def firefox_load(bidi, chrome, tab, url):
    reply = bidi.call("browsingContext.navigate", {"context": tab, "url": url, "wait": "complete"})
    if reply.get("type") == "success":
        seen = evaluate(bidi, chrome, (
            "(() => { const s = gBrowser.selectedBrowser.securityUI.secInfo;"
            " return s ? JSON.stringify([s.serverCert.sha256Fingerprint, s.protocolVersion,"
            " s.cipherName, s.keaGroupName]) : null; })()"))
        fingerprint, version, suite, group = json.loads(seen) if seen else (None,) * 4
        return {
            "url": url,
            "loaded": True,
            "error": None,
            "certificate": fingerprint.replace(":", "").lower() if fingerprint else None,
            "version": FIREFOX_VERSIONS.get(version),
            "suite": suite,
            "group": group_name(group),
            "der": None,
        }
    found = re.search(r"NS_ERROR_MODULE_SECURITY, (\w+)", reply.get("message", ""))
    error = found.group(1) if found else reply.get("message", "unknown error")
    info = evaluate(bidi, tab, (
        "(() => { try { return JSON.stringify(document.getFailedCertSecurityInfo()); }"
        " catch (e) { return null; } })()"))
    chain = json.loads(info).get("certChainStrings", []) if info else []
    return {
        "url": url,
        "loaded": False,
        "error": error,
        "certificate": sha256_hex(chain[0]) if chain else None,
        "version": None,
        "suite": None,
        "group": None,
        "der": chain[0] if chain else None,
    }


def version(binary):
    out = subprocess.run([binary, "--version"], capture_output=True, text=True)
    return out.stdout.strip()


def main():
    browser, binary = sys.argv[1], sys.argv[2]
    run = {"chromium": chromium_session, "firefox": firefox_session}[browser]
    job = json.load(sys.stdin)

    def visits(session):
        home = tempfile.mkdtemp(prefix=f"tls-harness-{browser}-")
        try:
            return [dict(visit, session=session["name"]) for visit in run(binary, session, home)]
        finally:
            shutil.rmtree(home, ignore_errors=True)

    # Each session is a browser of its own (its own profile and trust):
    # they run side by side, most of a session being the browser's start.
    with concurrent.futures.ThreadPoolExecutor(len(job["sessions"]) or 1) as pool:
        results = [v for session in pool.map(visits, job["sessions"]) for v in session]
    json.dump({"browser": version(binary), "visits": results}, sys.stdout, indent=1)


if __name__ == "__main__":
    main()
