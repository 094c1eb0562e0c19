"""Study activities: recording with attendees and attachments, hours credited,
visibility of activities and their files, and query counts over 1 and 500 members."""

import datetime
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from campaigns.models import Member
from campaigns.selectors import with_study_hours
from learning import uploads
from learning.enums import StudyPlanKind
from learning.models import ActivityAttachment, Attendance, StudyActivity, StudyPlanItem
from learning.services import activities as services

from ..factories import (
    CampaignFactory,
    MemberFactory,
    StudyActivityFactory,
    StudyPlanFactory,
)

PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
EXE_BYTES = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 32


def pdf(name="会议记录.pdf", content=PDF_BYTES):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def media_files():
    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def study_hours(member, campaign):
    return with_study_hours(Member.objects.filter(pk=member.pk), campaign).get().study_hours


@pytest.fixture
def campaign(db):
    return CampaignFactory()


@pytest.fixture
def today():
    return timezone.localdate()


def form_data(members, today, **overrides):
    data = {
        "form": "branch_general_meeting",
        "held_on": today.isoformat(),
        "hours": "2",
        "topic": "学习党的二十大精神",
        "place": "三楼会议室",
        "speaker": "王书记",
        "minutes": "会议由王书记主持。",
        "plan_item": "",
        "attendees": [str(member.pk) for member in members],
    }
    data.update(overrides)
    return data


def create_url(organization=None):
    url = reverse("learning:activity.create")
    return f"{url}?organization={organization.pk}" if organization else url


# ---------------------------------------------------------------- recording


def test_activity_create_form_ticks_every_member(client, district, campaign):
    client.force_login(district.branch_secretary.user)
    response = client.get(create_url())
    assert response.status_code == 200
    options = response.context["attendee_options"]
    listed = {pk for pk, _name, _secretary, ticked in options if ticked}
    assert listed == {district.branch_secretary.pk, district.member.pk, district.fellow.pk}
    body = response.content.decode()
    assert body.count('name="attendees"') == 3
    assert body.count(" checked") >= 3
    assert "js/attendees.js" in body
    # The select is grouped: forms of study, then 三会一课 and organizational life.
    assert body.count("<optgroup") == 2


def test_activity_record_with_attendees_and_attachments_credits_hours(
    client, district, campaign, today
):
    client.force_login(district.branch_secretary.user)
    attendees = [district.branch_secretary, district.member]  # fellow unticked: absent
    data = form_data(attendees, today, hours="2.5")
    data["attachments"] = [pdf(), SimpleUploadedFile("合影.png", PNG_BYTES)]
    response = client.post(create_url(), data)

    activity = StudyActivity.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("learning:activity.detail", args=[activity.pk])
    assert activity.organization == district.branch
    assert activity.campaign == campaign
    assert activity.recorded_by == district.branch_secretary.user
    assert activity.hours == Decimal("2.5")
    rows = Attendance.objects.filter(activity=activity)
    assert {row.member_id for row in rows} == {m.pk for m in attendees}
    assert {row.hours for row in rows} == {Decimal("2.5")}
    assert study_hours(district.member, campaign) == Decimal("2.5")
    assert study_hours(district.fellow, campaign) == 0

    files = list(ActivityAttachment.objects.filter(activity=activity))
    assert {f.original_name: f.content_type for f in files} == {
        "会议记录.pdf": "application/pdf",
        "合影.png": "image/png",
    }
    for attachment in files:
        assert attachment.uploaded_by == district.branch_secretary.user
        assert attachment.file.name.startswith(f"activities/{activity.pk}/")
        assert attachment.original_name not in attachment.file.name
        assert Path(attachment.file.path).exists()
    assert {f.size for f in files} == {len(PDF_BYTES), len(PNG_BYTES)}


def test_activity_record_shows_on_detail_with_absentee(client, district, campaign, today):
    client.force_login(district.branch_secretary.user)
    client.post(create_url(), form_data([district.branch_secretary, district.member], today))
    activity = StudyActivity.objects.get()
    response = client.get(reverse("learning:activity.detail", args=[activity.pk]))
    assert response.status_code == 200
    assert [m.pk for m in response.context["absentees"]] == [district.fellow.pk]
    assert len(response.context["attendees"]) == 2
    assert response.context["attendees"][0].study_hours == Decimal("2")


