"""Staff pages of the promotion pipeline, under /leads/ (never under /public/)."""

from django.urls import path

from onewindow.promotion import views

urlpatterns = [
    path("", views.lead_list, name="lead-list"),
    path("new/", views.lead_new, name="lead-new"),
    path("charts/", views.lead_charts, name="lead-charts"),
    path("<int:pk>/", views.lead_detail, name="lead-detail"),
    path("<int:pk>/edit/", views.lead_edit, name="lead-edit"),
    path("<int:pk>/advance/", views.lead_advance, name="lead-advance"),
    path("<int:pk>/drop/", views.lead_drop, name="lead-drop"),
    path("<int:pk>/convert/", views.lead_convert, name="lead-convert"),
]
