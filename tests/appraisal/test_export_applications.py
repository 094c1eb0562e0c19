"""``manage.py export_applications``: a year's submitted 申报表 as PDF files in one folder."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from appraisal import pdf
from appraisal.enums import ApplicationKind, ApplicationState, CriterionSubject
from tests.factories import (
    ApplicationFactory,
    CampaignFactory,
    CriterionFactory,
    MemberFactory,
    SelfAssessmentFactory,
)


@pytest.fixture
def campaign(db):
    campaign = CampaignFactory(year=2026)
    CriterionFactory(campaign=campaign, position=1, max_score=20)
    return campaign


def _apply(campaign, organization, member=None, state=ApplicationState.SUBMITTED):
    return ApplicationFactory(
        campaign=campaign,
        organization=organization,
        member=member,
        kind=ApplicationKind.MEMBER_MODEL if member else ApplicationKind.ORGANIZATION_MODEL,
        state=state,
        main_deeds="认真落实“双争”活动部署",
        # Submitting links the applicant's self-assessment (appraisal.services).
        self_assessment=SelfAssessmentFactory(
            campaign=campaign,
            organization=organization,
            member=member,
            subject=CriterionSubject.MEMBER if member else CriterionSubject.ORGANIZATION,
        ),
    )


def _export(out, year=2026):
    stdout = StringIO()
    call_command("export_applications", "--year", str(year), "--out", str(out), stdout=stdout)
    return stdout.getvalue()


def test_export_applications_writes_each_submitted_application(district, campaign, tmp_path):
    _apply(campaign, district.branch)
    _apply(campaign, district.branch, district.member, state=ApplicationState.UNDER_REVIEW)
    _apply(campaign, district.other_committee, state=ApplicationState.RECOMMENDED)
    _apply(campaign, district.committee, state=ApplicationState.DRAFT)
    _apply(campaign, district.branch, district.fellow, state=ApplicationState.DRAFT)
    out = tmp_path / "申报表" / "2026"

    output = _export(out)

    branch, other = district.branch.code, district.other_committee.code
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [
            f"{branch}_甲公司第一党支部_学习型党组织标兵.pdf",
            f"{branch}_甲公司第一党支部_学习型党员标兵_{district.member.name}.pdf",
            f"{other}_乙公司党委_学习型党组织标兵.pdf",
        ]
    )
    assert all(p.read_bytes().startswith(b"%PDF") for p in out.iterdir())
    assert "已将 3 份申报表 PDF 写入" in output


def test_export_applications_skips_drafts(district, campaign, tmp_path):
    _apply(campaign, district.branch, state=ApplicationState.DRAFT)

    output = _export(tmp_path / "out")

    assert list((tmp_path / "out").iterdir()) == []
    assert "已将 0 份申报表 PDF 写入" in output


def test_export_applications_only_writes_the_years_campaign(district, campaign, tmp_path):
    earlier = CampaignFactory(year=2025)
    _apply(earlier, district.branch)

    _export(tmp_path / "out")

    assert list((tmp_path / "out").iterdir()) == []


def test_export_applications_same_names_get_unique_files(district, campaign, tmp_path):
    twin = MemberFactory(organization=district.branch, user__full_name=district.member.name)
    _apply(campaign, district.branch, district.member)
    _apply(campaign, district.branch, twin)

    _export(tmp_path / "out")

    names = sorted(p.name for p in (tmp_path / "out").iterdir())
    stem = f"{district.branch.code}_甲公司第一党支部_学习型党员标兵_{district.member.name}"
    assert names == [f"{stem}.pdf", f"{stem}_2.pdf"]


def test_export_applications_file_names_safe_for_windows(district, campaign, tmp_path):
    district.branch.name = '第一:党支部/"研发"*'
    district.branch.save()
    _apply(campaign, district.branch)

    _export(tmp_path / "out")

    (written,) = (tmp_path / "out").iterdir()
    assert written.name == f"{district.branch.code}_第一党支部研发_学习型党组织标兵.pdf"


def test_export_applications_unknown_year_fails(district, campaign, tmp_path):
    with pytest.raises(CommandError, match="没有1999年度的“双争”活动"):
        _export(tmp_path / "out", year=1999)

    assert not (tmp_path / "out").exists()


def test_export_applications_unwritable_folder_fails(district, campaign, tmp_path):
    _apply(campaign, district.branch)
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")

    with pytest.raises(CommandError, match="无法写入文件夹"):
        _export(blocker / "out")


def test_export_applications_without_cjk_font_fails(district, campaign, tmp_path, monkeypatch):
    _apply(campaign, district.branch)
    config = tmp_path / "fonts.conf"
    config.write_text(
        '<?xml version="1.0"?><!DOCTYPE fontconfig SYSTEM "fonts.dtd">'
        f"<fontconfig><dir>{tmp_path / 'no-fonts'}</dir></fontconfig>"
    )
    monkeypatch.setenv("FONTCONFIG_FILE", str(config))
    monkeypatch.setattr(pdf, "_cjk_font_found", False)

    with pytest.raises(CommandError, match="apt-get install -y fonts-noto-cjk"):
        _export(tmp_path / "out")

    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("count", [1, 4])
def test_export_applications_query_count_constant(
    district, campaign, tmp_path, django_assert_num_queries, count
):
    organizations = [district.committee, district.branch, district.other_committee][:count]
    for organization in organizations:
        _apply(campaign, organization)
    if count > 3:
        _apply(campaign, district.branch, district.member)
    pdf.cjk_font_available()  # fontconfig is asked once per process, not per query

    # campaign, applications, criteria, secretaries, self-assessment scores, the audit event
    with django_assert_num_queries(6):
        _export(tmp_path / "out")

    assert len(list((tmp_path / "out").iterdir())) == count