def test_activity_record_for_organization_below(client, district, campaign, today):
    """A committee secretary records for a branch under it, listing that branch's members."""
    client.force_login(district.secretary.user)
    response = client.get(create_url(district.branch))
    assert response.context["organization"] == district.branch
    response = client.post(create_url(district.branch), form_data([district.member], today))
    assert response.status_code == 302
    assert StudyActivity.objects.get().organization == district.branch


def test_activity_create_for_organization_not_managed_is_404(client, district, campaign):
    client.force_login(district.branch_secretary.user)
    assert client.get(create_url(district.committee)).status_code == 404
    assert client.get(create_url(district.other_branch)).status_code == 404
    assert client.get(create_url() + "?organization=abc").status_code == 404


def test_activity_create_by_member_forbidden(client, district, campaign):
    client.force_login(district.member.user)
    assert client.get(create_url()).status_code == 403


def test_activity_record_forged_attendee_rejected_nothing_written(
    client, district, campaign, today
):
    client.force_login(district.branch_secretary.user)
    data = form_data([district.member, district.other_member], today)
    data["attachments"] = [pdf()]
    response = client.post(create_url(), data)
    assert response.status_code == 200
    assert response.context["form"].errors["attendees"] == [
        gettext("Only members of this Party organization can attend.")
    ]
    assert not StudyActivity.objects.exists()
    assert not Attendance.objects.exists()
    assert not ActivityAttachment.objects.exists()
    assert media_files() == []


def test_activity_record_service_rejects_member_of_other_organization(district, campaign, today):
    with pytest.raises(ValidationError) as error:
        services.activity_record(
            user=district.branch_secretary.user,
            organization=district.branch,
            campaign=campaign,
            form="party_lecture",
            held_on=today,
            hours=Decimal(1),
            topic="党课",
            attendee_ids=[district.member.pk, district.other_member.pk],
            files=[pdf()],
        )
    assert "attendees" in error.value.message_dict
    assert not StudyActivity.objects.exists()
    assert media_files() == []


def test_activity_record_service_rejects_inactive_member(district, campaign, today):
    district.fellow.is_active = False
    district.fellow.save()
    with pytest.raises(ValidationError):
        services.activity_record(
            user=district.branch_secretary.user,
            organization=district.branch,
            campaign=campaign,
            form="party_lecture",
            held_on=today,
            hours=Decimal(1),
            topic="党课",
            attendee_ids=[district.fellow.pk],
        )


def test_activity_record_service_by_other_secretary_denied(district, campaign, today):
    with pytest.raises(PermissionDenied):
        services.activity_record(
            user=district.other_secretary.user,
            organization=district.branch,
            campaign=campaign,
            form="party_lecture",
            held_on=today,
            hours=Decimal(1),
            topic="党课",
            attendee_ids=[district.member.pk],
        )
    assert not StudyActivity.objects.exists()


def test_activity_record_without_attendees_rejected(client, district, campaign, today):
    client.force_login(district.branch_secretary.user)
    response = client.post(create_url(), form_data([], today))
    assert response.status_code == 200
    assert "attendees" in response.context["form"].errors
    assert not StudyActivity.objects.exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        (
            "程序.pdf",
            EXE_BYTES,
            "The file's content is not a %(label)s file, although its name says so.",
        ),
        (
            "图片.pdf",
            PNG_BYTES,
            "The file's content is not a %(label)s file, although its name says so.",
        ),
        ("空文件.pdf", b"", "The file is empty."),
        ("脚本.exe", EXE_BYTES, "Only PDF, Word, Excel, JPEG and PNG files can be uploaded."),
    ],
    ids=["exe-renamed-pdf", "png-renamed-pdf", "empty", "exe"],
)
def test_activity_record_bad_file_rejected_nothing_written(
    client, district, campaign, today, name, content, message
):
    client.force_login(district.branch_secretary.user)
    data = form_data([district.member], today)
    data["attachments"] = [pdf("好的.pdf"), SimpleUploadedFile(name, content)]
    response = client.post(create_url(), data)
    assert response.status_code == 200
    errors = response.context["form"].errors["attachments"]
    expected = gettext(message) % {"label": "PDF"} if "%(label)s" in message else gettext(message)
    assert errors == [gettext("%(name)s: %(problem)s") % {"name": name, "problem": expected}]
    assert not StudyActivity.objects.exists()
    assert not ActivityAttachment.objects.exists()
    assert media_files() == []


