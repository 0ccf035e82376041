from .context import acting_as


class ActorMiddleware:
    """Make the logged-in user the actor of any audit row written during the request."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        # request.user is lazy; only a real, authenticated user is recorded.
        actor = user if user is not None and user.is_authenticated else None
        with acting_as(actor):
            return self.get_response(request)
