"""The printed 申报表: what poppler reads back from the PDF, and who may print it.

``pdftotext`` extracts Chinese even from a PDF whose glyphs print as empty
boxes, so the font is proven with ``pdffonts`` (an embedded CJK face).
"""

import subprocess
from decimal import Decimal
from urllib.parse import quote

import pytest
from django.urls import reverse

from appraisal import pdf
from appraisal.enums import ApplicationKind, ApplicationState, CriterionSubject
from appraisal.models import CriterionScore
from appraisal.selectors.documents import printable_applications
from tests.factories import (
    ApplicationFactory,
    CampaignFactory,
    CriterionFactory,
    SelfAssessmentFactory,
)

DEEDS = "带领党员攻克数控机床关键技术难题"
MEMBER_DEEDS = "坚持每天学习一小时并撰写心得"
LONG_DEEDS = "\n".join(
    "该党组织坚持“学习工作化、工作学习化”，把学习成果应用于解决企业发展的实际问题，"
    "组织党员开展专题讲座、小组研讨和知识测验，党员学习热情高涨，创新成果不断涌现。" * 3
    for _ in range(30)
)


@pytest.fixture
def campaign(db):
    campaign = CampaignFactory(year=2026)
    CriterionFactory(campaign=campaign, position=1, text="有“双争”活动的方案", max_score=20)
    CriterionFactory(campaign=campaign, position=2, text="企业党校教学设施完备", max_score=20)
    CriterionFactory(
        campaign=campaign,
        subject=CriterionSubject.MEMBER,
        position=1,
        text="确立终身学习的理念",
        max_score=25,
    )
    return campaign


def _org_application(district, campaign, **kwargs):
    assessment = SelfAssessmentFactory(campaign=campaign, organization=district.branch)
    for criterion, score in zip(
        campaign.criteria.filter(subject=CriterionSubject.ORGANIZATION),
        (Decimal("18.5"), Decimal("17")),
        strict=True,
    ):
        CriterionScore.objects.create(assessment=assessment, criterion=criterion, score=score)
    defaults = {
        "main_deeds": DEEDS,
        "organization_opinion": "同意推荐。",
        "self_assessment": assessment,
        "state": ApplicationState.SUBMITTED,
    }
    return ApplicationFactory(
        campaign=campaign,
        organization=district.branch,
        created_by=district.branch_secretary.user,
        **{**defaults, **kwargs},
    )


def _member_application(district, campaign, **kwargs):
    defaults = {"main_deeds": MEMBER_DEEDS, "state": ApplicationState.SUBMITTED}
    return ApplicationFactory(
        campaign=campaign,
        kind=ApplicationKind.MEMBER_MODEL,
        organization=district.branch,
        member=district.member,
        created_by=district.branch_secretary.user,
        **{**defaults, **kwargs},
    )


@pytest.fixture
def org_application(district, campaign):
    return _org_application(district, campaign)


@pytest.fixture
def member_application(district, campaign):
    return _member_application(district, campaign)


def _poppler(tool, document, tmp_path, *args):
    path = tmp_path / f"{tool}.pdf"
    path.write_bytes(document)
    result = subprocess.run(
        [tool, *args, str(path), *(["-"] if tool == "pdftotext" else [])],
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def _render(application):
    return pdf.render_application_pdf(printable_applications().get(pk=application.pk))


@pytest.fixture
def no_cjk_font(monkeypatch, tmp_path):
    """A fontconfig that knows no fonts at all, as on a machine without fonts-noto-cjk."""
    config = tmp_path / "fonts.conf"
    config.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd">'
        f"<fontconfig><dir>{tmp_path / 'no-fonts'}</dir>"
        f"<cachedir>{tmp_path / 'fc-cache'}</cachedir></fontconfig>"
    )
    monkeypatch.setenv("FONTCONFIG_FILE", str(config))
    # Forget a font found earlier in this process, so fontconfig is asked again.
    monkeypatch.setattr(pdf, "_cjk_font_found", False)


# ----------------------------------------------------------------- the document


def test_pdf_organization_application_has_title_name_and_deeds(org_application, tmp_path):
    text = _poppler("pdftotext", _render(org_application), tmp_path)

    assert "2026年度学习型党组织标兵申报表" in text
    assert "甲公司第一党支部" in text
    assert DEEDS in text
    assert "党组织意见" in text
    assert "同意推荐。" in text
    assert "中共新区党工委组织部 制" in text


def test_pdf_member_application_has_title_name_and_deeds(member_application, tmp_path):
    text = _poppler("pdftotext", _render(member_application), tmp_path)

    assert "2026年度学习型党员标兵申报表" in text
    assert member_application.member.name in text
    assert "甲公司第一党支部" in text
    assert MEMBER_DEEDS in text


def test_pdf_shows_self_assessment_scores_and_total(org_application, tmp_path):
    text = _poppler("pdftotext", _render(org_application), tmp_path, "-layout")

    assert "有“双争”活动的方案" in text
    assert "18.5" in text
    assert "35.5" in text  # 18.5 + 17 out of 40
    assert "40" in text
    # The member criteria belong to the other form.
    assert "确立终身学习的理念" not in text


