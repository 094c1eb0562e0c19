import pytest
from django.urls import reverse

from campaigns.models import User
from campaigns.services import ensure_department_group

from ..factories import DepartmentUserFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def department_client(client):
    staff = DepartmentUserFactory(username="dept-staff")
    staff.groups.add(ensure_department_group())
    client.force_login(staff)
    return client, staff


def test_department_staff_cannot_make_themselves_superuser(department_client):
    client, staff = department_client
    url = reverse("admin:campaigns_user_change", args=[staff.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert 'name="is_superuser"' not in page.content.decode()

    client.post(
        url,
        {
            "username": staff.username,
            "full_name": "组织部干事",
            "is_active": "on",
            "is_staff": "on",
            "is_superuser": "on",
            "is_department_staff": "on",
            "membership-TOTAL_FORMS": "0",
            "membership-INITIAL_FORMS": "0",
        },
    )
    staff.refresh_from_db()
    assert not staff.is_superuser


def test_department_staff_cannot_edit_a_superusers_account(department_client):
    client, _staff = department_client
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    response = client.get(reverse("admin:campaigns_user_change", args=[root.pk]))
    # The admin shows a read-only view (or refuses); either way no editable form.
    assert 'name="username"' not in response.content.decode()
    assert User.objects.get(pk=root.pk).is_superuser


def test_department_staff_can_still_edit_an_ordinary_account(department_client):
    client, _staff = department_client
    user = UserFactory(username="ordinary")
    response = client.get(reverse("admin:campaigns_user_change", args=[user.pk]))
    assert 'name="full_name"' in response.content.decode()