def test_activity_record_oversize_file_rejected_nothing_written(
    client, district, campaign, today, monkeypatch
):
    monkeypatch.setattr(uploads, "MAX_UPLOAD_BYTES", 10)
    client.force_login(district.branch_secretary.user)
    data = form_data([district.member], today)
    data["attachments"] = [pdf("大文件.pdf")]
    response = client.post(create_url(), data)
    assert response.status_code == 200
    problem = gettext("The file is larger than 20 MB. Please compress it or split it.")
    assert response.context["form"].errors["attachments"] == [
        gettext("%(name)s: %(problem)s") % {"name": "大文件.pdf", "problem": problem}
    ]
    assert not StudyActivity.objects.exists()
    assert media_files() == []


def test_activity_record_service_checks_files_too(district, campaign, today):
    with pytest.raises(ValidationError) as error:
        services.activity_record(
            user=district.branch_secretary.user,
            organization=district.branch,
            campaign=campaign,
            form="party_lecture",
            held_on=today,
            hours=Decimal(1),
            topic="党课",
            attendee_ids=[district.member.pk],
            files=[SimpleUploadedFile("图片.pdf", PNG_BYTES)],
        )
    assert "attachments" in error.value.message_dict
    assert not StudyActivity.objects.exists()
    assert media_files() == []


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("held_on", "future", "The date cannot be in the future: record an activity once held."),
        ("held_on", "last_year", "The date must fall in %(year)s, the year of this campaign."),
        ("hours", "-1", "Hours must be more than 0 and at most 24."),
        ("hours", "0", "Hours must be more than 0 and at most 24."),
        ("hours", "24.5", "Hours must be more than 0 and at most 24."),
    ],
)
def test_activity_record_bad_date_or_hours_rejected(
    client, district, campaign, today, field, value, message
):
    if value == "future":
        value = (today + datetime.timedelta(days=1)).isoformat()
    elif value == "last_year":
        value = today.replace(year=today.year - 1, day=1).isoformat()
    client.force_login(district.branch_secretary.user)
    response = client.post(create_url(), form_data([district.member], today, **{field: value}))
    assert response.status_code == 200
    errors = response.context["form"].errors[field]
    assert errors == [gettext(message) % {"year": campaign.year}]
    assert not StudyActivity.objects.exists()
    assert not Attendance.objects.exists()


@pytest.mark.parametrize(
    ("held_on", "hours"),
    [("future", Decimal(2)), ("last_year", Decimal(2)), ("today", Decimal(-1))],
)
def test_activity_record_service_rejects_date_and_hours(district, campaign, today, held_on, hours):
    day = {
        "future": today + datetime.timedelta(days=1),
        "last_year": today.replace(year=today.year - 1, day=1),
        "today": today,
    }[held_on]
    with pytest.raises(ValidationError):
        services.activity_record(
            user=district.branch_secretary.user,
            organization=district.branch,
            campaign=campaign,
            form="party_lecture",
            held_on=day,
            hours=hours,
            topic="党课",
            attendee_ids=[district.member.pk],
        )
    assert not StudyActivity.objects.exists()


def test_activity_record_double_submit_rejected(client, district, campaign, today):
    client.force_login(district.branch_secretary.user)
    data = form_data([district.member], today)
    assert client.post(create_url(), data).status_code == 302
    response = client.post(create_url(), data)
    assert response.status_code == 200
    assert "topic" in response.context["form"].errors
    assert StudyActivity.objects.count() == 1
    assert Attendance.objects.count() == 1


# ---------------------------------------------------------------- plan items


def test_activity_plan_item_choices_are_this_organizations_plans(client, district, campaign, today):
    plan = StudyPlanFactory(campaign=campaign, organization=district.branch, title="年度学习计划")
    item = StudyPlanItem.objects.create(plan=plan, topic="学习党章", scheduled_on=today)
    other_plan = StudyPlanFactory(campaign=campaign, organization=district.other_branch)
    other_item = StudyPlanItem.objects.create(plan=other_plan, topic="别人的")
    client.force_login(district.branch_secretary.user)
    response = client.get(create_url())
    choices = list(response.context["form"].fields["plan_item"].queryset)
    assert choices == [item]
    assert "年度学习计划 · 学习党章 ·" in response.content.decode()

    response = client.post(
        create_url(), form_data([district.member], today, plan_item=other_item.pk)
    )
    assert "plan_item" in response.context["form"].errors
    assert not StudyActivity.objects.exists()

    response = client.post(create_url(), form_data([district.member], today, plan_item=item.pk))
    assert response.status_code == 302
    assert StudyActivity.objects.get().plan_item == item


