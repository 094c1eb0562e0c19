# CJK characters count double towards the line length: the Chinese tables
# and texts below would be unreadable wrapped to 100 columns.
# ruff: noqa: E501
"""The demo district: a believable, deterministic district built with bulk inserts.

``build_demo_district()`` makes the current year's campaign with the notice's
criteria, enterprises and their Party organizations (党委 → 党总支 → 党支部,
standalone branches of small enterprises), members, and a year of records:
plans, activities with attendance, notes, reading, research topics,
suggestions, self-assessments and applications with their history. Every
demo organization's code starts with ``DEMO-``; that is how a second run
recognises the district and leaves it alone.

Speed (5,000 organizations and 100,000 members in well under two minutes):
everything goes in inside one transaction as batched multi-row INSERTs (COPY
on PostgreSQL) straight through the cursor, with primary keys reserved up
front so that rows can point at each other without reading anything back;
the organizations' ``path``/``depth`` are set here, parents before children
(``Organization.save()`` works one row at a time); the demo password is
hashed once and the encoded value shared by every demo login. The demo
logins themselves, the campaign and its criteria go through the ORM.
"""

from __future__ import annotations

import datetime
import random
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from appraisal.defaults import create_default_criteria
from appraisal.enums import (
    ApplicationKind,
    ApplicationState,
    CriterionSubject,
    EvidenceKind,
    SelfAssessmentStatus,
)
from appraisal.models import (
    Application,
    ApplicationTransition,
    CriterionScore,
    Evidence,
    Review,
    ReviewScore,
    SelfAssessment,
)
from learning.enums import (
    ActivityForm,
    NoteKind,
    ResearchStatus,
    StudyPlanKind,
    SuggestionStatus,
)
from learning.models import (
    Attendance,
    Book,
    NoteComment,
    ReadingRecord,
    ResearchTopic,
    ResearchTopicParticipant,
    StudyActivity,
    StudyNote,
    StudyPlan,
    StudyPlanItem,
    Suggestion,
)

from .enums import MemberRole, OrganizationKind, PlanStatus
from .models import SHANGHAI, Campaign, Enterprise, ImplementationPlan, Member, Organization, User
from .services import ensure_department_group

DEMO_PASSWORD = "shuangzheng-demo"
CODE_PREFIX = "DEMO-"
SECRETARY_ORG_CODE = f"{CODE_PREFIX}000001"  # the first enterprise's 党委
SECRETARY2_ORG_CODE = f"{CODE_PREFIX}000002"  # the second enterprise's 党委
CAMPAIGN_TITLE = "争创学习型党组织，争当学习型党员"
NOTICE_PATH = Path(__file__).resolve().parent / "data" / "notice.zh-Hans.txt"
DEFAULT_ORGANIZATIONS = 30
DEFAULT_MEMBERS = 300
DEFAULT_SEED = 1921
BATCH_SIZE = 2000


@dataclass(frozen=True)
class DemoLogin:
    username: str
    full_name: str
    org_code: str | None = None
    role: str = MemberRole.MEMBER
    position: str = ""
    is_cadre: bool = False
    joined_party_on: datetime.date | None = None


DEMO_LOGINS = (
    DemoLogin("dept", "李红梅"),
    DemoLogin(
        "secretary",
        "张志强",
        org_code=SECRETARY_ORG_CODE,
        role=MemberRole.SECRETARY,
        position="党委书记、副总经理",
        is_cadre=True,
        joined_party_on=datetime.date(2003, 7, 1),
    ),
    DemoLogin(
        "secretary2",
        "陈丽华",
        org_code=SECRETARY2_ORG_CODE,
        role=MemberRole.SECRETARY,
        position="党委书记、董事长",
        is_cadre=True,
        joined_party_on=datetime.date(1998, 6, 28),
    ),
    DemoLogin(
        "member",
        "刘洋",
        org_code=SECRETARY_ORG_CODE,
        position="研发工程师",
        joined_party_on=datetime.date(2016, 11, 8),
    ),
)
MEMBER_LOGIN = "member"


class DemoDistrictError(Exception):
    """The demo district cannot be built as asked (the message says why)."""


def demo_district_exists() -> bool:
    return Organization.objects.filter(code__startswith=CODE_PREFIX).exists()


def ensure_demo_logins(*, password_hash: str | None = None) -> dict[str, User]:
    """Make sure the four demo logins exist, are active and use the demo password.

    The secretaries and the member are (re)attached to their demo
    organizations when those exist. Returns the users by username.
    """
    password_hash = password_hash or make_password(DEMO_PASSWORD)
    group = ensure_department_group()
    organizations = {
        o.code: o
        for o in Organization.objects.filter(code__in=[SECRETARY_ORG_CODE, SECRETARY2_ORG_CODE])
    }
    users = {}
    with transaction.atomic():
        for login in DEMO_LOGINS:
            is_department = login.org_code is None
            user, _created = User.objects.update_or_create(
                username=login.username,
                defaults={
                    "password": password_hash,
                    "full_name": login.full_name,
                    # So the console mail backend shows the portal's e-mails in development;
                    # .invalid never reaches a real mailbox.
                    "email": f"{login.username}@demo.invalid",
                    "is_active": True,
                    "is_staff": is_department,
                    "is_department_staff": is_department,
                    "must_change_password": False,
                },
            )
            if is_department:
                user.groups.add(group)
            elif login.org_code in organizations:
                Member.objects.update_or_create(
                    user=user,
                    defaults={
                        "organization": organizations[login.org_code],
                        "role": login.role,
                        "is_cadre": login.is_cadre,
                        "position": login.position,
                        "joined_party_on": login.joined_party_on,
                        "is_active": True,
                    },
                )
            users[login.username] = user
    return users


def build_demo_district(
    *,
    organizations: int = DEFAULT_ORGANIZATIONS,
    members: int = DEFAULT_MEMBERS,
    seed: int = DEFAULT_SEED,
    log: Callable[[str], None] | None = None,
) -> dict[str, int]:
    """Build the demo district in one transaction; returns rows created per model.

    Raises DemoDistrictError for sizes it cannot build or when bulk usernames
    are taken by users who are not part of a demo district.
    """
    if organizations < 4:
        raise DemoDistrictError("The demo district needs at least 4 organizations.")
    if members < organizations + 1:
        raise DemoDistrictError(
            "The demo district needs more members than organizations "
            "(every organization has a secretary)."
        )
    builder = _DistrictBuilder(
        organizations=organizations, members=members, seed=seed, log=log or (lambda _m: None)
    )
    with transaction.atomic():
        builder.build()
    # Planner statistics for the freshly loaded tables: without them PostgreSQL
    # takes a million rows for a few thousand and picks plans that take minutes
    # (autovacuum would catch up, but only later).
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return dict(builder.counts)


# ---------------------------------------------------------------------------
# Text the district is made of. People and enterprises are invented; the
# books are real titles. (Kept compact: these are tables, not code.)
# fmt: off

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕"
    "丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严"
)
# The commonest surnames carry more weight, as they do in a real roll.
SURNAME_WEIGHTS = [8 if i < 5 else 4 if i < 20 else 1 for i in range(len(SURNAMES))]
GIVEN_SINGLE = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超霞平刚辉鹏华飞鑫波斌宇浩凯健俊帆旭宁龙林欢阳晨颖琳婷雪琴倩蕾"
GIVEN_FIRST = "建志晓海文国春雪丽红玉俊子思欣宇梓佳振永德立明世新金秀桂淑美慧雅若一嘉天博家泽云"
GIVEN_SECOND = "华强东燕梅庆博涵然远怡航杰琪轩宁峰军林平明辉霞芳英兰敏伟勇刚涛斌鹏成文君萍洁瑶晨"

