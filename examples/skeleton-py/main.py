#!/usr/bin/env python3
"""The seed's skeleton service in Python, standard library only: any language can be a 1Backend service.

Slug `skeleton-svc`; `GET /skeleton-svc/hello` answers `{"hello": "world"}` through the server. It does
what the TypeScript SDK does, over plain HTTP and JSON:

1. listens first, on the port of its own URL (port 0: a free one, and that port is registered);
2. registers its account on first start and logs in afterwards, with the password kept in
   ~/.1backend/services/skeleton-svc.json (mode 0600; the SDK's file format, so the two can share it);
3. registers its instance (PUT /registry-svc/instance) and re-registers it as its heartbeat;
4. on SIGTERM/SIGINT removes its instance and exits 0.

Run it next to a server:
    OB_URL=http://127.0.0.1:11337 SELF_URL=http://127.0.0.1:9311 python3 examples/skeleton-py/main.py

Environment: OB_SERVER_URL (then OB_URL) is the server; SELF_URL (then OB_INSTANCE_URL) this instance.
OB_SELF_URL is the server's own URL and is not read. HEARTBEAT_SECONDS (default 10) sets the interval.
"""

import json
import os
import secrets
import signal
import socket
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SLUG = "skeleton-svc"
SERVER_URL = (os.environ.get("OB_SERVER_URL") or os.environ.get("OB_URL") or "http://127.0.0.1:11337").rstrip("/")
SELF_URL = os.environ.get("SELF_URL") or os.environ.get("OB_INSTANCE_URL") or "http://127.0.0.1:9311"
HEARTBEAT_SECONDS = float(os.environ.get("HEARTBEAT_SECONDS") or "10")
CREDENTIALS_FILE = os.environ.get("OB_CREDENTIALS_FILE") or os.path.join(
    os.path.expanduser("~"), ".1backend", "services", f"{SLUG}.json"
)


