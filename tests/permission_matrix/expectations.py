"""What each role gets from each URL: the permission matrix's table.

Columns, always in this order:
    anonymous, member, secretary, other_secretary, department
where ``member`` belongs to the branch that owns the objects (but the objects a
member owns are another member's), ``secretary`` is that branch's secretary,
``other_secretary`` the secretary of an unrelated organization, ``department``
Organization Department staff (in the department's admin group).

Outcomes: "login" (redirect to a login page), "403", "404", "405", "ok" (200),
"redirect" (elsewhere than a login page), or a set of them.

``post=`` gives the outcome of a POST with empty data, per role; it is needed
for POST-only URLs (whose GET is 405 for the roles that pass the role check).
None: not posted. ANY: a role that may act; only a server error fails. Without
``post=``, every role that GET refuses (login / 403 / 404) is refused the same
way on POST. Every refused POST must leave the database as it was.
"""

from .harness import ANY, E

L, OK, RD = "login", "ok", "redirect"
NOT_ALLOWED = "405"

# Pages only the Organization Department uses.
DEPARTMENT_PAGE = E(L, "403", "403", "403", OK)
# POST-only actions of the Organization Department.
DEPARTMENT_ACTION = E(L, "403", "403", "403", NOT_ALLOWED, post=(L, "403", "403", "403", ANY))
# Pages for members and secretaries (the department has no personal records).
MEMBER_PAGE = E(L, OK, OK, OK, "403")
# A secretary's pages about their own organizations (anyone's own, so the
# unrelated secretary sees theirs).
SECRETARY_PAGE = E(L, "403", OK, OK, "403")
# Lists everyone signed in may open; each shows only what the viewer may see.
EVERYONE_LIST = E(L, OK, OK, OK, OK)
# The branch's public items (activities, books, topics): its members read them.
ORG_PUBLIC_OBJECT = E(L, OK, OK, "404", OK)
# The branch's items only its secretary changes: a member who may read them gets
# 403, an outsider 404 (nothing tells them the object exists).
ORG_PUBLIC_OBJECT_CHANGE = E(L, "403", OK, "404", "403")
# Objects members of the branch may not read (drafts, another member's records,
# the organization's self-assessment and application).
PRIVATE_OBJECT = E(L, "404", OK, "404", OK)
PRIVATE_OBJECT_CHANGE = E(L, "404", OK, "404", "403")
# Another member's own records: only their owner changes them.
MEMBERS_OWN_CHANGE = E(L, "404", "403", "404", "403")
# A POST-only state change of a private object by the branch's secretary.
PRIVATE_OBJECT_ACTION = E(
    L, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, post=(L, "404", ANY, "404", "403")
)

