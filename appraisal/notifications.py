"""E-mails about applications: state changes and deadline reminders."""

from __future__ import annotations


def notify_transition(record) -> None:
    """Tell the people concerned that an application moved (``record``: ApplicationTransition)."""
