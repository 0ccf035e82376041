from rest_framework.throttling import SimpleRateThrottle


class CallerRateThrottle(SimpleRateThrottle):
    """One rate limit per caller: the user when logged in, else the client address.

    A single throttle (instead of DRF's anon + user pair) costs one cache round trip per request.
    """

    def __init__(self):
        # The rate depends on who calls, so it is chosen per request in allow_request.
        pass

    def allow_request(self, request, view):
        self.scope = "user" if request.user and request.user.is_authenticated else "anon"
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view):
        ident = f"u{request.user.pk}" if self.scope == "user" else self.get_ident(request)
        return f"throttle:{self.scope}:{ident}"
