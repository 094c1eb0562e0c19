from decimal import Decimal

import pytest
from django.contrib import admin
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from appraisal.admin import ApplicationTransitionInline
from appraisal.enums import ApplicationKind, ApplicationState, CriterionSubject
from appraisal.models import (
    AnnualAssessment,
    Application,
    ApplicationTransition,
    AssessmentWeights,
    Review,
    SelfAssessment,
)

from ..factories import (
    ApplicationFactory,
    CampaignFactory,
    CriterionFactory,
    MemberFactory,
    OrganizationFactory,
    SelfAssessmentFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def url(model, action, *args):
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{action}", args=args)


def management(prefix, total, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


@pytest.fixture
def history():
    """A submitted application and the transition that submitted it."""
    application = ApplicationFactory(state=ApplicationState.SUBMITTED, main_deeds="事迹")
    transition = ApplicationTransition.objects.create(
        application=application,
        from_state=ApplicationState.DRAFT,
        to_state=ApplicationState.SUBMITTED,
        actor=application.created_by,
        comment="请审核",
    )
    return application, transition


def application_form(application, **changes):
    data = {
        "campaign": application.campaign_id,
        "kind": application.kind,
        "organization": application.organization_id,
        "member": application.member_id or "",
        "main_deeds": application.main_deeds,
        "self_assessment": application.self_assessment_id or "",
        "organization_opinion": application.organization_opinion,
        "staged_decision": application.staged_decision,
        "staged_comment": application.staged_comment,
        **management("reviews", 0),
    }
    data.update(changes)
    return data


# --- Application history is append-only -----------------------------------------------------


def test_history_admin_refuses_add_change_delete_even_to_superusers(rf, admin_user):
    request = rf.get("/")
    request.user = admin_user
    model_admin = admin.site._registry[ApplicationTransition]
    assert model_admin.has_view_permission(request)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
    inline = ApplicationTransitionInline(Application, admin.site)
    assert not inline.has_add_permission(request, None)
    assert not inline.has_change_permission(request)
    assert not inline.has_delete_permission(request)


def test_history_cannot_be_added_through_the_admin(admin_client, history):
    application, _ = history
    response = admin_client.post(
        url(ApplicationTransition, "add"),
        {
            "application": application.pk,
            "from_state": ApplicationState.SUBMITTED,
            "to_state": ApplicationState.COMMENDED,
            "actor": application.created_by_id,
        },
    )
    assert response.status_code == 403
    assert ApplicationTransition.objects.count() == 1


def test_history_cannot_be_changed_through_the_admin(admin_client, history):
    _, transition = history
    response = admin_client.post(
        url(ApplicationTransition, "change", transition.pk),
        {"to_state": ApplicationState.COMMENDED, "comment": "改过"},
    )
    assert response.status_code == 403
    transition.refresh_from_db()
    assert (transition.to_state, transition.comment) == (ApplicationState.SUBMITTED, "请审核")


def test_history_cannot_be_deleted_through_the_admin(admin_client, history):
    _, transition = history
    response = admin_client.post(
        url(ApplicationTransition, "delete", transition.pk), {"post": "yes"}
    )
    assert response.status_code == 403
    response = admin_client.post(
        url(ApplicationTransition, "changelist"),
        {"action": "delete_selected", "_selected_action": [transition.pk], "post": "yes"},
    )
    assert ApplicationTransition.objects.filter(pk=transition.pk).exists()


def test_history_page_is_read_only(admin_client, history):
    _, transition = history
    response = admin_client.get(url(ApplicationTransition, "change", transition.pk))
    assert response.status_code == 200
    assert response.context["adminform"].form.fields == {}
    changelist = admin_client.get(url(ApplicationTransition, "changelist"))
    assert url(ApplicationTransition, "add") not in changelist.content.decode()


def test_history_is_shown_read_only_on_the_application(admin_client, history):
    application, transition = history
    response = admin_client.get(url(Application, "change", application.pk))
    formsets = {f.formset.prefix: f for f in response.context["inline_admin_formsets"]}
    inline = formsets["history"]
    assert [form.original for form in inline] == [transition]
    assert not inline.has_change_permission
    assert "请审核" in response.content.decode()


def test_saving_an_application_leaves_its_history_alone(admin_client, history):
    application, transition = history
    data = application_form(
        application,
        main_deeds="修改后的事迹",
        **management("history", 2, initial=1),
        **{
            "history-0-id": transition.pk,
            "history-0-application": application.pk,
            "history-0-comment": "篡改",
            "history-0-DELETE": "on",
            "history-1-application": application.pk,
            "history-1-from_state": ApplicationState.SUBMITTED,
            "history-1-to_state": ApplicationState.COMMENDED,
            "history-1-comment": "伪造",
        },
    )
    response = admin_client.post(url(Application, "change", application.pk), data)
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.main_deeds == "修改后的事迹"
    assert list(ApplicationTransition.objects.values_list("pk", "comment")) == [
        (transition.pk, "请审核")
    ]


def test_application_state_is_not_set_through_the_admin(admin_client, history):
    application, _ = history
    data = application_form(
        application, state=ApplicationState.COMMENDED, **management("history", 1, initial=1)
    )
    response = admin_client.post(url(Application, "change", application.pk), data)
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.state == ApplicationState.SUBMITTED


def test_deleting_application_with_history_is_refused(admin_client, history):
    application, transition = history
    response = admin_client.post(url(Application, "delete", application.pk), {"post": "yes"})
    assert response.status_code == 200
    assert "受保护的相关对象" in response.content.decode()
    assert Application.objects.filter(pk=application.pk).exists()
    assert ApplicationTransition.objects.filter(pk=transition.pk).exists()


def test_application_added_through_admin_is_a_draft_by_the_admin(admin_client, admin_user):
    campaign = CampaignFactory(year=2026)
    member = MemberFactory()
    response = admin_client.post(
        url(Application, "add"),
        {
            "campaign": campaign.pk,
            "kind": ApplicationKind.MEMBER_MODEL,
            "organization": member.organization_id,
            "member": member.pk,
            "main_deeds": "刻苦学习",
            "self_assessment": "",
            "organization_opinion": "",
            "staged_decision": "",
            "staged_comment": "",
            **management("history", 0),
            **management("reviews", 0),
        },
    )
    assert response.status_code == 302
    application = Application.objects.get(member=member)
    assert application.state == ApplicationState.DRAFT
    assert application.created_by == admin_user


def test_second_application_of_a_kind_is_refused_with_a_message(admin_client):
    existing = ApplicationFactory()
    data = application_form(existing, **management("history", 0))
    response = admin_client.post(url(Application, "add"), data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    assert Application.objects.count() == 1


# --- Query counts ---------------------------------------------------------------------------


def make_applications(n):
    campaign = CampaignFactory(year=2026)
    for i in range(n):
        if i % 2:
            member = MemberFactory()
            ApplicationFactory(
                campaign=campaign,
                kind=ApplicationKind.MEMBER_MODEL,
                organization=member.organization,
                member=member,
            )
        else:
            ApplicationFactory(campaign=campaign)


def make_reviews(n):
    make_applications(n)
    for application in Application.objects.filter(reviews__isnull=True):
        Review.objects.create(application=application, reviewer=UserFactory())


def make_self_assessments(n):
    campaign = CampaignFactory(year=2026)
    criterion = CriterionFactory(campaign=campaign)
    for _ in range(n):
        assessment = SelfAssessmentFactory(campaign=campaign)
        assessment.scores.create(criterion=criterion, score=Decimal("15"))


def make_transitions(n):
    make_applications(n)
    for application in Application.objects.filter(history__isnull=True):
        ApplicationTransition.objects.create(
            application=application,
            from_state=ApplicationState.DRAFT,
            to_state=ApplicationState.SUBMITTED,
            actor=application.created_by,
        )


def make_annual_assessments(n):
    campaign = CampaignFactory(year=2026)
    for _ in range(n):
        AnnualAssessment.objects.create(campaign=campaign, organization=OrganizationFactory())


CHANGELISTS = {
    Application: (make_applications, 7),
    Review: (make_reviews, 7),
    SelfAssessment: (make_self_assessments, 7),
    ApplicationTransition: (make_transitions, 7),
    AnnualAssessment: (make_annual_assessments, 5),
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


# --- Scores ---------------------------------------------------------------------------------


def test_score_inline_offers_only_the_assessments_criteria(admin_client):
    campaign = CampaignFactory(year=2026)
    own = CriterionFactory(campaign=campaign, subject=CriterionSubject.ORGANIZATION, text="有方案")
    CriterionFactory(campaign=campaign, subject=CriterionSubject.MEMBER, text="有学习计划")
    CriterionFactory(campaign=CampaignFactory(year=2025), text="去年的要求")
    assessment = SelfAssessmentFactory(campaign=campaign)
    response = admin_client.get(url(SelfAssessment, "change", assessment.pk))
    formsets = {f.formset.prefix: f for f in response.context["inline_admin_formsets"]}
    field = formsets["scores"].formset.form.base_fields["criterion"]
    assert list(field.queryset) == [own]


def test_self_assessment_changelist_totals_scores(admin_client):
    campaign = CampaignFactory(year=2026)
    assessment = SelfAssessmentFactory(campaign=campaign)
    for points in ("15", "18.5"):
        assessment.scores.create(criterion=CriterionFactory(campaign=campaign), score=points)
    response = admin_client.get(url(SelfAssessment, "changelist"))
    [row] = response.context["cl"].result_list
    assert row.total_score == Decimal("33.5")


def test_annual_assessment_adjustment_records_who_made_it(admin_client, admin_user):
    assessment = AnnualAssessment.objects.create(
        campaign=CampaignFactory(year=2026),
        organization=OrganizationFactory(),
        computed_total=Decimal(10),
        total=Decimal(10),
    )
    response = admin_client.post(
        url(AnnualAssessment, "change", assessment.pk),
        {
            "campaign": CampaignFactory(year=2025).pk,  # read-only: ignored
            "adjustment": "-2",
            "adjustment_reason": "学习记录不全",
            "activity_count": "99",  # computed: ignored
        },
    )
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.adjustment == Decimal("-2")
    assert assessment.total == Decimal(8)
    assert assessment.adjusted_by == admin_user
    assert assessment.activity_count == 0
    assert assessment.campaign.year == 2026


def test_annual_assessment_adjustment_in_the_admin_keeps_the_total_within_full_points(
    admin_client,
):
    assessment = AnnualAssessment.objects.create(
        campaign=CampaignFactory(year=2026), organization=OrganizationFactory()
    )
    response = admin_client.post(
        url(AnnualAssessment, "change", assessment.pk),
        {"adjustment": "-2", "adjustment_reason": "学习记录不全"},
    )
    assert response.status_code == 200
    assert "须在0至满分" in response.text
    assessment.refresh_from_db()
    assert (assessment.adjustment, assessment.total) == (0, 0)


def test_annual_assessments_are_not_added_by_hand_in_the_admin(admin_client):
    assert admin_client.get(url(AnnualAssessment, "add")).status_code == 403


def test_weights_changed_in_the_admin_recompute_the_totals(admin_client):
    campaign = CampaignFactory(year=2026)
    weights = AssessmentWeights.objects.create(campaign=campaign)
    assessment = AnnualAssessment.objects.create(
        campaign=campaign,
        organization=OrganizationFactory(),
        adjustment=Decimal(90),
        adjustment_reason="示范",
        total=Decimal(90),
    )
    data = dict.fromkeys(AssessmentWeights.WEIGHT_FIELDS, "5")
    data.update(campaign=campaign.pk, activity_target="12", study_hours_target="32")
    response = admin_client.post(url(AssessmentWeights, "change", weights.pk), data)
    assert response.status_code == 302
    assessment.refresh_from_db()
    assert assessment.total == Decimal(40)  # held at the new full points


def test_annual_assessment_adjustment_needs_a_reason(admin_client):
    assessment = AnnualAssessment.objects.create(
        campaign=CampaignFactory(year=2026), organization=OrganizationFactory()
    )
    response = admin_client.post(
        url(AnnualAssessment, "change", assessment.pk),
        {
            "campaign": assessment.campaign_id,
            "organization": assessment.organization_id,
            "adjustment": "5",
            "adjustment_reason": "",
        },
    )
    assert response.status_code == 200
    assessment.refresh_from_db()
    assert assessment.adjustment == 0
