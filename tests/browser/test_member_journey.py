"""A member writes a reflection with the editor and sees their “五个一” advance."""

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from campaigns.enums import PlanStatus
from learning.enums import NoteKind, StudyPlanKind
from learning.models import ReadingRecord, StudyNote

from ..factories import BookFactory, CampaignFactory, StudyNoteFactory, StudyPlanFactory
from .test_login import log_in, only_local

pytestmark = pytest.mark.browser


@pytest.fixture
def three_of_five(district):
    """The member has filed a plan, read a book and written a note: 3 of 5."""
    member = district.member
    campaign = CampaignFactory()
    StudyPlanFactory(
        campaign=campaign,
        organization=member.organization,
        member=member,
        kind=StudyPlanKind.PERSONAL,
        status=PlanStatus.FILED,
        filed_at=timezone.now(),
    )
    book = BookFactory(
        organization=member.organization, title="习近平新时代中国特色社会主义思想学习纲要"
    )
    ReadingRecord.objects.create(campaign=campaign, member=member, book=book)
    StudyNoteFactory(campaign=campaign, member=member, kind=NoteKind.NOTE)
    return district


def test_member_writes_a_reflection_and_sees_five_ones_advance(
    page, live_server, three_of_five, requests_seen
):
    page.set_viewport_size({"width": 375, "height": 740})
    page.goto(f"{live_server.url}/learning/five-ones/")
    log_in(page, "mem")

    # 我的“五个一”: three of five done, the reflection still to write.
    expect(page).to_have_url(f"{live_server.url}/learning/five-ones/")
    expect(page.locator("[data-figure='five-ones-done']")).to_have_text("3/5")
    expect(page.locator("[data-figure='five-ones-progress']")).to_have_attribute("value", "3")
    reflection = page.locator("[data-five-one='reflection']")
    expect(reflection).to_have_attribute("data-done", "no")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    # Follow the item's link to write it, with the editor.
    reflection.get_by_role("link").click()
    expect(page.locator("#id_kind")).to_have_value("reflection")
    page.get_by_label("标题").fill("学习心得：以学促干")
    editor = page.locator("[data-editor-area]")
    expect(editor).to_be_visible()
    expect(page.locator("textarea[name='body']")).to_be_hidden()
    editor.click()
    page.keyboard.type("通过学习，我认识到")
    page.locator("[data-command='bold']").click()
    expect(page.locator("[data-command='bold']")).to_have_attribute("aria-pressed", "true")
    page.keyboard.type("学习是立身之本")
    page.locator("[data-command='bold']").click()
    page.keyboard.type("。")
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    page.get_by_role("button", name="保存").click()

    # The reflection's page shows the formatted text.
    expect(page.locator("h1")).to_have_text("学习心得：以学促干")
    expect(page.locator(".note-body b, .note-body strong")).to_have_text("学习是立身之本")
    note = StudyNote.objects.get(kind=NoteKind.REFLECTION)
    assert "学习是立身之本</" in note.body
    assert note.member == three_of_five.member

    # Back on 我的“五个一”: the reflection is done and the progress advanced.
    page.goto(f"{live_server.url}/learning/five-ones/")
    expect(page.locator("[data-figure='five-ones-done']")).to_have_text("4/5")
    expect(page.locator("[data-figure='five-ones-progress']")).to_have_attribute("value", "4")
    expect(page.locator("[data-five-one='reflection']")).to_have_attribute("data-done", "yes")

    assert only_local(requests_seen, live_server) == []
