"""Lighthouse on the public portal: prints the category scores of the home, list and project pages.

    (cd benchmarks && npm install)          # once: Lighthouse into benchmarks/node_modules
    .venv/bin/python benchmarks/portal_lighthouse.py [--preset mobile|desktop] [--var DIR] [--port 8766]
                                                     [--base http://host:port]

Serves the demo city the production way (``onewindow serve``: gunicorn, static files collected and
compressed, served by WhiteNoise) from its own database in --var (loaded on the first run), runs
Lighthouse with Debian's Chromium (``CHROME_PATH=/usr/bin/chromium``, headless, no sandbox) on each page,
prints the scores and the first-view weight, and stops the server. Goals: performance, accessibility
and best practices ≥ 90. Asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
LIGHTHOUSE = HERE / "node_modules" / ".bin" / "lighthouse"
CHROME_FLAGS = "--headless --no-sandbox --disable-gpu --disable-background-networking"
CATEGORIES = ["performance", "accessibility", "best-practices", "seo"]


def _onewindow() -> str:
    return str(Path(sys.executable).with_name("onewindow"))


def _environment(var: Path) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key not in {"DJANGO_SETTINGS_MODULE", "DEBUG"}}
    env.update(ONEWINDOW_VAR_DIR=str(var), ONEWINDOW_DEMO="1", CHROME_PATH="/usr/bin/chromium")
    return env


def _serve(var: Path, port: int) -> subprocess.Popen:
    env = _environment(var)
    subprocess.run([_onewindow(), "demo", "--no-serve"], env=env, check=True, stdout=subprocess.DEVNULL)
    server = subprocess.Popen(
        [_onewindow(), "serve", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    for _attempt in range(120):
        try:
            urllib.request.urlopen(base + "/public/", timeout=2)  # noqa: S310 (a local address)
            return server
        except OSError:
            time.sleep(0.5)
    _stop(server)
    raise SystemExit("the server did not answer")


def _stop(server: subprocess.Popen) -> None:
    os.killpg(server.pid, signal.SIGTERM)
    server.wait(timeout=30)


def _project_url(base: str) -> str:
    query = urllib.parse.urlencode({"q": "钢管"})
    html = urllib.request.urlopen(f"{base}/public/projects/?{query}", timeout=10).read().decode()  # noqa: S310
    return base + re.search(r'class="project-tile-name"><a href="([^"]+)"', html).group(1)


def _lighthouse(url: str, preset: str) -> dict:
    command = [
        str(LIGHTHOUSE),
        url,
        "--output=json",
        "--output-path=stdout",
        "--quiet",
        f"--chrome-flags={CHROME_FLAGS}",
        f"--only-categories={','.join(CATEGORIES)}",
        "--locale=zh",
    ]
    if preset == "desktop":
        command.append("--preset=desktop")
    env = {**os.environ, "CHROME_PATH": "/usr/bin/chromium"}
    for attempt in range(3):
        # Chromium now and then fails to start or to clean up its profile: try again before giving up.
        result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        if result.returncode == 0:
            break
        print(f"     (Lighthouse failed on {url}, attempt {attempt + 1}: {result.stderr.strip()[-300:]})")
    else:
        raise SystemExit(f"Lighthouse failed three times on {url}")
    return json.loads(result.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", choices=["mobile", "desktop"], default="mobile")
    parser.add_argument(
        "--var", default=str(ROOT / "var" / "portal-bench"), help="where the demo database lives"
    )
    parser.add_argument("--port", type=int, default=8766)
    parser.add_argument(
        "--base", help="measure a server already running here instead, e.g. http://127.0.0.1:8000"
    )
    args = parser.parse_args()
    if not LIGHTHOUSE.exists():
        raise SystemExit("Lighthouse is missing: run `npm install` in benchmarks/ first")

    server = None if args.base else _serve(Path(args.var), args.port)
    try:
        base = (args.base or f"http://127.0.0.1:{args.port}").rstrip("/")
        pages = {"home": f"{base}/public/", "list": f"{base}/public/projects/", "project": _project_url(base)}
        version = subprocess.run(
            [str(LIGHTHOUSE), "--version"], capture_output=True, text=True
        ).stdout.strip()
        print(f"Lighthouse {version}, {args.preset}, Chromium at /usr/bin/chromium")
        print("Goals: performance, accessibility and best practices ≥ 90\n")
        print(
            f"   {'page':<9}"
            + "".join(f"{name:>16}" for name in CATEGORIES)
            + f"{'weight KB':>12}{'LCP s':>8}"
        )
        for name, url in pages.items():
            report = _lighthouse(url, args.preset)
            scores = [round(report["categories"][category]["score"] * 100) for category in CATEGORIES]
            weight = report["audits"]["total-byte-weight"]["numericValue"] / 1024
            lcp = report["audits"]["largest-contentful-paint"]["numericValue"] / 1000
            print(
                f"   {name:<9}" + "".join(f"{score:>16}" for score in scores) + f"{weight:>12.0f}{lcp:>8.1f}"
            )
            failing = [
                audit["title"]
                for audit in report["audits"].values()
                if audit.get("score") is not None
                and audit["score"] < 0.9
                and audit.get("scoreDisplayMode") == "binary"
            ]
            if failing:
                print(f"     {name}: failing checks: " + "; ".join(failing))
        print(f"\n   pages: {', '.join(pages.values())}")
    finally:
        if server is not None:
            _stop(server)


if __name__ == "__main__":
    main()