EXPECTATIONS = {
    # --------------------------------------------------------------- deployment, i18n
    "healthz": E(OK, OK, OK, OK, OK, post=(NOT_ALLOWED,) * 5),
    "set_language": E(RD, RD, RD, RD, RD),
    # --------------------------------------------------------------- accounts
    "home": EVERYONE_LIST,
    "login": E(OK, RD, RD, RD, RD),
    "logout": E(*(NOT_ALLOWED,) * 5, post=(L, ANY, ANY, ANY, ANY)),
    "password_change": EVERYONE_LIST,
    "password_change_done": EVERYONE_LIST,
    # JSON of the organizations matching ?q= among those the user may see.
    "organization.lookup": EVERYONE_LIST,
    "import.upload": DEPARTMENT_PAGE,
    "import.template": DEPARTMENT_PAGE,
    "audit.list": DEPARTMENT_PAGE,
    "audit.export": DEPARTMENT_PAGE,
    "security.overview": DEPARTMENT_PAGE,
    "security.unlock": DEPARTMENT_ACTION,
    "security.password_change_require": DEPARTMENT_ACTION,
    # --------------------------------------------------------------- study plans
    "learning:plan.list": MEMBER_PAGE,
    "learning:plan.create": MEMBER_PAGE,
    "learning:plan.copy": E(
        L, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, "403", post=(L, ANY, ANY, ANY, "403")
    ),
    # Redirects to the member's own personal plan, or to the form to write it.
    "learning:plan.personal": E(L, RD, RD, RD, "403"),
    "learning:plan.detail": PRIVATE_OBJECT,  # a draft organization plan
    "learning:plan.edit": PRIVATE_OBJECT_CHANGE,
    "learning:plan.file": PRIVATE_OBJECT_ACTION,
    "learning:plan.reopen": PRIVATE_OBJECT_ACTION,
    "learning:plan.delete": PRIVATE_OBJECT_CHANGE,
    # A member sees “not filed yet”; a secretary is sent to the plan or the form.
    "learning:implementation_plan.current": E(L, OK, RD, RD, "403"),
    "learning:implementation_plan.create": SECRETARY_PAGE,
    "learning:implementation_plan.detail": PRIVATE_OBJECT,  # a draft
    "learning:implementation_plan.edit": E(L, "403", OK, "404", "403"),
    "learning:implementation_plan.file": E(
        L, "403", NOT_ALLOWED, NOT_ALLOWED, "403", post=(L, "403", ANY, "404", "403")
    ),
    "learning:implementation_plan.reopen": E(
        L, "403", NOT_ALLOWED, NOT_ALLOWED, "403", post=(L, "403", ANY, "404", "403")
    ),
    "learning:implementation_plan.attachment": PRIVATE_OBJECT,
    # --------------------------------------------------------------- activities
    "learning:activity.list": EVERYONE_LIST,
    "learning:activity.create": SECRETARY_PAGE,
    "learning:activity.detail": ORG_PUBLIC_OBJECT,
    "learning:activity.edit": ORG_PUBLIC_OBJECT_CHANGE,
    "learning:activity.delete": ORG_PUBLIC_OBJECT_CHANGE,
    "learning:activity.attachment": ORG_PUBLIC_OBJECT,
    "learning:activity.attachment_delete": ORG_PUBLIC_OBJECT_CHANGE,
    # --------------------------------------------------------------- notes (another member's)
    "learning:note.list": MEMBER_PAGE,
    "learning:note.create": MEMBER_PAGE,
    "learning:note.excellent": MEMBER_PAGE,
    "learning:note.review_list": SECRETARY_PAGE,
    "learning:note.detail": PRIVATE_OBJECT,
    # Only the author's own notes are found: everyone else gets 404.
    "learning:note.edit": E(L, "404", "404", "404", "404"),
    "learning:note.delete": E(L, "404", "404", "404", "404"),
    "learning:note.comment": E(
        L, "403", NOT_ALLOWED, NOT_ALLOWED, "403", post=(L, "403", ANY, "404", "403")
    ),
    "learning:note.mark_excellent": E(
        L, "403", NOT_ALLOWED, NOT_ALLOWED, "403", post=(L, "403", ANY, "404", "403")
    ),
    "learning:five_ones.mine": MEMBER_PAGE,
    "learning:five_ones.organization": SECRETARY_PAGE,
    # --------------------------------------------------------------- library
    "learning:book.list": EVERYONE_LIST,
    "learning:book.create": SECRETARY_PAGE,
    "learning:book.detail": ORG_PUBLIC_OBJECT,
    "learning:book.edit": ORG_PUBLIC_OBJECT_CHANGE,
    "learning:book.delete": ORG_PUBLIC_OBJECT_CHANGE,
    "learning:reading.list": MEMBER_PAGE,
    "learning:reading.create": MEMBER_PAGE,
    "learning:reading.edit": MEMBERS_OWN_CHANGE,
    "learning:reading.delete": MEMBERS_OWN_CHANGE,
    # --------------------------------------------------------------- research
    "learning:topic.list": EVERYONE_LIST,
    "learning:topic.create": SECRETARY_PAGE,
    "learning:topic.detail": ORG_PUBLIC_OBJECT,
    "learning:topic.edit": ORG_PUBLIC_OBJECT_CHANGE,
    "learning:suggestion.list": EVERYONE_LIST,
    "learning:suggestion.create": MEMBER_PAGE,
    "learning:suggestion.detail": PRIVATE_OBJECT,
    "learning:suggestion.edit": MEMBERS_OWN_CHANGE,
    "learning:suggestion.withdraw": MEMBERS_OWN_CHANGE,
    # The secretary (or the department) adopts or declines a pending suggestion.
    "learning:suggestion.decide": PRIVATE_OBJECT,
    # --------------------------------------------------------------- criteria
    "appraisal:criterion.list": DEPARTMENT_PAGE,
    "appraisal:criterion.create": DEPARTMENT_PAGE,
    "appraisal:criterion.defaults": DEPARTMENT_ACTION,
    "appraisal:criterion.edit": DEPARTMENT_PAGE,
    "appraisal:criterion.delete": DEPARTMENT_PAGE,
    # --------------------------------------------------------------- self-assessment
    "appraisal:assessment.organization": SECRETARY_PAGE,
    "appraisal:assessment.mine": MEMBER_PAGE,
    "appraisal:assessment.detail": PRIVATE_OBJECT,
    "appraisal:assessment.edit": PRIVATE_OBJECT_CHANGE,
    "appraisal:assessment.complete": E(
        L, "404", NOT_ALLOWED, "404", "403", post=(L, "404", ANY, "404", "403")
    ),
    "appraisal:assessment.reopen": E(
        L, "404", NOT_ALLOWED, "404", "403", post=(L, "404", ANY, "404", "403")
    ),
    "appraisal:evidence.download": PRIVATE_OBJECT,
    # --------------------------------------------------------------- applications
    "appraisal:application.list": EVERYONE_LIST,
    "appraisal:application.create": SECRETARY_PAGE,
    "appraisal:application.detail": PRIVATE_OBJECT,
    "appraisal:application.edit": PRIVATE_OBJECT_CHANGE,
    "appraisal:application.delete": PRIVATE_OBJECT_CHANGE,
    # Which transition a role may make is the state machine's business (a refusal
    # comes back as a message on the application page).
    "appraisal:application.transition": E(
        L, "404", NOT_ALLOWED, "404", NOT_ALLOWED, post=(L, "404", ANY, "404", ANY)
    ),
    "appraisal:application.pdf": PRIVATE_OBJECT,
    "appraisal:deadline.manage": DEPARTMENT_PAGE,
    # --------------------------------------------------------------- review
    "appraisal:review.queue": DEPARTMENT_PAGE,
    "appraisal:review.bulk": DEPARTMENT_ACTION,
    "appraisal:review.release": DEPARTMENT_PAGE,
    "appraisal:review.detail": DEPARTMENT_PAGE,
    "appraisal:commendation.list": EVERYONE_LIST,  # the published 表彰名单
    "appraisal:commendation.manage": DEPARTMENT_PAGE,
    "appraisal:commendation.publish": DEPARTMENT_PAGE,
    # --------------------------------------------------------------- exports, dashboard, annual
    "appraisal:export.list": E(L, "403", OK, OK, OK),
    "appraisal:export.create": E(
        L, "403", NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, post=(L, "403", ANY, ANY, ANY)
    ),
    "appraisal:export.detail": PRIVATE_OBJECT,
    "appraisal:export.status": PRIVATE_OBJECT,
    "appraisal:export.download": PRIVATE_OBJECT,
    "appraisal:dashboard": E(L, "403", OK, OK, OK),
    "appraisal:dashboard.organizations": E(L, "403", OK, OK, OK),
    "appraisal:annual.list": E(L, "403", OK, OK, OK),
    "appraisal:annual.compute": DEPARTMENT_ACTION,
    "appraisal:annual.weights": DEPARTMENT_PAGE,
    # The secretary reads the branch's figures; only the department adjusts them.
    "appraisal:annual.detail": E(L, "403", OK, "404", OK, post=(L, "403", "403", "404", None)),
}

