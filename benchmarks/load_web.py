"""A bounded load test of the hardened web server: N simulated users asking through the queue
for a fixed time, on loopback only (never point it at someone else's server).

    python -m aiact.benchmarks.load_web [--users 20] [--seconds 60] [--url http://127.0.0.1:PORT/]

Without ``--url`` it starts ``aiact serve`` on a free loopback port over the index in AIACT_HOME
(built on first use) and stops it afterwards. Reports answers, errors, p50/p95/max latency and
answers per second; writes ``load_web.json`` into ``--out``.

    python -m aiact.benchmarks.load_web --sweep [--seconds 20]

measures the server's throughput at each concurrency limit (1, 2, 4, 16: AIACT_WEB_CONCURRENCY of
a fresh server each time) under 16 users asking without pause, so the queue never runs dry;
writes ``load_web_sweep.json``. Its best limit is the default in ``assistant/settings.py``.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = (
    "When do the obligations for high-risk AI systems listed in Annex III apply?",
    "What is a deployer?", "What are the fines for prohibited AI practices?",
    "Which AI practices are prohibited?", "Do I have to tell users they are talking to a chatbot?",
    "What must providers of general-purpose AI models do?", "Is emotion recognition at work allowed?",
)
SCOPE = "AI Act + guidelines & code of practice"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


SWEEP = (1, 2, 4, 16)


def start_server(timeout: float = 600, concurrency: int | None = None) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = dict(os.environ)
    if concurrency is not None:
        env["AIACT_WEB_CONCURRENCY"] = str(concurrency)
    proc = subprocess.Popen([sys.executable, "-m", "assistant.cli", "serve", "--port", str(port)], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"the server exited with {proc.returncode}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return proc, f"http://127.0.0.1:{port}/"
        time.sleep(0.5)
    proc.kill()
    raise SystemExit("the server did not start")


def user(url: str, until: float, seed: int, latencies: list[float], errors: list[str], lock,
         think: tuple[float, float] = (0.5, 2.0)) -> None:
    from gradio_client import Client

    rng = random.Random(seed)
    client = Client(url, verbose=False, download_files=False)
    while time.monotonic() < until:
        question = rng.choice(QUESTIONS)
        start = time.perf_counter()
        try:
            chat, *_ = client.predict(question, [], SCOPE, "", api_name="/ask")
            ok = bool(chat) and "⚠️" not in json.dumps(chat, ensure_ascii=False)
        except Exception as exc:  # noqa: BLE001 - counted, not raised
            ok, chat = False, repr(exc)
        with lock:
            (latencies.append(time.perf_counter() - start) if ok else errors.append(str(chat)[:200]))
        if think[1] > 0:
            time.sleep(rng.uniform(*think))  # a person reads the answer before the next question


def run(url: str, users: int, seconds: float, think: tuple[float, float] = (0.5, 2.0)) -> dict:
    host = urlsplit(url).hostname or ""
    if host not in ("127.0.0.1", "localhost", "::1"):
        raise SystemExit("the load test runs against loopback only")
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    until = time.monotonic() + seconds
    threads = [threading.Thread(target=user, args=(url, until, i, latencies, errors, lock, think)) for i in range(users)]
    began = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.monotonic() - began
    q = statistics.quantiles(latencies, n=20) if len(latencies) >= 20 else [max(latencies or [0])] * 19
    return {"users": users, "seconds": round(wall, 1), "answers": len(latencies), "errors": len(errors),
            "p50_s": round(statistics.median(latencies), 3) if latencies else None, "p95_s": round(q[18], 3),
            "max_s": round(max(latencies), 3) if latencies else None,
            "answers_per_s": round(len(latencies) / wall, 2), "error_samples": errors[:5]}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m aiact.benchmarks.load_web")
    ap.add_argument("--users", type=int, default=20)
    ap.add_argument("--seconds", type=float, default=60.0)
    ap.add_argument("--url", default="")
    ap.add_argument("--out", default="bench-results")
    ap.add_argument("--sweep", action="store_true", help="answers/s at concurrency limits " +
                    "/".join(map(str, SWEEP)) + ", 16 users without pause")
    args = ap.parse_args(argv)
    if not 1 <= args.users <= 100 or not 1 <= args.seconds <= 600:
        raise SystemExit("keep it bounded: 1-100 users, 1-600 seconds")
    if args.sweep:
        return sweep(args.seconds, Path(args.out))
    proc = None
    url = args.url
    if not url:
        proc, url = start_server()
    try:
        result = run(url, args.users, args.seconds)
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(timeout=30)
    Path(args.out).mkdir(parents=True, exist_ok=True)
    (Path(args.out) / "load_web.json").write_text(json.dumps(result, indent=2))
    print(f"{result['users']} users for {result['seconds']} s: {result['answers']} answers, {result['errors']} errors, "
          f"p50 {result['p50_s']} s, p95 {result['p95_s']} s, max {result['max_s']} s, "
          f"{result['answers_per_s']} answers/s")
    return 1 if result["errors"] else 0


def sweep(seconds: float, out: Path) -> int:
    """Throughput per concurrency limit, each on a fresh server over the same index."""
    rows = []
    for limit in SWEEP:
        proc, url = start_server(concurrency=limit)
        try:
            run(url, 2, 3.0, think=(0.0, 0.0))  # warm: first answers load the model and caches
            result = run(url, 16, seconds, think=(0.0, 0.0))
        finally:
            proc.terminate()
            proc.wait(timeout=30)
        result["concurrency"] = limit
        rows.append(result)
        print(f"concurrency {limit:>2}: {result['answers_per_s']} answers/s, p50 {result['p50_s']} s, "
              f"p95 {result['p95_s']} s, {result['errors']} errors", flush=True)
    best = max(rows, key=lambda r: r["answers_per_s"])
    report = {"machine": machine(), "users": 16, "seconds": seconds, "rows": rows,
              "best_concurrency": best["concurrency"]}
    out.mkdir(parents=True, exist_ok=True)
    (out / "load_web_sweep.json").write_text(json.dumps(report, indent=2))
    print(f"best: concurrency {best['concurrency']} ({best['answers_per_s']} answers/s)")
    return 1 if any(r["errors"] for r in rows) else 0


def machine() -> dict:
    return {"cpus": os.cpu_count(), "load_1min_before": round(os.getloadavg()[0], 2),
            "python": sys.version.split()[0]}


if __name__ == "__main__":
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    sys.exit(main())
