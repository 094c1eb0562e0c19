"""No data lost: deleting an organization, member, campaign or user never takes records with it.

Every relation to those four is PROTECT (or RESTRICT), so a deletion that
would take plans, notes, assessments or applications with it is refused —
by the ORM with ProtectedError, by the admin with a page naming what blocks
it. The department archives organizations and members instead
(``is_active=False``), and archived ones drop out of the pages.
"""

import pytest
from django.apps import apps
from django.contrib.auth.models import Permission
from django.db import models
from django.db.models import ProtectedError, RestrictedError
from django.test import Client
from django.urls import reverse

from campaigns.models import Campaign, Member, Organization, User
from campaigns.services import ensure_department_group
from learning.models import ResearchTopic

from ..factories import DepartmentUserFactory, MemberFactory, StudyNoteFactory

pytestmark = pytest.mark.django_db

OUR_APPS = ("campaigns", "learning", "appraisal")
HOLDERS = {Organization, Member, Campaign, User}
PROTECTED_TEXT = "受保护的相关对象"  # Django's zh_Hans "protected related objects"

# Relations that may delete (or unlink) rows, and why. Nothing here hangs from an
# organization, member, campaign or user: these are a record's own parts, which go
# with the record itself. A relation that is neither PROTECT/RESTRICT nor listed
# here fails the test, so a new CASCADE or SET_NULL has to be argued for.
NOT_PROTECTED = {
    ("learning.StudyPlanItem", "plan", "CASCADE"): "a plan's items are part of the plan",
    ("learning.Attendance", "activity", "CASCADE"): (
        "the attendance list is part of the activity; the members stay"
    ),
    ("learning.StudyActivity", "plan_item", "SET_NULL"): (
        "an activity stays when the plan item it fulfilled is dropped from the plan; "
        "it only loses the link"
    ),
    ("learning.ResearchTopicParticipant", "topic", "CASCADE"): (
        "a topic's list of participants is part of the topic; the members stay"
    ),
    ("appraisal.CriterionScore", "assessment", "CASCADE"): (
        "the scores are part of the self-assessment"
    ),
    ("appraisal.Evidence", "score", "CASCADE"): "evidence links are part of the score",
    ("appraisal.ReviewScore", "review", "CASCADE"): "the scores are part of the review",
    ("campaigns.User_groups", "user", "CASCADE"): "the account's own group grants",
    ("campaigns.User_user_permissions", "user", "CASCADE"): "the account's own permissions",
    ("campaigns.User_groups", "group", "CASCADE"): "a deleted group's grants",
    ("campaigns.User_user_permissions", "permission", "CASCADE"): "a deleted permission's grants",
    ("admin.LogEntry", "user", "CASCADE"): (
        "Django's own admin log (django.contrib.admin), which the portal cannot change; "
        "a user is PROTECTed by their membership and every record they wrote"
    ),
}


def relations_to_check():
    """Every FK / one-to-one of the portal's apps, and every one elsewhere to the four holders."""
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.get_fields():
            if not (
                field.is_relation and field.concrete and (field.many_to_one or field.one_to_one)
            ):
                continue
            target = field.remote_field.model
            if model._meta.app_label in OUR_APPS or target in HOLDERS:
                yield model, field


def on_delete_name(field):
    return field.remote_field.on_delete.__name__


# Logs that grow with every action (the audit trail records the attempt itself).
GROWING = {"campaigns.AuditEvent"}


def row_counts():
    """Rows of every model of the portal's apps (auto-created M2M tables included)."""
    return {
        model._meta.label: model._default_manager.count()
        for app in OUR_APPS
        for model in apps.get_app_config(app).get_models(include_auto_created=True)
        if model._meta.label not in GROWING
    }


# ---------------------------------------------------------------- the relations themselves


def test_relations_protect_every_record_or_are_listed_with_a_reason():
    unexpected = []
    for model, field in relations_to_check():
        if field.remote_field.on_delete in (models.PROTECT, models.RESTRICT):
            continue
        key = (model._meta.label, field.name, on_delete_name(field))
        if key not in NOT_PROTECTED:
            unexpected.append(key)
    assert unexpected == []


def test_no_relation_from_a_holder_deletes_or_unlinks_records():
    """Whatever is listed, nothing cascades (or is set to NULL) from the four holders."""
    from_holders = {
        (model._meta.label, field.name, on_delete_name(field))
        for model, field in relations_to_check()
        if field.remote_field.model in HOLDERS
        and field.remote_field.on_delete not in (models.PROTECT, models.RESTRICT)
        and model._meta.app_label in OUR_APPS
        and not model._meta.auto_created
    }
    assert from_holders == set()


def test_listed_exceptions_still_exist():
    """The lists name real relations with the stated behaviour, so they cannot go stale."""
    actual = {
        (model._meta.label, field.name, on_delete_name(field))
        for model, field in relations_to_check()
    }
    assert set(NOT_PROTECTED) <= actual


# ---------------------------------------------------------------- the ORM


