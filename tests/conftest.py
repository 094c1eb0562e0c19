import pytest

from .factories import (
    DepartmentUserFactory,
    MemberFactory,
    OrganizationFactory,
    SecretaryFactory,
)


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def district(db):
    """Two unrelated organization trees, with a secretary and a member in each.

    committee (secretary) → branch (branch_secretary, member)
    other_committee (other_secretary) → other_branch (other_member)
    """
    from campaigns.enums import OrganizationKind

    committee = OrganizationFactory(name="甲公司党委", kind=OrganizationKind.COMMITTEE)
    branch = OrganizationFactory(name="甲公司第一党支部", parent=committee)
    other_committee = OrganizationFactory(name="乙公司党委", kind=OrganizationKind.COMMITTEE)
    other_branch = OrganizationFactory(name="乙公司党支部", parent=other_committee)

    class District:
        pass

    d = District()
    d.committee, d.branch = committee, branch
    d.other_committee, d.other_branch = other_committee, other_branch
    d.secretary = SecretaryFactory(organization=committee, user__username="sec")
    d.branch_secretary = SecretaryFactory(organization=branch, user__username="branchsec")
    d.member = MemberFactory(organization=branch, user__username="mem")
    d.fellow = MemberFactory(organization=branch, user__username="fellow")
    d.other_secretary = SecretaryFactory(organization=other_committee, user__username="sec2")
    d.other_member = MemberFactory(organization=other_branch, user__username="mem2")
    d.department = DepartmentUserFactory(username="dept")
    return d


def pytest_collection_modifyitems(session, config, items):
    """Browser tests run last.

    Playwright's sync API leaves an event loop in the main thread for the rest
    of the session, and Django then refuses ORM calls from it; running the
    browser journeys after everything else keeps the other tests unaffected.
    """
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)
