"""The large-text mode (适老化): each user switches it for themselves from the header, by POST,
lands back where they were, and every page (desk and phone) then carries the ``large-text``
class; it changes nobody else's pages and never redirects off the site."""

import pytest
from django.urls import reverse

from apps.orgs.models import User

pytestmark = pytest.mark.django_db

URL = reverse("large_text")


@pytest.mark.parametrize("username", ["huayang_staff", "changning_reviewer", "huayi_grid"])
def test_the_switch_turns_the_mode_on_and_off_and_returns_to_the_page(login, demo, username):
    client = login(username)
    page = "/m/" if username == "huayi_grid" else "/hazards/"

    response = client.post(URL, {"next": page})
    assert response.status_code == 302 and response.url == page
    assert User.objects.get(username=username).large_text is True
    html = client.get(page).content.decode()
    assert '<html lang="zh-hans" class="large-text">' in html
    assert 'aria-pressed="true"' in html

    client.post(URL, {"next": page})
    assert User.objects.get(username=username).large_text is False
    html = client.get(page).content.decode()
    assert 'class="large-text"' not in html and 'aria-pressed="false"' in html


def test_the_mode_is_each_users_own(login, demo):
    login("huayang_staff").post(URL, {"next": "/"})
    assert User.objects.get(username="huayang_staff").large_text is True
    assert not User.objects.exclude(username="huayang_staff").filter(large_text=True).exists()


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", ""])
def test_the_switch_never_redirects_off_the_site(login, demo, target):
    response = login("huayang_staff").post(URL, {"next": target})
    assert response.status_code == 302 and response.url == reverse("home")


def test_get_is_refused_and_anonymous_users_are_sent_to_log_in(client, login, demo):
    assert client.post(URL).url.startswith(reverse("login"))
    assert login("huayang_staff").get(URL).status_code == 405
    assert User.objects.filter(large_text=True).count() == 0


def test_every_page_has_a_skip_link_to_its_content(login, demo):
    for username, page in [("huayang_staff", "/"), ("huayi_grid", "/m/")]:
        html = login(username).get(page, follow=True).content.decode()
        assert 'href="#content"' in html and 'id="content"' in html
