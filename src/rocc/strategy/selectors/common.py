"""What every strategy read shares."""

from __future__ import annotations


def may_read(user) -> bool:
    return user.has_perm("strategy.view_strategy")
