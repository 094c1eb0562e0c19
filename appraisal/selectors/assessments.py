"""Reads for the criteria (基本要求) and self-assessments (自评).

The review page, the application page and the PDF call three functions here:

- ``assessment_for_application(application)``: the nominee's SelfAssessment, or None;
- ``assessment_detail(assessment)``: one ``AssessmentRow`` per criterion (criterion, score
  row or None, evidence items, thin flag) in three queries, however much evidence there is;
- ``assessment_totals(assessment, rows=None)``: the totals, computed here and nowhere else.

The evidence picker offers the subject's own records of the assessment's campaign
(``evidence_candidates``); the services accept nothing else.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from campaigns import rules
from campaigns.enums import PlanStatus
from campaigns.models import SHANGHAI, Campaign, ImplementationPlan, Organization
from learning.enums import ORGANIZATION_PLAN_KINDS, NoteKind, StudyPlanKind, SuggestionStatus
from learning.models import (
    ReadingRecord,
    ResearchTopic,
    ResearchTopicParticipant,
    StudyActivity,
    StudyNote,
    StudyPlan,
    Suggestion,
)

from ..enums import (
    EDITABLE_STATES,
    SUBJECT_OF_KIND,
    ApplicationKind,
    CriterionSubject,
    EvidenceKind,
)
from ..models import (
    EVIDENCE_TARGETS,
    Application,
    Criterion,
    CriterionScore,
    Evidence,
    ReviewScore,
    SelfAssessment,
)

# A criterion backed by this many evidence items or fewer is flagged as thin (佐证材料不足).
THIN_EVIDENCE = 1
# The picker lists this many records of each kind, newest first.
PICKER_LIMIT = 20

# ---------------------------------------------------------------- criteria


def campaign_years() -> list[int]:
    return list(Campaign.objects.order_by("-year").values_list("year", flat=True))


def criteria_of(campaign: Campaign, subject: str) -> QuerySet:
    return Criterion.objects.filter(campaign=campaign, subject=subject).order_by("position", "pk")


@dataclass
class CriteriaGroup:
    subject: str
    label: str
    criteria: list
    total_max: Decimal
    weighted: bool


def criteria_groups(campaign: Campaign) -> list[CriteriaGroup]:
    """The campaign's criteria by subject (organization first), each with ``in_use``."""
    in_use = Exists(CriterionScore.objects.filter(criterion=OuterRef("pk"))) | Exists(
        ReviewScore.objects.filter(criterion=OuterRef("pk"))
    )
    criteria = list(
        Criterion.objects.filter(campaign=campaign)
        .annotate(in_use=in_use)
        .order_by("subject", "position", "pk")
    )
    groups = []
    for subject in CriterionSubject:
        own = [criterion for criterion in criteria if criterion.subject == subject]
        groups.append(
            CriteriaGroup(
                subject=subject.value,
                label=subject.label,
                criteria=own,
                total_max=sum((criterion.max_score for criterion in own), Decimal(0)),
                weighted=any(criterion.weight != 1 for criterion in own),
            )
        )
    return groups


def next_position(campaign: Campaign, subject: str) -> int:
    last = criteria_of(campaign, subject).order_by("-position").values_list("position", flat=True)
    return (last.first() or 0) + 1


# ---------------------------------------------------------------- finding assessments


def assessment_for_application(application: Application) -> SelfAssessment | None:
    """The self-assessment of the application's nominee in the application's campaign."""
    assessments = SelfAssessment.objects.select_related(
        "campaign", "organization", "member__user"
    ).filter(
        campaign_id=application.campaign_id,
        subject=SUBJECT_OF_KIND[ApplicationKind(application.kind)],
    )
    if application.kind == ApplicationKind.MEMBER_MODEL:
        return assessments.filter(member_id=application.member_id).first()
    return assessments.filter(organization_id=application.organization_id).first()


def organization_assessment(campaign: Campaign, organization: Organization):
    return (
        SelfAssessment.objects.select_related("campaign", "organization")
        .filter(campaign=campaign, subject=CriterionSubject.ORGANIZATION, organization=organization)
        .first()
    )


