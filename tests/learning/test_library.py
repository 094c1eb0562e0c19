"""The book collection (书库) and close-reading records (精读一本好书)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from campaigns.models import Member
from campaigns.selectors import five_ones_for_members, today
from learning.models import Book, ReadingRecord
from learning.services import library as services

from ..factories import BookFactory, CampaignFactory, StudyNoteFactory

pytestmark = pytest.mark.django_db

VALID_ISBN13 = "978-7-01-018970-3"
VALID_ISBN10 = "0-306-40615-2"
SAME_AS_ISBN10 = "9780306406157"


@pytest.fixture
def campaign(db):
    return CampaignFactory(year=today().year)


def login(client, member_or_user):
    user = getattr(member_or_user, "user", member_or_user)
    client.force_login(user)
    return client


def record_data(**overrides):
    data = {
        "book": "",
        "new_book_title": "",
        "new_book_author": "",
        "new_book_isbn": "",
        "finished_on": today().isoformat(),
        "summary": "收获很大",
    }
    data.update(overrides)
    return data


def book_data(organization, **overrides):
    data = {
        "organization": organization.pk,
        "title": "习近平新时代中国特色社会主义思想学习纲要",
        "author": "中共中央宣传部",
        "isbn": VALID_ISBN13,
        "category": "政治理论",
        "publisher": "人民出版社",
        "copies": 3,
    }
    data.update(overrides)
    return data


# ---------------------------------------------------------------- ISBN


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [
        (VALID_ISBN13, "9787010189703"),
        ("978 7 01 018970 3", "9787010189703"),
        ("ISBN 978-7-01-018970-3", "9787010189703"),
        (VALID_ISBN10, "0306406152"),
        ("080442957x", "080442957X"),
        ("", ""),
        ("  ", ""),
    ],
)
def test_normalize_isbn_valid_strips_hyphens_and_spaces(raw, normalized):
    assert services.normalize_isbn(raw) == normalized


@pytest.mark.parametrize(
    "raw", ["978-7-01-018970-4", "0-306-40615-3", "12345", "9771234567898", "abcdefghij"]
)
def test_normalize_isbn_invalid_checksum_or_shape_refused(raw):
    with pytest.raises(ValidationError):
        services.normalize_isbn(raw)


def test_book_create_invalid_isbn_shows_message_and_saves_nothing(client, district):
    login(client, district.branch_secretary)
    response = client.post(
        reverse("learning:book.create"), book_data(district.branch, isbn="978-7-01-018970-4")
    )
    assert response.status_code == 200
    assert "ISBN 无效" in response.content.decode()
    assert not Book.objects.exists()


def test_book_create_stores_normalized_isbn(client, district):
    login(client, district.branch_secretary)
    response = client.post(reverse("learning:book.create"), book_data(district.branch))
    book = Book.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("learning:book.detail", args=[book.pk])
    assert book.isbn == "9787010189703"
    assert book.organization == district.branch


def test_book_create_duplicate_isbn_message_not_500(client, district):
    BookFactory(organization=district.branch, isbn="9787010189703")
    login(client, district.branch_secretary)
    response = client.post(reverse("learning:book.create"), book_data(district.branch))
    assert response.status_code == 200
    assert "本党组织书库中已有该 ISBN 的图书" in response.content.decode()
    assert Book.objects.count() == 1


def test_book_create_duplicate_isbn_in_other_form_refused(district):
    BookFactory(organization=district.branch, isbn="0306406152")
    with pytest.raises(ValidationError) as error:
        services.book_create(
            user=district.branch_secretary.user,
            organization=district.branch,
            title="同一本书",
            isbn=SAME_AS_ISBN10,
        )
    assert "isbn" in error.value.message_dict


def test_book_create_same_isbn_in_another_organization_allowed(district):
    BookFactory(organization=district.other_branch, isbn="9787010189703")
    book = services.book_create(
        user=district.branch_secretary.user,
        organization=district.branch,
        title="书",
        isbn=VALID_ISBN13,
    )
    assert book.pk


def test_book_update_duplicate_isbn_message_not_500(client, district):
    BookFactory(organization=district.branch, isbn="9787010189703")
    book = BookFactory(organization=district.branch)
    login(client, district.branch_secretary)
    response = client.post(
        reverse("learning:book.edit", args=[book.pk]), book_data(district.branch)
    )
    assert response.status_code == 200
    assert "本党组织书库中已有该 ISBN 的图书" in response.content.decode()
    book.refresh_from_db()
    assert book.isbn == ""


def test_book_create_member_forbidden(client, district):
    login(client, district.member)
    response = client.post(reverse("learning:book.create"), book_data(district.branch))
    assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        services.book_create(user=district.member.user, organization=district.branch, title="书")
    assert not Book.objects.exists()


def test_book_create_for_unmanaged_organization_refused(client, district):
    login(client, district.branch_secretary)
    response = client.post(reverse("learning:book.create"), book_data(district.other_branch))
    assert response.status_code == 200  # not a choice: the form says so
    assert not Book.objects.exists()
    with pytest.raises(PermissionDenied):
        services.book_create(
            user=district.branch_secretary.user, organization=district.other_branch, title="书"
        )


def test_book_create_parent_secretary_may_add_to_branch(district):
    book = services.book_create(
        user=district.secretary.user, organization=district.branch, title="书"
    )
    assert book.organization == district.branch


# ---------------------------------------------------------------- delete (PROTECT)


def test_book_delete_with_reading_record_refused_with_message(client, district, campaign):
    book = BookFactory(organization=district.branch)
    ReadingRecord.objects.create(campaign=campaign, member=district.member, book=book)
    login(client, district.branch_secretary)
    response = client.post(reverse("learning:book.delete", args=[book.pk]), follow=True)
    assert response.status_code == 200
    assert "不能删除此书" in response.content.decode()
    assert Book.objects.filter(pk=book.pk).exists()


def test_book_delete_with_note_refused(district, campaign):
    book = BookFactory(organization=district.branch)
    StudyNoteFactory(campaign=campaign, member=district.member, book=book)
    with pytest.raises(ValidationError):
        services.book_delete(user=district.branch_secretary.user, book=book)
    assert Book.objects.filter(pk=book.pk).exists()


def test_book_delete_unread_book_removed(client, district):
    book = BookFactory(organization=district.branch)
    login(client, district.branch_secretary)
    response = client.post(reverse("learning:book.delete", args=[book.pk]))
    assert response.status_code == 302
    assert not Book.objects.filter(pk=book.pk).exists()


# ---------------------------------------------------------------- access


@pytest.mark.parametrize("name", ["book.detail", "book.edit", "book.delete"])
def test_book_pages_other_organizations_secretary_gets_404(client, district, name):
    book = BookFactory(organization=district.branch)
    login(client, district.other_secretary)
    assert client.get(reverse(f"learning:{name}", args=[book.pk])).status_code == 404
    assert client.post(reverse(f"learning:{name}", args=[book.pk])).status_code == 404
    assert Book.objects.filter(pk=book.pk).exists()


def test_book_edit_member_of_organization_gets_403(client, district):
    book = BookFactory(organization=district.branch)
    login(client, district.member)
    assert client.get(reverse("learning:book.detail", args=[book.pk])).status_code == 200
    assert client.get(reverse("learning:book.edit", args=[book.pk])).status_code == 403
    assert client.post(reverse("learning:book.delete", args=[book.pk])).status_code == 403


def test_book_detail_reader_names_for_secretary_not_for_fellow_members(client, district, campaign):
    book = BookFactory(organization=district.branch)
    ReadingRecord.objects.create(
        campaign=campaign, member=district.fellow, book=book, summary="读后感"
    )
    login(client, district.branch_secretary)
    page = client.get(reverse("learning:book.detail", args=[book.pk])).content.decode()
    assert district.fellow.name in page
    login(client, district.member)
    page = client.get(reverse("learning:book.detail", args=[book.pk])).content.decode()
    assert district.fellow.name not in page
    assert 'data-figure="readers">1 ' in page


def test_book_list_member_sees_only_own_organization(client, district):
    BookFactory(organization=district.branch, title="本支部的书")
    BookFactory(organization=district.other_branch, title="别家的书")
    login(client, district.member)
    page = client.get(reverse("learning:book.list")).content.decode()
    assert "本支部的书" in page
    assert "别家的书" not in page


def test_book_list_filters_search_and_bad_values(client, district):
    BookFactory(organization=district.branch, title="红岩", author="罗广斌", category="文学历史")
    BookFactory(
        organization=district.branch, title="资本论", category="政治理论", isbn="9787010189703"
    )
    login(client, district.branch_secretary)
    url = reverse("learning:book.list")
    page = client.get(url, {"q": "罗广斌"}).content.decode()
    assert "红岩" in page and "资本论" not in page
    page = client.get(url, {"q": "978-7-01"}).content.decode()
    assert "资本论" in page and "红岩" not in page
    page = client.get(url, {"category": "文学历史"}).content.decode()
    assert "红岩" in page and "资本论" not in page
    for bad in ({"page": "x"}, {"page": "999"}, {"organization": "abc"}, {"category": "无"}):
        assert client.get(url, bad).status_code == 200


@pytest.mark.parametrize("fixture", ["small_organization", "big_organization"])
def test_book_list_query_count_constant(client, request, django_assert_num_queries, fixture):
    _organization, secretary, _campaign = request.getfixturevalue(fixture)
    login(client, secretary)
    url = reverse("learning:book.list")
    with django_assert_num_queries(7):
        response = client.get(url)
    assert response.status_code == 200
    books = response.context["page_obj"].object_list
    if fixture == "big_organization":
        assert len(books) == 25
        assert sum(book.reader_count for book in books) > 0


# ---------------------------------------------------------------- reading records


def test_reading_create_pick_from_collection(client, district, campaign):
    book = BookFactory(organization=district.branch)
    login(client, district.member)
    response = client.post(reverse("learning:reading.create"), record_data(book=book.pk))
    assert response.status_code == 302
    record = ReadingRecord.objects.get()
    assert (record.member, record.book, record.campaign) == (district.member, book, campaign)


def test_reading_create_with_new_book_creates_both(client, district, campaign):
    login(client, district.member)
    response = client.post(
        reverse("learning:reading.create"),
        record_data(
            new_book_title="平凡的世界", new_book_author="路遥", new_book_isbn=VALID_ISBN10
        ),
    )
    assert response.status_code == 302
    book = Book.objects.get()
    assert (book.title, book.organization, book.isbn) == (
        "平凡的世界",
        district.branch,
        "0306406152",
    )
    assert ReadingRecord.objects.get().book == book


def test_reading_create_new_book_rolled_back_when_record_invalid(district, campaign):
    with pytest.raises(ValidationError) as error:
        services.reading_record_create(
            user=district.member.user,
            campaign=campaign,
            new_book_title="平凡的世界",
            finished_on=today() + datetime.timedelta(days=1),
        )
    assert "finished_on" in error.value.message_dict
    assert not Book.objects.exists()
    assert not ReadingRecord.objects.exists()


def test_reading_create_new_book_bad_isbn_message_beside_field(client, district, campaign):
    login(client, district.member)
    response = client.post(
        reverse("learning:reading.create"),
        record_data(new_book_title="书", new_book_isbn="978-7-01-018970-4"),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["new_book_isbn"]
    assert not Book.objects.exists()


def test_reading_create_duplicate_refused_with_message(client, district, campaign):
    book = BookFactory(organization=district.branch)
    login(client, district.member)
    url = reverse("learning:reading.create")
    assert client.post(url, record_data(book=book.pk)).status_code == 302
    response = client.post(url, record_data(book=book.pk))  # a double submit
    assert response.status_code == 200
    assert "您本年度已登记过这本书" in response.content.decode()
    assert ReadingRecord.objects.count() == 1


def test_reading_create_neither_or_both_refused(district, campaign):
    book = BookFactory(organization=district.branch)
    for kwargs in ({}, {"book": book, "new_book_title": "另一本"}):
        with pytest.raises(ValidationError):
            services.reading_record_create(
                user=district.member.user, campaign=campaign, finished_on=today(), **kwargs
            )
    assert not ReadingRecord.objects.exists()


def test_reading_create_book_of_other_organization_refused(district, campaign):
    book = BookFactory(organization=district.other_branch)
    with pytest.raises(ValidationError) as error:
        services.reading_record_create(
            user=district.member.user, campaign=campaign, book=book, finished_on=today()
        )
    assert "book" in error.value.message_dict


def test_reading_create_finished_outside_campaign_year_refused(district, campaign):
    book = BookFactory(organization=district.branch)
    for day in (datetime.date(campaign.year - 1, 12, 31), today() + datetime.timedelta(days=1)):
        with pytest.raises(ValidationError) as error:
            services.reading_record_create(
                user=district.member.user, campaign=campaign, book=book, finished_on=day
            )
        assert "finished_on" in error.value.message_dict


def test_reading_record_flips_five_ones_book_item(client, district, campaign):
    book = BookFactory(organization=district.branch)
    members = Member.objects.filter(pk=district.member.pk)
    assert five_ones_for_members(campaign, members)[district.member.pk].book is False
    login(client, district.member)
    client.post(reverse("learning:reading.create"), record_data(book=book.pk))
    assert five_ones_for_members(campaign, members)[district.member.pk].book is True


def test_reading_create_department_forbidden(client, district, campaign):
    login(client, district.department)
    assert client.get(reverse("learning:reading.create")).status_code == 403


def test_reading_create_preselects_book_and_ignores_bad_value(client, district, campaign):
    book = BookFactory(organization=district.branch)
    login(client, district.member)
    url = reverse("learning:reading.create")
    assert client.get(url, {"book": book.pk}).context["form"].initial["book"] == book.pk
    assert client.get(url, {"book": "x"}).status_code == 200


@pytest.mark.parametrize("name", ["reading.edit", "reading.delete"])
def test_reading_record_other_member_gets_404(client, district, campaign, name):
    record = ReadingRecord.objects.create(
        campaign=campaign, member=district.fellow, book=BookFactory(organization=district.branch)
    )
    login(client, district.member)
    assert client.get(reverse(f"learning:{name}", args=[record.pk])).status_code == 404
    assert client.post(reverse(f"learning:{name}", args=[record.pk])).status_code == 404
    assert ReadingRecord.objects.filter(pk=record.pk).exists()


def test_reading_record_other_secretary_gets_404(client, district, campaign):
    record = ReadingRecord.objects.create(
        campaign=campaign, member=district.member, book=BookFactory(organization=district.branch)
    )
    login(client, district.other_secretary)
    assert client.get(reverse("learning:reading.edit", args=[record.pk])).status_code == 404


def test_reading_record_owner_edits_and_deletes(client, district, campaign):
    first = BookFactory(organization=district.branch)
    second = BookFactory(organization=district.branch)
    record = ReadingRecord.objects.create(
        campaign=campaign, member=district.member, book=first, finished_on=today()
    )
    login(client, district.member)
    response = client.post(
        reverse("learning:reading.edit", args=[record.pk]),
        {"book": second.pk, "finished_on": today().isoformat(), "summary": "新的体会"},
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.book, record.summary) == (second, "新的体会")
    assert client.post(reverse("learning:reading.delete", args=[record.pk])).status_code == 302
    assert not ReadingRecord.objects.exists()


def test_reading_list_shows_only_own_records(client, district, campaign):
    book = BookFactory(organization=district.branch, title="共读的书")
    ReadingRecord.objects.create(campaign=campaign, member=district.fellow, book=book)
    login(client, district.member)
    response = client.get(reverse("learning:reading.list"))
    assert response.status_code == 200
    assert list(response.context["page_obj"].object_list) == []
    assert client.get(reverse("learning:reading.list"), {"year": "bad"}).status_code == 200
