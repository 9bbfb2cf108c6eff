"""The public portal, under /public/ (the staff pages keep the site's root)."""

from django.urls import path

from onewindow.portal import views

app_name = "portal"

urlpatterns = [
    path("", views.home, name="home"),
    path("projects/", views.project_list, name="projects"),
    path("projects.csv", views.projects_csv, name="projects-csv"),
    path("projects.json", views.projects_json, name="projects-json"),
    path("projects/<int:pk>/", views.project_detail, name="project"),
    path("projects/<int:pk>/feed/", views.project_feed, name="project-feed"),
    path("feed/", views.progress_feed, name="feed"),
    path("data/", views.open_data, name="open-data"),
    path("feedback/", views.feedback_list, name="feedback"),
    path("feedback/new/", views.feedback_new, name="feedback-new"),
    path("feedback/receipt/<str:token>/", views.feedback_receipt, name="feedback-receipt"),
    path("language/", views.switch_language, name="language"),
]
