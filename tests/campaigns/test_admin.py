import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.admin.utils import get_fields_from_path
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from campaigns.enums import MemberRole, OrganizationKind
from campaigns.models import Campaign, Member, Organization, User
from learning.models import StudyPlan

from ..factories import (
    CampaignFactory,
    DepartmentUserFactory,
    MemberFactory,
    OrganizationFactory,
    StudyNoteFactory,
    StudyPlanFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

OUR_APPS = ("campaigns", "learning", "appraisal")
REGISTERED = sorted(admin.site._registry, key=lambda model: model._meta.label)


def url(model, action, *args):
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{action}", args=args)


def inline_models():
    return {
        inline.model
        for model_admin in admin.site._registry.values()
        for inline in model_admin.inlines
    }


# --- Every model ----------------------------------------------------------------------------


def test_admin_covers_every_model_of_the_portal():
    covered = set(admin.site._registry) | inline_models()
    ours = {model for app in OUR_APPS for model in apps.get_app_config(app).get_models()}
    missing = {model._meta.label for model in ours - covered}
    assert not missing


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_changelist_loads_with_rows(admin_client, every_model, model):
    response = admin_client.get(url(model, "changelist"))
    assert response.status_code == 200
    if model._meta.app_label in OUR_APPS:
        assert len(response.context["cl"].result_list) >= 1


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_change_page_loads_for_a_row(admin_client, every_model, model):
    obj = model._default_manager.order_by("pk").first()
    if obj is None:
        pytest.skip(f"no {model._meta.label} rows in the fixture")
    response = admin_client.get(url(model, "change", obj.pk))
    assert response.status_code == 200


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_add_page_loads_or_is_refused(admin_client, every_model, model):
    response = admin_client.get(url(model, "add"))
    if admin.site._registry[model].has_add_permission(response.wsgi_request):
        assert response.status_code == 200
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("model", REGISTERED, ids=lambda model: model._meta.label)
def test_changelist_search_does_not_fail(admin_client, every_model, model):
    if not admin.site._registry[model].search_fields:
        pytest.skip("no search")
    response = admin_client.get(url(model, "changelist"), {"q": "党"})
    assert response.status_code == 200


@pytest.mark.parametrize(
    "model",
    [model for model in REGISTERED if model._meta.app_label in OUR_APPS],
    ids=lambda model: model._meta.label,
)
def test_changelist_queries_do_not_grow_with_rows(admin_client, make_rows, model):
    make_rows(year=2026, names=("甲",))
    few, shown_few = measure(admin_client, model)
    make_rows(year=2025, names=("乙", "丙", "丁"))
    many, shown_many = measure(admin_client, model)
    assert shown_many > shown_few
    assert few == many


def autocomplete_fields_of_every_admin():
    for model, model_admin in admin.site._registry.items():
        for each in [model_admin, *(i(model, admin.site) for i in model_admin.inlines)]:
            for field_name in each.autocomplete_fields:
                yield pytest.param(
                    each.model, field_name, id=f"{each.model._meta.label}.{field_name}"
                )


@pytest.mark.parametrize("source, field_name", list(autocomplete_fields_of_every_admin()))
def test_autocomplete_answers_for_every_field(admin_client, every_model, source, field_name):
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {
            "term": "",
            "app_label": source._meta.app_label,
            "model_name": source._meta.model_name,
            "field_name": field_name,
        },
    )
    assert response.status_code == 200
    assert response.json()["results"]


# --- The site -------------------------------------------------------------------------------


