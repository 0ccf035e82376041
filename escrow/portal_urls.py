app_name = "escrow_portal"
urlpatterns: list = []