def member_assessment(campaign: Campaign, member):
    return (
        SelfAssessment.objects.select_related("campaign", "organization", "member__user")
        .filter(campaign=campaign, subject=CriterionSubject.MEMBER, member=member)
        .first()
    )


def assessment_queryset(user) -> QuerySet:
    """Self-assessments ``user`` may see, with what their pages show."""
    return rules.visible(user, SelfAssessment).select_related(
        "campaign", "organization", "member__user"
    )


def subject_name(assessment: SelfAssessment) -> str:
    if assessment.subject == CriterionSubject.MEMBER:
        return assessment.member.name
    return assessment.organization.name


# ---------------------------------------------------------------- evidence: what each kind is


def _local_date(value) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value, SHANGHAI).date()
    return value


@dataclass(frozen=True)
class Source:
    """One kind of record that can back a criterion, for one subject."""

    kind: EvidenceKind
    candidates: Callable[[SelfAssessment], QuerySet]
    order_by: tuple
    related: tuple = ()


def _date_of(kind: str, record) -> datetime.date | None:
    if kind == EvidenceKind.IMPLEMENTATION_PLAN:
        return _local_date(record.filed_at or record.created_at)
    if kind == EvidenceKind.STUDY_PLAN:
        return _local_date(record.filed_at or record.created_at)
    if kind == EvidenceKind.ACTIVITY:
        return record.held_on
    if kind == EvidenceKind.NOTE:
        return record.written_on
    if kind == EvidenceKind.READING_RECORD:
        return record.finished_on or _local_date(record.created_at)
    if kind == EvidenceKind.RESEARCH_TOPIC:
        return record.started_on or _local_date(record.created_at)
    if kind == EvidenceKind.SUGGESTION:
        return _local_date(record.created_at)
    return None


def _title_of(kind: str, record) -> str:
    if kind == EvidenceKind.ACTIVITY:
        return record.topic
    if kind == EvidenceKind.READING_RECORD:
        return record.book.title
    return record.title


def _detail_of(kind: str, record) -> str:
    """A few words beside the title: the form of an activity, whose note it is …"""
    if kind == EvidenceKind.STUDY_PLAN:
        return str(record.get_kind_display())
    if kind == EvidenceKind.ACTIVITY:
        return str(record.get_form_display())
    if kind == EvidenceKind.NOTE:
        return f"{record.get_kind_display()} · {record.member.name}"
    if kind in (EvidenceKind.READING_RECORD, EvidenceKind.SUGGESTION):
        return record.member.name
    if kind == EvidenceKind.RESEARCH_TOPIC:
        return str(record.get_status_display())
    return ""


_URL_NAMES = {
    EvidenceKind.IMPLEMENTATION_PLAN: "learning:implementation_plan.detail",
    EvidenceKind.STUDY_PLAN: "learning:plan.detail",
    EvidenceKind.ACTIVITY: "learning:activity.detail",
    EvidenceKind.NOTE: "learning:note.detail",
    EvidenceKind.RESEARCH_TOPIC: "learning:topic.detail",
    EvidenceKind.SUGGESTION: "learning:suggestion.detail",
}


def _url_of(kind: str, record) -> str:
    if kind == EvidenceKind.READING_RECORD:
        # A reading record has no page of its own; its book's page lists its readers.
        return reverse("learning:book.detail", args=[record.book_id])
    return reverse(_URL_NAMES[kind], args=[record.pk])


def _org_implementation_plans(a):
    return ImplementationPlan.objects.filter(
        campaign_id=a.campaign_id, organization_id=a.organization_id, status=PlanStatus.FILED
    )


def _org_study_plans(a):
    return StudyPlan.objects.filter(
        campaign_id=a.campaign_id,
        organization_id=a.organization_id,
        member__isnull=True,
        kind__in=ORGANIZATION_PLAN_KINDS,
        status=PlanStatus.FILED,
    )


def _org_activities(a):
    return StudyActivity.objects.filter(
        campaign_id=a.campaign_id, organization_id=a.organization_id
    )


