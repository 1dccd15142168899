"""Judge the public pages as anyone can: axe-core, the Nu HTML Checker and Lighthouse.

    .venv/bin/python bench/audit.py                 # serves the site itself on SQLite
    .venv/bin/python bench/audit.py --base-url URL  # or audits a site already running

It installs what it needs from npm into bench/.audit/ (axe-core, vnu-jar, lighthouse)
and drives Debian's Chromium (/usr/bin/chromium); the Nu checker runs on the
machine's Java. It prints, per page: axe violations at 1280 and 390 px wide, Nu
errors, and (for the pages named in LIGHTHOUSE) the four Lighthouse scores, in
Lighthouse's desktop and mobile conditions. It
exits 1 when any page has a violation, an error or a score under 100. A
measurement, not a test: CI does not run it.
"""

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE = ROOT / "bench" / ".audit"
PACKAGES = ["axe-core@4", "vnu-jar", "lighthouse@12"]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

PAGES = [
    "/",
    "/disputes/",
    "/disputes/did-the-final-text-mention-the-internet/",
    "/countries/",
    "/countries/us/",
    "/countries/compare/?c=us&c=in&c=se",
    "/countries/by-clause/",
    "/clauses/",
    "/clauses/5b/",
    "/sources/",
    "/sources/cdt-wcit-watch-day-11/",
    "/sources/what-really-happened-in-dubai/",
    "/speakers/",
    "/speakers/milton-mueller/",
    "/speakers/us-delegation/",
    "/speakers/terry-kramer/",
    "/claims/",
    "/claims/?country=us&clause=5b",
    "/claims/1/",
    "/search/?q=sanctions",
    "/claims/?kind=banana",
    "/no-such-page/",
]
# The pages in other languages: Arabic (right to left) and Chinese whole, the others' home,
# a clause and the claim list (the same templates as the English pages above).
LOCALIZED = [
    *(
        f"/{prefix}{path}"
        for prefix in ("ar", "zh")
        for path in ("/", "/clauses/5b/", "/claims/", "/countries/se/", "/disputes/",
                     "/disputes/what-made-the-conference-break-up/",
                     "/sources/cdt-wcit-watch-day-11/", "/search/?q=sanctions")
    ),
    *(
        f"/{prefix}{path}"
        for prefix in ("fr", "ru", "es")
        for path in ("/", "/clauses/5b/", "/claims/")
    ),
]  # fmt: skip
PAGES += LOCALIZED
LIGHTHOUSE = ["/", "/clauses/5b/", "/sources/cdt-wcit-watch-day-11/", "/claims/"]
LIGHTHOUSE_LOCALIZED = ["/ar/", "/ar/clauses/5b/", "/zh/"]
WIDTHS = [1280, 390]


def install():
    """The npm packages, once, into bench/.audit/."""
    if all((NODE / "node_modules" / name.split("@")[0]).exists() for name in PACKAGES):
        return
    NODE.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        ["npm", "install", "--no-audit", "--no-fund", "--prefix", str(NODE), *PACKAGES],
        check=True,
    )


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def serve(**extra_env):
    """The site on a fresh SQLite database with the corpus loaded: (process, base URL, env).

    ``env`` is the environment it runs in (``extra_env`` added), for more manage.py calls.
    """
    folder = Path(tempfile.mkdtemp(prefix="wcit-audit-"))
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{folder / 'db.sqlite3'}",
        "DJANGO_DEBUG": "1",
        **extra_env,
    }
    python = sys.executable
    for command in (["migrate", "-v0"], ["load_corpus", "-v0"]):
        subprocess.run([python, "manage.py", *command], cwd=ROOT, env=env, check=True)
    port = free_port()
    process = subprocess.Popen(
        [python, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(base + "/", timeout=2)
            break
        except OSError as error:
            if getattr(error, "code", None):
                break
            time.sleep(0.2)
    return process, base, env


def fetch(url):
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.read()
    except urllib.error.HTTPError as error:  # 400 and 404 pages are audited too
        return error.read()


def axe(base):
    """{(path, width): [violation ids]} for every page at every width."""
    from playwright.sync_api import sync_playwright

    script = (NODE / "node_modules" / "axe-core" / "axe.min.js").read_text()
    results = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS[1:])
        for width in WIDTHS:
            # bypass_csp: axe is injected as an inline script the site's CSP refuses.
            context = browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)
            page = context.new_page()
            for path in PAGES:
                page.goto(base + path)
                page.add_script_tag(content=script)
                found = page.evaluate(
                    """async () => (await axe.run(document, {
                        runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a",
                                                         "wcag21aa", "best-practice"]}
                    })).violations.map(v => `${v.id} (${v.impact}, ${v.nodes.length})`)"""
                )
                results[(path, width)] = found
            context.close()
        browser.close()
    return results


