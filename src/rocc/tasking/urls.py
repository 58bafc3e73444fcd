"""URLs of the tasking pages."""

from django.urls import path

from rocc.tasking.views import deconfliction, meetings, milestones, overview, products, reports, risk, taskings

app_name = "tasking"
urlpatterns = [
    path("", overview.overview, name="overview"),
    path("products/", products.product_list, name="products"),
    path("products/new/", products.product_new, name="product_new"),
    path("products/<int:pk>/", products.product_detail, name="product"),
    path("products/<int:pk>/case/", products.product_open_case, name="product_open_case"),
    path("reports/", reports.report_list, name="reports"),
    path("reports/export.xlsx", reports.report_export, name="reports_export"),
    path("reports/new/", reports.report_new, name="report_new"),
    path("reports/<int:pk>/", reports.report_detail, name="report"),
    path("reports/<int:pk>/route/", reports.report_route, name="report_route"),
    path("reports/<int:pk>/close/", reports.report_close, name="report_close"),
    path("reports/<int:pk>/score/", reports.report_score, name="report_score"),
    path("reports/<int:pk>/task/", reports.report_task, name="report_task"),
    path("reports/<int:pk>/case/", reports.report_open_case, name="report_open_case"),
    path("taskings/", taskings.tasking_list, name="taskings"),
    path("taskings/<int:pk>/", taskings.tasking_detail, name="tasking"),
    path("cases/<int:case_pk>/milestones/<int:pk>/task/", milestones.milestone_raise, name="milestone_raise"),
    path("targets/<str:subject_type>/<int:pk>/", deconfliction.target_add, name="target_add"),
    path("deconfliction/", deconfliction.alert_list, name="alerts"),
    path("deconfliction/<int:pk>/acknowledge/", deconfliction.alert_acknowledge, name="alert_acknowledge"),
    path("risk/", risk.risk, name="risk"),
    path("meetings/", meetings.meeting_list, name="meetings"),
    path("meetings/<int:pk>/", meetings.meeting_detail, name="meeting"),
    path("meetings/<int:pk>/print/", meetings.meeting_print, name="meeting_print"),
    path("meetings/<int:pk>/agenda.xlsx", meetings.meeting_export, name="meeting_export"),
]