def test_activity_service_rejects_plan_item_of_other_campaign(district, campaign, today):
    last_year = CampaignFactory(year=campaign.year - 1)
    plan = StudyPlanFactory(
        campaign=last_year, organization=district.branch, kind=StudyPlanKind.ORGANIZATION_ANNUAL
    )
    item = StudyPlanItem.objects.create(plan=plan, topic="去年的")
    with pytest.raises(ValidationError) as error:
        services.activity_record(
            user=district.branch_secretary.user,
            organization=district.branch,
            campaign=campaign,
            form="party_lecture",
            held_on=today,
            hours=Decimal(1),
            topic="党课",
            plan_item=item,
            attendee_ids=[district.member.pk],
        )
    assert "plan_item" in error.value.message_dict


# ---------------------------------------------------------------- editing


@pytest.fixture
def recorded(district, campaign, today):
    """A 2-hour activity of the branch attended by the member and the fellow, with a PDF."""
    return services.activity_record(
        user=district.branch_secretary.user,
        organization=district.branch,
        campaign=campaign,
        form="party_group_meeting",
        held_on=today,
        hours=Decimal(2),
        topic="党小组会",
        attendee_ids=[district.member.pk, district.fellow.pk],
        files=[pdf("党小组会记录.pdf")],
    )


def test_activity_edit_form_ticks_current_attendees(client, district, recorded):
    client.force_login(district.branch_secretary.user)
    response = client.get(reverse("learning:activity.edit", args=[recorded.pk]))
    assert response.status_code == 200
    ticked = {pk for pk, _n, _s, checked in response.context["attendee_options"] if checked}
    assert ticked == {district.member.pk, district.fellow.pk}
    assert response.context["form"]["hours"].value() == Decimal(2)


def test_activity_update_attendee_hours_follow(client, district, campaign, recorded, today):
    client.force_login(district.branch_secretary.user)
    data = form_data(
        [district.member, district.branch_secretary], today, hours="3.5", topic="党小组会"
    )
    response = client.post(reverse("learning:activity.edit", args=[recorded.pk]), data)
    assert response.status_code == 302
    recorded.refresh_from_db()
    assert recorded.hours == Decimal("3.5")
    rows = dict(Attendance.objects.filter(activity=recorded).values_list("member_id", "hours"))
    assert rows == {
        district.member.pk: Decimal("3.5"),
        district.branch_secretary.pk: Decimal("3.5"),
    }
    assert study_hours(district.member, campaign) == Decimal("3.5")
    assert study_hours(district.fellow, campaign) == 0
    assert ActivityAttachment.objects.filter(activity=recorded).count() == 1


def test_activity_update_service_hours_follow(district, campaign, recorded, today):
    services.activity_update(
        user=district.branch_secretary.user,
        activity=recorded,
        form=recorded.form,
        held_on=today,
        hours=Decimal("1.5"),
        topic=recorded.topic,
        attendee_ids=[district.member.pk, district.fellow.pk],
    )
    assert set(Attendance.objects.filter(activity=recorded).values_list("hours", flat=True)) == {
        Decimal("1.5")
    }


def test_activity_update_keeps_attendee_who_left(district, campaign, recorded, today):
    district.fellow.is_active = False
    district.fellow.save()
    services.activity_update(
        user=district.branch_secretary.user,
        activity=recorded,
        form=recorded.form,
        held_on=today,
        hours=Decimal(2),
        topic=recorded.topic,
        attendee_ids=[district.member.pk, district.fellow.pk],
    )
    assert Attendance.objects.filter(activity=recorded).count() == 2


def test_activity_update_forged_attendee_changes_nothing(client, district, recorded, today):
    client.force_login(district.branch_secretary.user)
    data = form_data([district.other_member], today, hours="5")
    response = client.post(reverse("learning:activity.edit", args=[recorded.pk]), data)
    assert response.status_code == 200
    assert "attendees" in response.context["form"].errors
    recorded.refresh_from_db()
    assert recorded.hours == Decimal(2)
    assert set(
        Attendance.objects.filter(activity=recorded).values_list("member_id", flat=True)
    ) == {
        district.member.pk,
        district.fellow.pk,
    }


