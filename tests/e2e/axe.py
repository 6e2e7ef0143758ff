"""Accessibility checks with axe-core (vendored in tests/e2e/vendor/axe.min.js).

`check_accessibility(page, "label")` runs the WCAG 2.0/2.1 A and AA rules on the page as it is
now. Serious and critical violations fail the test, each listed with its rule id, help text
and the first few elements it was found on; minor and moderate ones are printed only.

The page's context must be made with `bypass_csp=True` (the `page` and `phone_page` fixtures
are): the app's Content-Security-Policy allows no injected script.
"""
from __future__ import annotations

from pathlib import Path

import pytest

AXE_SOURCE = (Path(__file__).resolve().parent / "vendor" / "axe.min.js").read_text(
    encoding="utf-8")
WCAG_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa")
BLOCKING = frozenset({"serious", "critical"})
MAX_TARGETS = 5

_RUN_AXE = """async (tags) => {
  const results = await axe.run(document, {
    runOnly: {type: 'tag', values: tags},
    resultTypes: ['violations'],
  });
  const selector = (target) =>
    target.map((part) => Array.isArray(part) ? part.join(' >>> ') : String(part)).join(' ');
  return results.violations.map((v) => ({
    id: v.id,
    impact: v.impact,
    help: v.help,
    helpUrl: v.helpUrl,
    targets: v.nodes.map((n) => selector(n.target)),
    summary: v.nodes.length ? (v.nodes[0].failureSummary || '') : '',
  }));
}"""


def _describe(violation: dict) -> str:
    targets = violation["targets"]
    shown = ", ".join(targets[:MAX_TARGETS])
    more = f" (+{len(targets) - MAX_TARGETS} more)" if len(targets) > MAX_TARGETS else ""
    summary = " ".join(violation["summary"].split())
    return (f"  - [{violation['impact']}] {violation['id']}: {violation['help']}\n"
            f"      on {len(targets)} element(s): {shown}{more}\n"
            f"      {summary}\n"
            f"      {violation['helpUrl']}")


def run_axe(page, tags=WCAG_TAGS) -> list[dict]:
    """All axe violations on the page, as dicts (id, impact, help, helpUrl, targets, summary)."""
    if not page.evaluate("() => typeof window.axe === 'object' && !!window.axe.run"):
        page.evaluate(AXE_SOURCE)
    return page.evaluate(_RUN_AXE, list(tags))


def check_accessibility(page, context_label: str, tags=WCAG_TAGS) -> list[dict]:
    """Fail on serious/critical WCAG A/AA violations; print the others. Returns all of them."""
    __tracebackhide__ = True  # the failure points at the test's line, not at this helper
    violations = run_axe(page, tags)
    blocking = [v for v in violations if v["impact"] in BLOCKING]
    other = [v for v in violations if v["impact"] not in BLOCKING]
    if other:
        print(f"axe: {context_label} ({page.url}): {len(other)} minor/moderate violation(s):\n"
              + "\n".join(_describe(v) for v in other))
    if blocking:
        pytest.fail(f"axe: {context_label} ({page.url}): {len(blocking)} serious/critical "
                    f"accessibility violation(s):\n" + "\n".join(_describe(v) for v in blocking))
    return violations
