"""The schema (OpenAPI 3, ``/api/v1/schema/``) and its documentation page (Swagger UI,
``/api/v1/docs/``). Both describe the API and hold no data: anyone may read them, without a
token or a log-in, so an integrator's developers can read them before they have a client.

The page is the portal's own template: Swagger UI's files come from drf-spectacular-sidecar
(static files, no CDN), the start-up code from ``static/api/docs.js`` with the schema's URL in
a ``data-`` attribute, its styles from ``static/api/docs.css``: nothing inline, so the portal's
CSP (``script-src 'self'``, ``style-src 'self'``) holds on this page too.
"""

from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.permissions import AllowAny


class SchemaView(SpectacularAPIView):
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []
    frontline = True  # public: the front-line rule (apps.orgs.frontline) does not apply


class DocsView(SpectacularSwaggerView):
    authentication_classes = []
    permission_classes = [AllowAny]
    throttle_classes = []
    template_name = "api/docs.html"
    url_name = "api:schema"
    frontline = True
