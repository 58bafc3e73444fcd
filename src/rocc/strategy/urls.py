"""URLs of the strategy pages."""

from django.urls import path

from rocc.strategy import views, views_plans

app_name = "strategy"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("search/", views.search, name="search"),
    path("frameworks/<slug:code>/", views.framework_detail, name="framework"),
    path("plans/import/", views.action_plan_import, name="action_plan_import"),
    path("plans/template.xlsx", views.action_plan_template, name="action_plan_template"),
    path("plans/<slug:code>/", views.plan_detail, name="plan"),
    path("plans/<slug:code>/action-plan.xlsx", views.action_plan_xlsx, name="action_plan_xlsx"),
    path("plans/<slug:code>/activities/<int:number>/", views.activity_detail, name="activity"),
    path("plans/<slug:code>/activities/<int:number>/milestones/", views.milestone_add, name="milestone_add"),
    path("plans/<slug:code>/activities/<int:number>/milestones/<int:milestone_id>/done/", views.milestone_complete, name="milestone_complete"),
    path("district-plans/", views_plans.district_plans, name="district_plans"),
    path("district-plans/<slug:code>/", views_plans.district_plan_detail, name="district_plan"),
    path("district-plans/<slug:code>/steps/<int:step>/", views_plans.plan_step, name="plan_step"),
    path("district-plans/<slug:code>/steps/3/remove/<slug:key>/", views_plans.priority_action_remove, name="priority_action_remove"),
    path("district-plans/<slug:code>/compare/", views_plans.plan_compare, name="plan_compare"),
    path("district-plans/<slug:code>/v<int:number>/", views_plans.plan_version_detail, name="plan_version"),
    path("district-plans/<slug:code>/v<int:number>/logic-model/", views_plans.plan_logic_model, name="logic_model"),
    path("district-plans/<slug:code>/v<int:number>/boxes/<slug:key>/", views_plans.chain_element_detail, name="element"),
    path("district-plans/<slug:code>/v<int:number>/monitoring.xlsx", views_plans.plan_monitoring_xlsx, name="monitoring_xlsx"),
    path("district-plans/<slug:code>/lifecycle/<slug:move>/", views_plans.plan_lifecycle, name="plan_lifecycle"),
    path("barriers/", views_plans.barriers, name="barriers"),
    path("barriers/<int:pk>/", views_plans.barrier_detail, name="barrier"),
    path("initiatives/", views_plans.initiatives, name="initiatives"),
    path("initiatives/<int:pk>/", views_plans.initiative_detail, name="initiative"),
]
