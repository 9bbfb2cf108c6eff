"""Staff pages of the county assessment, under /assessment/."""

from django.urls import path

from onewindow.assessment import views

urlpatterns = [
    path("", views.ranking, name="assessment"),
    path("<int:year>/export.xlsx", views.export_xlsx, name="assessment-export"),
    path("<int:year>/indicators/", views.edit_indicators, name="assessment-indicators"),
    path("<int:year>/units/<str:code>/", views.unit_detail, name="assessment-unit"),
    path("<int:year>/units/<str:code>/note/", views.save_note, name="assessment-note"),
]