def holders(rows, admin_user):
    """One organization, member, campaign and user that each hold records."""
    branch, member = rows["甲"]["branch"], rows["甲"]["member"]
    return {
        "organization": branch,
        "member": member,
        "campaign": rows["campaign"],
        "user": member.user,
        "department user": admin_user,  # granted extensions, reviewed, moved the deadline
        "enterprise": branch.enterprise,
    }


@pytest.mark.parametrize(
    "kind", ["organization", "member", "campaign", "user", "department user", "enterprise"]
)
def test_orm_refuses_to_delete_a_holder_of_records(every_model, admin_user, kind):
    obj = holders(every_model, admin_user)[kind]
    before = row_counts()
    users = User.objects.count()

    with pytest.raises((ProtectedError, RestrictedError)):
        obj.delete()

    assert type(obj).objects.filter(pk=obj.pk).exists()
    assert row_counts() == before
    assert User.objects.count() == users


@pytest.mark.parametrize("kind", ["organization", "member", "campaign", "user"])
def test_orm_bulk_delete_refuses_too(every_model, admin_user, kind):
    obj = holders(every_model, admin_user)[kind]
    before = row_counts()
    with pytest.raises((ProtectedError, RestrictedError)):
        type(obj).objects.filter(pk=obj.pk).delete()
    assert row_counts() == before


def test_member_who_only_took_part_in_a_topic_is_not_deleted_silently(district):
    topic = ResearchTopic.objects.create(
        campaign=StudyNoteFactory(member=district.fellow).campaign,
        organization=district.branch,
        title="降本增效",
    )
    loner = MemberFactory(organization=district.branch)
    topic.participants.add(loner)
    with pytest.raises((ProtectedError, RestrictedError)):
        loner.delete()
    assert list(topic.participants.all()) == [loner]


def test_deleting_a_topic_takes_its_participant_list_but_not_the_members(district):
    topic = ResearchTopic.objects.create(
        campaign=StudyNoteFactory(member=district.fellow).campaign,
        organization=district.branch,
        title="降本增效",
    )
    topic.participants.add(district.fellow)
    topic.delete()
    assert Member.objects.filter(pk=district.fellow.pk).exists()
    assert not district.fellow.research_topics.exists()


# ---------------------------------------------------------------- the admin


@pytest.fixture
def department_client(db):
    """The department's own browser, beside the ``client`` a test may use for a secretary."""
    client = Client()
    staff = DepartmentUserFactory(username="dept-staff")
    staff.groups.add(ensure_department_group())
    client.force_login(staff)
    return client


@pytest.fixture(params=["superuser", "department"])
def admin_as(request, admin_client):
    if request.param == "superuser":
        return admin_client
    return request.getfixturevalue("department_client")


def admin_url(obj, action):
    opts = obj._meta
    args = [obj.pk] if action != "changelist" else []
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{action}", args=args)


# What the refusal page names among the blocking records, for each holder.
BLOCKERS_NAMED = {
    "organization": "个人学习计划",  # the member's personal study plan filed in that branch
    "member": "学习笔记",  # the member's study note
    "campaign": "年度学习计划",  # the branch's annual study plan
    "user": "甲党员",  # the user's Party membership
}


@pytest.mark.parametrize("kind", ["organization", "member", "campaign", "user"])
def test_admin_delete_page_names_what_blocks_it_and_deletes_nothing(
    admin_as, every_model, admin_user, kind
):
    obj = holders(every_model, admin_user)[kind]
    before = row_counts()
    users = User.objects.count()

    page = admin_as.get(admin_url(obj, "delete"))
    assert page.status_code == 200
    content = page.content.decode()
    assert PROTECTED_TEXT in content
    assert BLOCKERS_NAMED[kind] in content

    response = admin_as.post(admin_url(obj, "delete"), {"post": "yes"})
    assert response.status_code == 200
    assert PROTECTED_TEXT in response.content.decode()
    assert type(obj).objects.filter(pk=obj.pk).exists()
    assert row_counts() == before
    assert User.objects.count() == users


@pytest.mark.parametrize("kind", ["organization", "member", "campaign", "user"])
def test_admin_delete_selected_is_refused_and_deletes_nothing(
    admin_as, every_model, admin_user, kind
):
    obj = holders(every_model, admin_user)[kind]
    before = row_counts()
    response = admin_as.post(
        admin_url(obj, "changelist"),
        {"action": "delete_selected", "_selected_action": [obj.pk], "post": "yes"},
    )
    assert response.status_code == 200
    assert PROTECTED_TEXT in response.content.decode()
    assert type(obj).objects.filter(pk=obj.pk).exists()
    assert row_counts() == before


# ---------------------------------------------------------------- archiving instead


def run_action(client, model, action, objs):
    opts = model._meta
    return client.post(
        reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist"),
        {"action": action, "_selected_action": [obj.pk for obj in objs]},
        follow=True,
    )


