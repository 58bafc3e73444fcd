"""URLs of notifications, in the ``inbox`` namespace."""

from django.urls import path

from rocc.inbox import views

app_name = "inbox"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("read-all/", views.mark_all_read, name="mark_all_read"),
    path("settings/", views.preferences, name="preferences"),
    path("<int:pk>/", views.notification_open, name="open"),
]
