"""Serve a gradio app safely by default: what gradio leaves open, closed at the door.

``launch(demo, host, port, auth)`` wraps gradio's server with one ASGI guard that
- answers only requests whose ``Host`` (and ``Origin``, when sent) is a trusted name — loopback
  names by default, ``AIACT_TRUSTED_HOSTS`` for more — so DNS rebinding and cross-site pages get
  nothing, and CORS is granted only to trusted origins;
- lets events in only through the queue (direct ``/run`` and ``/api`` POSTs are refused), so the
  concurrency limit holds for every caller;
- bounds every request body and, inside queued calls, every text input and the chat history the
  browser sends back (the last ``max_history`` messages, each cut at ``max_message`` characters);
- refuses uploads and ``/monitoring``;
- slows and then locks out repeated wrong passwords per client;
- adds security headers (CSP, X-Frame-Options, nosniff, Referrer-Policy) to every response.
It also refuses to bind a non-loopback address without a password unless told so explicitly,
says in one line when the port is taken, and keeps gradio's files in a private temporary
directory that is pruned while serving and removed at exit.
"""
from __future__ import annotations

import asyncio
import atexit
import errno
import json
import logging
import os
import shutil
import signal
import socket
import tempfile
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from assistant.errors import ServeError

log = logging.getLogger(__name__)

LOOPBACK_NAMES = ("127.0.0.1", "localhost", "::1")
CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; media-src 'self' blob:; "
       "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'")
