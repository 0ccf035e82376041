import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trustplatform.settings")
if not settings.configured:  # a server loading this module first (not a process that imports it later)
    # A web process: its database sessions carry the request timeouts (settings, "A web process gives up").
    os.environ.setdefault("ANSIM_PROCESS", "web")
django_application = get_wsgi_application()

from trustplatform.overload import ShedOverload  # noqa: E402 (after Django is set up)
from trustplatform.warmup import web_process_connect, web_process_warm  # noqa: E402

# Outermost: a request that waited past its budget is refused before Django builds it.
application = ShedOverload(django_application)

web_process_warm()
# A worker forked from a master that preloaded this module opens its own connections as it starts.
os.register_at_fork(after_in_child=web_process_connect)
