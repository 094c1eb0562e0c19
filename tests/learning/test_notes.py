import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from campaigns.enums import MemberRole
from learning.enums import NoteKind
from learning.models import NoteComment, StudyNote
from learning.services import notes as services

from ..factories import BookFactory, CampaignFactory, MemberFactory, StudyNoteFactory

pytestmark = pytest.mark.django_db

ATTACK = (
    "<p>Plain <strong>bold</strong> and <em>italic</em> text.</p>"
    "<script>alert('script')</script>"
    '<img src="x" onerror="alert(\'img\')">'
    '<p style="color:red" onclick="alert(\'click\')">styled</p>'
    "<p><a href=\"javascript:alert('link')\">bad link</a> "
    '<a href="https://example.org/" onmouseover="alert(1)">good link</a></p>'
    "<h3>Heading</h3><ul><li>one</li></ul><ol><li>two</li></ol>"
    "<blockquote>quoted</blockquote>"
)


@pytest.fixture
def campaign():
    return CampaignFactory()


def note_data(**overrides):
    data = {
        "kind": NoteKind.REFLECTION,
        "title": "学习心得",
        "written_on": timezone.localdate().isoformat(),
        "book": "",
        "body": "<p>体会</p>",
    }
    data.update(overrides)
    return data


def create(client, user, **overrides):
    client.force_login(user)
    return client.post(reverse("learning:note.create"), note_data(**overrides))


def detail(pk):
    return reverse("learning:note.detail", args=[pk])


# ---------------------------------------------------------------- writing


def test_note_create_sanitises_the_body_and_keeps_formatting(client, district, campaign):
    response = create(client, district.member.user, body=ATTACK)

    note = StudyNote.objects.get()
    assert response.status_code == 302
    assert response.url == detail(note.pk)
    assert note.member == district.member
    assert note.organization == district.branch
    assert note.campaign == campaign
    body = note.body
    for banned in ("<script", "alert('script')", "onerror", "onclick", "onmouseover", "style="):
        assert banned not in body
    assert "javascript:" not in body
    for kept in (
        "<strong>bold</strong>",
        "<em>italic</em>",
        "<h3>Heading</h3>",
        "<li>one</li>",
        "<ol>",
        "<blockquote>quoted</blockquote>",
        'href="https://example.org/"',
    ):
        assert kept in body

    page = client.get(detail(note.pk)).content.decode()
    assert "<strong>bold</strong>" in page
    assert "alert(" not in page
    assert "onerror" not in page


def test_note_create_plain_text_becomes_paragraphs(client, district, campaign):
    create(client, district.member.user, body="第一段 a < b\r\n\r\n第二段\r\n第二行")

    assert StudyNote.objects.get().body == "<p>第一段 a &lt; b</p><p>第二段<br>第二行</p>"


def test_note_create_with_only_a_script_is_refused(client, district, campaign):
    response = create(client, district.member.user, body="<script>alert(1)</script><p><br></p>")

    assert response.status_code == 200
    assert response.context["form"].errors["body"]
    assert not StudyNote.objects.exists()


def test_note_create_title_is_escaped_on_the_page(client, district, campaign):
    create(client, district.member.user, title="<script>alert(1)</script>")

    page = client.get(detail(StudyNote.objects.get().pk)).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page


@pytest.mark.parametrize("days", [1, 400])
def test_note_create_date_outside_the_campaign_year_or_future_is_refused(
    client, district, campaign, days
):
    day = timezone.localdate() + datetime.timedelta(days=days if days == 1 else -days)
    response = create(client, district.member.user, written_on=day.isoformat())

    assert response.status_code == 200
    assert response.context["form"].errors["written_on"]
    assert not StudyNote.objects.exists()


