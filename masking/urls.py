from django.urls import path

from . import views

app_name = "masking"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("preference/", views.preference, name="preference"),
    path("<int:session_id>/block/", views.block, name="block"),
    path("blocks/<int:block_id>/delete/", views.unblock, name="unblock"),
    path("try/", views.demo_order, name="demo_order"),
    path("simulator/", views.phone_simulator, name="simulator"),
]
