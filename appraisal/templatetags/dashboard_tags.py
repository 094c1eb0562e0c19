"""Links and badges of the dashboard (appraisal/templates/appraisal/dashboard/)."""

from __future__ import annotations

from urllib.parse import urlencode

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from appraisal.enums import ApplicationKind, ApplicationState
from campaigns.rules import scope_for
from campaigns.templatetags.portal_tags import state_class

register = template.Library()


def _url(name: str, **params) -> str:
    return f"{reverse(name)}?{urlencode(params)}"


@register.simple_tag(takes_context=True)
def state_list_url(context, state: str) -> str:
    """The list of the campaign's applications in ``state`` the user can open.

    The department works on submitted applications in the review queue (审核);
    drafts, which the queue does not hold, and a secretary's applications are in
    the application list.
    """
    year = context["campaign"].year
    if scope_for(context["request"].user).is_department and state != ApplicationState.DRAFT:
        return _url("appraisal:review.queue", state=state, campaign=year)
    return _url("appraisal:application.list", state=state, year=year)


@register.simple_tag(takes_context=True)
def application_state_badge(context, row) -> str:
    """The state of the organization's own model application, linking to it in the
    application list; “未申报” when it has not started one."""
    state = row.figures.application_state
    if not state:
        return format_html(
            '<span class="badge dash-state-none" data-state="none">{}</span>', _("Not started")
        )
    url = _url(
        "appraisal:application.list",
        organization=row.organization.pk,
        year=context["campaign"].year,
        kind=ApplicationKind.ORGANIZATION_MODEL,
    )
    return format_html(
        '<a href="{}"><span class="badge {}" data-state="{}">{}</span></a>',
        url,
        state_class(state),
        state,
        ApplicationState(state).label,
    )