def test_note_create_with_another_organizations_book_is_refused(client, district, campaign):
    foreign_book = BookFactory(organization=district.other_branch)
    own_book = BookFactory(organization=district.branch)

    response = create(client, district.member.user, book=str(foreign_book.pk))
    assert response.status_code == 200
    assert response.context["form"].errors["book"]
    assert not StudyNote.objects.exists()

    create(client, district.member.user, book=str(own_book.pk))
    assert StudyNote.objects.get().book == own_book


def test_note_create_service_refuses_a_book_of_another_organization(district, campaign):
    with pytest.raises(ValidationError):
        services.note_create(
            member=district.member,
            campaign=campaign,
            kind=NoteKind.NOTE,
            title="笔记",
            written_on=timezone.localdate(),
            body="<p>x</p>",
            book=BookFactory(organization=district.other_branch),
        )
    assert not StudyNote.objects.exists()


def test_note_create_page_offers_only_the_organizations_books_and_the_kind_asked(
    client, district, campaign
):
    BookFactory(organization=district.branch, title="本支部的书")
    BookFactory(organization=district.other_branch, title="别处的书")
    client.force_login(district.member.user)

    response = client.get(reverse("learning:note.create") + "?kind=exchange")

    page = response.content.decode()
    assert response.status_code == 200
    assert "本支部的书" in page
    assert "别处的书" not in page
    assert response.context["form"].initial["kind"] == NoteKind.EXCHANGE
    assert 'name="body"' in page
    assert "js/editor.js" in page


def test_note_create_with_a_bad_kind_in_the_address_falls_back_to_a_note(
    client, district, campaign
):
    client.force_login(district.member.user)

    response = client.get(reverse("learning:note.create") + "?kind=<script>")

    assert response.status_code == 200
    assert response.context["form"].initial["kind"] == NoteKind.NOTE


def test_note_create_without_campaign_is_404(client, district):
    client.force_login(district.member.user)

    assert client.get(reverse("learning:note.create")).status_code == 404


def test_note_create_by_department_is_403(client, district, campaign):
    client.force_login(district.department)

    assert client.get(reverse("learning:note.create")).status_code == 403


# ---------------------------------------------------------------- own notes only


def test_note_of_another_member_is_404_to_read_edit_and_delete(client, district, campaign):
    note = StudyNoteFactory(campaign=campaign, member=district.fellow)
    client.force_login(district.member.user)

    assert client.get(detail(note.pk)).status_code == 404
    assert client.get(reverse("learning:note.edit", args=[note.pk])).status_code == 404
    response = client.post(reverse("learning:note.edit", args=[note.pk]), note_data(title="改"))
    assert response.status_code == 404
    assert client.get(reverse("learning:note.delete", args=[note.pk])).status_code == 404
    assert client.post(reverse("learning:note.delete", args=[note.pk])).status_code == 404

    note.refresh_from_db()
    assert note.title == "学习笔记"


def test_note_excellent_reflection_is_readable_in_own_organization_only(client, district, campaign):
    note = StudyNoteFactory(
        campaign=campaign, member=district.fellow, kind=NoteKind.REFLECTION, is_excellent=True
    )
    NoteComment.objects.create(note=note, author=district.branch_secretary.user, body="私下意见")

    client.force_login(district.member.user)
    response = client.get(detail(note.pk))
    assert response.status_code == 200
    assert "私下意见" not in response.content.decode()  # comments are for the author
    assert client.get(reverse("learning:note.edit", args=[note.pk])).status_code == 404
    assert client.post(reverse("learning:note.delete", args=[note.pk])).status_code == 404
    excellent = client.get(reverse("learning:note.excellent"))
    assert [n.pk for n in excellent.context["notes"]] == [note.pk]

    client.force_login(district.other_member.user)
    assert client.get(detail(note.pk)).status_code == 404
    excellent = client.get(reverse("learning:note.excellent"))
    assert list(excellent.context["notes"]) == []


