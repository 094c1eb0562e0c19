"""The annual assessment workbook's exports: request, progress, download, background job."""

import datetime
import io

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from appraisal.enums import ExportStatus
from appraisal.models import AssessmentExport
from appraisal.services import exports as services
from appraisal.tasks import build_assessment_export
from campaigns.selectors import today

from ..factories import CampaignFactory

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DUMMY_TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
NO_SUCH_TASKS = {"default": {"BACKEND": "appraisal.no_such_module.Backend"}}


@pytest.fixture
def campaign(db):
    return CampaignFactory(year=today().year)


def url(name, export=None):
    args = [export.pk] if export is not None else []
    return reverse(f"appraisal:export.{name}", args=args)


def login(client, who):
    """Sign in a user, or the user of a Member."""
    user = getattr(who, "user", who)
    client.force_login(user)
    return user


def request_export(client, who, campaign) -> AssessmentExport:
    user = login(client, who)
    response = client.post(url("create"), {"year": campaign.year})
    export = AssessmentExport.objects.get(requested_by=user)
    assert response.status_code == 302
    assert response["Location"] == url("detail", export)
    return export


def queued_export(campaign, user, organization=None, **fields) -> AssessmentExport:
    return AssessmentExport.objects.create(
        campaign=campaign, organization=organization, requested_by=user, **fields
    )


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def stored_files(settings) -> list:
    root = settings.MEDIA_ROOT / "exports"
    return sorted(path for path in root.rglob("*") if path.is_file()) if root.exists() else []


# ---------------------------------------------------------------- request and download


