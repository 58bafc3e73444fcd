"""The Django admin for Tasking & Coordination reference data: forums (with their named members) and methodologies."""

from django.contrib import admin

from rocc.tasking.models import Forum, RiskDimension, RiskMethodology


@admin.register(Forum)
class ForumAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "kind", "scope_unit"]
    list_filter = ["kind"]
    filter_horizontal = ["members"]
    search_fields = ["name", "short_name", "code"]


class RiskDimensionInline(admin.TabularInline):
    model = RiskDimension
    extra = 0
    fields = ["order", "code", "name", "role", "scale_min", "scale_max", "weight"]

    def has_change_permission(self, request, obj=None):
        # Versions are changed by publishing a new one (so old scores keep their meaning), not edited in place.
        return False


@admin.register(RiskMethodology)
class RiskMethodologyAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "version", "is_current", "published_at"]
    readonly_fields = ["code", "version", "is_current", "published_at", "created_by", "created_at"]
    inlines = [RiskDimensionInline]
