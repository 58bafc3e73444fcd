"""Signing in with a user name and password. What a signed-in user may do is decided by the rules (each app's
``rules.py``, asked through django-rules' backend) and by nothing else."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend


class PasswordBackend(ModelBackend):
    """Django's user name and password check with its per-model permission tables left out. A permission granted in
    those tables (the admin offers them) would otherwise let a user past a rule that refuses them; and every page
    would pay two queries to read them."""

    def get_user_permissions(self, user_obj, obj=None) -> set:
        return set()

    def get_group_permissions(self, user_obj, obj=None) -> set:
        return set()

    def get_all_permissions(self, user_obj, obj=None) -> set:
        return set()

    def has_perm(self, user_obj, perm, obj=None) -> bool:
        return False

    def has_module_perms(self, user_obj, app_label) -> bool:
        return False

    def with_perm(self, perm, is_active=True, include_superusers=True, obj=None):
        return get_user_model()._default_manager.none()
