"""URLs of the problems pages."""

from django.urls import path

from rocc.problems import views

app_name = "problems"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("new/", views.case_new, name="case_new"),
    path("library/", views.library, name="library"),
    path("questions/", views.questions, name="questions"),
    path("questions/revise/", views.questions_revise, name="questions_revise"),
    path("cases/<int:pk>/", views.case_detail, name="case"),
    path("cases/<int:pk>/details/", views.case_general, name="case_general"),
    path("cases/<int:pk>/move/<slug:direction>/", views.case_move, name="case_move"),
    path("cases/<int:pk>/print/", views.case_print, name="case_print"),
    path("cases/<int:pk>/export.xlsx", views.case_export, name="case_export"),
    path("cases/<int:pk>/add/<slug:what>/", views.case_add, name="case_add"),
    path("cases/<int:pk>/milestones/<int:milestone_id>/done/", views.milestone_done, name="milestone_done"),
    path("cases/<int:pk>/evidence/<int:evidence_id>/file/", views.evidence_file, name="evidence_file"),
    path("cases/<int:pk>/<slug:stage>/", views.case_stage, name="stage"),
    path("cases/<int:pk>/<slug:stage>/save/", views.case_stage_save, name="stage_save"),
    path("cases/<int:pk>/<slug:stage>/questions/<int:question_id>/evidence/", views.evidence_add, name="evidence_add"),
    path("cases/<int:pk>/<slug:stage>/questions/<int:question_id>/cite/", views.evidence_cite, name="evidence_cite"),
]