SECURITY_HEADERS = (
    (b"content-security-policy", CSP.encode()),
    (b"x-frame-options", b"DENY"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
)
# Paths nobody needs: gradio's traffic monitor, uploads, and the routes that skip the queue.
CLOSED_PREFIXES = ("/monitoring", "/gradio_api/monitoring", "/gradio_api/upload", "/upload",
                   "/gradio_api/run/", "/gradio_api/api/", "/run/", "/api/", "/gradio_api/mcp")
QUEUED = ("/gradio_api/queue/join", "/gradio_api/call/")


@dataclass(frozen=True)
class Limits:
    max_body: int = 1_000_000  # bytes of any request body
    max_text: int = 4_000  # characters of a text input (the question box's own limit)
    max_history: int = 40  # chat messages sent back by the browser that are kept
    max_message: int = 20_000  # characters of one message of that history
    login_failures: int = 5  # wrong passwords from one client before it is locked out
    lockout_seconds: float = 60.0  # the first lockout; each further one doubles


@dataclass(frozen=True)
class Policy:
    trusted_hosts: tuple[str, ...] = LOOPBACK_NAMES
    limits: Limits = field(default_factory=Limits)

    def trusted(self, host: str) -> bool:
        return host.lower().strip("[]") in self.trusted_hosts


def trusted_hosts(host: str) -> tuple[str, ...]:
    """Loopback names, the bind address (unless it is a wildcard) and ``AIACT_TRUSTED_HOSTS``."""
    names = list(LOOPBACK_NAMES)
    if host not in ("0.0.0.0", "::", ""):
        names.append(host.lower().strip("[]"))
    names += [h.strip().lower().strip("[]") for h in os.environ.get("AIACT_TRUSTED_HOSTS", "").split(",") if h.strip()]
    return tuple(dict.fromkeys(names))


def host_of(value: str) -> str:
    """'127.0.0.1:7860' -> '127.0.0.1'; '[::1]:7860' -> '::1'; 'http://x:1' -> 'x'."""
    if "://" in value:
        return (urlsplit(value).hostname or "").lower()
    if value.startswith("["):
        return value[1:].split("]")[0].lower()
    return value.rsplit(":", 1)[0].lower() if value.count(":") == 1 else value.lower()


def is_loopback(host: str) -> bool:
    if host.lower() in ("localhost",):
        return True
    try:
        import ipaddress

        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_bind(host: str, auth: Any, allow_without_password: bool) -> None:
    if not is_loopback(host) and auth is None and not allow_without_password:
        raise ServeError(f"Refusing to serve {host} without a password: anyone on the network could use it. "
                         "Set AIACT_AUTH=user:password, or pass --allow-remote-without-password if you mean it.")


def check_port(host: str, port: int) -> None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as s:
        try:
            s.bind((host, port))
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise ServeError(f"Port {port} on {host} is already in use (another 'aiact serve'?): stop it, "
                                 f"or pick another port, e.g. aiact serve --port {port + 1 if port < 65535 else 7861}."
                                 ) from None
            raise ServeError(f"Cannot listen on {host}:{port} ({exc.strerror}): check --host and --port.") from None


def clip(value: Any, limits: Limits, depth: int = 0) -> Any:
    """An input bounded: long text cut, a long list (the chat history) reduced to its last items."""
    if isinstance(value, str):
        return value[: limits.max_text if depth == 0 else limits.max_message]
    if depth > 6:
        return None
    if isinstance(value, list):
        kept = value[-limits.max_history:] if depth >= 0 else value
        return [clip(v, limits, depth + 1) for v in kept]
    if isinstance(value, dict):
        return {k: clip(v, limits, depth + 1) for k, v in list(value.items())[:50]}
    return value


class Gate:
    """Outermost layer: a request whose Host or Origin is not trusted gets a bare refusal, before
    gradio's CORS layer could echo its origin."""

    def __init__(self, app, policy: Policy):
        self.app, self.policy = app, policy

    async def __call__(self, scope, receive, send):
        if scope["type"] in ("http", "websocket"):
            refusal = self.refusal(scope)
            if refusal:
                return await refuse(scope, send, *refusal)
        return await self.app(scope, receive, send)

    def refusal(self, scope) -> tuple[int, str] | None:
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        if not self.policy.trusted(host_of(headers.get("host", ""))):
            return 421, "Untrusted Host header: open the app by its address, or add the name to AIACT_TRUSTED_HOSTS."
        origin = headers.get("origin")
        if origin and origin != "null" and not self.policy.trusted(host_of(origin)):
            return 403, "Cross-origin request refused."
        return None


class Guard(Gate):
    """The ASGI middleware inside gradio's that applies the rest of a ``Policy`` (module doc)."""

    def __init__(self, app, policy: Policy):
        super().__init__(app, policy)
        self._failures: dict[str, tuple[int, float, float]] = {}  # client -> (count, locked until, lock)
        self._lock = threading.Lock()

    async def __call__(self, scope, receive, send):
        if scope["type"] not in ("http", "websocket"):
            return await self.app(scope, receive, send)
        refusal = self.refusal(scope)  # also here: the gate is put in front only once gradio started
        if refusal:
            return await self._refuse(scope, send, *refusal)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        if scope["type"] == "websocket":
            return await self.app(scope, receive, send)
        path, method = scope.get("path", ""), scope.get("method", "GET")
        if path.startswith(CLOSED_PREFIXES) and (method == "POST" or "monitoring" in path or "upload" in path):
            return await self._refuse(scope, send, 404 if "monitoring" in path else 403,
                                      "Not available on this server: events go through the queue, uploads are off.")
        client = (scope.get("client") or ("?", 0))[0]
        if path.rstrip("/") == "/login" and method == "POST":
            wait = self._locked_for(client)
            if wait > 0:
                return await self._refuse(scope, send, 429, f"Too many wrong passwords: try again in {int(wait) + 1} s.")
        if method in ("POST", "PUT", "PATCH"):
            body = await self._read_body(receive, headers)
            if body is None:
                return await self._refuse(scope, send, 413, f"Request too large (limit {self.policy.limits.max_body} bytes).")
            if path.startswith(QUEUED):
                body = self._clip_json(body)
            receive = _replay(body, receive)
        login = path.rstrip("/") == "/login" and method == "POST"

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                if login:  # a wrong password is answered late: guessing costs time
                    await self._count_login(client, message["status"])
                existing = {k.lower() for k, _ in message.get("headers", [])}
                message = {**message, "headers": list(message.get("headers", [])) +
                           [(k, v) for k, v in SECURITY_HEADERS if k not in existing]}
            await send(message)

        await self.app(scope, receive, send_with_headers)

    # -- pieces ------------------------------------------------------------------------------
    async def _read_body(self, receive, headers) -> bytes | None:
        limit = self.policy.limits.max_body
        try:
            if int(headers.get("content-length", "0") or 0) > limit:
                return None
        except ValueError:
            return None
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                return None
            chunks.append(chunk)
            if not message.get("more_body"):
                break
        return b"".join(chunks)

    def _clip_json(self, body: bytes) -> bytes:
        try:
            payload = json.loads(body)
        except ValueError:
            return body  # gradio answers malformed JSON with its own 422
        if isinstance(payload, dict) and isinstance(payload.get("data"), list):
            payload["data"] = [clip(v, self.policy.limits) for v in payload["data"]]
            return json.dumps(payload).encode()
        return body

    def _locked_for(self, client: str) -> float:
        with self._lock:
            count, until, _ = self._failures.get(client, (0, 0.0, 0.0))
        return until - time.monotonic()

    async def _count_login(self, client: str, status: int) -> None:
        limits = self.policy.limits
        with self._lock:
            if status < 400:
                self._failures.pop(client, None)
                return
            count, until, lock = self._failures.get(client, (0, 0.0, 0.0))
            count += 1
            if count >= limits.login_failures:
                lock = limits.lockout_seconds if not lock else min(lock * 2, 3600.0)
                until, count = time.monotonic() + lock, 0
                log.warning("login locked for %s for %.0f s after repeated wrong passwords", client, lock)
            self._failures[client] = (count, until, lock)
            delay = min(0.2 * max(count, 1), 1.0)
        await asyncio.sleep(delay)

    @staticmethod
    async def _refuse(scope, send, status: int, text: str):
        await refuse(scope, send, status, text)


async def refuse(scope, send, status: int, text: str) -> None:
    if scope["type"] == "websocket":
        await send({"type": "websocket.close", "code": 1008})
        return
    body = json.dumps({"error": text}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
                + list(SECURITY_HEADERS)})
    await send({"type": "http.response.body", "body": body})


