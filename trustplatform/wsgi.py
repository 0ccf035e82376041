import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trustplatform.settings")
application = get_wsgi_application()

from trustplatform.warmup import web_process_warm  # noqa: E402 (after Django is set up)

web_process_warm()
