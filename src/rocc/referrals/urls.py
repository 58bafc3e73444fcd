"""URLs of referrals and the services directory, in the ``referrals`` namespace."""

from django.urls import path

from rocc.referrals import views

app_name = "referrals"
urlpatterns: list = [
    path("", views.overview, name="overview"),
    path("services/", views.directory, name="directory"),
    path("services/new/", views.service_new, name="service_new"),
    path("services/<int:pk>/", views.service_detail, name="service"),
    path("services/<int:pk>/edit/", views.service_edit, name="service_edit"),
    path("new/", views.referral_new, name="new"),
    path("<int:pk>/", views.referral_detail, name="referral"),
    path("<int:pk>/step/", views.referral_step, name="step"),
    path("figures/", views.figures, name="figures"),
    path("capacity-declines/", views.capacity_declines, name="capacity_declines"),
    path("capacity-declines/attach/", views.capacity_evidence_attach, name="capacity_evidence_attach"),
    path("capacity-declines.csv", views.capacity_declines_csv, name="capacity_declines_csv"),
    path("expire/", views.expire, name="expire"),
]
