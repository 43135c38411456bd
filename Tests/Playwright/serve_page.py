#!/usr/bin/env python3
"""The live classroom page (`entropy-lab serve`) in a real browser.

Loads the page in Debian's Chromium through Playwright (which cannot download
its own browsers here), then either

- (default) types a policy and rewards into the command box, clicks Step twice
  and checks that the bars (widths of the π bars, the covariance shares) and
  the entropy curve changed each time, and that the cell log shows the steps;
- or, with --next N --screenshot OUT.png, clicks the lesson's Next N times and
  writes a screenshot of the page.

Fails (exit 1, with the reason) on any check that does not hold and on any
JavaScript error or console error on the page.

Usage: serve_page.py URL [--chromium PATH] [--next N --screenshot OUT.png]
"""
import argparse
import sys

from playwright.sync_api import sync_playwright

TIMEOUT_MS = 15000


def version(page):
    return page.evaluate("() => document.body.dataset.version || ''")


def wait_for_change(page, before):
    page.wait_for_function("(v) => (document.body.dataset.version || '') !== v", arg=before, timeout=TIMEOUT_MS)


def click_and_wait(page, selector):
    before = version(page)
    page.click(selector)
    wait_for_change(page, before)


def run_command(page, line):
    before = version(page)
    page.fill("#command", line)
    page.press("#command", "Enter")
    wait_for_change(page, before)


def bars(page):
    """Each bar's arm, π width and share text, top to bottom."""
    return page.eval_on_selector_all(
        "#bars .bar",
        """rows => rows.map(r => [r.dataset.arm,
                                  r.querySelector('.prob .fill').style.width,
                                  r.querySelectorAll('.num')[1].textContent])""",
    )


def entropy_curve(page):
    return page.evaluate("() => { const p = document.querySelector('#entropy-chart path.curve'); return p ? p.getAttribute('d') : null; }")


def check(condition, message):
    if not condition:
        print("FAILED: " + message)
        sys.exit(1)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("url")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    parser.add_argument("--next", type=int, default=0)
    parser.add_argument("--screenshot")
    args = parser.parse_args()

    problems = []
    with sync_playwright() as p:
        # --no-sandbox: Chromium refuses to start its sandbox as root (CI runs as root).
        browser = p.chromium.launch(executable_path=args.chromium, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1440, "height": 1000})
        page.set_default_timeout(TIMEOUT_MS)
        page.on("pageerror", lambda error: problems.append("page error: %s" % error))
        page.on("console", lambda m: problems.append("console: " + m.text) if m.type == "error" else None)
        page.goto(args.url)
        page.wait_for_selector("#conn.ok")
        page.wait_for_selector("#bars .bar")

        if args.next:
            for _ in range(args.next):
                click_and_wait(page, "#next")
            if args.screenshot:
                page.screenshot(path=args.screenshot, full_page=True)
        else:
            run_command(page, "policy logits 1 0 -1 0.5")
            run_command(page, "rewards 1 0 0 1")
            before, curve_before = bars(page), entropy_curve(page)
            check(len(before) == 4, "expected 4 bars, got %r" % (before,))
            check(curve_before is None, "a curve before any step: %r" % curve_before)
            click_and_wait(page, "#step")
            after, curve_after = bars(page), entropy_curve(page)
            check(after != before, "the bars did not change after Step: %r" % (after,))
            check(curve_after is not None, "no entropy curve after Step")
            click_and_wait(page, "#step")
            check(bars(page) != after, "the bars did not change after the second Step")
            check(entropy_curve(page) not in (None, curve_after), "the entropy curve did not change after the second Step")
            log = page.inner_text("#log")
            check("[3]> step" in log and "[4]> step" in log, "the cell log does not show both steps: %r" % log[-400:])
            check("step 2" in page.inner_text("#status"), "the status line does not say step 2: %r" % page.inner_text("#status"))
            if args.screenshot:
                page.screenshot(path=args.screenshot, full_page=True)
        browser.close()
    check(not problems, "; ".join(problems))
    print("ok: the page loaded, Step changed the bars and the entropy curve")


if __name__ == "__main__":
    main()
