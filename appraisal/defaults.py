"""The notice's basic requirements (基本要求), the criteria every new campaign starts with.

The texts are section 三 of the notice, verbatim (its own punctuation, without
the "(1)" numbering). The department may edit a campaign's copies later; these
defaults never change with them.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .enums import CriterionSubject


@dataclass(frozen=True)
class DefaultCriterion:
    subject: str
    position: int
    text: str
    weight: Decimal
    max_score: Decimal


_ORGANIZATION_TEXTS = (
    "有“双争”活动的方案,建立健全党员学习的考核、激励、约束机制,形成崇尚学习的浓厚氛围。",
    "企业党校(设在党员活动室)教学设施完备,教学内容丰富,能够顺利完成规定的培训任务。",
    "党员的学习热情、学习成果和劳动创造得到充分肯定和尊重,建立有利于各类人才脱颖而出、"
    "健康成长的人才培养机制,实现学习成果与工作成就的共享与互动。",
    "党组织负责人的执行力和领导水平显著提高,做到政治上靠得住、工作上有本事、作风上过得硬,"
    "始终保持求真务实、开拓创新、奋发有为的精神状态。",
    "企业党组织的学习能力、创新能力和自我完善能力明显增强,能够围绕新区和企业的中心工作,"
    "提出新思路、开创新局面。",
)

_MEMBER_TEXTS = (
    "确立终身学习的理念,逐步养成“学习工作化、工作学习化”的良好习惯。",
    "学习能力、创新能力较强,在工作岗位上成绩较为突出。",
    "通过不断学习,具有适应社会发展、岗位变化需要的技能和本领,能在新的工作岗位上尽快打开局面、"
    "作出成绩。",
    "乐于做学习的表率,带领职工群众共同学习、共同进步。",
)

# Five organization criteria of 20 points and four member criteria of 25:
# each side adds up to 100.
DEFAULT_CRITERIA: tuple[DefaultCriterion, ...] = tuple(
    DefaultCriterion(
        subject=CriterionSubject.ORGANIZATION,
        position=number,
        text=text,
        weight=Decimal(1),
        max_score=Decimal(20),
    )
    for number, text in enumerate(_ORGANIZATION_TEXTS, start=1)
) + tuple(
    DefaultCriterion(
        subject=CriterionSubject.MEMBER,
        position=number,
        text=text,
        weight=Decimal(1),
        max_score=Decimal(25),
    )
    for number, text in enumerate(_MEMBER_TEXTS, start=1)
)


def create_default_criteria(campaign) -> list:
    """Give ``campaign`` the notice's criteria it does not have yet; returns those created.

    A (subject, number) the campaign already has is left as it is, so calling
    this twice, or after the department edited a criterion, changes nothing.
    """
    from .models import Criterion

    existing = set(campaign.criteria.values_list("subject", "position"))
    missing = [
        Criterion(
            campaign=campaign,
            subject=default.subject,
            position=default.position,
            text=default.text,
            weight=default.weight,
            max_score=default.max_score,
        )
        for default in DEFAULT_CRITERIA
        if (default.subject, default.position) not in existing
    ]
    return Criterion.objects.bulk_create(missing)