BRANDS = (
    "华泰", "恒通", "瑞丰", "金桥", "博远", "新源", "永盛", "宏达", "天宇", "佳禾",
    "申浦", "浦江", "远航", "鼎盛", "联创", "汇通", "明珠", "锦程", "嘉和", "润泽",
    "光华", "同创", "立诚", "启明", "星辰", "盛达", "安泰", "信和", "科力", "德润",
    "和泰", "东升", "凯盛", "兴华", "正源", "金盛", "蓝天", "绿洲", "海纳", "万隆",
    "中诚", "长风", "晨光", "江南", "东海", "华新", "泰和", "昌盛",
)
INDUSTRIES = (  # (in the enterprise's name, industry)
    ("精密机械", "装备制造"), ("电子科技", "电子信息"), ("生物医药", "生物医药"),
    ("新材料", "新材料"), ("汽车零部件", "汽车制造"), ("软件技术", "软件和信息服务"),
    ("智能装备", "装备制造"), ("物流", "现代物流"), ("环保科技", "节能环保"),
    ("建设工程", "建筑业"), ("食品", "食品加工"), ("化工", "化工"), ("半导体", "集成电路"),
    ("光电", "电子信息"), ("医疗器械", "生物医药"), ("供应链管理", "现代物流"),
    ("新能源", "新能源"), ("数据服务", "软件和信息服务"), ("包装材料", "新材料"),
    ("金属制品", "装备制造"), ("纺织", "纺织服装"), ("航空配件", "航空航天"),
    ("检测技术", "科技服务"), ("港口服务", "现代物流"),
)
STREETS = (
    "春晓路", "科苑路", "华夏东路", "张江路", "金海路", "川沙路", "新元南路", "临港大道",
)
GENERAL_BRANCH_UNITS = (
    "生产制造部", "研发中心", "营销中心", "工程技术部", "质量管理部", "运营中心", "第一事业部", "第二事业部", "物流中心", "机关",
)
BRANCH_UNITS = (
    "行政", "财务", "人力资源部", "研发", "销售", "质量", "安全环保部", "离退休", "技术中心", "第一车间",
    "第二车间", "装配车间", "仓储物流部", "客户服务部", "采购部", "信息中心",
)
ORDINALS = "一二三四五六七八九十"

COMMITTEE_SECRETARY_POSTS = ("党委书记、董事长", "党委书记、总经理", "党委书记、副总经理")
BRANCH_SECRETARY_POSTS = (
    "车间主任", "部门经理", "技术总监", "行政主管", "生产经理", "项目经理",
)
CADRE_POSTS = (
    "部门经理", "项目经理", "班组长", "车间副主任", "财务主管", "质量主管", "技术主管",
)
MEMBER_POSTS = (
    "工程师", "技术员", "操作工", "销售代表", "会计", "质检员", "采购专员", "人事专员", "设计师", "仓库管理员",
    "安全员", "电工", "钳工", "研发工程师", "客服专员", "行政专员", "数控操作员", "工艺员", "出纳", "物流调度员",
)
PLACES = (
    "党员活动室", "公司多功能厅", "三楼会议室", "新区党群服务中心", "车间学习角", "线上（视频会议）",
    "企业党校教室",
)

ACTIVITY_TOPICS = {
    ActivityForm.CONCENTRATED_STUDY: (
        "集中学习《中国共产党章程》", "集中学习党的二十届三中全会精神", "集中学习《中国共产党纪律处分条例》",
        "集中学习新区“十四五”发展规划", "集中学习《中国共产党简史》第一至三章",
        "集中学习安全生产法律法规",
    ),
    ActivityForm.LECTURE: (
        "数字化转型与企业发展专题讲座", "新质生产力专题讲座", "企业安全生产形势专题讲座",
        "知识产权保护专题讲座", "质量管理体系专题讲座",
    ),
    ActivityForm.TUTORING: (
        "党员发展工作流程学习辅导", "党费收缴使用管理学习辅导", "“三会一课”规范记录学习辅导",
        "学习笔记与心得写作辅导",
    ),
    ActivityForm.GROUP_DISCUSSION: (
        "“学习工作化、工作学习化”小组研讨", "如何发挥党员先锋模范作用小组研讨",
        "降本增效中的党员责任小组研讨", "提升一线班组执行力小组研讨",
    ),
    ActivityForm.SPEECH_CONTEST: (
        "“学习在岗位 奉献在一线”演讲比赛", "“我身边的学习型党员”演讲比赛",
        "“争当学习型党员”主题演讲比赛",
    ),
    ActivityForm.KNOWLEDGE_TEST: (
        "党章党规知识测验", "党史知识竞答", "安全生产知识测验", "“双争”活动应知应会知识测验",
    ),
    ActivityForm.AUDIO_VISUAL: (
        "观看专题片《榜样》", "观看纪录片《大国工匠》", "观看警示教育片", "观看电影《长津湖》",
    ),
    ActivityForm.DISTANCE_EDUCATION: (
        "党员远程教育：基层党建工作实务", "党员远程教育：企业文化建设", "党员远程教育：新时代工匠精神",
    ),
    ActivityForm.SUGGESTION_DISCUSSION: (
        "“我为企业发展献一计”专题讨论：降本增效", "“我为企业发展献一计”专题讨论：质量提升",
        "“我为企业发展献一计”专题讨论：技术创新",
    ),
    ActivityForm.PARTY_LECTURE: (
        "书记讲党课：做新时代合格党员", "书记讲党课：以学习促进企业高质量发展",
        "党课：弘扬伟大建党精神", "党课：在本职岗位上践行初心使命",
    ),
    ActivityForm.BRANCH_GENERAL_MEETING: (
        "支部党员大会：审议年度学习计划", "支部党员大会：通报“双争”活动进展",
        "支部党员大会：讨论入党积极分子培养", "支部党员大会：民主评议党员",
    ),
    ActivityForm.BRANCH_COMMITTEE_MEETING: (
        "支委会：研究季度学习安排", "支委会：研究“双争”活动推进措施", "支委会：研究党员学习考核办法",
    ),
    ActivityForm.PARTY_GROUP_MEETING: (
        "党小组会：交流学习心得", "党小组会：学习先进典型事迹", "党小组会：讨论岗位创新点子",
    ),
    ActivityForm.ORGANIZATIONAL_LIFE_MEETING: (
        "专题组织生活会：对照学习型党员要求查摆问题", "年度组织生活会：开展批评与自我批评",
    ),
    ActivityForm.DEMOCRATIC_LIFE_MEETING: (
        "党委班子专题民主生活会", "领导班子年度民主生活会：述学评学",
    ),
}
ACTIVITY_FORM_ZH = {
    ActivityForm.CONCENTRATED_STUDY: "集中学习",
    ActivityForm.LECTURE: "专题讲座",
    ActivityForm.TUTORING: "学习辅导",
    ActivityForm.GROUP_DISCUSSION: "小组研讨",
    ActivityForm.SPEECH_CONTEST: "演讲比赛",
    ActivityForm.KNOWLEDGE_TEST: "知识测验",
    ActivityForm.AUDIO_VISUAL: "电化教育",
    ActivityForm.DISTANCE_EDUCATION: "远程教育",
    ActivityForm.SUGGESTION_DISCUSSION: "“我为企业发展献一计”专题讨论",
    ActivityForm.PARTY_LECTURE: "党课",
    ActivityForm.BRANCH_GENERAL_MEETING: "支部党员大会",
    ActivityForm.BRANCH_COMMITTEE_MEETING: "支委会",
    ActivityForm.PARTY_GROUP_MEETING: "党小组会",
    ActivityForm.ORGANIZATIONAL_LIFE_MEETING: "组织生活会",
    ActivityForm.DEMOCRATIC_LIFE_MEETING: "民主生活会",
}
F = ActivityForm
# How often each form comes up in a year of a branch's or a 党委's records.
BRANCH_FORM_WEIGHTS = {
    F.CONCENTRATED_STUDY: 5, F.BRANCH_GENERAL_MEETING: 3, F.BRANCH_COMMITTEE_MEETING: 3,
    F.PARTY_GROUP_MEETING: 2, F.PARTY_LECTURE: 3, F.ORGANIZATIONAL_LIFE_MEETING: 1, F.LECTURE: 2,
    F.TUTORING: 1, F.GROUP_DISCUSSION: 2, F.SPEECH_CONTEST: 1, F.KNOWLEDGE_TEST: 1,
    F.AUDIO_VISUAL: 1, F.DISTANCE_EDUCATION: 1, F.SUGGESTION_DISCUSSION: 1,
}
COMMITTEE_FORM_WEIGHTS = {
    F.CONCENTRATED_STUDY: 5, F.LECTURE: 3, F.PARTY_LECTURE: 2, F.TUTORING: 1,
    F.DEMOCRATIC_LIFE_MEETING: 1, F.AUDIO_VISUAL: 1, F.DISTANCE_EDUCATION: 1,
    F.KNOWLEDGE_TEST: 1, F.SPEECH_CONTEST: 1, F.SUGGESTION_DISCUSSION: 1, F.GROUP_DISCUSSION: 1,
}
# Meetings only the secretary and the committee members attend.
LEADERSHIP_FORMS = {F.BRANCH_COMMITTEE_MEETING, F.DEMOCRATIC_LIFE_MEETING}
FORM_HOURS = {
    F.BRANCH_COMMITTEE_MEETING: ("1.0", "1.5"), F.PARTY_GROUP_MEETING: ("1.0", "1.5"),
    F.KNOWLEDGE_TEST: ("1.0", "1.5"), F.DEMOCRATIC_LIFE_MEETING: ("3.0", "4.0"),
    F.ORGANIZATIONAL_LIFE_MEETING: ("2.0", "3.0"), F.SPEECH_CONTEST: ("2.0", "3.0"),
}
DEFAULT_HOURS = ("1.5", "2.0", "2.0", "2.5", "3.0")

