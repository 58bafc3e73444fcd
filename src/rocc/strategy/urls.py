"""URLs of the strategy pages."""

from django.urls import path

from rocc.strategy import views

app_name = "strategy"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("search/", views.search, name="search"),
    path("frameworks/<slug:code>/", views.framework_detail, name="framework"),
    path("plans/<slug:code>/", views.plan_detail, name="plan"),
    path("plans/<slug:code>/activities/<int:number>/", views.activity_detail, name="activity"),
    path("plans/<slug:code>/activities/<int:number>/milestones/", views.milestone_add, name="milestone_add"),
    path("plans/<slug:code>/activities/<int:number>/milestones/<int:milestone_id>/done/", views.milestone_complete, name="milestone_complete"),
]