def test_note_list_shows_only_own_notes_filtered_and_searched(client, district, campaign):
    mine = StudyNoteFactory(campaign=campaign, member=district.member, title="读书笔记")
    reflection = StudyNoteFactory(
        campaign=campaign,
        member=district.member,
        kind=NoteKind.REFLECTION,
        title="心得",
        body="<p>关于岗位创新</p>",
    )
    StudyNoteFactory(campaign=campaign, member=district.fellow, title="别人的笔记")
    client.force_login(district.member.user)
    url = reverse("learning:note.list")

    assert {n.pk for n in client.get(url).context["notes"]} == {mine.pk, reflection.pk}
    assert [n.pk for n in client.get(url, {"kind": "reflection"}).context["notes"]] == [
        reflection.pk
    ]
    assert [n.pk for n in client.get(url, {"q": "岗位创新"}).context["notes"]] == [reflection.pk]
    assert client.get(url, {"kind": "nonsense"}).context["notes"] == []
    for page in ("x", "999", "-1"):
        assert client.get(url, {"page": page}).status_code == 200


# ---------------------------------------------------------------- editing and deleting


def test_note_edit_own_note_saves_cleaned_body(client, district, campaign):
    note = StudyNoteFactory(campaign=campaign, member=district.member)
    client.force_login(district.member.user)

    response = client.post(
        reverse("learning:note.edit", args=[note.pk]),
        note_data(kind=NoteKind.NOTE, title="新标题", body="<p onclick='x()'>新内容</p>"),
    )

    assert response.status_code == 302
    note.refresh_from_db()
    assert note.title == "新标题"
    assert note.body == "<p>新内容</p>"


def test_note_edit_excellent_reflection_keeps_its_kind(client, district, campaign):
    note = StudyNoteFactory(
        campaign=campaign, member=district.member, kind=NoteKind.REFLECTION, is_excellent=True
    )
    client.force_login(district.member.user)

    client.post(
        reverse("learning:note.edit", args=[note.pk]),
        note_data(kind=NoteKind.NOTE, title="改过的心得"),
    )

    note.refresh_from_db()
    assert note.kind == NoteKind.REFLECTION
    assert note.title == "改过的心得"


def test_note_delete_own_note(client, district, campaign):
    note = StudyNoteFactory(campaign=campaign, member=district.member)
    client.force_login(district.member.user)

    assert client.get(reverse("learning:note.delete", args=[note.pk])).status_code == 200
    response = client.post(reverse("learning:note.delete", args=[note.pk]))

    assert response.status_code == 302
    assert not StudyNote.objects.exists()
    # A second submit finds nothing to delete.
    assert client.post(reverse("learning:note.delete", args=[note.pk])).status_code == 404


def test_note_delete_excellent_or_commented_note_is_refused(client, district, campaign):
    excellent = StudyNoteFactory(
        campaign=campaign, member=district.member, kind=NoteKind.REFLECTION, is_excellent=True
    )
    commented = StudyNoteFactory(campaign=campaign, member=district.member)
    NoteComment.objects.create(note=commented, author=district.branch_secretary.user, body="好")
    client.force_login(district.member.user)

    for note in (excellent, commented):
        response = client.post(reverse("learning:note.delete", args=[note.pk]), follow=True)
        assert response.status_code == 200
        assert list(response.context["messages"])
    assert StudyNote.objects.count() == 2


# ---------------------------------------------------------------- 评学


def test_note_comment_by_secretary_is_visible_to_the_author(client, district, campaign):
    note = StudyNoteFactory(campaign=campaign, member=district.member)
    client.force_login(district.secretary.user)  # the committee above the branch

    response = client.post(
        reverse("learning:note.comment", args=[note.pk]), {"body": "写得很好，继续努力"}
    )

    assert response.status_code == 302
    comment = NoteComment.objects.get()
    assert comment.author == district.secretary.user
    client.force_login(district.member.user)
    page = client.get(detail(note.pk)).content.decode()
    assert "写得很好，继续努力" in page


