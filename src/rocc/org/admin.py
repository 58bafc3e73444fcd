"""Reference data in the Django admin: agencies, units with aliases and populations, the national structure, profiles."""

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from rocc.org.models import Agency, NationalGroup, OrgUnit, Population, Profile, UnitAlias


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["short_name", "name", "kind"]
    list_filter = ["kind"]
    search_fields = ["short_name", "name", "search_text"]


class UnitAliasInline(admin.TabularInline):
    model = UnitAlias
    extra = 0
    fields = ["alias"]


class PopulationInline(admin.TabularInline):
    model = Population
    extra = 0


@admin.register(OrgUnit)
class OrgUnitAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "level", "parent"]
    list_filter = ["level"]
    search_fields = ["name", "code", "name_folded"]
    inlines = [UnitAliasInline, PopulationInline]


@admin.register(Population)
class PopulationAdmin(admin.ModelAdmin):
    list_display = ["unit", "period_start", "period_end", "age_band", "sex", "ethnicity", "value", "is_approximate"]
    list_filter = ["is_approximate", "unit__level"]


@admin.register(NationalGroup)
class NationalGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "level", "order"]
    list_filter = ["kind", "level"]


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False
    filter_horizontal = ["units", "groups"]


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class RoccUserAdmin(UserAdmin):
    inlines = [ProfileInline]
    list_display = ["username", "first_name", "last_name", "is_active"]
