"""URLs of the strategy pages."""

from django.urls import path

from rocc.strategy.views import frameworks, plans, register

app_name = "strategy"
urlpatterns = [
    path("", frameworks.overview, name="overview"),
    path("search/", frameworks.search, name="search"),
    path("frameworks/<slug:code>/", frameworks.framework_detail, name="framework"),
    path("plans/import/", frameworks.action_plan_import, name="action_plan_import"),
    path("plans/template.xlsx", frameworks.action_plan_template, name="action_plan_template"),
    path("plans/<slug:code>/", frameworks.plan_detail, name="plan"),
    path("plans/<slug:code>/action-plan.xlsx", frameworks.action_plan_xlsx, name="action_plan_xlsx"),
    path("plans/<slug:code>/activities/<int:number>/", frameworks.activity_detail, name="activity"),
    path("plans/<slug:code>/activities/<int:number>/milestones/", frameworks.milestone_add, name="milestone_add"),
    path("plans/<slug:code>/activities/<int:number>/milestones/<int:milestone_id>/done/", frameworks.milestone_complete, name="milestone_complete"),
    path("curves/<slug:indicator>/<slug:unit>/actions/", frameworks.curve_actions_edit, name="curve_actions"),
    path("district-plans/", plans.district_plans, name="district_plans"),
    path("district-plans/<slug:code>/", plans.district_plan_detail, name="district_plan"),
    path("district-plans/<slug:code>/steps/<int:step>/", plans.plan_step, name="plan_step"),
    path("district-plans/<slug:code>/steps/3/remove/<slug:key>/", plans.priority_action_remove, name="priority_action_remove"),
    path("district-plans/<slug:code>/compare/", plans.plan_compare, name="plan_compare"),
    path("district-plans/<slug:code>/v<int:number>/", plans.plan_version_detail, name="plan_version"),
    path("district-plans/<slug:code>/v<int:number>/logic-model/", plans.plan_logic_model, name="logic_model"),
    path("district-plans/<slug:code>/v<int:number>/boxes/<slug:key>/", plans.chain_element_detail, name="element"),
    path("district-plans/<slug:code>/v<int:number>/monitoring.xlsx", plans.plan_monitoring_xlsx, name="monitoring_xlsx"),
    path("district-plans/<slug:code>/lifecycle/<slug:move>/", plans.plan_lifecycle, name="plan_lifecycle"),
    path("barriers/", plans.barriers, name="barriers"),
    path("barriers/<int:pk>/", register.barrier_detail, name="barrier"),
    path("initiatives/", register.initiatives, name="initiatives"),
    path("initiatives/<int:pk>/", register.initiative_detail, name="initiative"),
]
