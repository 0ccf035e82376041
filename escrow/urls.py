app_name = "escrow"
urlpatterns: list = []
