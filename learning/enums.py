from django.db import models
from django.utils.translation import gettext_lazy as _


class StudyPlanKind(models.TextChoices):
    ORGANIZATION_ANNUAL = "org_annual", _("Organization annual plan")
    ORGANIZATION_QUARTERLY = "org_quarterly", _("Organization quarterly plan")
    PERSONAL = "personal", _("Personal annual plan")


ORGANIZATION_PLAN_KINDS = {StudyPlanKind.ORGANIZATION_ANNUAL, StudyPlanKind.ORGANIZATION_QUARTERLY}


class ActivityForm(models.TextChoices):
    """Every form of study the notice names, and the meetings of “三会一课”."""

    CONCENTRATED_STUDY = "concentrated_study", _("Concentrated study")
    LECTURE = "lecture", _("Thematic lecture")
    TUTORING = "tutoring", _("Study tutoring")
    GROUP_DISCUSSION = "group_discussion", _("Group discussion")
    SPEECH_CONTEST = "speech_contest", _("Speech contest")
    KNOWLEDGE_TEST = "knowledge_test", _("Knowledge test")
    AUDIO_VISUAL = "audio_visual", _("Audio-visual education")
    DISTANCE_EDUCATION = "distance_education", _("Distance education")
    SUGGESTION_DISCUSSION = (
        "suggestion_discussion",
        _("“Contribute an idea for the enterprise” discussion"),
    )
    PARTY_LECTURE = "party_lecture", _("Party lecture")
    BRANCH_GENERAL_MEETING = "branch_general_meeting", _("Branch general meeting")
    BRANCH_COMMITTEE_MEETING = "branch_committee_meeting", _("Branch committee meeting")
    PARTY_GROUP_MEETING = "party_group_meeting", _("Party group meeting")
    ORGANIZATIONAL_LIFE_MEETING = "organizational_life_meeting", _("Organizational life meeting")
    DEMOCRATIC_LIFE_MEETING = "democratic_life_meeting", _("Democratic life meeting")


# “三会一课”: three meetings and one lecture.
THREE_MEETINGS_ONE_LECTURE = frozenset(
    {
        ActivityForm.BRANCH_GENERAL_MEETING,
        ActivityForm.BRANCH_COMMITTEE_MEETING,
        ActivityForm.PARTY_GROUP_MEETING,
        ActivityForm.PARTY_LECTURE,
    }
)


class NoteKind(models.TextChoices):
    NOTE = "note", _("Study note")
    REFLECTION = "reflection", _("Study reflection")
    EXCHANGE = "exchange", _("Study exchange")


class ResearchStatus(models.TextChoices):
    PROPOSED = "proposed", _("Approved as a topic")
    IN_PROGRESS = "in_progress", _("In progress")
    CONCLUDED = "concluded", _("Concluded")


class SuggestionStatus(models.TextChoices):
    PENDING = "pending", _("Awaiting decision")
    ADOPTED = "adopted", _("Adopted")
    NOT_ADOPTED = "not_adopted", _("Not adopted")
