"""The demo organisations (every 盟市, every kind of organisation), their 集团 and the demo logins."""

from app.core.enums import PlatformRole
from app.demo.data.enterprises import ENTERPRISES
from app.demo.data.institutions import OTHERS, RESEARCH
from app.demo.data.types import DemoAccount, OrgSeed

GROUPS = {
    "dairy": "北疆乳业集团",
    "rare_earth": "瑞丰稀土集团",
    "energy": "恒泰能源集团",
    "cashmere": "金鼎绒业集团",
}

ORGS: list[OrgSeed] = [*RESEARCH, *ENTERPRISES, *OTHERS]

DEMO_PASSWORD = "lianqiao2026"

ACCOUNTS: list[DemoAccount] = [
    DemoAccount("平台管理员", "admin@lianqiao.demo", "平台管理员", platform_role=PlatformRole.ADMIN),
    DemoAccount("活动组织者", "organiser@lianqiao.demo", "活动组织者", platform_role=PlatformRole.ORGANISER),
    DemoAccount("高校", "university@lianqiao.demo", "郝建军", org_key="bjtech"),
    DemoAccount("科研院所", "institute@lianqiao.demo", "王立新", org_key="re-institute"),
    DemoAccount("中小企业", "sme@lianqiao.demo", "周海燕", org_key="yikang"),
    DemoAccount("大型企业", "large@lianqiao.demo", "刘慧敏", org_key="beijiang-dairy"),
    DemoAccount("主管部门", "authority@lianqiao.demo", "王海涛", org_key="nm-miit"),  # app/demo/data/policies.py
]
# The 大赛's expert judges (no organisation): one has scored every entrant, one is half-way, one has not begun.
JUDGES: list[DemoAccount] = [
    DemoAccount("大赛评委（已评完）", "judge1@lianqiao.demo", "赵振华"),
    DemoAccount("大赛评委（评了一半）", "judge2@lianqiao.demo", "孟雅琴"),
    DemoAccount("大赛评委（未开始）", "judge3@lianqiao.demo", "巴特尔"),
]
ACCOUNTS += JUDGES
