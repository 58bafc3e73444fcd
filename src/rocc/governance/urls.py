"""URLs of governance report packs, in the ``governance`` namespace."""

from django.urls import path

from rocc.governance import views

app_name = "governance"
urlpatterns = [
    path("", views.packs, name="packs"),
    path("<int:pack_id>/", views.pack, name="pack"),
    path("<int:pack_id>/status/", views.pack_status, name="pack_status"),
    path("<int:pack_id>/download.pdf", views.pack_download, {"kind": "pdf"}, name="pack_pdf"),
    path("<int:pack_id>/download.xlsx", views.pack_download, {"kind": "xlsx"}, name="pack_xlsx"),
]
