"""``python manage.py send_deadline_reminders``: the 7-day and 1-day deadline reminders.

Safe to run daily (or more often) from cron: a reminder already sent for the
same deadline is never sent again.
"""

from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils import translation
from django.utils.translation import ngettext

from appraisal.notifications import send_deadline_reminders


class Command(BaseCommand):
    help = (
        "E-mail the 7-day and 1-day application deadline reminders to the secretaries of "
        "organizations with no submitted application. Safe to run daily from cron."
    )

    def handle(self, *args, **options):
        sent = send_deadline_reminders()
        with translation.override(settings.LANGUAGE_CODE):
            self.stdout.write(
                ngettext(
                    "Sent %(count)d deadline reminder e-mail.",
                    "Sent %(count)d deadline reminder e-mails.",
                    sent,
                )
                % {"count": sent}
            )