def log(level, msg, **fields):
    """One JSON line per event on stdout, like the server and the SDK."""
    line = {"time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "level": level, "msg": msg, **fields}
    print(json.dumps(line, separators=(",", ":")), flush=True)


class ServerError(Exception):
    """A non-2xx answer: the server's status, message and stable code (`user.slug_taken`, ...)."""

    def __init__(self, status, message, code=None):
        super().__init__(f"{status} {code or ''} {message}".strip())
        self.status, self.code = status, code


def call(method, path, body=None, token=None, query=None):
    """One JSON request to the server; the parsed body ({} when empty), or ServerError."""
    url = SERVER_URL + path + ("?" + urllib.parse.urlencode(query) if query else "")
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method, headers={"accept": "application/json"})
    if data is not None:
        request.add_header("content-type", "application/json")
    if token:
        request.add_header("authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            text = response.read().decode()
            return json.loads(text) if text.strip() else {}
    except urllib.error.HTTPError as err:
        text = err.read().decode(errors="replace")
        try:
            parsed = json.loads(text)
            raise ServerError(err.code, parsed.get("error", text), parsed.get("code")) from None
        except (ValueError, AttributeError):
            raise ServerError(err.code, text or err.reason) from None


# --- the service account --------------------------------------------------------------------------


def read_password():
    try:
        with open(CREDENTIALS_FILE) as f:
            return json.load(f).get("accounts", {}).get(SLUG, {}).get("password")
    except FileNotFoundError:
        return None


def write_password(password):
    """Kept before registering, so a crash in between never leaves an account nobody can log into."""
    data = {"version": 1, "accounts": {}}
    if os.path.exists(CREDENTIALS_FILE):
        with open(CREDENTIALS_FILE) as f:
            data["accounts"] = json.load(f).get("accounts", {})
    data["accounts"][SLUG] = {"password": password}
    os.makedirs(os.path.dirname(CREDENTIALS_FILE), mode=0o700, exist_ok=True)
    tmp = f"{CREDENTIALS_FILE}.{os.getpid()}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(data, f, indent=2)
    os.replace(tmp, CREDENTIALS_FILE)


def account_token():
    """Logs in with the kept password; registers when there is none, or the server does not know it."""
    account = {"appHost": "unnamed", "slug": SLUG, "device": "service"}
    password = read_password()
    if password:
        try:
            token = call("POST", "/user-svc/login", {**account, "password": password})["token"]["token"]
            log("info", "service account logged in", slug=SLUG, credentialsFile=CREDENTIALS_FILE)
            return token
        except ServerError as err:
            if err.status != 401:  # 401: a new database on the server; register again below
                raise
    else:
        password = secrets.token_urlsafe(24)
        write_password(password)
    try:
        token = call("POST", "/user-svc/register", {**account, "name": "Skeleton Svc", "password": password})["token"]["token"]
    except ServerError as err:
        if err.status == 409:
            sys.exit(f"skeleton-svc: slug {SLUG} belongs to another account; restore {CREDENTIALS_FILE} or ask an admin to delete it")
        raise
    log("info", "service account registered", slug=SLUG, credentialsFile=CREDENTIALS_FILE)
    return token


def with_retry(fn, seconds=60):
    """Retries while the server is unreachable or answers 429/5xx (it may still be starting)."""
    deadline, delay = time.monotonic() + seconds, 0.2
    while True:
        try:
            return fn()
        except (urllib.error.URLError, ConnectionError, TimeoutError, ServerError) as err:
            transient = not isinstance(err, ServerError) or err.status == 429 or err.status >= 500
            if not transient or time.monotonic() + delay > deadline:
                raise
            log("warn", "server not ready, retrying", error=str(err))
            time.sleep(delay)
            delay = min(delay * 2, 5)


# --- the instance ---------------------------------------------------------------------------------


class Instance:
    """Registration of this instance; re-registering the same URL is the heartbeat (contract §4)."""

    def __init__(self, url):
        self.url, self.token = url, None

    def register(self):
        self.authed("PUT", "/registry-svc/instance", {"url": self.url})

    def deregister(self):
        listing = self.authed("GET", "/registry-svc/instances", query={"slug": SLUG})
        for instance in listing.get("instances") or []:
            if instance["url"].rstrip("/") == self.url.rstrip("/"):
                self.authed("DELETE", f"/registry-svc/instance/{urllib.parse.quote(instance['id'], safe='')}")
                log("info", "instance deregistered", id=instance["id"], url=instance["url"])

    def authed(self, method, path, body=None, query=None):
        """A call with the account's token; on 401 (revoked, or a new database) it logs in again, once."""
        if self.token is None:
            self.token = account_token()
        try:
            return call(method, path, body, token=self.token, query=query)
        except ServerError as err:
            if err.status != 401:
                raise
            self.token = account_token()
            return call(method, path, body, token=self.token, query=query)


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        found = urllib.parse.urlsplit(self.path).path == f"/{SLUG}/hello"
        body = json.dumps({"hello": "world"} if found else {"error": "not found", "code": f"{SLUG}.not_found"}).encode()
        self.send_response(200 if found else 404)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):  # the server logs requests; keep stdout for events
        pass


def main():
    requested = urllib.parse.urlsplit(SELF_URL)
    # 1. Listen first: the server may route to the instance as soon as it is registered.
    ipv6 = ":" in (requested.hostname or "")
    server_class = type("Server6", (ThreadingHTTPServer,), {"address_family": socket.AF_INET6}) if ipv6 else ThreadingHTTPServer
    http = server_class((requested.hostname or "127.0.0.1", requested.port or 80), Handler)
    host = f"[{requested.hostname}]" if ipv6 else requested.hostname
    self_url = f"{requested.scheme}://{host}:{http.server_address[1]}{requested.path.rstrip('/')}"
    threading.Thread(target=http.serve_forever, daemon=True).start()

    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())

    # 2. Then the account and the instance.
    instance = Instance(self_url)
    with_retry(instance.register)
    log("info", "skeleton-svc ready", url=self_url, server=SERVER_URL)

    # 3. Heartbeat until SIGTERM/SIGINT; a failed beat is logged and retried at the next one.
    while not stop.wait(HEARTBEAT_SECONDS):
        try:
            instance.register()
        except Exception as err:  # noqa: BLE001 - the server may be restarting; keep beating
            log("warn", "heartbeat failed", error=str(err))

    # 4. Deregister and exit.
    try:
        instance.deregister()
    except Exception as err:  # noqa: BLE001
        log("warn", "deregistration failed", error=str(err))
    http.shutdown()
    sys.exit(0)


if __name__ == "__main__":
    main()
