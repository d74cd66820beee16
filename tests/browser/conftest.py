"""Headless Chromium for end-to-end journeys (Debian's chromium + chromedriver, via Selenium).

The journeys skip, with the reason, only where no Chromium is installed; ``.ci/run`` installs it.
"""

import os
import shutil
import tempfile

import pytest

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
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.base_url = live_server.url
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def log_in(browser, username, password="resilience-demo"):
    """Log in through the real login form; lands on the workbench."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(browser.base_url + "/accounts/login/")
    browser.find_element(By.NAME, "username").send_keys(username)
    browser.find_element(By.NAME, "password").send_keys(password)
    browser.find_element(By.CSS_SELECTOR, "form button[type=submit].btn-primary").click()
    WebDriverWait(browser, 10).until(lambda b: "/accounts/login/" not in b.current_url)


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