def test_note_comment_empty_is_refused(client, district, campaign):
    note = StudyNoteFactory(campaign=campaign, member=district.member)
    client.force_login(district.branch_secretary.user)

    response = client.post(reverse("learning:note.comment", args=[note.pk]), {"body": "   "})

    assert response.status_code == 200
    assert response.context["comment_form"].errors["body"]
    assert not NoteComment.objects.exists()


def test_note_comment_and_mark_by_member_is_403(client, district, campaign):
    note = StudyNoteFactory(campaign=campaign, member=district.fellow, kind=NoteKind.REFLECTION)
    client.force_login(district.member.user)

    assert (
        client.post(reverse("learning:note.comment", args=[note.pk]), {"body": "x"}).status_code
        == 403
    )
    response = client.post(
        reverse("learning:note.mark_excellent", args=[note.pk]), {"excellent": "1"}
    )
    assert response.status_code == 403
    assert not NoteComment.objects.exists()


def test_note_secretary_of_another_organization_gets_404(client, district, campaign):
    note = StudyNoteFactory(campaign=campaign, member=district.member, kind=NoteKind.REFLECTION)
    client.force_login(district.other_secretary.user)

    assert client.get(detail(note.pk)).status_code == 404
    assert (
        client.post(reverse("learning:note.comment", args=[note.pk]), {"body": "x"}).status_code
        == 404
    )
    response = client.post(
        reverse("learning:note.mark_excellent", args=[note.pk]), {"excellent": "1"}
    )
    assert response.status_code == 404
    note.refresh_from_db()
    assert not note.is_excellent
    assert not NoteComment.objects.exists()


def test_note_mark_excellent_reflection_and_unmark(client, district, campaign):
    note = StudyNoteFactory(campaign=campaign, member=district.member, kind=NoteKind.REFLECTION)
    client.force_login(district.branch_secretary.user)
    url = reverse("learning:note.mark_excellent", args=[note.pk])

    client.post(url, {"excellent": "1"})
    client.post(url, {"excellent": "1"})  # a double submit changes nothing
    note.refresh_from_db()
    assert note.is_excellent
    assert note.marked_excellent_by == district.branch_secretary.user

    client.force_login(district.fellow.user)
    assert client.get(detail(note.pk)).status_code == 200

    client.force_login(district.branch_secretary.user)
    client.post(url, {"excellent": "0"})
    note.refresh_from_db()
    assert not note.is_excellent
    assert note.marked_excellent_by is None


@pytest.mark.parametrize("kind", [NoteKind.NOTE, NoteKind.EXCHANGE])
def test_note_mark_excellent_only_reflections(client, district, campaign, kind):
    note = StudyNoteFactory(campaign=campaign, member=district.member, kind=kind)
    client.force_login(district.branch_secretary.user)

    response = client.post(
        reverse("learning:note.mark_excellent", args=[note.pk]), {"excellent": "1"}, follow=True
    )

    assert response.status_code == 200
    assert list(response.context["messages"])
    note.refresh_from_db()
    assert not note.is_excellent


def test_note_mark_excellent_bad_value_changes_nothing(client, district, campaign):
    note = StudyNoteFactory(campaign=campaign, member=district.member, kind=NoteKind.REFLECTION)
    client.force_login(district.branch_secretary.user)

    response = client.post(
        reverse("learning:note.mark_excellent", args=[note.pk]), {"excellent": "x"}
    )

    assert response.status_code == 302
    note.refresh_from_db()
    assert not note.is_excellent


def test_note_secretary_cannot_evaluate_own_note(client, district, campaign):
    note = StudyNoteFactory(
        campaign=campaign, member=district.branch_secretary, kind=NoteKind.REFLECTION
    )
    client.force_login(district.branch_secretary.user)

    assert client.get(detail(note.pk)).status_code == 200
    response = client.post(
        reverse("learning:note.mark_excellent", args=[note.pk]), {"excellent": "1"}
    )
    assert response.status_code == 404
    note.refresh_from_db()
    assert not note.is_excellent


