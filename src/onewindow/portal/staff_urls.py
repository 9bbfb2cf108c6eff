"""The staff's pages for public feedback: moderation, assignment and answers."""

from django.urls import path

from onewindow.portal import staff_views

urlpatterns = [
    path("", staff_views.queue, name="feedback-queue"),
    path("<int:pk>/", staff_views.message_detail, name="feedback-detail"),
    path("<int:pk>/publish/", staff_views.publish, name="feedback-publish"),
    path("<int:pk>/hide/", staff_views.hide, name="feedback-hide"),
    path("<int:pk>/assign/", staff_views.assign, name="feedback-assign"),
    path("<int:pk>/answer/", staff_views.answer, name="feedback-answer"),
]
