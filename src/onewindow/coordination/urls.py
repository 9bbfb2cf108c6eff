from django.urls import path

from onewindow.coordination import views

urlpatterns = [
    path("problems/", views.problem_list, name="problem-list"),
    path("problems/<int:pk>/", views.problem_detail, name="problem-detail"),
    path("problems/<int:pk>/<slug:action>/", views.problem_action, name="problem-action"),
    path("projects/<int:pk>/problems/new/", views.problem_raise, name="problem-raise"),
    path("meetings/", views.meeting_list, name="meeting-list"),
    path("meetings/new/", views.meeting_edit, name="meeting-new"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting-detail"),
    path("meetings/<int:pk>/edit/", views.meeting_edit, name="meeting-edit"),
    path("meetings/<int:pk>/minutes/", views.meeting_minutes, name="meeting-minutes"),
    path("meetings/<int:pk>/action-items/", views.meeting_action_item, name="meeting-action-item"),
    path("action-items/", views.action_item_list, name="action-item-list"),
    path("action-items/<int:pk>/", views.action_item_detail, name="action-item-detail"),
    path("action-items/<int:pk>/complete/", views.action_item_complete, name="action-item-complete"),
]
