from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.urls import Resolver404
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.views.defaults import page_not_found


class LanguageCookieMiddleware:
    """Activates the language the user picked with the switcher (the language cookie), else
    ``LANGUAGE_CODE`` (zh-hans). Unlike Django's LocaleMiddleware it ignores the browser's
    Accept-Language on purpose: staff on an English-language OS still get the Chinese portal
    unless they choose English."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        language = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if language not in self.supported:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", request.LANGUAGE_CODE)
        return response


class ErrorPagesMiddleware:
    """The portal's Chinese error pages in every mode. A 405 (a link or a reload on an address
    that only takes a form's POST, e.g. ``GET /reports/street/``) gets ``405.html`` instead of
    Django's empty body, keeping the ``Allow`` header. With ``DEBUG`` on, a 404 gets
    ``404.html`` as in production instead of Django's English technical page: an address that
    does not resolve, and a record not found or outside the user's scope (``Http404``).
    Placed after CommonMiddleware, so a missing trailing slash is still redirected."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code == 405 and not response.content:
            page = render(request, "405.html", status=405)
            if response.has_header("Allow"):
                page["Allow"] = response["Allow"]
            return page
        if (
            settings.DEBUG
            and response.status_code == 404
            and getattr(request, "resolver_match", None) is None
        ):
            # the address resolved to no view: Django's technical page replaced by ours
            return page_not_found(request, Resolver404())
        return response

    def process_exception(self, request, exception):
        if settings.DEBUG and isinstance(exception, Http404):
            return page_not_found(request, exception)
        return None