# The same pages on a second kind of object: (URL name, world attribute) → what
# each role gets. The fellow member's filed personal plan and their member
# self-assessment: the member role (another member of the branch) must not see them.
OTHER_OBJECTS = {
    ("learning:plan.detail", "personal_plan"): PRIVATE_OBJECT,
    ("learning:plan.edit", "personal_plan"): MEMBERS_OWN_CHANGE,
    ("learning:plan.delete", "personal_plan"): MEMBERS_OWN_CHANGE,
    ("appraisal:assessment.detail", "member_assessment"): PRIVATE_OBJECT,
    ("appraisal:assessment.edit", "member_assessment"): MEMBERS_OWN_CHANGE,
    ("appraisal:application.detail", "member_application"): PRIVATE_OBJECT,
    ("appraisal:application.pdf", "member_application"): PRIVATE_OBJECT,
}

# Every admin page by rule: whoever is not staff is sent to the admin's login
# (POSTs too, checked as anonymous and as the branch's secretary); department
# staff get the page, or 403 where their group lacks the permission, or the
# admin's redirect / 404 for an object that is not there — never a login page
# and never a server error.
STAFF = frozenset({OK, RD, "403", "404"})
ADMIN_RULE = E(L, L, L, L, STAFF, post=(L, None, L, None, None))
ADMIN_EXCEPTIONS = {
    "admin:login": E(OK, OK, OK, OK, RD),
    # Django's admin sends a GET of its logout page to the index; logging out is a POST.
    "admin:logout": E(RD, RD, RD, RD, NOT_ALLOWED),
}
EXPECTATIONS.update(ADMIN_EXCEPTIONS)


def rule_for(key: str):
    """The expectation a rule gives a pattern without its own entry."""
    if key.startswith("admin:"):
        return ADMIN_RULE
    return None
