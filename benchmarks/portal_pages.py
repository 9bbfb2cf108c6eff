"""Public portal benchmark: server time per public page on the demo city, and the weight of a first view.

    .venv/bin/python benchmarks/portal_pages.py [--runs 200] [--var var/portal-bench]

Prints figures and asserts nothing (the goals are printed beside them):

1. Server time per page, measured inside the server (Django's full request cycle: middleware, view,
   template, the cache) through Django's test client, so no network time is counted. Two cases per
   page: *served from the cache* (every visitor after the first, until the data changes) and
   *rendered* (the cache emptied before each request: the first visitor after a change). p50 and p95
   over --runs requests. Goal: p95 < 50 ms.
2. First-view weight of the home, list and project pages: the HTML and every file the page loads
   (style sheets, scripts, the icon, and ECharts on the home page) as the production server sends them:
   static files as the gzip copies `collectstatic` writes for WhiteNoise, the HTML gzipped (level 6).
   Goal: < 600 KB transferred.

The demo city is loaded into --var (its own SQLite database and key; default var/portal-bench) on the
first run and reused after.
"""

from __future__ import annotations

import argparse
import gzip
import os
import re
import statistics
import sys
import time
from pathlib import Path


def _prepare(var: Path) -> None:
    os.environ["ONEWINDOW_VAR_DIR"] = str(var)
    os.environ["ONEWINDOW_DEMO"] = "1"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "onewindow.settings")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost")
    import django

    django.setup()
    from django.core.management import call_command

    from onewindow.demo.loader import demo_loaded, load_demo

    call_command("migrate", interactive=False, verbosity=0)
    # As ``onewindow serve`` does: hashed names, and the gzip copies WhiteNoise sends.
    call_command("collectstatic", interactive=False, verbosity=0)
    if not demo_loaded():
        print("Loading the demo city (once)…", flush=True)
        load_demo()


def _pages() -> list[tuple[str, str]]:
    from django.urls import reverse

    from onewindow.demo.scenarios import YULONG_CODE
    from onewindow.portal.selectors import public_projects

    yulong = public_projects().get(code=YULONG_CODE)
    other = public_projects().order_by("pk")[300]
    return [
        ("home", reverse("portal:home")),
        ("home, year 2012", reverse("portal:home") + "?year=2012"),
        ("project list", reverse("portal:projects")),
        ("list, search 钢管", reverse("portal:projects") + "?q=钢管"),
        ("list, filtered, page 3", reverse("portal:projects") + "?level=county&year=2012&page=3"),
        ("project 玉龙钢管", reverse("portal:project", args=[yulong.pk])),
        ("another project", reverse("portal:project", args=[other.pk])),
        ("messages", reverse("portal:feedback")),
        ("open data", reverse("portal:open-data")),
        ("Atom feed", reverse("portal:feed")),
        ("CSV, all projects", reverse("portal:projects-csv")),
        ("JSON, all projects", reverse("portal:projects-json")),
        ("sitemap.xml", "/sitemap.xml"),
    ]


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def _time(client, url: str, runs: int, *, cold: bool) -> list[float]:
    from django.core.cache import cache

    timings = []
    client.get(url)  # warm the process (imports, templates, the calendar)
    for _run in range(runs):
        if cold:
            cache.clear()
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return timings


def server_times(runs: int) -> float:
    from django.test import Client

    client = Client()
    worst = 0.0
    print(f"\n1. Server time per public page, ms ({runs} requests each; goal: p95 < 50 ms)\n")
    print(f"   {'page':<26}{'cached p50':>11}{'p95':>8}{'rendered p50':>15}{'p95':>8}{'bytes':>10}")
    for name, url in _pages():
        warm = _time(client, url, runs, cold=False)
        cold = _time(client, url, max(runs // 4, 10), cold=True)
        size = len(client.get(url).content)
        worst = max(worst, _percentile(warm, 0.95))
        print(
            f"   {name:<26}{statistics.median(warm):>11.2f}{_percentile(warm, 0.95):>8.2f}"
            f"{statistics.median(cold):>15.1f}{_percentile(cold, 0.95):>8.1f}{size:>10,}"
        )
    return worst


def _static_file(url: str) -> tuple[int, int]:
    """The file's size, and what WhiteNoise sends of it: its gzip copy, if collectstatic made one."""
    from django.conf import settings

    path = Path(settings.STATIC_ROOT) / url.removeprefix("/" + settings.STATIC_URL.lstrip("/"))
    compressed = path.with_name(path.name + ".gz")
    size = path.stat().st_size
    return size, compressed.stat().st_size if compressed.exists() else size


def page_weight(name: str, url: str, *, charts: bool) -> int:
    from django.test import Client

    html = Client().get(url).content
    assets = re.findall(rb'<link rel="(?:stylesheet|icon)" href="([^"]+)"', html)
    assets += re.findall(rb'<script src="([^"]+)"', html)
    if charts:
        assets += re.findall(rb'data-echarts="([^"]+)"', html)
    # The page itself: gzip as a reverse proxy (or GZipMiddleware) would send it.
    rows = [("HTML", len(html), len(gzip.compress(html, 6)))]
    for asset in assets:
        raw, sent = _static_file(asset.decode())
        rows.append((asset.decode().rsplit("/", 1)[-1], raw, sent))
    total = sum(compressed for _name, _raw, compressed in rows)
    raw = sum(row[1] for row in rows)
    print(f"\n   {name} ({url}): {total / 1024:,.0f} KB compressed, {raw / 1024:,.0f} KB raw")
    for asset, raw, compressed in rows:
        print(f"     {asset[:40]:<42}{raw / 1024:>9.1f} KB{compressed / 1024:>9.1f} KB sent")
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=200)
    default_var = Path(__file__).resolve().parents[1] / "var" / "portal-bench"
    parser.add_argument("--var", default=str(default_var), help="where the demo database lives")
    args = parser.parse_args()
    _prepare(Path(args.var))

    import django

    from onewindow.portal.selectors import public_projects

    print(f"OneWindow public portal on the demo city: {public_projects().count()} public projects")
    print(f"Python {sys.version.split()[0]}, Django {django.get_version()}, database: SQLite")
    worst = server_times(args.runs)

    print("\n2. First view, everything the page loads, compressed (goal: < 600 KB)")
    from django.urls import reverse

    from onewindow.demo.scenarios import YULONG_CODE

    yulong = public_projects().get(code=YULONG_CODE)
    weights = {
        "home": page_weight("home, with the charts' ECharts", reverse("portal:home"), charts=True),
        "list": page_weight("project list", reverse("portal:projects"), charts=False),
        "project": page_weight("project page", reverse("portal:project", args=[yulong.pk]), charts=False),
    }
    print("\nSummary")
    print(f"   worst p95 served from the cache: {worst:.1f} ms (goal < 50 ms)")
    print(f"   heaviest first view: {max(weights.values()) / 1024:,.0f} KB compressed (goal < 600 KB)")


if __name__ == "__main__":
    main()
