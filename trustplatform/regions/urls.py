from django.urls import path

from . import api

app_name = "regions"
urlpatterns = [
    path("", api.RegionSearchApi.as_view(), name="search"),
    path("<str:code>/", api.RegionDetailApi.as_view(), name="region"),
]