BOOKS = (  # (title, author, publisher, category)
    ("中国共产党简史", "本书编写组", "人民出版社", "党史"),
    ("中国共产党章程", "", "人民出版社", "党章党规"),
    ("论中国共产党历史", "习近平", "中央文献出版社", "党史"),
    ("之江新语", "习近平", "浙江人民出版社", "理论"),
    ("毛泽东选集（第一卷）", "毛泽东", "人民出版社", "理论"),
    ("邓小平文选（第三卷）", "邓小平", "人民出版社", "理论"),
    ("红星照耀中国", "埃德加·斯诺", "人民文学出版社", "历史"),
    ("苦难辉煌", "金一南", "华艺出版社", "党史"),
    ("长征", "王树增", "人民文学出版社", "党史"),
    ("平凡的世界", "路遥", "北京十月文艺出版社", "文学"),
    ("乡土中国", "费孝通", "北京大学出版社", "社会"),
    ("万历十五年", "黄仁宇", "中华书局", "历史"),
    ("激荡三十年", "吴晓波", "中信出版社", "经济"),
    ("浪潮之巅", "吴军", "人民邮电出版社", "科技"),
    ("第五项修炼：学习型组织的艺术与实践", "彼得·圣吉", "中信出版社", "管理"),
    ("卓有成效的管理者", "彼得·德鲁克", "机械工业出版社", "管理"),
    ("精益思想", "詹姆斯·P.沃麦克", "机械工业出版社", "管理"),
    ("高效能人士的七个习惯", "史蒂芬·柯维", "中国青年出版社", "管理"),
)
NOTE_OPENERS = (
    "近期认真学习了“{topic}”的内容，",
    "通过参加支部组织的“{topic}”，",
    "结合本职岗位，我重新学习了“{topic}”，",
    "利用业余时间自学了“{topic}”相关材料，",
)
NOTE_MIDDLES = (
    "深刻认识到学习是党员保持先进性的重要途径，只有不断学习才能跟上企业发展的步伐。",
    "进一步理解了理论联系实际的重要性，学习成果要体现在解决岗位上的实际问题上。",
    "对“学习工作化、工作学习化”有了更具体的体会，学习与工作本来就是相互促进的。",
    "感到自己在专业知识和理论素养上还有不少差距，需要制定更细致的学习计划。",
    "认识到作为一名党员，要在生产经营中带头学、带头干，带动身边职工共同进步。",
)
NOTE_CLOSINGS = (
    "今后我将坚持每周记好学习笔记，把学到的方法用到班组管理中去。",
    "下一步准备结合车间的降本增效任务，提出一两条可操作的改进建议。",
    "我会把这次学习的体会在党小组会上与大家交流，互相促进、共同提高。",
    "争取在年底前把所学内容转化为具体的工作成果，争当学习型党员。",
)
REFLECTION_THEMES = (
    "学习与岗位创新", "做新时代合格党员", "以学促干推动企业发展", "向书本学习、向实践学习、向群众学习",
    "终身学习的体会", "在平凡岗位上践行初心",
)
SUGGESTIONS = (  # (title, content)
    ("关于优化生产排班的建议", "建议根据订单波峰波谷实行弹性排班，减少空转时间和加班费用。"),
    ("关于推行班组安全积分制的建议", "建议以班组为单位建立安全积分，与评先评优挂钩，提升安全意识。"),
    ("关于降低包装材料损耗的建议", "建议对包装工序实行定额领料，并回收可重复使用的周转箱。"),
    ("关于建立新员工师带徒机制的建议", "建议由党员骨干与新员工结对，明确三个月的带教目标和考核办法。"),
    ("关于改进仓储货位管理的建议", "建议按出库频次重新划分货位，常用物料靠近出入口，缩短拣货路线。"),
    ("关于设立职工创新工作室的建议", "建议依托技术骨干设立创新工作室，定期征集并孵化一线改进点子。"),
    ("关于推进办公无纸化的建议", "建议将日常审批迁移到线上，减少纸张打印并提高审批效率。"),
    ("关于完善客户回访制度的建议", "建议对重点客户实行季度回访，把客户意见及时反馈到生产和研发部门。"),
    ("关于节约车间用电的建议", "建议对空压机和照明实行分时控制，下班后统一检查关停设备。"),
    ("关于开展岗位技能比武的建议", "建议每半年组织一次岗位技能比武，以赛促学、以赛促练。"),
    ("关于优化采购审批流程的建议", "建议对小额常用物料实行框架协议采购，缩短审批链条。"),
    ("关于建设党员学习角的建议", "建议在车间休息区设立党员学习角，配备书报和学习终端。"),
)
BENEFITS = (
    "试行三个月，每月节约成本约{n}万元。",
    "采纳后相关工序一次交检合格率提升{n}个百分点。",
    "实施后平均处理时间缩短约{n}0%。",
    "已在全公司推广，预计全年节约费用{n}万元。",
)
RESEARCH_TITLES = (
    "以党建引领推动企业技术创新的实践研究",
    "提升一线党员岗位技能的路径研究",
    "党员先锋岗在安全生产中的作用研究",
    "企业降本增效的实践与思考",
    "新生代员工思想政治工作方法研究",
    "党员责任区助推产品质量提升的探索",
    "数字化转型中党员学习方式创新研究",
    "党建工作与生产经营深度融合的机制研究",
)
RESEARCH_PROBLEMS = (
    "企业一线员工流动性大，技能培训效果不理想，影响产品质量稳定。",
    "生产成本持续上升，需要从管理和工艺上寻找降本空间。",
    "党建工作与生产经营存在“两张皮”现象，党员作用发挥不够明显。",
    "新员工比例高，对企业文化认同感不强，学习积极性有待提高。",
)
APPLICATION_COMMENTS = {
    ApplicationState.RETURNED: (
        "请补充党员学习考核、激励机制的具体材料，并完善组织意见后重新提交。",
        "主要事迹部分过于笼统，请补充学习成果应用于企业发展的具体事例。",
    ),
    ApplicationState.RESUBMITTED: ("已按审核意见补充材料。",),
    ApplicationState.RECOMMENDED: ("材料完整，学习成效突出，同意推荐。",),
    ApplicationState.NOT_RECOMMENDED: ("学习成果应用的事例不够充分，本年度暂不推荐。",),
}

# fmt: on

# ---------------------------------------------------------------------------


class Row(SimpleNamespace):
    """A row on its way into a table; attributes are the model's column attnames."""


