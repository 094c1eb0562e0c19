"""django-axes' database handler, with a reset on success that only clears the account's own
failures.

With lock-out by ``username`` and by ``ip_address`` separately, axes' own reset on success
deletes every failure matching the account *or the address*. Anyone holding one valid
account could then guess another account's password four times, log in to their own account
to wipe the count, and repeat without end. Here a successful login clears only the failures
recorded against that login name; the address keeps counting other names' failures.
"""

from __future__ import annotations

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt


class AccountResetDatabaseHandler(AxesDatabaseHandler):
    def reset_user_attempts(self, request, credentials=None) -> int:
        username = get_client_username(request, credentials)
        if not username:
            return 0
        count, _ = AccessAttempt.objects.filter(username=username).delete()
        return count
