"""URLs of the strategy pages."""

app_name = "strategy"
urlpatterns: list = []
