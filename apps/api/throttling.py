"""Rate limits per client: ``ApiClient.requests_per_minute`` requests in any 60 seconds,
counted in the cache under the client's id (every token of a client shares it; Redis makes it
shared by every web process). Over the limit: 429 with ``Retry-After``."""

from rest_framework.throttling import SimpleRateThrottle

from .permissions import client_of


class ClientRateThrottle(SimpleRateThrottle):
    scope = "api-client"
    cache_format = "api-throttle:%(ident)s"

    def __init__(self):
        # the rate is the client's, known only with the request (allow_request)
        pass

    def get_cache_key(self, request, view):
        client = client_of(request)
        if client is None:
            return None
        return self.cache_format % {"ident": client.pk}

    def allow_request(self, request, view):
        client = client_of(request)
        if client is None:
            return True
        self.rate = f"{client.requests_per_minute}/m"
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)
