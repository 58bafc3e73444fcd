"""Audit entries in the admin: readable by administrators, never added, changed or deleted."""

from django.contrib import admin

from rocc.audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ["id", "at", "kind", "actor_name", "object_type", "object_repr", "purpose"]
    list_filter = ["kind", "object_type"]
    search_fields = ["actor_name", "object_repr", "purpose", "object_id"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
