"""URLs of provider reporting pages, included at /measures/returns/ inside the measures namespace."""

from django.urls import path

from rocc.measures import views_reporting as views

urlpatterns = [
    path("", views.returns_list, name="returns"),
    path("<int:pk>/", views.return_detail, name="returns_detail"),
    path("<int:pk>/review/", views.return_review, name="returns_review"),
    path("<int:pk>/template.xlsx", views.return_template, name="returns_return_template"),
    path("data-sets/<slug:code>/", views.data_set_detail, name="returns_data_set"),
    path("data-sets/<slug:code>/template.xlsx", views.data_set_template, name="returns_template"),
    path("data-sets/<slug:code>/upload/", views.data_set_upload, name="returns_upload"),
    path("data-sets/<slug:code>/start/", views.return_start, name="returns_start"),
    path("data-sets/<slug:code>/providers/", views.data_set_provider_add, name="returns_provider_add"),
    path("data-sets/<slug:code>/figures/<int:item_pk>/checks/", views.data_set_figure_checks, name="returns_figure_checks"),
    path("data-sets/<slug:code>/performance/", views.performance, name="returns_performance"),
    path("data-sets/<slug:code>/returns.<str:fmt>", views.returns_export, name="returns_export"),
]