def test_activity_update_adds_attachment(client, district, recorded, today):
    client.force_login(district.branch_secretary.user)
    data = form_data([district.member], today, topic="党小组会")
    data["attachments"] = [SimpleUploadedFile("照片.png", PNG_BYTES)]
    response = client.post(reverse("learning:activity.edit", args=[recorded.pk]), data)
    assert response.status_code == 302
    assert ActivityAttachment.objects.filter(activity=recorded).count() == 2


def test_activity_delete_removes_attendance_attachments_and_files(
    client, district, recorded, django_capture_on_commit_callbacks
):
    path = Path(recorded.attachments.get().file.path)
    assert path.exists()
    client.force_login(district.branch_secretary.user)
    url = reverse("learning:activity.delete", args=[recorded.pk])
    assert client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302
    assert not StudyActivity.objects.exists()
    assert not Attendance.objects.exists()
    assert not ActivityAttachment.objects.exists()
    assert not path.exists()


def test_activity_file_stays_until_delete_commits(
    district, recorded, django_capture_on_commit_callbacks
):
    path = Path(recorded.attachments.get().file.path)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        services.activity_delete(user=district.branch_secretary.user, activity=recorded)
    assert path.exists()
    assert len(callbacks) == 1
    callbacks[0]()
    assert not path.exists()


# ---------------------------------------------------------------- attachments


