app_name = "escrow_api"
urlpatterns: list = []