def test_export_by_department_is_done_and_downloadable(client, district, campaign, settings):
    export = request_export(client, district.department, campaign)

    export.refresh_from_db()
    assert export.status == ExportStatus.DONE
    assert export.organization is None
    assert export.finished_at is not None
    assert export.percent == 100
    page = client.get(url("detail", export)).content.decode()
    assert "已完成" in page
    assert url("download", export) in page

    response = client.get(url("download", export))
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    assert response["Content-Disposition"].startswith("attachment;")
    assert "filename*=utf-8''" in response["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(body(response)), read_only=True)
    assert workbook.sheetnames
    assert len(stored_files(settings)) == 1


def test_export_download_name_is_the_workbook_filename(client, district, campaign):
    from urllib.parse import quote

    from appraisal.workbook import workbook_filename

    export = request_export(client, district.secretary, campaign)
    name = workbook_filename(campaign=campaign, organization=district.committee)
    response = client.get(url("download", export))
    assert quote(name) in response["Content-Disposition"]


def test_export_download_of_vanished_file_says_so(client, district, campaign):
    export = request_export(client, district.department, campaign)
    export.refresh_from_db()
    export.file.storage.delete(export.file.name)
    response = client.get(url("download", export), follow=True)
    assert response.redirect_chain[-1][0] == url("list")
    assert "该导出的文件已不存在" in response.content.decode()


def test_export_by_secretary_covers_own_organization(client, district, campaign):
    export = request_export(client, district.secretary, campaign)
    export.refresh_from_db()
    assert export.organization == district.committee
    assert export.status == ExportStatus.DONE
    assert client.get(url("download", export)).status_code == 200
    listed = client.get(url("list"))
    assert listed.context["exports"] == [export]
    assert "甲公司党委及其下属党组织" in listed.content.decode()


@pytest.mark.parametrize("who", ["other_secretary", "branch_secretary", "member"])
@pytest.mark.parametrize("page", ["detail", "status", "download"])
def test_export_of_secretary_hidden_from_outsiders(client, district, campaign, who, page):
    export = request_export(client, district.secretary, campaign)
    login(client, getattr(district, who))
    assert client.get(url(page, export)).status_code == 404


def test_export_of_secretary_seen_by_department(client, district, campaign):
    export = request_export(client, district.secretary, campaign)
    client.force_login(district.department)
    assert client.get(url("detail", export)).status_code == 200
    assert client.get(url("download", export)).status_code == 200
    assert client.get(url("list")).context["exports"] == [export]


def test_export_list_forbidden_to_member(client, district, campaign):
    login(client, district.member)
    assert client.get(url("list")).status_code == 403
    assert client.post(url("create"), {"year": campaign.year}).status_code == 403
    assert not AssessmentExport.objects.exists()


def test_export_request_service_refuses_member(district, campaign):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        services.export_request(user=district.member.user, campaign=campaign)
    assert not AssessmentExport.objects.exists()


def test_export_of_department_hidden_from_member(client, district, campaign):
    export = request_export(client, district.department, campaign)
    login(client, district.member)
    for page in ("detail", "status", "download"):
        assert client.get(url(page, export)).status_code == 404


@pytest.mark.parametrize("page", ["list", "create", "detail", "status", "download"])
def test_export_pages_anonymous_redirected_to_login(client, district, campaign, page):
    export = queued_export(campaign, district.department)
    target = url(page, None if page in ("list", "create") else export)
    response = client.post(target) if page == "create" else client.get(target)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_export_create_get_not_allowed(client, district, campaign):
    client.force_login(district.department)
    assert client.get(url("create")).status_code == 405
    assert not AssessmentExport.objects.exists()


@pytest.mark.parametrize("year", ["1999", "abc", "99999999999999999999999"])
def test_export_create_bad_year_changes_nothing(client, district, campaign, year):
    client.force_login(district.department)
    response = client.post(url("create"), {"year": year}, follow=True)
    assert "请选择已有的活动年度" in response.content.decode()
    assert not AssessmentExport.objects.exists()


@pytest.mark.parametrize("year", ["1999", "abc", "99999999999999999999999"])
def test_export_list_bad_year_is_404(client, district, campaign, year):
    client.force_login(district.department)
    assert client.get(url("list") + f"?year={year}").status_code == 404


def test_export_list_without_campaign(client, district):
    client.force_login(district.department)
    response = client.get(url("list"))
    assert response.status_code == 200
    assert "暂无可导出的内容" in response.content.decode()


def test_export_list_shows_button_and_older_campaign(client, district, campaign):
    CampaignFactory(year=campaign.year - 1)
    client.force_login(district.department)
    page = client.get(url("list")).content.decode()
    assert "生成年度党建目标管理考核表（Excel）" in page
    assert "全区" in page
    older = client.get(url("list") + f"?year={campaign.year - 1}")
    assert older.context["campaign"].year == campaign.year - 1


def test_export_of_older_campaign(client, district, campaign):
    old = CampaignFactory(year=campaign.year - 1)
    client.force_login(district.department)
    client.post(url("create"), {"year": old.year})
    assert AssessmentExport.objects.get().campaign == old


# ---------------------------------------------------------------- status


def test_export_status_json(client, district, campaign):
    export = request_export(client, district.department, campaign)
    response = client.get(url("status", export))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    data = response.json()
    assert data["status"] == "done"
    assert data["status_label"] == "已完成"
    assert data["percent"] == 100
    assert data["finished"] is True
    assert data["download_url"] == url("download", export)
    assert data["error"] == ""
    assert data["rows_done"] == data["rows_total"]
    assert data["progress_text"] == f"已写入 {data['rows_done']} / {data['rows_total']} 行"


def test_export_status_json_of_running_export(client, district, campaign):
    export = queued_export(
        campaign, district.department, status=ExportStatus.RUNNING, rows_done=250, rows_total=1000
    )
    client.force_login(district.department)
    data = client.get(url("status", export)).json()
    assert data == {
        "status": "running",
        "status_label": "生成中",
        "percent": 25,
        "rows_done": 250,
        "rows_total": 1000,
        "progress_text": "已写入 250 / 1000 行",
        "finished": False,
        "waiting_too_long": False,
        "stalled": False,
        "download_url": "",
        "error": "",
    }
    page = client.get(url("detail", export)).content.decode()
    assert 'value="25"' in page
    assert "js/export-progress.js" in page
    assert '<noscript><meta http-equiv="refresh"' in page
    assert client.get(url("download", export)).status_code == 404


# ---------------------------------------------------------------- background job


@override_settings(TASKS=DUMMY_TASKS)
def test_large_export_stays_queued_without_worker(
    client, district, campaign, monkeypatch, django_capture_on_commit_callbacks
):
    from django_tasks import default_task_backend

    monkeypatch.setattr(services, "INLINE_MAX_ROWS", 0)
    with django_capture_on_commit_callbacks(execute=True):
        export = request_export(client, district.department, campaign)

    export.refresh_from_db()
    assert export.status == ExportStatus.QUEUED
    assert export.rows_total > 0
    [queued] = default_task_backend.results
    assert queued.task.name == "build_assessment_export"
    assert queued.args == [export.pk]
    page = client.get(url("detail", export)).content.decode()
    assert "排队中" in page
    assert "本页会自动更新" in page
    assert "data-export-waiting hidden" in page
    assert client.get(url("download", export)).status_code == 404

    # Asking again while it waits does not queue a second one.
    client.post(url("create"), {"year": campaign.year})
    assert AssessmentExport.objects.count() == 1


@override_settings(TASKS=DUMMY_TASKS)
def test_export_queued_long_ago_hints_at_worker(client, district, campaign):
    export = queued_export(campaign, district.department, rows_total=50_000)
    AssessmentExport.objects.filter(pk=export.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=11)
    )
    client.force_login(district.department)
    page = client.get(url("detail", export)).content.decode()
    assert "manage.py db_worker" in page
    assert "data-export-waiting hidden" not in page
    assert "可能没有运行" in page
    assert client.get(url("status", export)).json()["waiting_too_long"] is True