def test_admin_offers_archiving_organizations_and_members(department_client, district):
    for model in (Organization, Member):
        opts = model._meta
        page = department_client.get(
            reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")
        )
        choices = dict(page.context["action_form"].fields["action"].choices)
        assert "archive_selected" in choices
        assert "restore_selected" in choices
        assert "记录保留" in str(choices["archive_selected"])


def test_archiving_an_organization_keeps_its_records_and_drops_it_from_the_pages(
    client, department_client, district
):
    StudyNoteFactory(member=district.member, title="学习二十大报告笔记")
    client.force_login(district.secretary.user)
    home = client.get(reverse("home")).content.decode()
    assert f'data-organization="{district.branch.pk}"' in home
    branch_members = list(district.branch.members.all())
    run_action(department_client, Member, "archive_selected", branch_members)
    before = row_counts()

    response = run_action(department_client, Organization, "archive_selected", [district.branch])

    assert response.status_code == 200
    assert "已停用" in response.content.decode()
    district.branch.refresh_from_db()
    assert not district.branch.is_active
    assert row_counts() == before
    home = client.get(reverse("home")).content.decode()
    assert f'data-organization="{district.branch.pk}"' not in home
    assert f'data-organization="{district.committee.pk}"' in home

    run_action(department_client, Organization, "restore_selected", [district.branch])
    district.branch.refresh_from_db()
    assert district.branch.is_active
    assert (
        f'data-organization="{district.branch.pk}"' in client.get(reverse("home")).content.decode()
    )


def test_archiving_an_organization_with_active_members_or_branches_is_refused(
    department_client, district
):
    response = run_action(
        department_client, Organization, "archive_selected", [district.committee, district.branch]
    )

    page = response.content.decode()
    assert '<li class="error">甲公司第一党支部还有 3 名在册党员和 0 个在用的下级党组织' in page
    assert "已停用 0 个" not in page
    assert "甲公司党委还有 1 名在册党员和 1 个在用的下级党组织" in page
    assert Organization.objects.filter(is_active=True).count() == 4


def test_archiving_a_committee_with_its_emptied_branch_takes_the_branch_first(
    department_client, district
):
    run_action(
        department_client,
        Member,
        "archive_selected",
        list(Member.objects.filter(organization__in=[district.committee, district.branch])),
    )

    run_action(
        department_client, Organization, "archive_selected", [district.committee, district.branch]
    )

    assert set(Organization.objects.filter(is_active=False)) == {
        district.committee,
        district.branch,
    }


def test_restoring_under_an_archived_organization_is_refused(department_client, district):
    district.fellow.is_active = False
    district.fellow.save()
    Member.objects.filter(organization=district.branch).update(is_active=False)
    Organization.objects.filter(pk=district.branch.pk).update(is_active=False)

    response = run_action(department_client, Member, "restore_selected", [district.fellow])

    assert "甲公司第一党支部已停用" in response.content.decode()
    district.fellow.refresh_from_db()
    assert not district.fellow.is_active

    Member.objects.filter(organization=district.committee).update(is_active=False)
    run_action(department_client, Organization, "archive_selected", [district.committee])
    response = run_action(department_client, Organization, "restore_selected", [district.branch])
    assert "请先恢复该党组织" in response.content.decode()
    district.branch.refresh_from_db()
    assert not district.branch.is_active


def test_archiving_in_the_change_form_follows_the_same_rule(department_client, district):
    from django.forms.models import model_to_dict

    url = reverse("admin:campaigns_organization_change", args=[district.branch.pk])
    data = {k: v for k, v in model_to_dict(district.branch).items() if v is not None}
    data["is_active"] = ""
    response = department_client.post(url, data)

    assert response.status_code == 200
    assert "在册党员" in response.content.decode()
    district.branch.refresh_from_db()
    assert district.branch.is_active


def test_archiving_a_member_keeps_their_records_and_drops_them_from_the_pages(
    client, department_client, district
):
    note = StudyNoteFactory(member=district.fellow, title="学习二十大报告笔记")
    rollup = reverse("learning:five_ones.organization")
    client.force_login(district.branch_secretary.user)
    assert f'data-member="{district.fellow.pk}"' in client.get(rollup).content.decode()
    before = row_counts()

    run_action(department_client, Member, "archive_selected", [district.fellow])

    district.fellow.refresh_from_db()
    assert not district.fellow.is_active
    assert row_counts() == before
    assert note.__class__.objects.filter(pk=note.pk).exists()
    page = client.get(rollup).content.decode()
    assert f'data-member="{district.fellow.pk}"' not in page
    assert f'data-member="{district.member.pk}"' in page


def test_archiving_needs_change_permission(client, district):
    viewer = DepartmentUserFactory(username="viewer")
    viewer.user_permissions.add(Permission.objects.get(codename="view_organization"))
    client.force_login(viewer)
    response = run_action(client, Organization, "archive_selected", [district.branch])
    district.branch.refresh_from_db()
    assert district.branch.is_active
    assert response.status_code in (200, 403)
