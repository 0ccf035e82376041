from .selectors import active_partners_for_user


def acting_partner(request):
    """Portal pages show the acting partner and a switcher; other pages skip the queries."""
    if not request.path.startswith("/portal/") or not request.user.is_authenticated:
        return {}
    return {
        "acting_partner": getattr(request, "partner", None),
        "switchable_partners": active_partners_for_user(user=request.user),
    }