def test_note_comment_and_mark_are_post_only(client, district, campaign):
    note = StudyNoteFactory(campaign=campaign, member=district.member, kind=NoteKind.REFLECTION)
    client.force_login(district.branch_secretary.user)

    assert client.get(reverse("learning:note.comment", args=[note.pk])).status_code == 405
    assert client.get(reverse("learning:note.mark_excellent", args=[note.pk])).status_code == 405


def test_note_review_list_covers_the_subtree_and_filters(client, district, campaign):
    reflection = StudyNoteFactory(
        campaign=campaign,
        member=district.member,
        kind=NoteKind.REFLECTION,
        title="岗位心得",
        is_excellent=True,
    )
    note = StudyNoteFactory(campaign=campaign, member=district.fellow, title="读书笔记")
    own = StudyNoteFactory(campaign=campaign, member=district.secretary, title="书记自己的")
    StudyNoteFactory(campaign=campaign, member=district.other_member, title="别处的")
    last_year = CampaignFactory(year=campaign.year - 1)
    StudyNoteFactory(campaign=last_year, member=district.member, title="去年的")
    client.force_login(district.secretary.user)
    url = reverse("learning:note.review_list")

    def pks(**query):
        response = client.get(url, query)
        assert response.status_code == 200
        return {n.pk for n in response.context["notes"]}

    assert pks() == {reflection.pk, note.pk}
    assert own.pk not in pks()
    assert pks(organization=district.branch.pk) == {reflection.pk, note.pk}
    assert pks(member=district.fellow.user.full_name) == {note.pk}
    assert pks(kind="reflection") == {reflection.pk}
    assert pks(excellent="yes") == {reflection.pk}
    assert pks(excellent="no") == {note.pk}
    assert pks(q="岗位") == {reflection.pk}
    # Another tree's organization is not a choice: the filter shows an error, not their notes.
    assert pks(organization=district.other_branch.pk) == set()
    assert pks(organization="abc") == set()
    assert pks(page="abc") == {reflection.pk, note.pk}


def test_note_review_list_by_member_is_403(client, district, campaign):
    client.force_login(district.member.user)

    assert client.get(reverse("learning:note.review_list")).status_code == 403


# ---------------------------------------------------------------- queries do not grow with rows


def _member_of(organization):
    return organization.members.filter(role=MemberRole.MEMBER).select_related("user").first()


@pytest.mark.parametrize("fixture", ["small_organization", "big_organization"])
def test_note_list_query_count(client, request, django_assert_num_queries, fixture):
    organization, secretary, _campaign = request.getfixturevalue(fixture)
    member = _member_of(organization) or secretary
    client.force_login(member.user)

    with django_assert_num_queries(5):
        response = client.get(reverse("learning:note.list"))
    assert response.status_code == 200
    assert response.context["notes"]


@pytest.mark.parametrize("fixture", ["small_organization", "big_organization"])
def test_note_review_list_query_count(client, request, django_assert_num_queries, fixture):
    organization, secretary, campaign = request.getfixturevalue(fixture)
    if fixture == "small_organization":
        # The small organization's only member is its secretary; give them one to read.
        StudyNoteFactory(campaign=campaign, member=MemberFactory(organization=organization))
    client.force_login(secretary.user)

    with django_assert_num_queries(7):
        response = client.get(reverse("learning:note.review_list"), {"kind": "note"})
    assert response.status_code == 200
    assert response.context["notes"]


@pytest.mark.parametrize(
    ("raw", "stored"),
    [
        ("<div>一</div><div>二</div>", "<p>一</p><p>二</p>"),
        ("<p>&nbsp;</p><p>内容</p><p><br></p>", "<p>内容</p>"),
        ("第一行\n第二行", "<p>第一行<br>第二行</p>"),
        (
            '<a href="javascript:alert(1)" onclick="x">链接</a>',
            '<a rel="noopener noreferrer nofollow">链接</a>',
        ),
    ],
)
def test_note_prepare_body_normalises_editor_output(raw, stored):
    assert services.prepare_body(raw) == stored
