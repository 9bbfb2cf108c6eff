from django.urls import path

from onewindow.notifications import views

urlpatterns = [
    path("", views.notification_list, name="notifications"),
    path("<int:pk>/read/", views.mark_read, name="notification-read"),
    path("read-all/", views.mark_all_read, name="notifications-read-all"),
    path("preferences/", views.preferences, name="notification-preferences"),
    path("urges/", views.urges_by_department, name="urges-by-department"),
    path("urges/task/<int:task_id>/", views.urge, name="task-urge"),
]