class _Inserter:
    """Batched multi-row INSERTs (COPY on PostgreSQL) through the connection's cursor.

    ``bulk_create`` spends tens of microseconds a row building model instances
    and compiling SQL (on SQLite in statements of at most 999 parameters): at
    the big scale's 1.4 million rows that alone breaks the two-minute budget.
    This sends the same batched INSERTs without the per-row ORM work, adapting
    values column by column the way Django does (dates, aware datetimes,
    decimals) and filling omitted columns with the fields' defaults.
    """

    def __init__(self):
        self.vendor = connection.vendor
        self.ops = connection.ops

    def reserve_ids(self, model, n: int):
        """``n`` primary keys nobody else will get for ``model``'s table."""
        table, pk = model._meta.db_table, model._meta.pk.column
        with connection.cursor() as cursor:
            if self.vendor == "postgresql":
                cursor.execute(
                    "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                    [self.ops.quote_name(table), pk, n],
                )
                return [row[0] for row in cursor.fetchall()]
            # SQLite: the build runs in one write transaction (settings open it
            # IMMEDIATE), so no other writer can take these numbers meanwhile.
            # Past the AUTOINCREMENT counter too, so deleted ids are not reused.
            cursor.execute(
                f"SELECT COALESCE(MAX({self.ops.quote_name(pk)}), 0) "
                f"FROM {self.ops.quote_name(table)}"
            )
            highest = cursor.fetchone()[0]
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            counter = cursor.fetchone()
            first = max(highest, counter[0] if counter else 0) + 1
        return range(first, first + n)

    def adapter(self, field):
        kind = field.get_internal_type()
        if kind == "DateTimeField":
            return self.ops.adapt_datetimefield_value
        if kind == "DateField":
            return self.ops.adapt_datefield_value
        if kind == "DecimalField":
            return lambda value: (
                None
                if value is None
                else self.ops.adapt_decimalfield_value(
                    value, field.max_digits, field.decimal_places
                )
            )
        return None

    def insert(self, model, rows: Iterable[Row], *, with_ids: bool) -> int:
        """Insert ``rows``; columns a row leaves out take the field's default."""
        fields = [f for f in model._meta.concrete_fields if with_ids or not f.primary_key]
        defaults = [None if f.primary_key else f.get_default() for f in fields]
        columns = [(f.attname, d, self.adapter(f)) for f, d in zip(fields, defaults, strict=True)]
        table = self.ops.quote_name(model._meta.db_table)
        names = ", ".join(self.ops.quote_name(f.column) for f in fields)
        head = f"INSERT INTO {table} ({names}) VALUES "
        one = f"({', '.join(['%s'] * len(fields))})"

        def values(row):
            data = row.__dict__
            return [
                adapt(data.get(name, default)) if adapt else data.get(name, default)
                for name, default, adapt in columns
            ]

        total = 0
        with connection.cursor() as cursor:
            raw = cursor.cursor
            if self.vendor == "postgresql" and hasattr(raw, "copy"):
                # COPY is PostgreSQL's bulk-loading path (psycopg 3 adapts the values).
                with raw.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(values(row))
                        total += 1
                return total
            for batch in _batched(rows, BATCH_SIZE):
                if self.vendor == "sqlite":
                    cursor.executemany(head + one, [values(row) for row in batch])
                else:
                    params = [value for row in batch for value in values(row)]
                    cursor.execute(head + ", ".join([one] * len(batch)), params)
                total += len(batch)
        return total


def _batched(rows: Iterable, size: int):
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


@dataclass
class _OrgSpec:
    enterprise_index: int
    kind: str
    name: str
    parent: _OrgSpec | None
    level: int
    row: Row | None = None