def _replay(body: bytes, receive):
    sent = False

    async def again():
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return again


def queue_only(demo) -> None:
    """Every event through the queue; the REST routes refuse direct calls."""
    for fn in getattr(demo, "fns", {}).values():
        if getattr(fn, "fn", None) is not None:
            fn.queue = True
    demo.api_open = False


def private_temp(max_age: float = 600.0, max_files: int | None = None) -> str:
    """Every temporary file of the server (the Markdown downloads and gradio's copies of them) in
    one directory of its own, bounded while serving — files older than ``max_age`` seconds go, and
    beyond ``max_files`` (``AIACT_SERVE_TEMP_FILES``, default 200) the oldest go — and removed at
    exit. Call before the app is built."""
    from assistant.errors import SettingsError

    if max_files is None:
        raw = os.environ.get("AIACT_SERVE_TEMP_FILES", "").strip() or "200"
        if not raw.isdigit() or int(raw) < 2:
            raise SettingsError(f"AIACT_SERVE_TEMP_FILES={raw!r} must be a whole number of at least 2 (default 200).")
        max_files = int(raw)
    directory = tempfile.mkdtemp(prefix="aiact-serve-")
    os.environ["GRADIO_TEMP_DIR"] = os.path.join(directory, "gradio")
    tempfile.tempdir = directory  # the handlers' download folder is made with tempfile.mkdtemp()
    atexit.register(shutil.rmtree, directory, True)

    def prune() -> None:
        while os.path.isdir(directory):
            time.sleep(1.0)
            found = []
            for root, _, files in os.walk(directory):
                for name in files:
                    path = os.path.join(root, name)
                    try:
                        found.append((os.stat(path).st_mtime, path))
                    except OSError:
                        pass
            found.sort(reverse=True)
            cutoff = time.time() - max_age
            for i, (mtime, path) in enumerate(found):
                if i >= max_files or mtime < cutoff:
                    try:
                        os.unlink(path)
                    except OSError:
                        pass

    threading.Thread(target=prune, name="aiact-temp-pruner", daemon=True).start()
    return directory


def app_kwargs(policy: Policy) -> dict:
    # gradio's own CORS layer stays outermost; it grants CORS only to localhost origins, and the
    # guard has already refused any request whose Host or Origin is not trusted.
    from starlette.middleware import Middleware

    return {"middleware": [Middleware(Guard, policy=policy)]}


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def launch(demo, host: str, port: int, auth: Any = None, block: bool = True,
           allow_remote_without_password: bool = False, limits: Limits | None = None, **options):
    """Launch ``demo`` behind the guard. Raises ``ServeError`` (one line) when it cannot."""
    check_bind(host, auth, allow_remote_without_password)
    check_port(host, port)
    if not is_loopback(host):
        log.warning("serving on %s: trusted host names are %s (AIACT_TRUSTED_HOSTS adds more)",
                    host, ", ".join(trusted_hosts(host)))
    policy = Policy(trusted_hosts(host), limits or Limits())
    queue_only(demo)
    if block and threading.current_thread() is threading.main_thread():
        # SIGTERM (systemd, docker stop, a test) closes like Ctrl-C: the server stops and the
        # private temp directory is removed at exit.
        signal.signal(signal.SIGTERM, _interrupt)
    try:
        demo.launch(server_name=host, server_port=port, auth=auth, prevent_thread_lock=True,
                    app_kwargs=app_kwargs(policy), enable_monitoring=False, max_file_size="1kb",
                    strict_cors=True, **options)
    except OSError as exc:
        raise ServeError(f"Cannot serve on {host}:{port} ({exc}): pick another port, e.g. --port {port + 1}.") from None
    app = demo.server_app
    app.middleware_stack = Gate(app.middleware_stack or app.build_middleware_stack(), policy)
    if block:
        demo.block_thread()
    return demo
