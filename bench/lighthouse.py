"""Lighthouse scores of the reading pages, on the demo site served as the CDN would serve it.

Run from the repository root::

    .venv/bin/python bench/lighthouse.py [--keep DIR]

What it does:

1. Builds the repository's demo content (``site/content``) with a fixed "now"
   (2026-11-22T10:00:00+08:00) into a temporary folder, for the URL it is
   served at, and serves it on a free 127.0.0.1 port with
   :class:`functions.local.static.StaticSite` (the CDN's security headers,
   no compression: CloudFront compresses, this server does not).
2. Runs the Lighthouse CLI (pinned in ``infra/tools/package.json``, installed by
   ``make test`` into ``.local/tools``; ``$LIGHTHOUSE`` overrides) on each page,
   one after the other, in Debian's Chromium (``$CHROME_PATH``, default
   ``/usr/bin/chromium``): mobile form factor, default (simulated) throttling,
   categories performance, accessibility, best practices and SEO. Pages: the
   first estate's home, the first notice it links to, this month's campaign,
   the newsletter issue it links to, and the estate's archive of expired notices.

   The performance score is partly measured (main-thread time, the filmstrip),
   so another program busy on the machine lowers it. Each page is audited up to
   ``--runs`` times (default 3), stopping at the first run scoring 100 (or
   ``--enough``: the test stops at the score it requires, 95), and the
   run with the best performance score is reported: the one least disturbed by
   other work on a shared machine (Lighthouse's ``benchmarkIndex`` of that run
   is reported too). The other three categories and CLS do not depend on speed.
3. Prints a table of the four scores and the cumulative layout shift per page,
   every scored audit that did not pass (with the elements it names), and
   exactly one JSON line last::

       {"pages": {"estate": {"performance": 100, "accessibility": 100,
        "best-practices": 100, "seo": 100, "cls": 0.0, "failing": [], "runs": 1,
        "benchmark_index": 2088}, ...}, "min_performance": 100, "all_100": true,
        "max_cls": 0.0, "lighthouse": "12.8.2", "seconds": 52.3}

Lighthouse treats 127.0.0.1 as a secure context, so ``is-on-https`` passes over
plain HTTP here. Exit status: 0 when every page was audited, 1 when a run
failed, 2 when Lighthouse or Chromium is missing (run ``make test``).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from functions.local.static import StaticSite
from portal import ROOT
from portal.estates.source import load_company
from portal.site.build import build_site

CONTENT_DIR = ROOT / "site" / "content"
NOW = datetime.fromisoformat("2026-11-22T10:00:00+08:00")
HOST = "127.0.0.1"
DEFAULT_LIGHTHOUSE = ROOT / ".local" / "tools" / "node_modules" / ".bin" / "lighthouse"
DEFAULT_CHROME = "/usr/bin/chromium"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
CHROME_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",  # without these, this closed network refuses
    "--disable-component-update",  # Chromium's own background connections
    "--disable-sync",
)
RUN_TIMEOUT_S = 240
EXIT_OK, EXIT_FAILED, EXIT_MISSING = 0, 1, 2


@dataclass
class PageResult:
    name: str
    path: str
    scores: dict[str, int | None] = field(default_factory=dict)
    cls: float | None = None
    failing: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None
    seconds: float = 0.0
    runs: int = 0
    benchmark_index: float | None = None
    version: str = ""

    def figures(self) -> dict[str, Any]:
        out: dict[str, Any] = {c: self.scores.get(c) for c in CATEGORIES}
        out["cls"] = self.cls
        out["failing"] = [a["id"] for a in self.failing]
        out["runs"] = self.runs
        out["benchmark_index"] = self.benchmark_index
        if self.error:
            out["error"] = self.error
        return out


# --- the site --------------------------------------------------------------------------------


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass


@contextmanager
def served_demo_site(root: Path) -> Iterator[str]:
    """Build the demo content into ``root``, serve it, yield its base URL."""
    server: BaseWSGIServer = make_server(
        HOST, 0, StaticSite(root), threaded=True, request_handler=_QuietHandler
    )
    thread = threading.Thread(target=server.serve_forever, name="static-site", daemon=True)
    try:
        base_url = f"http://{HOST}:{server.server_port}"
        result = build_site(CONTENT_DIR, root, now=NOW, site_url=base_url, clean=True)
        if result.errors:
            raise RuntimeError("demo site build failed:\n" + "\n".join(map(str, result.errors)))
        thread.start()
        yield base_url
    finally:
        if thread.is_alive():
            server.shutdown()
            thread.join(timeout=5)
        server.server_close()


def pick_pages(root: Path) -> dict[str, str]:
    """The pages to audit, found from the built estate home so they follow the content."""
    company, errors = load_company(CONTENT_DIR)
    if company is None:
        raise RuntimeError(f"company.yaml: {errors}")
    estate = f"/estates/{company.estates[0].slug}/"
    home = (root / estate.strip("/") / "index.html").read_text(encoding="utf-8")
    notice = re.search(r'href="(/notices/[a-z0-9-]+/)"', home)
    issue = re.search(r'href="(/newsletter/[0-9]+/)"', home)
    if notice is None or issue is None:
        raise RuntimeError(f"{estate} links to no notice or no newsletter issue")
    return {
        "estate": estate,
        "notice": notice.group(1),
        "campaign": f"/campaigns/{NOW:%Y-%m}/",
        "newsletter": issue.group(1),
        "archive": f"{estate}notices/archive/",  # expired notices (issue 12)
        # 大字版: large type and high contrast, switched on by the link (large.js)
        "estate-large": f"{estate}?large=1",
        "notice-large": f"{notice.group(1)}?large=1",
    }


# --- Lighthouse ------------------------------------------------------------------------------


UNSCORED_PICTURES = ("screenshot-thumbnails", "final-screenshot")
"""Audits that only show the page (weight 0 in every category)."""


def run_lighthouse(lighthouse: str, chrome: str, url: str, report: Path) -> dict[str, Any]:
    """One Lighthouse run; the parsed JSON report. Raises RuntimeError when it fails."""
    cmd = [
        lighthouse,
        url,
        "--output=json",
        f"--output-path={report}",
        f"--only-categories={','.join(CATEGORIES)}",
        "--form-factor=mobile",
        f"--chrome-flags={' '.join(CHROME_FLAGS)}",
        # Pictures of the page for the HTML report, which no score reads (the speed index
        # comes from the trace's own frames): a good part of each run's time.
        "--disable-full-page-screenshot",
        f"--skip-audits={','.join(UNSCORED_PICTURES)}",
        "--quiet",
    ]
    env = {**os.environ, "CHROME_PATH": chrome}
    # A session of its own, so a run that hangs is stopped with the Chromium it started.
    proc = subprocess.Popen(
        cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        start_new_session=True,
    )  # fmt: skip
    try:
        output, _ = proc.communicate(timeout=RUN_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise RuntimeError(f"lighthouse took more than {RUN_TIMEOUT_S} s on {url}") from None
    if proc.returncode != 0 or not report.is_file():
        raise RuntimeError(f"lighthouse exited {proc.returncode} on {url}:\n{output[-2000:]}")
    data: dict[str, Any] = json.loads(report.read_text(encoding="utf-8"))
    if data.get("runtimeError"):
        raise RuntimeError(f"lighthouse runtime error on {url}: {data['runtimeError']}")
    return data


def _items(audit: dict[str, Any], limit: int = 5) -> list[str]:
    """What a failing audit points at: element selectors and snippets, or URLs."""
    out = []
    for item in (audit.get("details") or {}).get("items") or []:
        node = item.get("node") if isinstance(item, dict) else None
        if isinstance(node, dict):
            out.append(f"{node.get('selector', '')} {node.get('snippet', '')}".strip())
        elif isinstance(item, dict) and item.get("url"):
            out.append(str(item["url"]))
        if len(out) >= limit:
            break
    return out


def summarise(name: str, path: str, report: dict[str, Any]) -> PageResult:
    result = PageResult(name, path)
    audits: dict[str, Any] = report["audits"]
    for cat in CATEGORIES:
        category = report["categories"].get(cat) or {}
        score = category.get("score")
        result.scores[cat] = None if score is None else round(score * 100)
        for ref in category.get("auditRefs", []):
            audit = audits.get(ref["id"]) or {}
            if ref.get("weight", 0) > 0 and audit.get("score") is not None and audit["score"] < 1:
                result.failing.append({
                    "id": ref["id"], "category": cat, "score": audit["score"],
                    "title": audit.get("title", ""), "value": audit.get("displayValue", ""),
                    "items": _items(audit),
                })  # fmt: skip
    cls = audits.get("cumulative-layout-shift", {}).get("numericValue")
    result.cls = None if cls is None else round(float(cls), 4)
    index = (report.get("environment") or {}).get("benchmarkIndex")
    result.benchmark_index = None if index is None else round(float(index))
    return result


def audit_page(
    lighthouse: str,
    chrome: str,
    name: str,
    path: str,
    base_url: str,
    reports: Path,
    runs: int,
    enough: int = 100,
) -> PageResult:
    """Up to ``runs`` audits of one page, stopping at a performance score of ``enough``;
    the one with the best performance score."""
    started = time.perf_counter()
    best: PageResult | None = None
    for run in range(1, runs + 1):
        report_path = reports / f"{name}-{run}.json"
        try:
            report = run_lighthouse(lighthouse, chrome, base_url + path, report_path)
        except RuntimeError as exc:
            result = PageResult(name, path, error=str(exc))
        else:
            result = summarise(name, path, report)
            result.version = str(report.get("lighthouseVersion", ""))
        print(f"{name}: run {run}: " + (f"failed: {result.error[:200]}" if result.error else
              f"performance {_perf(result)}"), file=sys.stderr, flush=True)  # fmt: skip
        if best is None or _perf(result) > _perf(best):
            best = result
        if _perf(best) >= enough:
            break
    assert best is not None
    best.runs = run
    best.seconds = round(time.perf_counter() - started, 1)
    return best


def _perf(result: PageResult) -> int:
    return -1 if result.error else (result.scores.get("performance") or 0)


# --- the run ---------------------------------------------------------------------------------


def _fmt(value: object) -> str:
    return "—" if value is None else str(value)


def print_table(results: list[PageResult]) -> None:
    head = (f"{'page':<11} {'perf':>5} {'a11y':>5} {'b.p.':>5} {'seo':>5} {'CLS':>7} "
            f"{'runs':>4} {'bench':>5} {'s':>5}  path")  # fmt: skip
    print(head)
    print("-" * len(head))
    for r in results:
        cols = " ".join(f"{_fmt(r.scores.get(c)):>5}" for c in CATEGORIES)
        print(f"{r.name:<11} {cols} {_fmt(r.cls):>7} {r.runs:>4} {_fmt(r.benchmark_index):>5} "
              f"{r.seconds:>5.1f}  {r.path}")  # fmt: skip
    for r in results:
        if r.error:
            print(f"\n{r.name}: FAILED: {r.error}")
        for a in r.failing:
            print(f"\n{r.name}: {a['category']} / {a['id']} (score {a['score']}): {a['title']}"
                  + (f" — {a['value']}" if a["value"] else ""))  # fmt: skip
            for item in a["items"]:
                print(f"    {item}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--keep", type=Path, help="keep the JSON reports in this folder")
    parser.add_argument("--lighthouse", default=os.environ.get("LIGHTHOUSE") or DEFAULT_LIGHTHOUSE)
    parser.add_argument("--chrome", default=os.environ.get("CHROME_PATH") or DEFAULT_CHROME)
    parser.add_argument("--runs", type=int, default=3, help="most audits per page (default 3)")
    parser.add_argument("--enough", type=int, default=100, metavar="SCORE",
                        help="stop a page's audits at this performance score (default 100; "
                             "the test passes its own threshold)")  # fmt: skip
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    if not 0 <= args.enough <= 100:
        parser.error("--enough must be a score from 0 to 100")

    lighthouse = shutil.which(str(args.lighthouse))
    if lighthouse is None or not Path(args.chrome).is_file():
        missing = "Lighthouse " + str(args.lighthouse) if lighthouse is None else args.chrome
        print(f"not found: {missing}. Run `make test` (it installs Lighthouse into .local/tools "
              "and Debian's chromium).", file=sys.stderr)  # fmt: skip
        return EXIT_MISSING

    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="portal-lighthouse-") as tmp:
        reports = args.keep or Path(tmp) / "reports"
        reports.mkdir(parents=True, exist_ok=True)
        with served_demo_site(Path(tmp) / "site") as base_url:
            results = [
                audit_page(
                    lighthouse, args.chrome, name, path, base_url, reports, args.runs, args.enough
                )
                for name, path in pick_pages(Path(tmp) / "site").items()
            ]

    print_table(results)
    perf = [r.scores.get("performance") for r in results]
    summary = {
        "pages": {r.name: r.figures() for r in results},
        "min_performance": min((p for p in perf if p is not None), default=None),
        "all_100": all(
            r.error is None and all(r.scores.get(c) == 100 for c in CATEGORIES) for r in results
        ),
        "max_cls": max((r.cls for r in results if r.cls is not None), default=None),
        "lighthouse": next((r.version for r in results if r.version), ""),
        "seconds": round(time.perf_counter() - started, 1),
    }
    print(json.dumps(summary, ensure_ascii=False))
    return EXIT_FAILED if any(r.error for r in results) else EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