def _org_topics(a):
    return ResearchTopic.objects.filter(
        campaign_id=a.campaign_id, organization_id=a.organization_id
    )


def _org_suggestions(a):
    return Suggestion.objects.filter(
        campaign_id=a.campaign_id,
        organization_id=a.organization_id,
        status=SuggestionStatus.ADOPTED,
    )


def _org_notes(a):
    # Members' notes are their own; the organization shows those its secretary
    # marked excellent, which its members may read anyway.
    return StudyNote.objects.filter(
        campaign_id=a.campaign_id, organization_id=a.organization_id, is_excellent=True
    )


def _org_reading(a):
    return ReadingRecord.objects.filter(
        campaign_id=a.campaign_id, member__organization_id=a.organization_id
    )


def _member_plans(a):
    return StudyPlan.objects.filter(
        campaign_id=a.campaign_id, member_id=a.member_id, kind=StudyPlanKind.PERSONAL
    )


def _member_notes(a):
    return StudyNote.objects.filter(
        campaign_id=a.campaign_id, member_id=a.member_id, kind__in=NoteKind.values
    )


def _member_reading(a):
    return ReadingRecord.objects.filter(campaign_id=a.campaign_id, member_id=a.member_id)


def _member_suggestions(a):
    return Suggestion.objects.filter(campaign_id=a.campaign_id, member_id=a.member_id)


def _member_activities(a):
    return StudyActivity.objects.filter(
        campaign_id=a.campaign_id, attendance__member_id=a.member_id
    )


def _member_topics(a):
    return ResearchTopic.objects.filter(campaign_id=a.campaign_id).filter(
        Q(lead_id=a.member_id)
        | Q(pk__in=ResearchTopicParticipant.objects.filter(member_id=a.member_id).values("topic"))
    )


_NEWEST_FILED = (F("filed_at").desc(nulls_last=True), "-created_at", "-pk")

SOURCES: dict[str, tuple[Source, ...]] = {
    CriterionSubject.ORGANIZATION: (
        Source(EvidenceKind.IMPLEMENTATION_PLAN, _org_implementation_plans, _NEWEST_FILED),
        Source(EvidenceKind.STUDY_PLAN, _org_study_plans, _NEWEST_FILED),
        Source(EvidenceKind.ACTIVITY, _org_activities, ("-held_on", "-pk")),
        Source(EvidenceKind.RESEARCH_TOPIC, _org_topics, ("-created_at", "-pk")),
        Source(
            EvidenceKind.SUGGESTION, _org_suggestions, ("-created_at", "-pk"), ("member__user",)
        ),
        Source(EvidenceKind.NOTE, _org_notes, ("-written_on", "-pk"), ("member__user",)),
        Source(
            EvidenceKind.READING_RECORD,
            _org_reading,
            (F("finished_on").desc(nulls_last=True), "-created_at", "-pk"),
            ("book", "member__user"),
        ),
    ),
    CriterionSubject.MEMBER: (
        Source(EvidenceKind.STUDY_PLAN, _member_plans, _NEWEST_FILED),
        Source(EvidenceKind.NOTE, _member_notes, ("-written_on", "-pk"), ("member__user",)),
        Source(
            EvidenceKind.READING_RECORD,
            _member_reading,
            (F("finished_on").desc(nulls_last=True), "-created_at", "-pk"),
            ("book", "member__user"),
        ),
        Source(EvidenceKind.ACTIVITY, _member_activities, ("-held_on", "-pk")),
        Source(
            EvidenceKind.SUGGESTION, _member_suggestions, ("-created_at", "-pk"), ("member__user",)
        ),
        Source(EvidenceKind.RESEARCH_TOPIC, _member_topics, ("-created_at", "-pk")),
    ),
}


def evidence_kinds(subject: str) -> list[str]:
    """The record kinds (besides files) that can back a criterion of ``subject``."""
    return [source.kind.value for source in SOURCES[subject]]


def evidence_candidates(assessment: SelfAssessment, kind: str) -> QuerySet:
    """Every record of ``kind`` the assessment may link: the subject's own, of its campaign."""
    for source in SOURCES[assessment.subject]:
        if source.kind == kind:
            return source.candidates(assessment)
    raise LookupError(kind)


