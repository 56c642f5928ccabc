"""axe-core for the accessibility tests: installed from package-lock.json with npm on first
use (a fresh clone needs nothing else), served to the page from the app's own origin, so the
strict CSP (scripts from 'self' only) stays on while it runs."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from playwright.sync_api import Page, Route

from mdk.config import PROJECT_ROOT

AXE_FILE = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_PATH = "/__axe-core__/axe.min.js"  # intercepted in the browser; the app never sees it
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = ("serious", "critical")


def ensure_axe() -> Path:
    """The pinned axe-core (package-lock.json), installed with `npm ci` when missing."""
    if AXE_FILE.exists():
        return AXE_FILE
    npm = shutil.which("npm")
    if npm is None:
        pytest.fail("the accessibility tests need npm to install axe-core (apt-get install npm)",
                    pytrace=False)
    subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=PROJECT_ROOT, check=True,
                   capture_output=True, timeout=300)
    return AXE_FILE


def serve_axe(page: Page, axe_file: Path) -> None:
    script = axe_file.read_bytes()

    def fulfil(route: Route) -> None:
        route.fulfill(status=200, body=script, content_type="application/javascript")

    page.route(f"**{AXE_PATH}", fulfil)


def blocking_violations(page: Page, exclude: tuple[str, ...] = ()) -> list[dict]:
    """Run axe on the page (WCAG 2.1 A and AA rules), leaving out the elements matching
    `exclude` (CSS selectors); the serious and critical violations."""
    page.add_script_tag(url=AXE_PATH)
    result = page.evaluate(
        "([tags, exclude]) => axe.run({exclude: exclude.map(s => [s])},"
        " {runOnly: {type: 'tag', values: tags}})", [WCAG_21_AA, list(exclude)])
    assert result["passes"], f"axe checked nothing on {page.url}"
    return [violation for violation in result["violations"]
            if violation["impact"] in BLOCKING]


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"[{violation['impact']}] {violation['id']}: {violation['help']}"
                     f" ({violation['helpUrl']})")
        for node in violation["nodes"][:5]:
            lines.append(f"    {' '.join(node['target'])}: {node['failureSummary']!r}"[:400])
    return "\n".join(lines)
