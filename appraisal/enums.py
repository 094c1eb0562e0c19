from django.db import models
from django.utils.translation import gettext_lazy as _


class CriterionSubject(models.TextChoices):
    ORGANIZATION = "organization", _("Learning-oriented Party organization")
    MEMBER = "member", _("Learning-oriented Party member")


class ApplicationKind(models.TextChoices):
    ORGANIZATION_MODEL = "org_model", _("Model learning-oriented Party organization")
    MEMBER_MODEL = "member_model", _("Model learning-oriented Party member")


# Which criteria (and whose self-assessment) an application of each kind is judged by.
SUBJECT_OF_KIND = {
    ApplicationKind.ORGANIZATION_MODEL: CriterionSubject.ORGANIZATION,
    ApplicationKind.MEMBER_MODEL: CriterionSubject.MEMBER,
}


class ApplicationState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    UNDER_REVIEW = "under_review", _("Under review")
    RETURNED = "returned", _("Returned for revision")
    RESUBMITTED = "resubmitted", _("Resubmitted")
    RECOMMENDED = "recommended", _("Recommended")
    NOT_RECOMMENDED = "not_recommended", _("Not recommended")
    COMMENDED = "commended", _("Commended")


# States in which the organization can still edit the form.
EDITABLE_STATES = frozenset({ApplicationState.DRAFT, ApplicationState.RETURNED})
# States the department's review queue works on.
AWAITING_REVIEW_STATES = frozenset(
    {ApplicationState.SUBMITTED, ApplicationState.UNDER_REVIEW, ApplicationState.RESUBMITTED}
)
DECIDED_STATES = frozenset(
    {ApplicationState.RECOMMENDED, ApplicationState.NOT_RECOMMENDED, ApplicationState.COMMENDED}
)


class StagedDecision(models.TextChoices):
    """A reviewer's decision held back until the department releases all of them."""

    RECOMMEND = "recommend", _("Recommend")
    NOT_RECOMMEND = "not_recommend", _("Do not recommend")


class EvidenceKind(models.TextChoices):
    IMPLEMENTATION_PLAN = "implementation_plan", _("Implementation plan")
    STUDY_PLAN = "study_plan", _("Study plan")
    ACTIVITY = "activity", _("Study activity")
    NOTE = "note", _("Study note")
    READING_RECORD = "reading_record", _("Close-reading record")
    RESEARCH_TOPIC = "research_topic", _("Research topic")
    SUGGESTION = "suggestion", _("Suggestion")
    FILE = "file", _("File")


class SelfAssessmentStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    COMPLETED = "completed", _("Completed")


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Being generated")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")
