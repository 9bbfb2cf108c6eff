"""Staff pages. Filled in by the pages of each app."""

urlpatterns: list = []