class _DistrictBuilder:
    def __init__(self, *, organizations, members, seed, log):
        self.n_orgs = organizations
        self.n_members = members
        self.rng = random.Random(seed)
        self.log_line = log
        self.counts: Counter[str] = Counter()
        self.started = time.monotonic()
        self.now = timezone.now()
        self.today = timezone.localdate()
        self.year = self.today.year
        self.year_start = datetime.datetime(self.year, 1, 1, tzinfo=SHANGHAI)
        self.inserter = _Inserter()

    # -- helpers ------------------------------------------------------------

    def log(self, message: str) -> None:
        self.log_line(f"[{time.monotonic() - self.started:6.1f}s] {message}")

    def insert(self, model, rows: Iterable[Row], *, ids: bool = False) -> list[Row]:
        """Insert ``rows`` (a list, or a generator streamed in batches).

        With ``ids`` every row first gets its primary key, so later rows can
        point at it. Returns the rows when they came as a list (or with ids).
        """
        if ids:
            rows = list(rows)
            for row, pk in zip(rows, self.inserter.reserve_ids(model, len(rows)), strict=True):
                row.id = pk
        self.counts[model._meta.label] += self.inserter.insert(model, rows, with_ids=ids)
        return rows if isinstance(rows, list) else []

    def person_name(self) -> str:
        surname = self.rng.choices(SURNAMES, SURNAME_WEIGHTS)[0]
        if self.rng.random() < 0.3:
            return surname + self.rng.choice(GIVEN_SINGLE)
        return surname + self.rng.choice(GIVEN_FIRST) + self.rng.choice(GIVEN_SECOND)

    def day(self, lo: datetime.date, hi: datetime.date) -> datetime.date:
        """A day between ``lo`` and ``hi``, never after today."""
        hi = min(hi, self.today)
        if hi <= lo:
            return min(lo, self.today)
        return lo + datetime.timedelta(days=self.rng.randint(0, (hi - lo).days))

    def moment(self, day: datetime.date) -> datetime.datetime:
        """A time in office hours on ``day`` (Beijing time), never later than now."""
        at = datetime.datetime.combine(
            day, datetime.time(self.rng.randint(8, 17), self.rng.randint(0, 59)), tzinfo=SHANGHAI
        )
        return min(at, self.now)

    def moments(self, lo: datetime.datetime, limits: list[datetime.datetime]) -> list:
        """Increasing times after ``lo``, the i-th no later than ``limits[i]`` (nor now).

        Office hours where there is room; when ``lo`` is too close to the
        limits (early on the campaign's first day) ``lo`` gives way.
        """
        minute = datetime.timedelta(minutes=1)
        latest = [min(limit, self.now) for limit in limits]
        for i in range(len(latest) - 2, -1, -1):  # leave a minute for every later step
            latest[i] = min(latest[i], latest[i + 1] - minute)
        previous = min(lo, latest[0] - minute)
        result = []
        for last in latest:
            day = self.day(previous.astimezone(SHANGHAI).date(), last.astimezone(SHANGHAI).date())
            at = max(self.moment(day), previous + minute)
            if at > last:
                at = previous + minute
            result.append(at)
            previous = at
        return result

    def hours(self, form) -> Decimal:
        return Decimal(self.rng.choice(FORM_HOURS.get(form, DEFAULT_HOURS)))

    def score(self, maximum: Decimal, low: float = 0.7) -> Decimal:
        top = int(maximum * 2)
        return Decimal(self.rng.randint(int(top * low), top)) / 2

    def filed(self, status_filed: bool, created: datetime.date, by: int | None) -> dict:
        """Status, filing and timestamp columns of a plan created on ``created``."""
        created_at = self.moment(created)
        if not status_filed:
            return {
                "status": PlanStatus.DRAFT,
                "created_at": created_at,
                "updated_at": created_at,
            }
        filed_at = max(
            self.moment(self.day(created, created + datetime.timedelta(days=10))), created_at
        )
        return {
            "status": PlanStatus.FILED,
            "filed_at": filed_at,
            "filed_by_id": by,
            "created_at": created_at,
            "updated_at": filed_at,
        }

    # -- the build ----------------------------------------------------------

    def build(self) -> None:
        if connection.vendor == "sqlite":
            # A bigger page cache for this connection keeps the indexes being
            # filled in memory (the default 2 MB thrashes at the big scale).
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA cache_size = -262144")
        self.password_hash = make_password(DEMO_PASSWORD)
        self.build_campaign()
        self.build_organizations()
        self.build_members()
        self.build_implementation_plans()
        self.build_study_plans()
        self.build_books()
        self.build_activities()
        self.build_notes_and_reading()
        self.build_research_and_suggestions()
        self.build_assessments_and_applications()

    def build_campaign(self) -> None:
        campaign = Campaign.objects.filter(year=self.year).first()
        if campaign is None:
            campaign = Campaign.objects.create(
                year=self.year,
                title=CAMPAIGN_TITLE,
                notice=NOTICE_PATH.read_text(encoding="utf-8"),
                starts_on=min(datetime.date(self.year, 3, 1), self.today),
                ends_on=datetime.date(self.year, 12, 31),
            )
            self.counts[Campaign._meta.label] += 1
        self.counts["appraisal.Criterion"] += len(create_default_criteria(campaign))
        self.campaign_id = campaign.pk
        self.start = max(campaign.starts_on, datetime.date(self.year, 1, 1))
        self.deadline = campaign.application_deadline
        self.criteria = {
            subject: list(campaign.criteria.filter(subject=subject).order_by("position"))
            for subject in CriterionSubject.values
        }
        self.log(
            f"campaign {campaign.year} with {len(self.criteria['organization'])} + "
            f"{len(self.criteria['member'])} criteria"
        )

    # Organizations ---------------------------------------------------------

    def enterprise_shape(self, index: int, room: int) -> list[tuple[str, int | None, str]]:
        """(kind, parent position in this list, unit name) in breadth-first order."""
        if index < 2:  # the demo logins' enterprises: a 党委 with both kinds of children
            direct, general = (2, [2]) if index == 0 else (1, [2])
        elif self.rng.random() < 0.25:
            return [(OrganizationKind.BRANCH, None, "")]
        else:
            direct = self.rng.randint(1, 4)
            general = [self.rng.randint(2, 4) for _ in range(self.rng.choice((0, 0, 1, 1, 2, 3)))]
        shape = [(OrganizationKind.COMMITTEE, None, "")]
        units = self.rng.sample(BRANCH_UNITS, direct)
        gb_units = self.rng.sample(GENERAL_BRANCH_UNITS, len(general))
        gb_positions = []
        for unit in gb_units:
            gb_positions.append(len(shape))
            shape.append((OrganizationKind.GENERAL_BRANCH, 0, unit))
        for unit in units:
            shape.append((OrganizationKind.BRANCH, 0, unit))
        for position, unit, count in zip(gb_positions, gb_units, general, strict=True):
            for n in range(count):
                shape.append((OrganizationKind.BRANCH, position, f"{unit}第{ORDINALS[n]}"))
        return shape[:room]

    def build_organizations(self) -> None:
        specs: list[_OrgSpec] = []
        enterprises: list[Row] = []
        taken = set(Enterprise.objects.values_list("name", flat=True))
        index = 0
        while len(specs) < self.n_orgs:
            # The first enterprise leaves room for the second one's 党委 and a child.
            room = self.n_orgs - len(specs) - (2 if index == 0 else 0)
            shape = self.enterprise_shape(index, room)
            enterprise = self.new_enterprise(index, taken, large=len(shape) > 8)
            enterprises.append(enterprise)
            local: list[_OrgSpec] = []
            for kind, parent_position, unit in shape:
                parent = local[parent_position] if parent_position is not None else None
                if kind == OrganizationKind.COMMITTEE:
                    name = f"{enterprise.name}党委"
                elif kind == OrganizationKind.GENERAL_BRANCH:
                    name = f"{enterprise.name}{unit}党总支"
                else:
                    name = f"{enterprise.name}{unit}党支部"
                level = 0 if parent is None else parent.level + 1
                local.append(_OrgSpec(index, kind, name, parent, level))
            specs.extend(local)
            index += 1
        self.insert(Enterprise, enterprises, ids=True)

        # Roots first, then each level below, so the demo logins' 党委 get the
        # first codes and every parent's path is known before its children's.
        specs.sort(key=lambda spec: spec.level)
        ids = self.inserter.reserve_ids(Organization, len(specs))
        self.orgs: list[Row] = []
        for number, (spec, pk) in enumerate(zip(specs, ids, strict=True), start=1):
            parent = spec.parent.row if spec.parent else None
            spec.row = Row(
                id=pk,
                name=spec.name,
                code=f"{CODE_PREFIX}{number:06d}",
                kind=spec.kind,
                parent_id=parent.id if parent else None,
                enterprise_id=enterprises[spec.enterprise_index].id,
                path=f"{parent.path if parent else '/'}{pk}/",
                depth=spec.level,
                founded_on=datetime.date(self.rng.randint(1995, self.year - 1), 7, 1),
                enterprise_name=enterprises[spec.enterprise_index].name,
            )
            self.orgs.append(spec.row)
        self.counts[Organization._meta.label] += self.inserter.insert(
            Organization, self.orgs, with_ids=True
        )
        self.org_by_id = {org.id: org for org in self.orgs}
        self.log(f"{len(enterprises)} enterprises, {len(self.orgs)} organizations")

    def new_enterprise(self, index: int, taken: set, large: bool) -> Row:
        for attempt in range(200):
            industry, sector = self.rng.choice(INDUSTRIES)
            if large and attempt < 100:
                suffix = "集团有限公司"
            else:
                suffix = "股份有限公司" if self.rng.random() < 0.2 else "有限公司"
            name = f"新区{self.rng.choice(BRANDS)}{industry}{suffix}"
            if attempt >= 100:
                name = f"{name.removesuffix('有限公司')}{ORDINALS[attempt % 10]}分公司"
            if name not in taken:
                break
        else:
            name = f"新区第{index + 1}号企业有限公司"
        taken.add(name)
        return Row(
            name=name,
            industry=sector,
            address=f"新区{self.rng.choice(STREETS)}{self.rng.randint(1, 2999)}号",
        )

    # Members ---------------------------------------------------------------

    def build_members(self) -> None:
        logins = ensure_demo_logins(password_hash=self.password_hash)
        self.dept_user_id = logins["dept"].pk
        special = {
            m.user.username: m
            for m in Member.objects.filter(user__in=list(logins.values())).select_related("user")
        }

        weights = [
            {OrganizationKind.COMMITTEE: 0.5, OrganizationKind.GENERAL_BRANCH: 0.3}.get(o.kind, 1.0)
            for o in self.orgs
        ]
        sizes = [1] * len(self.orgs)
        sizes[0] += 1  # room for the `member` login beside `secretary`
        for i in self.rng.choices(range(len(self.orgs)), weights, k=self.n_members - sum(sizes)):
            sizes[i] += 1

        bulk_count = self.n_members - 3
        usernames = [f"m{n:06d}" for n in range(1, bulk_count + 1)]
        clash = set(
            User.objects.filter(username__startswith="m").values_list("username", flat=True)
        ).intersection(usernames)
        if clash:
            raise DemoDistrictError(
                f"Usernames the demo district needs are taken (e.g. {min(clash)}); "
                "build it on an empty database."
            )

        members = []
        new_users = []
        for org, size in zip(self.orgs, sizes, strict=True):
            committee = org.kind == OrganizationKind.COMMITTEE
            n_committee = 0 if size < 3 else min(4 if committee else 2, (size - 1) // 3)
            for n in range(size):
                login = None
                if n == 0:
                    role, cadre = MemberRole.SECRETARY, True
                    posts = COMMITTEE_SECRETARY_POSTS if committee else BRANCH_SECRETARY_POSTS
                    login = {
                        SECRETARY_ORG_CODE: "secretary",
                        SECRETARY2_ORG_CODE: "secretary2",
                    }.get(org.code)
                elif n <= n_committee:
                    role, cadre, posts = MemberRole.COMMITTEE_MEMBER, True, CADRE_POSTS
                else:
                    role, cadre = MemberRole.MEMBER, self.rng.random() < 0.1
                    posts = CADRE_POSTS if cadre else MEMBER_POSTS
                    if org.code == SECRETARY_ORG_CODE and n == size - 1:
                        login = MEMBER_LOGIN
                post = self.rng.choice(posts)
                if login is not None and login in special:
                    existing = special[login]
                    members.append(
                        Row(
                            id=existing.pk,
                            user_id=existing.user_id,
                            organization_id=existing.organization_id,
                            role=existing.role,
                            demo_name=existing.user.full_name,
                            login=login,
                        )
                    )
                    continue
                user = Row(
                    username=usernames[len(new_users)],
                    password=self.password_hash,
                    full_name=self.person_name(),
                    date_joined=self.now,
                )
                new_users.append(user)
                members.append(
                    Row(
                        user=user,
                        organization_id=org.id,
                        role=role,
                        is_cadre=cadre,
                        position=post,
                        joined_party_on=self.day(
                            datetime.date(1985, 1, 1), datetime.date(self.year - 1, 12, 31)
                        ),
                        is_active=True,
                        demo_name=user.full_name,
                        login=None,
                    )
                )
        self.insert(User, new_users, ids=True)
        self.log(f"{len(new_users)} users (+ the 4 demo logins)")
        new_members = [m for m in members if m.login is None]
        for member in new_members:
            member.user_id = member.user.id
            del member.user
        self.insert(Member, new_members, ids=True)
        self.members = members
        self.members_by_org = defaultdict(list)
        for member in members:
            self.members_by_org[member.organization_id].append(member)
        # Each organization's first member is its secretary.
        self.secretary_of = {org_id: ms[0] for org_id, ms in self.members_by_org.items()}
        self.member_login = next((m for m in members if m.login == MEMBER_LOGIN), None)
        self.log(f"{len(members)} members")

    def secretary_user_id(self, org_id: int) -> int:
        return self.secretary_of[org_id].user_id

    # Plans -------------------------------------------------------------------

    def build_implementation_plans(self) -> None:
        plans = []
        for org in self.orgs:
            forced = org.code in (SECRETARY_ORG_CODE, SECRETARY2_ORG_CODE)
            roll = self.rng.random()
            if roll > 0.85 and not forced:
                continue
            created = self.day(self.start, self.start + datetime.timedelta(days=45))
            plans.append(
                Row(
                    campaign_id=self.campaign_id,
                    organization_id=org.id,
                    title=f"{org.name}{self.year}年“双争”活动实施方案",
                    content=self.implementation_plan_text(org),
                    **self.filed(forced or roll < 0.7, created, self.secretary_user_id(org.id)),
                )
            )
        self.insert(ImplementationPlan, plans, ids=True)
        self.implementation_plan_of = {plan.organization_id: plan for plan in plans}
        self.log(f"{len(plans)} implementation plans")

    def implementation_plan_text(self, org) -> str:
        return (
            f"一、指导思想\n按照党工委《关于在新区企业党组织中开展“争创学习型党组织，争当学习型党员”"
            f"活动的通知》要求，结合{org.enterprise_name}生产经营实际，在全体党员中深入开展“双争”活动。\n"
            f"二、目标任务\n{self.year}年内，每名党员做到“五个一”；党组织全年开展集中学习不少于"
            f"{self.rng.choice((8, 10, 12))}次，人均学习时间不少于{self.rng.choice((24, 32, 40))}小时。\n"
            "三、主要措施\n（一）制定年度、季度学习计划，确定重点学习内容；（二）落实“三会一课”制度；"
            "（三）建设学习型党组织书库；（四）围绕企业发展提出研究课题，开展“我为企业发展献一计”活动。\n"
            "四、组织保障\n成立“双争”活动领导小组，书记任组长，建立学习考核、激励、约束机制。"
        )

    def form_weights(self, org) -> tuple[list, list]:
        weights = (
            COMMITTEE_FORM_WEIGHTS
            if org.kind == OrganizationKind.COMMITTEE
            else BRANCH_FORM_WEIGHTS
        )
        return list(weights), list(weights.values())

    def build_study_plans(self) -> None:
        year_start = datetime.date(self.year, 1, 1)
        current_quarter = (self.today.month - 1) // 3 + 1
        plans = []
        for org in self.orgs:
            forced = org.code in (SECRETARY_ORG_CODE, SECRETARY2_ORG_CODE)
            forms, weights = self.form_weights(org)
            secretary_id = self.secretary_user_id(org.id)
            if forced or self.rng.random() < 0.9:
                created = self.day(self.start, self.start + datetime.timedelta(days=30))
                plan = Row(
                    campaign_id=self.campaign_id,
                    kind=StudyPlanKind.ORGANIZATION_ANNUAL,
                    organization_id=org.id,
                    title=f"{self.year}年度学习计划",
                    key_content=(
                        "1. 深入学习党章党规和党的创新理论；\n2. 学习“双争”活动通知和基本要求；\n"
                        "3. 结合企业发展学习业务知识和管理知识；\n4. 开展“我为企业发展献一计”专题讨论。"
                    ),
                    **self.filed(forced or self.rng.random() < 0.85, created, secretary_id),
                )
                # Sessions spread over the months so far (no date lies ahead of today).
                so_far = range(self.start.month, self.today.month + 1)
                months = sorted(self.rng.sample(so_far, min(6, len(so_far))))
                plan.demo_items = [
                    (
                        form,
                        self.day(datetime.date(self.year, m, 1), datetime.date(self.year, m, 28)),
                    )
                    for m, form in zip(
                        months, self.rng.choices(forms, weights, k=len(months)), strict=True
                    )
                ]
                plans.append(plan)
            for quarter in range(1, current_quarter + 1):
                if not forced and self.rng.random() < 0.15:
                    continue
                quarter_start = datetime.date(self.year, 3 * quarter - 2, 1)
                created = self.day(
                    max(year_start, quarter_start - datetime.timedelta(days=15)), quarter_start
                )
                filed = quarter < current_quarter or forced or self.rng.random() < 0.6
                plan = Row(
                    campaign_id=self.campaign_id,
                    kind=StudyPlanKind.ORGANIZATION_QUARTERLY,
                    organization_id=org.id,
                    quarter=quarter,
                    title=f"{self.year}年第{ORDINALS[quarter - 1]}季度学习计划",
                    key_content=(
                        f"本季度重点学习内容：{self.rng.choice(ACTIVITY_TOPICS[self.rng.choice(forms)])}。"
                    ),
                    **self.filed(filed, created, secretary_id),
                )
                quarter_end = datetime.date(self.year, 3 * quarter, 28)
                plan.demo_items = [
                    (form, self.day(quarter_start, quarter_end))
                    for form in self.rng.choices(forms, weights, k=self.rng.randint(2, 3))
                ]
                plans.append(plan)
        self.insert(StudyPlan, plans, ids=True)
        items = []
        for plan in plans:
            for position, (form, day) in enumerate(plan.demo_items, start=1):
                items.append(
                    Row(
                        plan_id=plan.id,
                        position=position,
                        topic=self.rng.choice(ACTIVITY_TOPICS[form]),
                        scheduled_on=day,
                        form=form,
                        speaker="",
                        hours=self.hours(form),
                        organization_id=plan.organization_id,
                    )
                )
        self.insert(StudyPlanItem, items, ids=True)
        # Most sessions scheduled before today were held: they become activities.
        self.due_items = defaultdict(list)
        for item in items:
            if item.scheduled_on < self.today and self.rng.random() < 0.6:
                self.due_items[item.organization_id].append(item)

        personal = []
        for member in self.members:
            is_login = member is self.member_login
            if not is_login and self.rng.random() > 0.75:
                continue
            created = self.day(self.start, self.start + datetime.timedelta(days=60))
            book = self.rng.choice(BOOKS)[0]
            personal.append(
                Row(
                    campaign_id=self.campaign_id,
                    kind=StudyPlanKind.PERSONAL,
                    organization_id=member.organization_id,
                    member_id=member.id,
                    title=f"{member.demo_name}{self.year}年个人学习计划",
                    key_content=(
                        f"1. 精读《{book}》，写好读书笔记；\n2. 每月参加支部集中学习，全年学习时间不少于"
                        f"{self.rng.choice((24, 32, 40))}小时；\n3. 写好一篇学习心得，作好一次学习交流。"
                    ),
                    **self.filed(is_login or self.rng.random() < 0.85, created, member.user_id),
                )
            )
        self.insert(StudyPlan, personal)
        self.log(
            f"{len(plans)} organization plans with {len(items)} items, "
            f"{len(personal)} personal plans"
        )

    # Books, activities, attendance ---------------------------------------------

    def build_books(self) -> None:
        books = [
            Row(
                organization_id=org.id,
                title=title,
                author=author,
                isbn="",
                category=category,
                publisher=publisher,
                copies=self.rng.randint(1, 5),
                added_on=self.day(datetime.date(self.year, 1, 1), self.start),
            )
            for org in self.orgs
            for title, author, publisher, category in self.rng.sample(BOOKS, self.rng.randint(3, 8))
        ]
        self.insert(Book, books, ids=True)
        self.books_of = defaultdict(list)
        for book in books:
            self.books_of[book.organization_id].append(book)
        self.log(f"{len(books)} books")

    def build_activities(self) -> None:
        activities = []
        for org in self.orgs:
            forms, weights = self.form_weights(org)
            target = self.rng.randint(6, 10)
            held = self.due_items.get(org.id, [])[:target]
            for item in held:
                activities.append(self.new_activity(org, item.form, item.scheduled_on, item))
            for form in self.rng.choices(forms, weights, k=target - len(held)):
                activities.append(self.new_activity(org, form, self.day(self.start, self.today)))
        # Every form the notice names appears somewhere in the district.
        counts = Counter(a.form for a in activities)
        for form in ActivityForm:
            if counts[form]:
                continue
            wanted = (
                OrganizationKind.COMMITTEE
                if form == F.DEMOCRATIC_LIFE_MEETING
                else OrganizationKind.BRANCH
            )
            candidates = [
                a
                for a in activities
                if self.org_by_id[a.organization_id].kind == wanted and a.plan_item_id is None
            ] or activities
            victim = max(candidates, key=lambda a: counts[a.form])
            counts[victim.form] -= 1
            self.set_form(victim, form)
            counts[form] += 1
        self.insert(StudyActivity, activities, ids=True)
        self.log(f"{len(activities)} activities")

        def attendance():
            for activity in activities:
                people = self.members_by_org[activity.organization_id]
                if activity.form in LEADERSHIP_FORMS:
                    people = [m for m in people if m.role != MemberRole.MEMBER]
                for member in people:
                    if (
                        member is self.member_login
                        or member.role == MemberRole.SECRETARY
                        or self.rng.random() < 0.85
                    ):
                        yield Row(
                            activity_id=activity.id, member_id=member.id, hours=activity.hours
                        )

        self.insert(Attendance, attendance())
        self.log(f"{self.counts['learning.Attendance']} attendance records")

    def new_activity(self, org, form, held_on, item=None) -> Row:
        activity = Row(
            campaign_id=self.campaign_id,
            organization_id=org.id,
            held_on=held_on,
            place=self.rng.choice(PLACES),
            plan_item_id=item.id if item else None,
            recorded_by_id=self.secretary_user_id(org.id),
            created_at=self.moment(held_on),
        )
        activity.updated_at = activity.created_at
        self.set_form(activity, form, topic=item.topic if item else None)
        if item is not None:
            activity.hours = item.hours
        return activity

    def set_form(self, activity, form, topic=None) -> None:
        org = self.org_by_id[activity.organization_id]
        activity.form = form
        activity.topic = topic or self.rng.choice(ACTIVITY_TOPICS[form])
        activity.hours = self.hours(form)
        if form == F.LECTURE:
            activity.speaker = f"{self.person_name()}（新区党工委党校）"
        elif form in (F.AUDIO_VISUAL, F.DISTANCE_EDUCATION, F.KNOWLEDGE_TEST):
            activity.speaker = ""
        else:
            activity.speaker = self.secretary_of[org.id].demo_name
        held = activity.held_on
        activity.minutes = (
            f"{held.year}年{held.month}月{held.day}日，{org.name}在{activity.place}组织开展"
            f"{ACTIVITY_FORM_ZH[form]}，主题为“{activity.topic}”。"
            + (f"{activity.speaker}主讲。" if activity.speaker else "")
            + "与会党员结合岗位实际进行了交流讨论，并明确了下一步学习任务。"
        )

    # Notes, reading --------------------------------------------------------------

    def build_notes_and_reading(self) -> None:
        records, notes = [], []
        for member in self.members:
            is_login = member is self.member_login
            book = self.rng.choice(self.books_of[member.organization_id])
            if is_login or self.rng.random() < 0.6:
                finished = self.day(self.start + datetime.timedelta(days=20), self.today)
                at = self.moment(finished)
                records.append(
                    Row(
                        campaign_id=self.campaign_id,
                        member_id=member.id,
                        book_id=book.id,
                        finished_on=finished,
                        summary=f"精读《{book.title}》，{self.rng.choice(NOTE_MIDDLES)}",
                        created_at=at,
                        updated_at=at,
                    )
                )
            kinds = [NoteKind.NOTE]
            if is_login or self.rng.random() < 0.35:
                kinds.append(NoteKind.NOTE)
            if is_login or self.rng.random() < 0.55:
                kinds.append(NoteKind.REFLECTION)
            if is_login or self.rng.random() < 0.3:
                kinds.append(NoteKind.EXCHANGE)
            for n, kind in enumerate(kinds):
                notes.append(self.new_note(member, kind, book if n == 0 else None, is_login))
        self.insert(ReadingRecord, records)
        # Only the excellent reflections need their ids (for the secretary's comment).
        excellent = self.insert(StudyNote, [n for n in notes if n.is_excellent], ids=True)
        self.insert(StudyNote, (n for n in notes if not n.is_excellent))
        self.insert(
            NoteComment,
            (
                Row(
                    note_id=note.id,
                    author_id=note.marked_excellent_by_id,
                    body="心得联系岗位实际，体会深刻，推荐全体党员学习。",
                    created_at=note.updated_at,
                )
                for note in excellent
            ),
        )
        self.log(f"{len(records)} reading records, {len(notes)} notes ({len(excellent)} excellent)")

    def new_note(self, member, kind, book, is_login) -> Row:
        written = self.day(self.start, self.today)
        if kind == NoteKind.NOTE and book is not None:
            title, topic = f"《{book.title}》读书笔记", book.title
        elif kind == NoteKind.NOTE:
            topic = self.rng.choice(ACTIVITY_TOPICS[F.CONCENTRATED_STUDY])
            title = f"{topic}笔记"
        elif kind == NoteKind.REFLECTION:
            topic = self.rng.choice(REFLECTION_THEMES)
            title = f"学习心得：{topic}"
        else:
            topic = self.rng.choice(REFLECTION_THEMES)
            title = f"学习交流发言：{topic}"
        excellent = kind == NoteKind.REFLECTION and (is_login or self.rng.random() < 0.12)
        created = self.moment(written)
        return Row(
            campaign_id=self.campaign_id,
            member_id=member.id,
            organization_id=member.organization_id,
            kind=kind,
            title=title,
            body=(
                self.rng.choice(NOTE_OPENERS).format(topic=topic)
                + self.rng.choice(NOTE_MIDDLES)
                + self.rng.choice(NOTE_CLOSINGS)
            ),
            written_on=written,
            book_id=book.id if book else None,
            is_excellent=excellent,
            marked_excellent_by_id=(
                self.secretary_user_id(member.organization_id) if excellent else None
            ),
            created_at=created,
            updated_at=(
                min(created + datetime.timedelta(days=self.rng.randint(1, 10)), self.now)
                if excellent
                else created
            ),
        )

    # Research topics, suggestions -------------------------------------------------

    def build_research_and_suggestions(self) -> None:
        topics = []
        for org in self.orgs:
            people = self.members_by_org[org.id]
            forced = org.code == SECRETARY_ORG_CODE
            if len(people) < 2 or not (forced or self.rng.random() < 0.3):
                continue
            status = self.rng.choice(ResearchStatus.values)
            started = self.day(self.start, self.today)
            concluded = (
                self.day(started, self.today) if status == ResearchStatus.CONCLUDED else None
            )
            topic = Row(
                campaign_id=self.campaign_id,
                organization_id=org.id,
                title=self.rng.choice(RESEARCH_TITLES),
                problem=self.rng.choice(RESEARCH_PROBLEMS),
                lead_id=people[0].id,
                status=status,
                started_on=started if status != ResearchStatus.PROPOSED else None,
                concluded_on=concluded,
                outcome="形成调研报告一份，提出改进措施五条。" if concluded else "",
                outcome_application=(
                    "改进措施已在相关部门试行，效果良好，计划在全公司推广。" if concluded else ""
                ),
                created_at=self.moment(started),
                updated_at=self.moment(concluded or started),
                demo_people=self.rng.sample(people, min(len(people), 4)),
            )
            topics.append(topic)
        self.insert(ResearchTopic, topics, ids=True)
        self.insert(
            ResearchTopicParticipant,
            (
                Row(topic_id=topic.id, member_id=member.id)
                for topic in topics
                for member in topic.demo_people
            ),
        )

        suggestions = []
        for member in self.members:
            is_login = member is self.member_login
            if not is_login and self.rng.random() > 0.25:
                continue
            title, content = self.rng.choice(SUGGESTIONS)
            created = self.moment(self.day(self.start, self.today))
            status = (
                SuggestionStatus.PENDING
                if is_login
                else self.rng.choices(SuggestionStatus.values, (4, 4, 2))[0]
            )
            row = Row(
                campaign_id=self.campaign_id,
                member_id=member.id,
                organization_id=member.organization_id,
                title=title,
                content=content,
                status=status,
                benefit="",
                created_at=created,
                updated_at=created,
            )
            if status != SuggestionStatus.PENDING:
                row.decided_by_id = self.secretary_user_id(member.organization_id)
                row.decided_at = row.updated_at = min(
                    created + datetime.timedelta(days=self.rng.randint(3, 30)), self.now
                )
            if status == SuggestionStatus.ADOPTED:
                row.benefit = self.rng.choice(BENEFITS).format(n=self.rng.randint(1, 9))
            suggestions.append(row)
        self.insert(Suggestion, suggestions)
        self.log(f"{len(topics)} research topics, {len(suggestions)} suggestions")

    # Self-assessments, applications, reviews --------------------------------------

    STATE_CYCLE = (
        ApplicationState.RETURNED,
        ApplicationState.SUBMITTED,
        ApplicationState.UNDER_REVIEW,
        ApplicationState.RECOMMENDED,
        ApplicationState.DRAFT,
        ApplicationState.RESUBMITTED,
        ApplicationState.NOT_RECOMMENDED,
        ApplicationState.UNDER_REVIEW,
        ApplicationState.SUBMITTED,
        ApplicationState.RECOMMENDED,
        ApplicationState.DRAFT,
    )
    # The steps that lead from a draft to each state.
    PATHS = {
        ApplicationState.DRAFT: (),
        ApplicationState.SUBMITTED: (ApplicationState.SUBMITTED,),
        ApplicationState.UNDER_REVIEW: (ApplicationState.SUBMITTED, ApplicationState.UNDER_REVIEW),
        ApplicationState.RETURNED: (
            ApplicationState.SUBMITTED,
            ApplicationState.UNDER_REVIEW,
            ApplicationState.RETURNED,
        ),
        ApplicationState.RESUBMITTED: (
            ApplicationState.SUBMITTED,
            ApplicationState.UNDER_REVIEW,
            ApplicationState.RETURNED,
            ApplicationState.RESUBMITTED,
        ),
        ApplicationState.RECOMMENDED: (
            ApplicationState.SUBMITTED,
            ApplicationState.UNDER_REVIEW,
            ApplicationState.RECOMMENDED,
        ),
        ApplicationState.NOT_RECOMMENDED: (
            ApplicationState.SUBMITTED,
            ApplicationState.UNDER_REVIEW,
            ApplicationState.NOT_RECOMMENDED,
        ),
    }
    SUBMISSIONS = frozenset({ApplicationState.SUBMITTED, ApplicationState.RESUBMITTED})
    REVIEW_OUTCOMES = frozenset(
        {
            ApplicationState.RETURNED,
            ApplicationState.RECOMMENDED,
            ApplicationState.NOT_RECOMMENDED,
        }
    )

    def build_assessments_and_applications(self) -> None:
        n_apps = max(3, round(self.n_orgs * 0.1))
        fixed = [o for o in self.orgs if o.code in (SECRETARY_ORG_CODE, SECRETARY2_ORG_CODE)]
        others = [o for o in self.orgs if o not in fixed]
        org_applicants = fixed + self.rng.sample(others, min(len(others), n_apps - len(fixed)))
        pool = [
            m for m in self.members if m.role != MemberRole.SECRETARY and m is not self.member_login
        ]
        member_applicants = [self.member_login] if self.member_login else []
        member_applicants += self.rng.sample(pool, min(len(pool), n_apps - len(member_applicants)))

        # (kind, organization, member or None, state): the states cycle so that
        # every one of them shows up even in a small district.
        filings = [
            (ApplicationKind.ORGANIZATION_MODEL, org, None, self.STATE_CYCLE[i % 11])
            for i, org in enumerate(org_applicants)
        ] + [
            (
                ApplicationKind.MEMBER_MODEL,
                self.org_by_id[member.organization_id],
                member,
                self.STATE_CYCLE[(i + 2) % 11],
            )
            for i, member in enumerate(member_applicants)
        ]
        timelines = [self.application_timeline(org, state) for _k, org, _m, state in filings]

        # Each applicant assessed itself before filing; a few more organizations
        # assessed themselves without applying.
        assessments = [
            self.new_assessment(org, member, before=created, done=bool(steps))
            for (_k, org, member, _s), (created, steps) in zip(filings, timelines, strict=True)
        ]
        applying = {org.id for org in org_applicants}
        extra = self.rng.sample(others, min(len(others), max(1, self.n_orgs // 10)))
        assessments += [
            self.new_assessment(org, None, before=self.now, done=self.rng.random() < 0.5)
            for org in extra
            if org.id not in applying
        ]
        self.insert(SelfAssessment, assessments, ids=True)
        self.build_scores_and_evidence(assessments)

        applications = []
        for (kind, org, member, state), (created, steps), assessment in zip(
            filings, timelines, assessments, strict=False
        ):
            subject = member.demo_name if member else org.name
            applications.append(
                Row(
                    campaign_id=self.campaign_id,
                    kind=kind,
                    organization_id=org.id,
                    member_id=member.id if member else None,
                    state=state,
                    main_deeds=(
                        f"{subject}认真落实“双争”活动部署，坚持“学习工作化、工作学习化”，"
                        "学习成果应用于企业生产经营，取得明显成效。"
                    ),
                    self_assessment_id=assessment.id,
                    organization_opinion="同意推荐。" if steps else "",
                    submitted_at=steps[0][2] if steps else None,
                    staged_decision="",
                    staged_comment="",
                    created_by_id=self.secretary_user_id(org.id),
                    created_at=created,
                    updated_at=steps[-1][2] if steps else created,
                    demo_steps=steps,
                )
            )
        self.insert(Application, applications, ids=True)

        transitions, reviews = [], []
        for app in applications:
            steps = app.demo_steps
            transitions += [
                Row(
                    application_id=app.id,
                    from_state=from_state,
                    to_state=to_state,
                    actor_id=actor_id,
                    at=at,
                    comment=comment,
                )
                for from_state, to_state, at, actor_id, comment in steps
            ]
            opened = [s for s in steps if s[1] == ApplicationState.UNDER_REVIEW]
            if not opened:
                continue
            decided = [s for s in steps if s[1] in self.REVIEW_OUTCOMES]
            reviews.append(
                Row(
                    application_id=app.id,
                    reviewer_id=self.dept_user_id,
                    comment=decided[-1][4] if decided else "",
                    completed_at=decided[-1][2] if decided else None,
                    created_at=opened[0][2],
                    updated_at=decided[-1][2] if decided else opened[0][2],
                    demo_subject=(
                        CriterionSubject.MEMBER if app.member_id else CriterionSubject.ORGANIZATION
                    ),
                )
            )
        self.insert(ApplicationTransition, transitions)
        self.insert(Review, reviews, ids=True)
        self.insert(
            ReviewScore,
            (
                Row(
                    review_id=review.id,
                    criterion_id=criterion.pk,
                    score=self.score(criterion.max_score, low=0.6),
                    comment="",
                )
                for review in reviews
                if review.completed_at is not None
                for criterion in self.criteria[review.demo_subject]
            ),
        )
        self.log(
            f"{len(assessments)} self-assessments, {len(applications)} applications "
            f"({len(transitions)} history entries, {len(reviews)} reviews)"
        )

    def application_timeline(self, org, state):
        """When the application was created, and its history steps up to ``state``.

        Submissions fall before the deadline; the department's steps follow
        them, up to now. A step is (from, to, at, actor id, comment).
        """
        latest_start = min(self.today, (self.deadline - datetime.timedelta(days=7)).date())
        created = self.moment(self.day(self.start + datetime.timedelta(days=60), latest_start))
        path = self.PATHS[state]
        if not path:
            return created, []
        # Submissions by the deadline; the department's steps by now.
        times = self.moments(
            created, [self.deadline if s in self.SUBMISSIONS else self.now for s in path]
        )
        created = min(created, times[0])
        secretary_id = self.secretary_user_id(org.id)
        steps, previous = [], ApplicationState.DRAFT
        for to_state, at in zip(path, times, strict=True):
            actor = secretary_id if to_state in self.SUBMISSIONS else self.dept_user_id
            comment = self.rng.choice(APPLICATION_COMMENTS.get(to_state, ("",)))
            steps.append((previous, to_state, at, actor, comment))
            previous = to_state
        return created, steps

    def new_assessment(self, org, member, *, before, done: bool) -> Row:
        """A self-assessment finished (when ``done``) a few days before ``before``."""
        completed = before - datetime.timedelta(days=self.rng.randint(1, 10))
        completed = max(completed, self.moment(self.start))
        created = max(completed - datetime.timedelta(days=self.rng.randint(1, 14)), self.year_start)
        completed = max(completed, created)
        return Row(
            campaign_id=self.campaign_id,
            subject=CriterionSubject.MEMBER if member else CriterionSubject.ORGANIZATION,
            organization_id=org.id,
            member_id=member.id if member else None,
            statement="对照“学习型党组织”“学习型党员”基本要求认真开展自评，总体达到要求。",
            status=SelfAssessmentStatus.COMPLETED if done else SelfAssessmentStatus.DRAFT,
            completed_at=completed if done else None,
            created_at=created,
            updated_at=completed,
        )

    def build_scores_and_evidence(self, assessments) -> None:
        scores = [
            Row(
                assessment_id=assessment.id,
                criterion_id=criterion.pk,
                score=self.score(criterion.max_score),
                statement="对照基本要求逐项自查，相关材料已在平台上留存。",
                organization_id=assessment.organization_id,
            )
            for assessment in assessments
            for criterion in self.criteria[assessment.subject]
        ]
        self.insert(CriterionScore, scores, ids=True)
        # Criterion (1) asks for the campaign plan: point at the one on file.
        first = self.criteria[CriterionSubject.ORGANIZATION][:1]
        evidence = []
        for score in scores:
            plan = self.implementation_plan_of.get(score.organization_id)
            if first and score.criterion_id == first[0].pk and plan is not None:
                evidence.append(
                    Row(
                        score_id=score.id,
                        kind=EvidenceKind.IMPLEMENTATION_PLAN,
                        implementation_plan_id=plan.id,
                        file="",
                        description=plan.title[:200],
                    )
                )
        self.insert(Evidence, evidence)