def test_admin_index_is_in_chinese(admin_client):
    response = admin_client.get(reverse("admin:index"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "最近动作" in content  # Django's own catalogue: "Recent actions"
    assert 'lang="zh-hans"' in content


def test_department_staff_with_model_permissions_use_the_admin(client):
    staff = DepartmentUserFactory()
    staff.user_permissions.add(Permission.objects.get(codename="view_organization"))
    OrganizationFactory(name="丙公司党委", kind=OrganizationKind.COMMITTEE)
    client.force_login(staff)
    assert client.get(url(Organization, "changelist")).status_code == 200
    assert client.get(url(Member, "changelist")).status_code == 403


def test_staff_without_permission_cannot_change_an_organization(client):
    staff = DepartmentUserFactory()
    staff.user_permissions.add(Permission.objects.get(codename="view_organization"))
    org = OrganizationFactory(name="丙公司党委", kind=OrganizationKind.COMMITTEE)
    client.force_login(staff)
    response = client.post(url(Organization, "change", org.pk), organization_form(org, name="X"))
    assert response.status_code == 403
    org.refresh_from_db()
    assert org.name == "丙公司党委"


# --- Query counts ---------------------------------------------------------------------------


def make_organizations(n):
    parent = OrganizationFactory(kind=OrganizationKind.COMMITTEE)
    for _ in range(n - 1):
        org = OrganizationFactory(parent=parent, enterprise=parent.enterprise)
        MemberFactory(organization=org)


def make_members(n):
    for _ in range(n):
        MemberFactory()


def make_users(n):
    for _ in range(n):
        MemberFactory()  # a user with a membership, shown in the list


CHANGELISTS = {
    # model: (make n rows, the queries its change list makes for 1 and for 30 rows)
    Organization: (make_organizations, 4),
    Member: (make_members, 4),
    User: (make_users, 5),
}


def measure(client, model):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url(model, "changelist"))
    assert response.status_code == 200
    return len(queries), len(response.context["cl"].result_list)


@pytest.mark.parametrize("model", CHANGELISTS, ids=lambda model: model._meta.label)
def test_big_changelist_queries_do_not_grow_with_rows(admin_client, model):
    make, expected = CHANGELISTS[model]
    make(1)
    few, shown_few = measure(admin_client, model)
    make(29)
    many, shown_many = measure(admin_client, model)
    assert shown_many > shown_few
    assert few == many == expected


def test_organization_changelist_shows_member_counts_and_tree(admin_client):
    committee = OrganizationFactory(name="丙公司党委", kind=OrganizationKind.COMMITTEE)
    branch = OrganizationFactory(name="丙公司第一党支部", parent=committee)
    MemberFactory(organization=branch)
    MemberFactory(organization=branch)
    MemberFactory(organization=branch, is_active=False)
    response = admin_client.get(url(Organization, "changelist"))
    rows = {org.name: org for org in response.context["cl"].result_list}
    assert rows["丙公司第一党支部"].member_count == 2
    assert rows["丙公司党委"].member_count == 0
    content = response.content.decode()
    assert "\u3000└ 丙公司第一党支部" in content
    assert content.index("丙公司党委") < content.index("丙公司第一党支部")


# --- Search ---------------------------------------------------------------------------------


def test_organization_search_by_chinese_name(admin_client):
    OrganizationFactory(name="新区建设集团党委", kind=OrganizationKind.COMMITTEE)
    OrganizationFactory(name="新区物流公司党支部")
    response = admin_client.get(url(Organization, "changelist"), {"q": "建设集团"})
    assert [org.name for org in response.context["cl"].result_list] == ["新区建设集团党委"]


def test_member_search_by_chinese_name(admin_client):
    MemberFactory(user__full_name="张建国")
    MemberFactory(user__full_name="李红梅")
    response = admin_client.get(url(Member, "changelist"), {"q": "建国"})
    assert [m.user.full_name for m in response.context["cl"].result_list] == ["张建国"]


def test_member_search_by_organization_name(admin_client):
    org = OrganizationFactory(name="新区建设集团第二党支部")
    MemberFactory(user__full_name="张建国", organization=org)
    MemberFactory(user__full_name="李红梅")
    response = admin_client.get(url(Member, "changelist"), {"q": "第二党支部"})
    assert [m.user.full_name for m in response.context["cl"].result_list] == ["张建国"]


def test_user_search_by_full_name(admin_client):
    UserFactory(username="zhangjg", full_name="张建国")
    UserFactory(username="lihm", full_name="李红梅")
    response = admin_client.get(url(User, "changelist"), {"q": "红梅"})
    assert [u.username for u in response.context["cl"].result_list] == ["lihm"]


def test_member_autocomplete_finds_by_chinese_name(admin_client):
    MemberFactory(user__full_name="张建国")
    MemberFactory(user__full_name="李红梅")
    response = admin_client.get(
        reverse("admin:autocomplete"),
        {
            "term": "红梅",
            "app_label": "learning",
            "model_name": "studynote",
            "field_name": "member",
        },
    )
    assert response.status_code == 200
    assert [r["text"] for r in response.json()["results"]] == ["李红梅"]


# --- Organization form runs the model's rules -----------------------------------------------


def organization_form(org, **changes):
    data = {
        "name": org.name,
        "code": org.code,
        "kind": org.kind,
        "parent": org.parent_id or "",
        "enterprise": org.enterprise_id,
        "founded_on": "",
        "contact_phone": "",
        "is_active": "on",
    }
    data.update(changes)
    return data


def test_organization_cannot_be_moved_under_its_own_branch(admin_client):
    committee = OrganizationFactory(name="丙公司党委", kind=OrganizationKind.COMMITTEE)
    branch = OrganizationFactory(name="丙公司党支部", parent=committee)
    response = admin_client.post(
        url(Organization, "change", committee.pk), organization_form(committee, parent=branch.pk)
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["parent"]
    committee.refresh_from_db()
    assert committee.parent_id is None


def test_organization_kinds_must_nest(admin_client):
    branch = OrganizationFactory(name="丙公司党支部")
    committee = OrganizationFactory(name="丙公司党委", kind=OrganizationKind.COMMITTEE)
    response = admin_client.post(
        url(Organization, "change", committee.pk), organization_form(committee, parent=branch.pk)
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["parent"]


def test_organization_added_through_admin_gets_its_place_in_the_tree(admin_client):
    committee = OrganizationFactory(name="丙公司党委", kind=OrganizationKind.COMMITTEE)
    response = admin_client.post(
        url(Organization, "add"),
        {
            "name": "丙公司第一党支部",
            "code": "BING-01",
            "kind": OrganizationKind.BRANCH,
            "parent": committee.pk,
            "enterprise": committee.enterprise_id,
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    branch = Organization.objects.get(code="BING-01")
    assert branch.path == f"{committee.path}{branch.pk}/"
    assert branch.depth == 1


# --- Deletion is refused while records hang from an object ----------------------------------

PROTECTED_TEXT = "受保护的相关对象"  # Django's zh_Hans "protected related objects"


def test_deleting_organization_with_members_is_refused(admin_client):
    org = OrganizationFactory(name="丙公司党支部")
    member = MemberFactory(organization=org, user__full_name="张建国")
    delete_url = url(Organization, "delete", org.pk)

    page = admin_client.get(delete_url)
    assert page.status_code == 200
    assert PROTECTED_TEXT in page.content.decode()
    assert "张建国" in page.content.decode()

    response = admin_client.post(delete_url, {"post": "yes"})
    assert response.status_code == 200
    assert PROTECTED_TEXT in response.content.decode()
    assert Organization.objects.filter(pk=org.pk).exists()
    assert Member.objects.filter(pk=member.pk).exists()


def test_delete_selected_refuses_organizations_with_members(admin_client):
    org = OrganizationFactory(name="丙公司党支部")
    MemberFactory(organization=org)
    empty = OrganizationFactory(name="丁公司党支部")
    response = admin_client.post(
        url(Organization, "changelist"),
        {"action": "delete_selected", "_selected_action": [org.pk, empty.pk], "post": "yes"},
    )
    assert response.status_code == 200
    assert PROTECTED_TEXT in response.content.decode()
    assert Organization.objects.filter(pk__in=[org.pk, empty.pk]).count() == 2


def test_delete_selected_deletes_organizations_nothing_hangs_from(admin_client):
    empty = OrganizationFactory(name="丁公司党支部")
    response = admin_client.post(
        url(Organization, "changelist"),
        {"action": "delete_selected", "_selected_action": [empty.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Organization.objects.filter(pk=empty.pk).exists()


def test_deleting_organization_with_child_organizations_is_refused(admin_client):
    committee = OrganizationFactory(name="丙公司党委", kind=OrganizationKind.COMMITTEE)
    OrganizationFactory(name="丙公司党支部", parent=committee)
    response = admin_client.post(url(Organization, "delete", committee.pk), {"post": "yes"})
    assert response.status_code == 200
    assert PROTECTED_TEXT in response.content.decode()
    assert Organization.objects.filter(pk=committee.pk).exists()


def test_deleting_member_with_notes_is_refused(admin_client):
    note = StudyNoteFactory(title="学习二十大报告笔记")
    response = admin_client.post(url(Member, "delete", note.member.pk), {"post": "yes"})
    assert response.status_code == 200
    content = response.content.decode()
    assert PROTECTED_TEXT in content
    assert "学习二十大报告笔记" in content
    assert Member.objects.filter(pk=note.member.pk).exists()


def test_deleting_campaign_with_plans_is_refused(admin_client):
    plan = StudyPlanFactory(campaign=CampaignFactory(year=2025), title="2025年度学习计划")
    response = admin_client.post(url(Campaign, "delete", plan.campaign.pk), {"post": "yes"})
    assert response.status_code == 200
    assert "2025年度学习计划" in response.content.decode()
    assert Campaign.objects.filter(pk=plan.campaign.pk).exists()
    assert StudyPlan.objects.filter(pk=plan.pk).exists()


def test_delete_selected_refuses_members_with_notes(admin_client):
    note = StudyNoteFactory()
    response = admin_client.post(
        url(Member, "changelist"),
        {"action": "delete_selected", "_selected_action": [note.member.pk], "post": "yes"},
    )
    assert response.status_code == 200
    assert PROTECTED_TEXT in response.content.decode()
    assert Member.objects.filter(pk=note.member.pk).exists()


# --- Users ----------------------------------------------------------------------------------


def test_user_added_with_portal_fields_and_membership(admin_client):
    org = OrganizationFactory(name="丙公司党支部")
    response = admin_client.post(
        url(User, "add"),
        {
            "username": "wangfang",
            "full_name": "王芳",
            "phone": "13800000000",
            "usable_password": "true",
            "password1": "Xq7!long-enough-pass",
            "password2": "Xq7!long-enough-pass",
            "is_department_staff": "on",
            "must_change_password": "on",
            "membership-TOTAL_FORMS": "1",
            "membership-INITIAL_FORMS": "0",
            "membership-MIN_NUM_FORMS": "0",
            "membership-MAX_NUM_FORMS": "1",
            "membership-0-organization": org.pk,
            "membership-0-role": MemberRole.SECRETARY,
            "membership-0-position": "",
            "membership-0-joined_party_on": "",
            "membership-0-is_active": "on",
        },
    )
    assert response.status_code == 302, response.context and response.context.get("errors")
    user = User.objects.get(username="wangfang")
    assert user.full_name == "王芳"
    assert user.is_department_staff and user.must_change_password
    assert user.check_password("Xq7!long-enough-pass")
    assert user.membership.organization == org
    assert user.membership.role == MemberRole.SECRETARY


def test_user_change_page_offers_portal_fields(admin_client):
    user = UserFactory(full_name="王芳")
    response = admin_client.get(url(User, "change", user.pk))
    fields = response.context["adminform"].form.fields
    for name in ("full_name", "phone", "is_department_staff", "must_change_password"):
        assert name in fields


def test_big_foreign_keys_are_never_plain_selects():
    """A <select> of 5,000 organizations or 100,000 members would stall every form."""
    big = {"campaigns.organization", "campaigns.member", "campaigns.user", "learning.book"}
    request = RequestFactory().get("/")
    request.user = User(is_superuser=True, is_staff=True, is_active=True)
    offenders = []
    for model_admin in admin.site._registry.values():
        admins = [model_admin, *(i(model_admin.model, admin.site) for i in model_admin.inlines)]
        for each in admins:
            if not (
                each.has_add_permission(request, None)
                if hasattr(each, "parent_model")
                else each.has_add_permission(request)
            ) and not each.has_change_permission(request):
                continue  # read-only: nothing is chosen
            shortcuts = {*each.autocomplete_fields, *each.raw_id_fields}
            for field in each.model._meta.get_fields():
                if not (field.is_relation and field.concrete and field.editable):
                    continue
                if field.many_to_many and not field.remote_field.through._meta.auto_created:
                    continue  # edited through its own model (an inline), not as a field
                if field.related_model._meta.label_lower not in big:
                    continue
                if getattr(each, "fk_name", None) == field.name or (
                    hasattr(each, "parent_model") and field.related_model is each.parent_model
                ):
                    continue  # the inline's own link to its parent is not rendered
                if field.name in getattr(each, "recorded_by_fields", ()):
                    continue  # filled with the signed-in user, read-only
                if field.name in each.readonly_fields:
                    continue
                if field.name not in shortcuts:
                    offenders.append(f"{type(each).__name__}.{field.name}")
    assert not offenders


def test_list_filters_never_list_big_tables():
    """A filter listing 5,000 organizations (or members, users, books) is unusable."""
    big = {"campaigns.organization", "campaigns.member", "campaigns.user", "learning.book"}
    offenders = []
    for model, model_admin in admin.site._registry.items():
        for spec in model_admin.list_filter:
            if isinstance(spec, (list, tuple)):
                path, filter_class = spec
                if filter_class is admin.EmptyFieldListFilter:
                    continue  # only "empty / not empty"
            elif isinstance(spec, str):
                path = spec
            else:
                continue  # a SimpleListFilter with its own fixed choices
            field = get_fields_from_path(model, path)[-1]
            if field.is_relation and field.related_model._meta.label_lower in big:
                offenders.append(f"{model._meta.label}: {path}")
    assert not offenders


def test_research_topic_change_page_lists_its_participants(admin_client, every_model):
    from learning.models import ResearchTopic

    topic = ResearchTopic.objects.filter(title="提升生产效率").order_by("pk").first()
    response = admin_client.get(url(ResearchTopic, "change", topic.pk))
    formset = next(
        f for f in response.context["inline_admin_formsets"] if f.formset.prefix == "participations"
    )
    listed = {form.instance.member for form in formset.formset.forms if form.instance.pk}
    assert listed == set(topic.participants.all())
    assert len(listed) == 2
