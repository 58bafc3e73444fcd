"""The question banks in the Django admin: a read-only history (revisions are published from the Guiding
questions page, so that a version, once used by a case, never changes)."""

from django.contrib import admin

from rocc.problems.models import Question, QuestionBank


class QuestionInline(admin.TabularInline):
    model = Question
    fields = ("stage", "order", "text", "required", "fact")
    readonly_fields = fields
    extra = 0
    can_delete = False


@admin.register(QuestionBank)
class QuestionBankAdmin(admin.ModelAdmin):
    list_display = ("version", "note", "is_current", "created_at")
    readonly_fields = ("version", "note", "is_current", "purposes", "created_by", "created_at")
    inlines = [QuestionInline]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
