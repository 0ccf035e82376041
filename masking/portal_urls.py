from django.urls import path

from . import portal

app_name = "masking_portal"
urlpatterns = [
    path("", portal.sessions, name="sessions"),
    path("<int:session_id>/call/", portal.call, name="call"),
    path("<int:session_id>/text/", portal.text, name="text"),
    path("<int:session_id>/close/", portal.close, name="close"),
    path("<int:session_id>/block/", portal.block, name="block"),
]