def test_export_running_for_long_hints_at_dead_worker(client, district, campaign):
    export = queued_export(campaign, district.department, status=ExportStatus.RUNNING)
    AssessmentExport.objects.filter(pk=export.pk).update(
        created_at=timezone.now() - datetime.timedelta(minutes=31)
    )
    client.force_login(district.department)
    page = client.get(url("detail", export)).content.decode()
    assert "data-export-stalled hidden" not in page
    assert "很可能在生成途中停止" in page
    assert client.get(url("status", export)).json()["stalled"] is True
    # Asking again starts a new export rather than waiting on the dead one.
    client.post(url("create"), {"year": campaign.year})
    assert AssessmentExport.objects.count() == 2


def test_large_export_runs_in_background_task(
    client, district, campaign, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(services, "INLINE_MAX_ROWS", 0)
    with django_capture_on_commit_callbacks(execute=True):
        export = request_export(client, district.department, campaign)
    export.refresh_from_db()
    assert export.status == ExportStatus.DONE
    assert client.get(url("download", export)).status_code == 200


@override_settings(TASKS=NO_SUCH_TASKS)
def test_export_that_cannot_be_queued_fails(
    client, district, campaign, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.setattr(services, "INLINE_MAX_ROWS", 0)
    with django_capture_on_commit_callbacks(execute=True):
        export = request_export(client, district.department, campaign)
    export.refresh_from_db()
    assert export.status == ExportStatus.FAILED
    assert export.error == "后台任务未能排入队列，请重试。"


def test_export_task_run_twice_writes_once(district, campaign, settings):
    export = queued_export(campaign, district.department)
    build_assessment_export.enqueue(export.pk)
    export.refresh_from_db()
    first_file, first_finished = export.file.name, export.finished_at
    assert export.status == ExportStatus.DONE

    assert services.export_run(export_id=export.pk) is False
    build_assessment_export.enqueue(export.pk)
    export.refresh_from_db()
    assert (export.file.name, export.finished_at) == (first_file, first_finished)
    assert len(stored_files(settings)) == 1


def test_export_run_of_missing_export_does_nothing(db):
    assert services.export_run(export_id=987654) is False


def test_failing_export_ends_failed_with_nothing_written(
    client, district, campaign, monkeypatch, settings, caplog
):
    def crash(*, campaign, organization=None, out, progress=None):
        out.write(b"PK\x03\x04 half a workbook")
        if progress:
            progress(10, 100)
        raise RuntimeError("disk on fire")

    monkeypatch.setattr("appraisal.workbook.write_assessment_workbook", crash)
    client.force_login(district.department)
    response = client.post(url("create"), {"year": campaign.year}, follow=True)

    export = AssessmentExport.objects.get()
    assert export.status == ExportStatus.FAILED
    assert export.error.startswith("考核表生成失败")
    assert not export.file
    assert export.finished_at is not None
    assert stored_files(settings) == []
    assert "disk on fire" in caplog.text
    page = response.content.decode()
    assert "考核表生成失败" in page
    assert "失败" in page
    assert client.get(url("download", export)).status_code == 404
    assert client.get(url("status", export)).json()["error"] == export.error


def test_export_progress_is_throttled(district, campaign, django_assert_max_num_queries):
    export = queued_export(campaign, district.department, status=ExportStatus.RUNNING)
    progress = services._Progress(export.pk)
    with django_assert_max_num_queries(1):
        for row in range(5_000):
            progress(row, 5_000)


def test_export_progress_is_recorded(district, campaign, monkeypatch):
    monkeypatch.setattr(services, "PROGRESS_EVERY_SECONDS", 0)
    export = queued_export(campaign, district.department, status=ExportStatus.RUNNING)
    services._Progress(export.pk)(300, 1200)
    export.refresh_from_db()
    assert (export.rows_done, export.rows_total, export.percent) == (300, 1200, 25)


# ---------------------------------------------------------------- list page queries


@pytest.mark.parametrize("count", [1, 15])
def test_export_list_query_count(client, district, campaign, django_assert_num_queries, count):
    for n in range(count):
        queued_export(
            campaign,
            district.department if n % 2 else district.secretary.user,
            organization=None if n % 2 else district.committee,
            status=ExportStatus.DONE,
        )
    client.force_login(district.department)
    with django_assert_num_queries(5):
        response = client.get(url("list"))
    assert response.status_code == 200
    assert len(response.context["exports"]) == count