def nu(base):
    """{path: [error messages]} from the Nu HTML Checker."""
    folder = Path(tempfile.mkdtemp(prefix="wcit-nu-"))
    files = {}
    for index, path in enumerate(PAGES):
        file = folder / f"page-{index}.html"
        file.write_bytes(fetch(base + path))
        files[str(file)] = path
    jar = NODE / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
    run = subprocess.run(
        ["java", "-jar", str(jar), "--errors-only", "--format", "json", *files],
        capture_output=True,
        text=True,
    )
    errors = {path: [] for path in PAGES}
    for message in json.loads(run.stderr or '{"messages": []}')["messages"]:
        path = files.get(message.get("url", "").removeprefix("file:"), "?")
        errors.setdefault(path, []).append(
            f"line {message.get('lastLine')}: {message.get('message')}"
        )
    shutil.rmtree(folder)
    return errors


# Lighthouse's own presets: "desktop", and its default, a mid-range phone on a slow 4G
# network (simulated throttling).
PRESETS = ["desktop", "mobile"]


def lighthouse(base, preset):
    """{path: {category: score}} for the pages in LIGHTHOUSE, in ``preset``'s conditions.

    A run that stops with one of Lighthouse's runtime errors (NO_NAVSTART: the trace of
    the page load went missing, now and then in this Chromium) is run once more, and
    says so.
    """
    binary = NODE / "node_modules" / ".bin" / "lighthouse"
    scores = {}
    options = [
        "--quiet",
        "--output=json",
        *(["--preset=desktop"] if preset == "desktop" else []),
        f"--chrome-path={CHROMIUM}",
        f"--chrome-flags={' '.join(CHROMIUM_FLAGS)}",
        "--only-categories=performance,accessibility,best-practices,seo",
    ]

    def run_lighthouse(url):
        # The address first: an option that takes a list would swallow it.
        env = {**os.environ, "CHROME_PATH": CHROMIUM}
        command = [str(binary), url, *options]
        return subprocess.run(command, capture_output=True, text=True, env=env)

    for path in LIGHTHOUSE:
        run = run_lighthouse(base + path)
        retried = bool(run.returncode)
        if retried:
            run = run_lighthouse(base + path)
        if run.returncode:
            scores[path] = {"error": run.stderr.strip().splitlines()[-1:]}
            continue
        report = json.loads(run.stdout)
        scores[path] = {
            name: round(category["score"] * 100) if category["score"] is not None else None
            for name, category in report["categories"].items()
        }
        scores[path]["failed"] = [
            audit_id
            for audit_id, audit in report["audits"].items()
            if audit.get("score") is not None
            and audit["score"] < 1
            and audit.get("scoreDisplayMode") == "binary"
        ]
        scores[path]["retried"] = retried
    return scores


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", help="Audit this running site instead of serving one.")
    parser.add_argument("--skip-lighthouse", action="store_true")
    parser.add_argument(
        "--localized-only",
        action="store_true",
        help="Audit only the pages in other languages than English (LOCALIZED).",
    )
    args = parser.parse_args()
    if args.localized_only:
        PAGES[:] = LOCALIZED
        LIGHTHOUSE[:] = LIGHTHOUSE_LOCALIZED
    else:
        LIGHTHOUSE.extend(LIGHTHOUSE_LOCALIZED)
    install()
    process = None
    base = args.base_url
    if not base:
        process, base, _env = serve()
    try:
        failed = False
        print(f"Auditing {base}\n")
        print("axe-core (WCAG 2.1 A/AA and best practice), violations per page and width:")
        for (path, width), found in axe(base).items():
            failed |= bool(found)
            print(f"  {width:>4}px {path:<52} {len(found)} {'; '.join(found)}")
        print("\nNu HTML Checker, errors per page:")
        for path, errors in nu(base).items():
            failed |= bool(errors)
            print(f"  {path:<58} {len(errors)}")
            for error in errors[:10]:
                print(f"      {error}")
        for preset in [] if args.skip_lighthouse else PRESETS:
            print(f"\nLighthouse ({preset}), scores per page:")
            for path, scores in lighthouse(base, preset).items():
                numbers = {
                    k: v for k, v in scores.items() if k not in ("failed", "error", "retried")
                }
                failed |= "error" in scores or any(v != 100 for v in numbers.values())
                retried = "(second run: the first stopped with a runtime error)"
                print(
                    f"  {path:<40} {numbers} {scores.get('error', '')}"
                    f"{retried if scores.get('retried') else ''}"
                )
                if scores.get("failed"):
                    print(f"      failed audits: {', '.join(scores['failed'])}")
        print("\nAll clear." if not failed else "\nSomething to fix (see above).")
        return 1 if failed else 0
    finally:
        if process:
            process.terminate()
            process.wait()


if __name__ == "__main__":
    sys.exit(main())
