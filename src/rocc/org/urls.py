"""URLs of the organisation pages."""

from django.urls import path

from rocc.org import views

app_name = "org"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("agencies/", views.agency_list, name="agencies"),
    path("agencies/<str:short_name>/", views.agency_detail, name="agency"),
    path("units/", views.unit_list, name="units"),
    path("units/<slug:code>/", views.unit_detail, name="unit"),
    path("structure/", views.structure, name="structure"),
    path("structure/<slug:code>/", views.group_detail, name="group"),
    path("people/", views.users, name="users"),
]