def test_activity_attachment_download_with_chinese_name(client, district, recorded):
    attachment = recorded.attachments.get()
    client.force_login(district.member.user)  # a member of the organization may read it
    response = client.get(reverse("learning:activity.attachment", args=[attachment.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    assert (
        "filename*=utf-8''%E5%85%9A%E5%B0%8F%E7%BB%84%E4%BC%9A%E8%AE%B0%E5%BD%95.pdf" in disposition
    )
    assert b"".join(response.streaming_content) == PDF_BYTES


def test_activity_attachment_missing_file_is_404(client, district, recorded):
    attachment = recorded.attachments.get()
    Path(attachment.file.path).unlink()
    client.force_login(district.branch_secretary.user)
    response = client.get(reverse("learning:activity.attachment", args=[attachment.pk]))
    assert response.status_code == 404


def test_activity_attachment_not_under_media_url(client, district, recorded):
    client.force_login(district.branch_secretary.user)
    response = client.get(reverse("learning:activity.detail", args=[recorded.pk]))
    body = response.content.decode()
    assert settings.MEDIA_URL not in body.replace("/static/", "")
    assert recorded.attachments.get().file.name not in body


def test_activity_attachment_remove(client, district, recorded, django_capture_on_commit_callbacks):
    attachment = recorded.attachments.get()
    path = Path(attachment.file.path)
    client.force_login(district.branch_secretary.user)
    url = reverse("learning:activity.attachment_delete", args=[attachment.pk])
    assert client.get(url).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url)
    assert response.status_code == 302
    assert not ActivityAttachment.objects.exists()
    assert not path.exists()
    assert StudyActivity.objects.filter(pk=recorded.pk).exists()


def test_activity_attachment_add_service(district, recorded):
    added = services.attachment_add(
        user=district.branch_secretary.user,
        activity=recorded,
        files=[SimpleUploadedFile("照片.png", PNG_BYTES)],
    )
    assert [a.content_type for a in added] == ["image/png"]
    with pytest.raises(ValidationError):
        services.attachment_add(
            user=district.branch_secretary.user,
            activity=recorded,
            files=[SimpleUploadedFile("照片.png", EXE_BYTES)],
        )
    assert recorded.attachments.count() == 2


# ---------------------------------------------------------------- who may do what


def activity_urls(activity):
    attachment = activity.attachments.get()
    return {
        "detail": reverse("learning:activity.detail", args=[activity.pk]),
        "edit": reverse("learning:activity.edit", args=[activity.pk]),
        "delete": reverse("learning:activity.delete", args=[activity.pk]),
        "attachment": reverse("learning:activity.attachment", args=[attachment.pk]),
        "attachment_delete": reverse("learning:activity.attachment_delete", args=[attachment.pk]),
    }


@pytest.mark.parametrize("page", ["detail", "edit", "delete", "attachment", "attachment_delete"])
def test_activity_pages_other_secretary_gets_404(client, district, recorded, page):
    client.force_login(district.other_secretary.user)
    url = activity_urls(recorded)[page]
    assert client.get(url).status_code == 404
    assert client.post(url, {}).status_code in {404, 405}
    assert StudyActivity.objects.filter(pk=recorded.pk).exists()
    assert ActivityAttachment.objects.filter(activity=recorded).exists()


@pytest.mark.parametrize("page", ["detail", "attachment"])
def test_activity_pages_member_of_other_organization_gets_404(client, district, recorded, page):
    client.force_login(district.other_member.user)
    assert client.get(activity_urls(recorded)[page]).status_code == 404


@pytest.mark.parametrize("page", ["edit", "delete", "attachment_delete"])
def test_activity_pages_member_of_same_organization_cannot_change(client, district, recorded, page):
    client.force_login(district.member.user)
    url = activity_urls(recorded)[page]
    assert client.get(url).status_code == 403
    assert client.post(url, {}).status_code == 403
    assert StudyActivity.objects.filter(pk=recorded.pk).exists()
    assert ActivityAttachment.objects.filter(activity=recorded).exists()


def test_activity_detail_member_of_same_organization_reads(client, district, recorded):
    client.force_login(district.member.user)
    response = client.get(reverse("learning:activity.detail", args=[recorded.pk]))
    assert response.status_code == 200
    assert response.context["can_manage"] is False
    body = response.content.decode()
    assert reverse("learning:activity.edit", args=[recorded.pk]) not in body
    assert "党小组会记录.pdf" in body


def test_activity_pages_committee_secretary_manages_branch_activity(client, district, recorded):
    client.force_login(district.secretary.user)
    assert client.get(activity_urls(recorded)["edit"]).status_code == 200


def test_activity_pages_department_reads_but_cannot_change(client, district, recorded):
    client.force_login(district.department)
    urls = activity_urls(recorded)
    assert client.get(urls["detail"]).status_code == 200
    assert client.get(urls["attachment"]).status_code == 200
    assert client.get(urls["edit"]).status_code == 403
    assert client.get(reverse("learning:activity.list")).status_code == 200
    assert client.get(create_url()).status_code == 403


def test_activity_pages_anonymous_redirected_to_login(client, recorded):
    for url in activity_urls(recorded).values():
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_activity_pages_bad_ids_are_404(client, district, recorded):
    client.force_login(district.branch_secretary.user)
    assert client.get("/learning/activities/999999/").status_code == 404
    assert client.get("/learning/activities/attachments/999999/").status_code == 404
    assert client.get("/learning/activities/abc/").status_code == 404


# ---------------------------------------------------------------- the list


def test_activity_list_secretary_sees_subtree_member_sees_organization(client, district, campaign):
    ours = StudyActivityFactory(campaign=campaign, organization=district.branch, topic="我们的")
    above = StudyActivityFactory(campaign=campaign, organization=district.committee, topic="党委的")
    theirs = StudyActivityFactory(
        campaign=campaign, organization=district.other_branch, topic="别人的"
    )
    url = reverse("learning:activity.list")

    client.force_login(district.secretary.user)
    assert {a.pk for a in client.get(url).context["activities"]} == {ours.pk, above.pk}

    client.force_login(district.branch_secretary.user)
    assert {a.pk for a in client.get(url).context["activities"]} == {ours.pk}

    client.force_login(district.member.user)
    response = client.get(url)
    assert {a.pk for a in response.context["activities"]} == {ours.pk}
    assert response.context["can_record"] is False
    assert theirs.topic not in response.content.decode()


def test_activity_list_annotates_attendee_count(client, district, recorded):
    client.force_login(district.branch_secretary.user)
    response = client.get(reverse("learning:activity.list"))
    [row] = response.context["activities"]
    assert row.attendee_count == 2
    assert row.attachment_count == 1


def test_activity_list_filters(client, district, campaign, today):
    meeting = StudyActivityFactory(
        campaign=campaign,
        organization=district.branch,
        form="branch_committee_meeting",
        topic="支委会研究发展党员",
        speaker="李书记",
        held_on=today.replace(day=1) if today.day > 1 else today,
    )
    study = StudyActivityFactory(
        campaign=campaign,
        organization=district.committee,
        form="concentrated_study",
        topic="集中学习",
        speaker="张教授",
        held_on=today,
    )
    url = reverse("learning:activity.list")
    client.force_login(district.secretary.user)

    def found(**params):
        response = client.get(url, params)
        assert response.status_code == 200
        return {a.pk for a in response.context["activities"]}

    assert found() == {meeting.pk, study.pk}
    assert found(three_meetings="on") == {meeting.pk}
    assert found(form="concentrated_study") == {study.pk}
    assert found(q="张教授") == {study.pk}
    assert found(q="发展党员") == {meeting.pk}
    assert found(organization=district.branch.pk) == {meeting.pk}
    assert found(organization=district.committee.pk) == {meeting.pk, study.pk}
    if meeting.held_on != study.held_on:
        assert found(start=today.isoformat()) == {study.pk}
        assert found(end=meeting.held_on.isoformat()) == {meeting.pk}
    # Bad values are ignored or shown as errors, never a server error.
    assert found(organization=district.other_branch.pk)
    assert found(organization="abc", form="nonsense", start="2026-13-45", page="x")
    assert client.get(url, {"page": "999"}).status_code == 200


def test_activity_list_department_finds_an_organization_by_lookup(client, district, campaign):
    ours = StudyActivityFactory(campaign=campaign, organization=district.branch)
    StudyActivityFactory(campaign=campaign, organization=district.other_branch)
    client.force_login(district.department)
    url = reverse("learning:activity.list")
    page = client.get(url).content.decode()
    assert "data-org-lookup=" in page
    assert "甲公司第一党支部</option>" not in page  # no district-wide drop-down
    # The dashboard's links name the organization by id; the filter shows it chosen.
    response = client.get(url, {"organization": district.committee.pk})
    assert {a.pk for a in response.context["activities"]} == {ours.pk}
    assert f'<option value="{district.committee.pk}" selected>' in response.content.decode()


def test_activity_list_paginates(client, district, campaign, today):
    for i in range(30):
        StudyActivityFactory(campaign=campaign, organization=district.branch, topic=f"活动{i}")
    client.force_login(district.branch_secretary.user)
    url = reverse("learning:activity.list")
    first = client.get(url)
    assert len(first.context["activities"]) == 25
    second = client.get(url, {"page": 2})
    assert len(second.context["activities"]) == 5
    assert "page=2" in first.content.decode()


# ---------------------------------------------------------------- query counts


@pytest.fixture(params=["small", "big"])
def sized_organization(request, db):
    return request.getfixturevalue(f"{request.param}_organization")


def test_activity_list_query_count_does_not_grow(
    client, sized_organization, django_assert_num_queries
):
    organization, secretary, campaign = sized_organization
    client.force_login(secretary.user)
    url = reverse("learning:activity.list")
    with django_assert_num_queries(6):
        response = client.get(url)
    assert response.status_code == 200
    assert len(response.context["activities"]) >= 1
    filters = {"organization": organization.pk, "start": f"{campaign.year}-01-01", "page": "1"}
    with django_assert_num_queries(7):  # + the organization chosen in the filter
        response = client.get(url, filters)
    assert response.status_code == 200
    assert len(response.context["activities"]) >= 1


def test_activity_create_form_query_count_does_not_grow(
    client, sized_organization, django_assert_num_queries
):
    organization, secretary, _campaign = sized_organization
    client.force_login(secretary.user)
    with django_assert_num_queries(7):
        response = client.get(create_url())
    expected = Member.objects.filter(organization=organization, is_active=True).count()
    assert response.context["attendee_total"] == expected
    assert response.content.decode().count('name="attendees"') == expected


def test_activity_detail_query_count_does_not_grow(
    client, sized_organization, django_assert_num_queries
):
    organization, secretary, _campaign = sized_organization
    activity = StudyActivity.objects.filter(organization=organization).first()
    client.force_login(secretary.user)
    with django_assert_num_queries(7):
        response = client.get(reverse("learning:activity.detail", args=[activity.pk]))
    assert response.status_code == 200


def test_activity_record_for_big_organization(client, big_organization, today):
    organization, secretary, _campaign = big_organization
    members = list(Member.objects.filter(organization=organization, is_active=True))
    absentee = members[3]
    client.force_login(secretary.user)
    data = form_data([m for m in members if m != absentee], today)
    response = client.post(create_url(), data)
    assert response.status_code == 302
    activity = StudyActivity.objects.get(topic=data["topic"])
    assert activity.attendance.count() == len(members) - 1
    assert not activity.attendance.filter(member=absentee).exists()


def test_activity_member_factory_of_other_branch_not_listed(client, district, campaign):
    MemberFactory(organization=district.other_branch)
    client.force_login(district.branch_secretary.user)
    response = client.get(create_url())
    assert district.other_member.pk not in {
        pk for pk, *_rest in response.context["attendee_options"]
    }
