import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trustplatform.settings")
application = get_asgi_application()

from trustplatform.warmup import web_process_warm  # noqa: E402 (after Django is set up)

web_process_warm()
