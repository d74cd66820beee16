"""Keyboard and large-text use (适老化, WCAG 2.1 AA) in a real browser. The first Tab reaches a
visible skip link that moves focus to the content; the header's 大字模式 switch makes body text at
least 18 px and buttons at least 44 px high, is remembered at the next log-in, and does the same
on the phone pages at 375×812, whose sizes follow the phone's own text size (rem, no px); focus
inside a region htmx replaces stays in that region; every control the Tab key reaches on the
workbench, a list and the phone's task list shows a focus ring. (axe runs on every page of
every journey, see conftest.py.)"""

import pytest
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from apps.orgs.models import User
from tests.browser.conftest import click, log_in, wait_for_text

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SIZES = """return {
  body: parseFloat(getComputedStyle(document.body).fontSize),
  lowest: Math.min.apply(null, Array.from(document.querySelectorAll(arguments[0]))
    .filter(function (e) { return e.offsetParent !== null; })
    .map(function (e) { return e.getBoundingClientRect().height; }))
};"""


FOCUS_RING = """var e = document.activeElement, s = getComputedStyle(e);
return [e.tagName + '.' + e.className + ' ' + e.textContent.trim().slice(0, 20),
        (s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2) || s.boxShadow !== 'none',
        e === document.body];"""


def tab_through(browser, limit=80):
    """Press Tab until focus comes back to the top (or ``limit``); the controls without a ring."""
    unringed, seen = [], set()
    for _ in range(limit):
        ActionChains(browser).send_keys(Keys.TAB).perform()
        name, ringed, body = browser.execute_script(FOCUS_RING)
        if body or name in seen:
            break
        seen.add(name)
        if not ringed:
            unringed.append(name)
    return seen, unringed


def active(browser):
    return browser.execute_script(
        "var a = document.activeElement; return [a.id, a.className, a.textContent.trim()];"
    )


def switch_large_text(browser):
    click(browser, browser.find_element(By.CSS_SELECTOR, ".large-text-switch button"))


def test_skip_link_then_large_text_on_the_desk(browser, demo):
    log_in(browser, "huayang_staff")
    browser.get(browser.base_url + "/hazards/")
    ActionChains(browser).send_keys(Keys.TAB).perform()
    link = browser.switch_to.active_element
    assert "skip-link" in link.get_attribute("class") and link.text == "跳到正文"
    assert link.is_displayed() and link.size["height"] > 10  # shown while focused
    link.send_keys(Keys.ENTER)
    WebDriverWait(browser, 10).until(lambda b: active(b)[0] == "content")

    sizes = browser.execute_script(SIZES, "main .btn")
    assert sizes["body"] == 16
    switch_large_text(browser)
    wait_for_text(browser, ".alert-success", "已切换到大字模式")
    assert browser.current_url.endswith("/hazards/")
    assert (
        browser.find_element(By.CSS_SELECTOR, ".large-text-switch button").get_attribute(
            "aria-pressed"
        )
        == "true"
    )
    sizes = browser.execute_script(SIZES, "main .btn, .portal-navbar .btn, .form-control")
    assert sizes["body"] >= 18 and sizes["lowest"] >= 44, sizes

    # remembered for the user, not the browser
    assert User.objects.get(username="huayang_staff").large_text
    browser.delete_all_cookies()
    log_in(browser, "huayang_staff")
    assert "large-text" in browser.find_element(By.TAG_NAME, "html").get_attribute("class")
    switch_large_text(browser)
    wait_for_text(browser, ".alert-success", "已恢复标准字号")
    assert browser.execute_script(SIZES, "main .btn")["body"] == 16


def test_phone_pages_follow_the_system_size_and_the_large_text_mode(browser, demo):
    browser.set_window_size(375, 812)
    log_in(browser, "huayi_grid")
    assert browser.current_url.endswith("/m/")
    # the phone's own text size (the root size) carries through: nothing is fixed in px
    browser.execute_script("document.documentElement.style.fontSize = '125%';")
    assert browser.execute_script(SIZES, ".m-tab")["body"] == 20
    browser.refresh()

    switch_large_text(browser)
    wait_for_text(browser, ".alert-success", "已切换到大字模式")
    sizes = browser.execute_script(SIZES, ".m-tab, main .btn, .large-text-switch .btn")
    assert sizes["body"] >= 18 and sizes["lowest"] >= 44, sizes
    ActionChains(browser).send_keys(Keys.TAB).perform()
    assert browser.switch_to.active_element.text == "跳到正文"


def test_focus_stays_in_a_region_htmx_replaces(browser, demo):
    log_in(browser, "huayang_staff")
    browser.execute_script(
        "var r = document.createElement('div'); r.id = 'probe';"
        "r.setAttribute('hx-get', '/healthz'); r.setAttribute('hx-trigger', 'go');"
        "r.innerHTML = '<button type=button id=probe-button>go</button>';"
        "document.getElementById('content').prepend(r); htmx.process(r);"
        "document.getElementById('probe-button').focus(); htmx.trigger(r, 'go');"
    )
    WebDriverWait(browser, 10).until(lambda b: active(b)[0] == "probe")
    assert browser.find_element(By.ID, "probe").get_attribute("tabindex") == "-1"


@pytest.mark.parametrize(
    ("username", "page", "width"),
    [
        ("huayang_staff", "/", 1400),
        ("huayang_staff", "/hazards/", 1400),
        ("huayi_grid", "/m/", 375),
    ],
)
def test_every_control_the_tab_key_reaches_shows_a_focus_ring(browser, demo, username, page, width):
    browser.set_window_size(width, 812 if width < 500 else 900)
    log_in(browser, username)
    browser.get(browser.base_url + page)
    seen, unringed = tab_through(browser)
    assert len(seen) > 5 and not unringed, unringed
