"""Headless Chromium for end-to-end journeys (Debian's chromium + chromedriver, via Selenium).

The journeys skip, with the reason, only where no Chromium is installed; ``.ci/run`` installs it.

Every page a journey opens — ``browser.get``, ``log_in``, ``click`` and ``submit`` — is checked
with axe-core (vendored in ``static/vendor/axe-core/``, injected by WebDriver, so the pages' CSP
does not apply to it) against the WCAG 2.1 A and AA rules, at the window size and as the user of
that moment, and once more on the page a test ends on (after whatever htmx or a script drew).
A violation fails the test once it has run, with the list of rules, elements and pages.
``A11Y_LOG=<file>`` appends one JSON line per page checked (to count and compare runs).
"""

import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest

AXE = Path(__file__).resolve().parents[2] / "static" / "vendor" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
SETTLED = """return document.getAnimations().every(function (a) {
  return a.playState !== 'running' || !isFinite(a.effect.getComputedTiming().endTime);
});"""
AXE_RUN = """
var done = arguments[arguments.length - 1];
axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}, resultTypes: ['violations']})
  .then(function (r) {
    done(r.violations.map(function (v) {
      return {id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(function (n) {
        var data = (n.any[0] || n.all[0] || n.none[0] || {}).data || {};
        return {target: n.target.join(' '), html: n.html.slice(0, 120),
                contrast: data.contrastRatio ? [data.contrastRatio, data.fgColor, data.bgColor,
                                                data.expectedContrastRatio] : null};
      })};
    }));
  }, function (e) { done([{id: 'axe-error', impact: 'error', help: String(e), nodes: []}]); });
"""

CHROMIUM = os.environ.get("CHROMIUM_BINARY") or shutil.which("chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER") or shutil.which("chromedriver")


@pytest.fixture
def browser(live_server):
    if not (CHROMIUM and CHROMEDRIVER):
        pytest.skip("Chromium not installed: apt-get install chromium chromium-driver")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    profile = tempfile.mkdtemp(prefix="chromium-")
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--window-size=1400,900",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(arg)
    driver = _AxeChrome(webdriver.Chrome)(service=Service(CHROMEDRIVER), options=options)
    driver.base_url = live_server.url
    driver.a11y_user = "anonymous"
    driver.a11y_violations = []
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def _AxeChrome(base):
    """The Chrome driver whose ``get`` checks the page it opened."""

    class AxeChrome(base):
        def get(self, url):
            super().get(url)
            check_accessibility(self)

    return AxeChrome


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    """Fail a journey that ran through pages with axe violations (after the test's own
    assertions, so one run lists every page's violations)."""
    result = yield
    driver = item.funcargs.get("browser")
    if driver is not None:
        # the page as the test left it: what scripts and htmx drew after it loaded, too
        check_accessibility(driver)
    violations = getattr(driver, "a11y_violations", None)
    if violations:
        raise AssertionError(format_violations(violations))
    return result


def format_violations(pages):
    lines = [f"axe (WCAG 2.1 A/AA): violations on {len(pages)} page(s)"]
    for page in pages:
        lines.append(f"  {page['url']}  [{page['user']}, {page['width']}px]")
        for rule in page["violations"]:
            lines.append(f"    {rule['id']} ({rule['impact']}): {rule['help']}")
            for node in rule["nodes"][:8]:
                contrast = node["contrast"]
                extra = (
                    f"  contrast {contrast[0]}:1 ({contrast[1]} on {contrast[2]})"
                    if contrast
                    else ""
                )
                lines.append(f"      {node['target']}{extra}")
            if len(rule["nodes"]) > 8:
                lines.append(f"      … and {len(rule['nodes']) - 8} more")
    return "\n".join(lines)


def check_accessibility(browser, timeout=10):
    """Run axe on the page now open (once it has loaded) and keep what it found on ``browser``.
    Pages that are not HTML (a JSON answer, a download) and other origins are skipped."""
    from selenium.webdriver.support.ui import WebDriverWait

    if not browser.current_url.startswith(browser.base_url):
        return
    WebDriverWait(browser, timeout).until(
        lambda b: b.execute_script("return document.readyState") == "complete"
    )
    if browser.execute_script("return document.contentType") != "text/html":
        return
    # a transition under way (a Leaflet popup fading in) would be measured half-transparent
    WebDriverWait(browser, timeout).until(lambda b: b.execute_script(SETTLED))
    if not browser.execute_script("return typeof window.axe === 'object'"):
        browser.execute_script(_axe_source())
    browser.set_script_timeout(30)
    violations = browser.execute_async_script(AXE_RUN, AXE_TAGS)
    page = {
        "url": browser.current_url.removeprefix(browser.base_url),
        "user": browser.a11y_user,
        "width": browser.execute_script("return window.innerWidth"),
        "violations": violations,
    }
    if violations:
        browser.a11y_violations.append(page)
    if os.environ.get("A11Y_LOG"):
        with open(os.environ["A11Y_LOG"], "a", encoding="utf-8") as log:
            log.write(json.dumps(page, ensure_ascii=False) + "\n")


def _axe_source(cache={}):  # noqa: B006 - read the 650 KB file once per run
    if "source" not in cache:
        cache["source"] = AXE.read_text(encoding="utf-8")
    return cache["source"]


def log_in(browser, username, password="resilience-demo"):
    """Log in through the real login form; lands on the workbench."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    browser.a11y_user = "anonymous"
    browser.get(browser.base_url + "/accounts/login/")
    browser.find_element(By.NAME, "username").send_keys(username)
    browser.find_element(By.NAME, "password").send_keys(password)
    browser.find_element(By.CSS_SELECTOR, "form button[type=submit].btn-primary").click()
    WebDriverWait(browser, 10).until(lambda b: "/accounts/login/" not in b.current_url)
    browser.a11y_user = username
    check_accessibility(browser)


def click(browser, element, timeout=10):
    """Click something that loads a new page (a link, a form's button) and wait until the old
    page is gone: a click returns before a form's POST has even started, so anything read
    right after it could still come from the old page. Scrolled to the middle of the window
    first, so no sticky element covers it (instant: Bootstrap makes scrolling smooth)."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    old_page = browser.find_element(By.TAG_NAME, "html")
    browser.execute_script(
        "arguments[0].scrollIntoView({block: 'center', behavior: 'instant'});", element
    )
    element.click()

    def old_page_gone(_):
        try:
            old_page.is_enabled()
        except WebDriverException:  # stale, or Chromium's "does not belong to the document"
            return True
        return False

    WebDriverWait(browser, timeout).until(old_page_gone)
    check_accessibility(browser)


def submit(browser, selector="main form button[type=submit]"):
    """Submit the main form (or the one whose button ``selector`` names) and wait for the
    page that answers it."""
    from selenium.webdriver.common.by import By

    click(browser, browser.find_element(By.CSS_SELECTOR, selector))


def wait_for_text(browser, selector, text, timeout=10):
    """Wait until the element matching ``selector`` on the *new* page contains ``text`` (a
    find right after a click can still hit the old page, or an element it just replaced)."""
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(
        browser,
        timeout,
        ignored_exceptions=(NoSuchElementException, StaleElementReferenceException),
    ).until(lambda b: text in b.find_element(By.CSS_SELECTOR, selector).text)
