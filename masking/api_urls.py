from django.urls import path

from . import api

app_name = "masking_api"
urlpatterns = [
    path("sessions/", api.SessionListApi.as_view(), name="sessions"),
    path("sessions/<int:session_id>/", api.SessionDetailApi.as_view(), name="session"),
    path("sessions/<int:session_id>/close/", api.SessionCloseApi.as_view(), name="close"),
    path("sessions/<int:session_id>/texts/", api.SessionTextApi.as_view(), name="text"),
    path("sessions/<int:session_id>/calls/", api.SessionCallApi.as_view(), name="call"),
]
