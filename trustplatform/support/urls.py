from django.urls import path

from . import views

app_name = "support"
urlpatterns = [
    path("", views.inquiry_list, name="list"),
    path("ask/", views.ask, name="ask"),
    path("<int:inquiry_id>/", views.inquiry_detail, name="detail"),
]