# ---------------------------------------------------------------- evidence: display


@dataclass
class EvidenceItem:
    """One evidence row as pages show it."""

    evidence: Evidence
    kind: str
    kind_label: str
    title: str
    date: datetime.date | None
    detail: str
    url: str

    @property
    def key(self) -> str:
        return evidence_key(self.kind, getattr(self.evidence, f"{EVIDENCE_TARGETS[self.kind]}_id"))

    @property
    def is_file(self) -> bool:
        return self.kind == EvidenceKind.FILE


def evidence_key(kind: str, pk) -> str:
    """How a linked record is named in the picker's checkboxes: "activity:12"."""
    return f"{kind}:{pk}"


def _evidence_item(evidence: Evidence) -> EvidenceItem:
    kind = EvidenceKind(evidence.kind)
    if kind == EvidenceKind.FILE:
        return EvidenceItem(
            evidence=evidence,
            kind=kind.value,
            kind_label=str(kind.label),
            title=evidence.description or str(_("Uploaded file")),
            date=None,
            detail="",
            url=reverse("appraisal:evidence.download", args=[evidence.pk]),
        )
    record = getattr(evidence, EVIDENCE_TARGETS[kind])
    return EvidenceItem(
        evidence=evidence,
        kind=kind.value,
        kind_label=str(kind.label),
        title=_title_of(kind, record),
        date=_date_of(kind, record),
        detail=_detail_of(kind, record),
        url=_url_of(kind, record),
    )


_EVIDENCE_RELATED = (
    "implementation_plan",
    "study_plan",
    "activity",
    "note__member__user",
    "reading_record__book",
    "reading_record__member__user",
    "research_topic",
    "suggestion__member__user",
)


@dataclass
class AssessmentRow:
    criterion: Criterion
    score: CriterionScore | None
    evidence: list[EvidenceItem] = field(default_factory=list)

    @property
    def thin(self) -> bool:
        return len(self.evidence) <= THIN_EVIDENCE

    @property
    def linked_keys(self) -> set[str]:
        return {item.key for item in self.evidence if not item.is_file}

    @property
    def files(self) -> list[EvidenceItem]:
        return [item for item in self.evidence if item.is_file]


def assessment_detail(assessment: SelfAssessment) -> list[AssessmentRow]:
    """One row per criterion of the assessment's subject and campaign, in order.

    Three queries (criteria, scores, evidence with the linked records), whatever
    the amount of evidence.
    """
    criteria = list(criteria_of(assessment.campaign_id, assessment.subject))
    scores = {
        score.criterion_id: score for score in CriterionScore.objects.filter(assessment=assessment)
    }
    evidence: dict[int, list[EvidenceItem]] = {}
    if scores:
        linked = (
            Evidence.objects.filter(score__assessment=assessment)
            .select_related(*_EVIDENCE_RELATED)
            .order_by("kind", "pk")
        )
        for item in linked:
            evidence.setdefault(item.score_id, []).append(_evidence_item(item))
    rows = []
    for criterion in criteria:
        score = scores.get(criterion.pk)
        rows.append(
            AssessmentRow(
                criterion=criterion,
                score=score,
                evidence=evidence.get(score.pk, []) if score else [],
            )
        )
    return rows


# ---------------------------------------------------------------- totals

CENTS = Decimal("0.01")


@dataclass(frozen=True)
class AssessmentTotals:
    """The sums of an assessment.

    ``score`` / ``maximum``: plain sums of scores and maxima. ``weighted_score`` /
    ``weighted_maximum``: each multiplied by its criterion's weight. ``weighted`` is
    True when some weight differs from 1, and ``value`` / ``value_maximum`` are then
    the weighted figures (otherwise the plain ones): the one figure to quote.
    """

    score: Decimal
    maximum: Decimal
    weighted_score: Decimal
    weighted_maximum: Decimal
    weighted: bool
    scored: int
    criteria: int

    @property
    def complete(self) -> bool:
        return self.criteria > 0 and self.scored == self.criteria

    @property
    def value(self) -> Decimal:
        return self.weighted_score if self.weighted else self.score

    @property
    def value_maximum(self) -> Decimal:
        return self.weighted_maximum if self.weighted else self.maximum


