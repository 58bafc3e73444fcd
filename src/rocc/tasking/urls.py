"""URLs of the tasking pages."""

from django.urls import path

from rocc.tasking import views

app_name = "tasking"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("products/", views.product_list, name="products"),
    path("products/new/", views.product_new, name="product_new"),
    path("products/<int:pk>/", views.product_detail, name="product"),
    path("reports/", views.report_list, name="reports"),
    path("reports/export.xlsx", views.report_export, name="reports_export"),
    path("reports/new/", views.report_new, name="report_new"),
    path("reports/<int:pk>/", views.report_detail, name="report"),
    path("reports/<int:pk>/route/", views.report_route, name="report_route"),
    path("reports/<int:pk>/close/", views.report_close, name="report_close"),
    path("reports/<int:pk>/score/", views.report_score, name="report_score"),
    path("reports/<int:pk>/task/", views.report_task, name="report_task"),
    path("reports/<int:pk>/case/", views.report_open_case, name="report_open_case"),
    path("taskings/", views.tasking_list, name="taskings"),
    path("taskings/<int:pk>/", views.tasking_detail, name="tasking"),
    path("targets/<str:subject_type>/<int:pk>/", views.target_add, name="target_add"),
    path("deconfliction/", views.alert_list, name="alerts"),
    path("deconfliction/<int:pk>/acknowledge/", views.alert_acknowledge, name="alert_acknowledge"),
    path("risk/", views.risk, name="risk"),
    path("meetings/", views.meeting_list, name="meetings"),
    path("meetings/<int:pk>/", views.meeting_detail, name="meeting"),
    path("meetings/<int:pk>/print/", views.meeting_print, name="meeting_print"),
    path("meetings/<int:pk>/agenda.xlsx", views.meeting_export, name="meeting_export"),
]
