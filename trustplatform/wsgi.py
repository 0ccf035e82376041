import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trustplatform.settings")
application = get_wsgi_application()

from trustplatform.warmup import web_process_connect, web_process_warm  # noqa: E402 (after Django is set up)

web_process_warm()
# A worker forked from a master that preloaded this module opens its own connections as it starts.
os.register_at_fork(after_in_child=web_process_connect)