def test_pdf_shows_weighted_total_when_weights_differ(district, campaign, tmp_path):
    campaign.criteria.filter(position=1, subject=CriterionSubject.ORGANIZATION).update(weight=2)
    application = _org_application(district, campaign)

    text = _poppler("pdftotext", _render(application), tmp_path, "-layout")

    assert "加权合计" in text
    assert "54" in text  # 18.5 × 2 + 17


def test_pdf_draft_without_linked_assessment_finds_it(district, campaign, tmp_path):
    # The branch's assessment exists (made by the helper); only the link is missing.
    application = _org_application(
        district, campaign, self_assessment=None, state=ApplicationState.DRAFT
    )

    text = _poppler("pdftotext", _render(application), tmp_path, "-layout")

    assert "35.5" in text
    assert "草稿（未提交）" in text


def test_pdf_embeds_a_cjk_font(org_application, tmp_path):
    fonts = _poppler("pdffonts", _render(org_application), tmp_path).splitlines()[2:]

    embedded_cjk = [
        line for line in fonts if "CJK" in line and line.split()[-5:-2] == ["yes", "yes", "yes"]
    ]
    assert embedded_cjk, fonts


def test_pdf_is_a4_portrait(member_application, tmp_path):
    info = _poppler("pdfinfo", _render(member_application), tmp_path)

    assert "Page size:       595.276 x 841.89 pts (A4)" in info


def test_pdf_long_main_deeds_flow_onto_more_pages(district, campaign, tmp_path):
    application = _org_application(district, campaign, main_deeds=LONG_DEEDS)

    info = _poppler("pdfinfo", _render(application), tmp_path)

    pages = int(next(line for line in info.splitlines() if line.startswith("Pages:")).split()[1])
    assert pages >= 2


def test_pdf_renders_without_self_assessment(district, campaign, tmp_path):
    application = ApplicationFactory(campaign=campaign, organization=district.committee)

    text = _poppler("pdftotext", _render(application), tmp_path)

    assert "2026年度学习型党组织标兵申报表" in text


def test_pdf_filename_names_organization_kind_and_member(org_application, member_application):
    code = org_application.organization.code
    name = member_application.member.name

    assert pdf.application_pdf_filename(org_application) == (
        f"{code}_甲公司第一党支部_学习型党组织标兵.pdf"
    )
    assert pdf.application_pdf_filename(member_application) == (
        f"{code}_甲公司第一党支部_学习型党员标兵_{name}.pdf"
    )


def test_pdf_filename_strips_characters_windows_forbids(org_application):
    org_application.organization.name = 'A/B\\C:D*E?F"G<H>I|J'

    name = pdf.application_pdf_filename(org_application)

    assert not set('/\\:*?"<>|') & set(name)
    assert "ABCDEFGHIJ" in name


def test_cjk_font_available_is_false_without_fonts(no_cjk_font):
    assert pdf.cjk_font_available() is False


def test_pdf_without_cjk_font_refuses_with_chinese_message(no_cjk_font, org_application):
    with pytest.raises(pdf.CJKFontMissing) as error:
        pdf.render_application_pdf(org_application)

    assert "apt-get install -y fonts-noto-cjk" in str(error.value)
    assert "中文" in str(error.value)


# ----------------------------------------------------------------- the page


def _pdf_url(application):
    return reverse("appraisal:application.pdf", args=[application.pk])


@pytest.mark.parametrize("who", ["branch_secretary", "secretary", "department"])
def test_pdf_view_owner_secretaries_and_department_get_pdf(client, district, org_application, who):
    user = getattr(district, who)
    client.force_login(getattr(user, "user", user))

    response = client.get(_pdf_url(org_application))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    disposition = response["Content-Disposition"]
    assert disposition.startswith("inline;")
    assert f'filename="application-{org_application.pk}.pdf"' in disposition
    expected = quote(pdf.application_pdf_filename(org_application), safe="")
    assert f"filename*=UTF-8''{expected}" in disposition


@pytest.mark.parametrize("who", ["other_secretary", "other_member", "fellow"])
def test_pdf_view_outsiders_get_404(client, district, org_application, who):
    # ``fellow`` is a plain member of the applying branch: the rules give members
    # their own records only, and an organization's application is not one.
    client.force_login(getattr(district, who).user)

    assert client.get(_pdf_url(org_application)).status_code == 404


def test_pdf_view_member_prints_own_application(client, district, member_application):
    client.force_login(district.member.user)

    response = client.get(_pdf_url(member_application))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"


def test_pdf_view_other_member_of_branch_gets_404(client, district, member_application):
    client.force_login(district.fellow.user)

    assert client.get(_pdf_url(member_application)).status_code == 404


def test_pdf_view_unknown_application_404(client, district):
    client.force_login(district.department)

    assert client.get(reverse("appraisal:application.pdf", args=[999999])).status_code == 404


def test_pdf_view_anonymous_redirects_to_login(client, org_application):
    response = client.get(_pdf_url(org_application))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_pdf_view_without_cjk_font_redirects_with_message(
    client, district, org_application, no_cjk_font
):
    client.force_login(district.branch_secretary.user)

    response = client.get(_pdf_url(org_application))

    assert response.status_code == 302
    assert response["Location"] == reverse(
        "appraisal:application.detail", args=[org_application.pk]
    )
    messages = [str(m) for m in response.wsgi_request._messages]
    assert any("apt-get install -y fonts-noto-cjk" in m and "中文字体" in m for m in messages)