def _totals(pairs: Iterable[tuple[Criterion, Decimal | None]]) -> AssessmentTotals:
    score = maximum = weighted_score = weighted_maximum = Decimal(0)
    weighted = False
    scored = count = 0
    for criterion, value in pairs:
        count += 1
        maximum += criterion.max_score
        weighted_maximum += criterion.max_score * criterion.weight
        weighted = weighted or criterion.weight != 1
        if value is not None:
            scored += 1
            score += value
            weighted_score += value * criterion.weight
    return AssessmentTotals(
        score=score.quantize(CENTS),
        maximum=maximum.quantize(CENTS),
        weighted_score=weighted_score.quantize(CENTS),
        weighted_maximum=weighted_maximum.quantize(CENTS),
        weighted=weighted,
        scored=scored,
        criteria=count,
    )


def totals_from_scores(
    criteria: Iterable[Criterion], scores: dict[int, Decimal]
) -> AssessmentTotals:
    """Totals of many assessments at once: ``scores`` maps criterion id to score."""
    return _totals((criterion, scores.get(criterion.pk)) for criterion in criteria)


def assessment_totals(
    assessment: SelfAssessment, rows: list[AssessmentRow] | None = None
) -> AssessmentTotals:
    """The assessment's totals; from ``rows`` (no query) when the page has them already."""
    if rows is not None:
        return _totals((row.criterion, row.score.score if row.score else None) for row in rows)
    criteria = list(criteria_of(assessment.campaign_id, assessment.subject))
    scores = dict(
        CriterionScore.objects.filter(assessment=assessment).values_list("criterion_id", "score")
    )
    return _totals((criterion, scores.get(criterion.pk)) for criterion in criteria)


# ---------------------------------------------------------------- the picker


@dataclass
class PickerOption:
    key: str
    title: str
    date: datetime.date | None
    detail: str
    url: str


@dataclass
class PickerGroup:
    kind: str
    label: str
    options: list[PickerOption]
    more: bool  # more records exist than are listed


def _option(kind: str, record) -> PickerOption:
    return PickerOption(
        key=evidence_key(kind, record.pk),
        title=_title_of(kind, record),
        date=_date_of(kind, record),
        detail=_detail_of(kind, record),
        url=_url_of(kind, record),
    )


def evidence_picker(
    assessment: SelfAssessment, rows: list[AssessmentRow] | None = None
) -> list[PickerGroup]:
    """What the picker offers, by kind: the newest records of the subject and campaign.

    One query per kind. Records already linked (in ``rows``) stay on offer even
    when older than the newest ``PICKER_LIMIT``, so saving never drops them.
    """
    linked: dict[str, list[EvidenceItem]] = {}
    for row in rows or ():
        for item in row.evidence:
            if not item.is_file:
                linked.setdefault(item.kind, []).append(item)
    groups = []
    for source in SOURCES[assessment.subject]:
        kind = source.kind.value
        records = list(
            source.candidates(assessment)
            .select_related(*source.related)
            .order_by(*source.order_by)[: PICKER_LIMIT + 1]
        )
        more = len(records) > PICKER_LIMIT
        options = [_option(kind, record) for record in records[:PICKER_LIMIT]]
        listed = {option.key for option in options}
        for item in linked.get(kind, ()):
            if item.key not in listed:
                listed.add(item.key)
                options.append(
                    PickerOption(
                        key=item.key,
                        title=item.title,
                        date=item.date,
                        detail=item.detail,
                        url=item.url,
                    )
                )
        groups.append(
            PickerGroup(kind=kind, label=str(source.kind.label), options=options, more=more)
        )
    return groups


def blocking_applications(assessment: SelfAssessment) -> QuerySet:
    """Applications using the assessment that are past the stage of being edited."""
    return Application.objects.filter(self_assessment=assessment).exclude(state__in=EDITABLE_STATES)
