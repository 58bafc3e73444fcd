"""URLs of the provider reporting pages, served at /measures/returns/ (where providers and approvers have always found
them) in the ``returns`` namespace."""

from django.urls import path

from rocc.returns import views

app_name = "returns"
urlpatterns = [
    path("", views.returns_list, name="list"),
    path("<int:pk>/", views.return_detail, name="detail"),
    path("<int:pk>/review/", views.return_review, name="review"),
    path("<int:pk>/template.xlsx", views.return_template, name="return_template"),
    path("data-sets/<slug:code>/", views.data_set_detail, name="data_set"),
    path("data-sets/<slug:code>/template.xlsx", views.data_set_template, name="template"),
    path("data-sets/<slug:code>/upload/", views.data_set_upload, name="upload"),
    path("uploads/<int:pk>/", views.upload_job, name="upload_job"),
    path("uploads/<int:pk>/status/", views.upload_job_status, name="upload_job_status"),
    path("data-sets/<slug:code>/start/", views.return_start, name="start"),
    path("data-sets/<slug:code>/providers/", views.data_set_provider_add, name="provider_add"),
    path("data-sets/<slug:code>/figures/<int:item_pk>/checks/", views.data_set_figure_checks, name="figure_checks"),
    path("data-sets/<slug:code>/performance/", views.performance, name="performance"),
    path("data-sets/<slug:code>/returns.<str:fmt>", views.returns_export, name="export"),
]
