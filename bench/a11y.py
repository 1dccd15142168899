"""Accessibility check of the curation admin: axe-core and the Nu HTML Checker.

    .venv/bin/python bench/a11y.py

Not part of the test suite or CI: it needs npm (axe-core, vnu-jar), Java and
Debian's Chromium, and takes a minute. It builds a throwaway SQLite database
from the fixtures, serves it with runserver on a free loopback port, logs in
as a superuser and:

- runs axe-core (injected through Playwright into /usr/bin/chromium) on the
  admin index and the claim add and change forms, and the dispute form when
  there is one, counting violations by impact;
- runs the Nu HTML Checker (vnu.jar, --errors-only) on the claim add and
  change forms as the server sends them.

Exits 1 if any critical or serious axe violation or any vnu error is found.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
from collections import Counter

# The public-pages audit installs the npm packages and serves the site; this reuses both.
from audit import CHROMIUM, NODE, ROOT, install, serve

PASSWORD = "check-a11y-12"


def tools():
    """Paths to axe.min.js and vnu.jar (installed into bench/.audit/ on first use)."""
    install()
    modules = NODE / "node_modules"
    return modules / "axe-core" / "axe.min.js", modules / "vnu-jar" / "build" / "dist" / "vnu.jar"


def manage(env, *args, **options):
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, **options
    )


def serve_admin():
    """The site with a superuser; return (process, base URL, a claim id that has relations)."""
    process, base, env = serve(DJANGO_SUPERUSER_PASSWORD=PASSWORD)
    manage(env, "createsuperuser", "--noinput", "--username", "a11y", "--email", "a@example.org")
    # A claim with relations, so that the form's relation inline has rows to check.
    code = (
        "from wcit.models import ClaimRelation; "
        "print(ClaimRelation.objects.order_by('id').first().from_claim_id)"
    )
    claim_id = manage(env, "shell", "-c", code, capture_output=True, text=True).stdout.strip()
    return process, base, claim_id


def pages(claim_id):
    """(name, path) of the pages to check; the dispute form is skipped while it is a 404."""
    return [
        ("admin index", "/admin/"),
        ("claim add form", "/admin/wcit/claim/add/"),
        ("claim change form", f"/admin/wcit/claim/{claim_id}/change/"),
        ("dispute add form", "/admin/wcit/dispute/add/"),
    ]


def check(base, claim_id, axe, vnu):
    from playwright.sync_api import sync_playwright

    failures = 0
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        # bypass_csp: axe is injected as an inline script the site's CSP refuses.
        page = browser.new_page(viewport={"width": 1280, "height": 900}, bypass_csp=True)
        page.goto(base + "/admin/login/")
        page.fill("#id_username", "a11y")
        page.fill("#id_password", PASSWORD)
        page.click("input[type=submit]")
        page.wait_for_url("**/admin/")
        print("axe-core", json.loads(axe.with_name("package.json").read_text())["version"])
        for name, path in pages(claim_id):
            response = page.goto(base + path)
            if response.status == 404:
                print(f"  {name:<20} not there (404): not checked")
                continue
            page.wait_for_load_state("networkidle")
            page.add_script_tag(path=str(axe))
            violations = page.evaluate(
                "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
                ".map(v => ({id: v.id, impact: v.impact, nodes: v.nodes.length,"
                " target: v.nodes[0].target.join(' ')}))"
            )
            counts = Counter(v["impact"] for v in violations)
            print(
                f"  {name:<20} critical {counts['critical']}  serious {counts['serious']}  "
                f"moderate {counts['moderate']}  minor {counts['minor']}"
            )
            for v in violations:
                print(f"    {v['impact']:<9} {v['id']} ({v['nodes']} nodes, e.g. {v['target']})")
            failures += counts["critical"] + counts["serious"]

        version = subprocess.run(
            ["java", "-jar", str(vnu), "--version"], capture_output=True, text=True
        ).stdout.strip()
        print("Nu HTML Checker", version)
        for name, path in [p for p in pages(claim_id) if p[0].startswith("claim")]:
            html = page.request.get(base + path).text()
            with tempfile.NamedTemporaryFile("w", suffix=".html", delete=False) as file:
                file.write(html)
            result = subprocess.run(
                ["java", "-jar", str(vnu), "--errors-only", "--format", "json", file.name],
                capture_output=True,
                text=True,
            )
            os.unlink(file.name)
            messages = json.loads(result.stderr or result.stdout or '{"messages": []}')
            errors = [m for m in messages["messages"] if m.get("type") == "error"]
            print(f"  {name:<20} errors {len(errors)}")
            for m in errors:
                print(f"    line {m.get('lastLine')}: {m['message']}")
            failures += len(errors)
        browser.close()
    return failures


def main():
    argparse.ArgumentParser(description=__doc__.split("\n\n")[0]).parse_args()
    axe, vnu = tools()
    process, base, claim_id = serve_admin()
    try:
        failures = check(base, claim_id, axe, vnu)
    finally:
        process.terminate()
        process.wait(timeout=10)
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
