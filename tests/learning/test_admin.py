from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from learning.enums import ActivityForm, NoteKind, StudyPlanKind
from learning.models import (
    ActivityAttachment,
    Attendance,
    NoteComment,
    StudyActivity,
    StudyNote,
    StudyPlan,
    StudyPlanItem,
)

from ..factories import (
    CampaignFactory,
    MemberFactory,
    OrganizationFactory,
    StudyActivityFactory,
    StudyNoteFactory,
    StudyPlanFactory,
)

pytestmark = pytest.mark.django_db


def url(model, action, *args):
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{action}", args=args)


# --- Query counts ---------------------------------------------------------------------------


def make_notes(n):
    for _ in range(n):
        StudyNoteFactory(campaign=CampaignFactory(year=2026))


def make_activities(n):
    for _ in range(n):
        activity = StudyActivityFactory(campaign=CampaignFactory(year=2026))
        member = MemberFactory(organization=activity.organization)
        Attendance.objects.create(activity=activity, member=member, hours=activity.hours)


def make_plans(n):
    campaign = CampaignFactory(year=2026)
    for i in range(n):
        if i % 2:
            member = MemberFactory()
            plan = StudyPlanFactory(
                campaign=campaign,
                organization=member.organization,
                member=member,
                kind=StudyPlanKind.PERSONAL,
            )
        else:
            plan = StudyPlanFactory(campaign=campaign)
        StudyPlanItem.objects.create(plan=plan, topic="学习党章", hours=1)


CHANGELISTS = {
    StudyNote: (make_notes, 5),
    StudyActivity: (make_activities, 7),
    StudyPlan: (make_plans, 6),
}


def measure(client, model):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url(model, "changelist"))
    assert response.status_code == 200
    return len(queries), len(response.context["cl"].result_list)


@pytest.mark.parametrize("model", CHANGELISTS, ids=lambda model: model._meta.label)
def test_changelist_queries_do_not_grow_with_rows(admin_client, model):
    make, expected = CHANGELISTS[model]
    make(1)
    few, shown_few = measure(admin_client, model)
    make(29)
    many, shown_many = measure(admin_client, model)
    assert (shown_few, shown_many) == (1, 30)
    assert few == many == expected


def test_activity_changelist_counts_attendees(admin_client):
    activity = StudyActivityFactory()
    for _ in range(3):
        Attendance.objects.create(
            activity=activity, member=MemberFactory(organization=activity.organization), hours=2
        )
    response = admin_client.get(url(StudyActivity, "changelist"))
    [row] = response.context["cl"].result_list
    assert row.attendee_count == 3


def test_three_meetings_filter_keeps_only_those_meetings(admin_client):
    StudyActivityFactory(form=ActivityForm.BRANCH_GENERAL_MEETING, topic="支部党员大会")
    StudyActivityFactory(form=ActivityForm.LECTURE, topic="专题讲座")
    response = admin_client.get(url(StudyActivity, "changelist"), {"three_meetings": "yes"})
    assert [a.topic for a in response.context["cl"].result_list] == ["支部党员大会"]


# --- Inlines --------------------------------------------------------------------------------


def management(prefix, total, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def test_activity_added_with_attendees_and_attachment(admin_client, admin_user):
    campaign = CampaignFactory(year=2026)
    org = OrganizationFactory(name="丙公司党支部")
    member = MemberFactory(organization=org)
    upload = SimpleUploadedFile("会议纪要.pdf", b"%PDF-1.4 minutes", content_type="application/pdf")
    response = admin_client.post(
        url(StudyActivity, "add"),
        {
            "campaign": campaign.pk,
            "organization": org.pk,
            "form": ActivityForm.PARTY_LECTURE,
            "topic": "专题党课",
            "held_on": "2026-05-20",
            "hours": "2.5",
            "place": "",
            "speaker": "",
            "minutes": "",
            "plan_item": "",
            **management("attendance", 1),
            "attendance-0-member": member.pk,
            "attendance-0-hours": "2.5",
            **management("attachments", 1),
            "attachments-0-file": upload,
        },
    )
    assert response.status_code == 302
    activity = StudyActivity.objects.get(topic="专题党课")
    assert activity.recorded_by == admin_user
    assert list(activity.attendance.values_list("member", "hours")) == [(member.pk, Decimal("2.5"))]
    attachment = ActivityAttachment.objects.get(activity=activity)
    assert attachment.original_name == "会议纪要.pdf"
    assert attachment.content_type == "application/pdf"
    assert attachment.size == len(b"%PDF-1.4 minutes")
    assert attachment.uploaded_by == admin_user


def test_plan_items_are_edited_in_their_plan(admin_client):
    plan = StudyPlanFactory(title="年度学习计划")
    StudyPlanItem.objects.create(plan=plan, position=1, topic="学习党章", hours=2)
    response = admin_client.get(url(StudyPlan, "change", plan.pk))
    formsets = {f.formset.prefix: f for f in response.context["inline_admin_formsets"]}
    assert [form.instance.topic for form in formsets["items"].formset.forms] == ["学习党章"]


def test_comment_added_on_a_note_is_signed_by_the_admin(admin_client, admin_user):
    note = StudyNoteFactory(kind=NoteKind.REFLECTION, written_on=timezone.localdate())
    data = {
        "campaign": note.campaign_id,
        "member": note.member_id,
        "organization": note.organization_id,
        "kind": note.kind,
        "title": note.title,
        "body": note.body,
        "written_on": note.written_on.isoformat(),
        "book": "",
        "marked_excellent_by": "",
        **management("comments", 1),
        "comments-0-body": "体会深刻",
    }
    response = admin_client.post(url(StudyNote, "change", note.pk), data)
    assert response.status_code == 302
    comment = NoteComment.objects.get(note=note)
    assert comment.author == admin_user
    assert comment.body == "体会深刻"


def test_deleting_activity_with_attachments_is_refused(admin_client):
    activity = StudyActivityFactory()
    ActivityAttachment.objects.create(
        activity=activity,
        file=SimpleUploadedFile("签到表.pdf", b"%PDF"),
        original_name="签到表.pdf",
        content_type="application/pdf",
        size=4,
        uploaded_by=activity.recorded_by,
    )
    response = admin_client.post(url(StudyActivity, "delete", activity.pk), {"post": "yes"})
    assert response.status_code == 200
    assert "签到表.pdf" in response.content.decode()
    assert StudyActivity.objects.filter(pk=activity.pk).exists()
