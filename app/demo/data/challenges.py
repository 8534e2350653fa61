"""Demo 揭榜挂帅 / 赛马制 content: three 榜单 whose items stand at every stage of the lifecycle.

Fictional but written the way a provincial 工信厅 and a lead firm write their lists: a goal, measurable 考核指标
with the way each is verified, a payment plan, who may apply. Dates are offsets in days from the load day.
"""

from __future__ import annotations

from app.core.challenge_enums import ChallengeMode, ItemStatus, TrancheTrigger
from app.core.enums import OrgType

PLAN_30_40_30 = [
    ("签约首付款", 30, TrancheTrigger.SIGNING),
    ("中期检查款", 40, TrancheTrigger.MIDTERM),
    ("验收尾款", 30, TrancheTrigger.ACCEPTANCE),
]
PLAN_RACE = [
    ("签约首付款", 30, TrancheTrigger.SIGNING),
    ("阶段评估款", 40, TrancheTrigger.GATE),
    ("验收尾款", 30, TrancheTrigger.ACCEPTANCE),
]
RESEARCH_AND_FIRMS = [OrgType.UNIVERSITY.value, OrgType.INSTITUTE.value, OrgType.SME.value, OrgType.LARGE.value]

EXPERTS = [
    # email key, name, title, affiliation, fields, industries
    ("expert1", "高振宇", "研究员", "中国科学院某研究所（区外）", ["稀土永磁", "电机驱动"], ["C", "M"]),
    ("expert2", "乌云其木格", "教授", "内蒙古大学（区内，未入驻平台）", ["煤化工", "水处理", "环境工程"], ["C", "N"]),
    ("expert3", "陈立伟", "教授级高工", "某央企研究总院（区外）", ["氢能", "电解水制氢", "新能源装备"], ["C", "D"]),
    ("expert4", "孙晓梅", "研究员", "某乳品国家重点实验室（区外）", ["乳品发酵", "菌种选育", "食品安全"], ["C", "A"]),
    (
        "expert5",
        "何建国",
        "高级工程师",
        "某矿山装备研究院（区外）",
        ["矿山装备", "无人驾驶", "智能控制"],
        ["C", "B", "I"],
    ),
]

BATCHES = [
    {
        "key": "2027-1",
        "issuer": "nm-miit",
        "title": "2027年度自治区关键核心技术攻关榜单（第一批）",
        "description": "围绕稀土新材料、现代煤化工、新能源装备、绿色农畜产品加工等重点产业链的“卡脖子”环节，"
        "面向全社会公开张榜，不论资历、不设门槛，谁有本事谁揭榜。揭榜单位须签订任务书、立下“军令状”，"
        "经费按里程碑拨付，按考核指标验收。",
        "opens": -10,
        "closes": 20,
        "items": [
            {
                "key": "magnet",
                "keywords": ["稀土永磁", "镧铈", "驱动电机", "新能源汽车"],
                "title": "高丰度稀土（镧铈）永磁材料在新能源汽车驱动电机中的应用",
                "goal": "突破镧铈高丰度稀土替代镨钕的晶界调控与热压成型工艺，研制可用于新能源汽车驱动电机的"
                "高丰度稀土永磁体并完成装车验证，降低电机磁钢成本，带动包头稀土资源平衡利用。",
                "background": "自治区镧铈资源大量积压，现有镧铈磁体矫顽力和温度稳定性不足，难以进入驱动电机市场。",
                "industry": "C32",
                "months": 24,
                "funding": 300,
                "mode": ChallengeMode.SINGLE,
                "plan": PLAN_30_40_30,
                "indicators": [
                    ("最大磁能积 (BH)max", "≥ 38", "MGOe", "第三方检测报告（国家级质检机构）"),
                    ("内禀矫顽力 Hcj（20 ℃）", "≥ 15", "kOe", "第三方检测报告"),
                    ("镧铈占稀土总量比例", "≥ 30", "%", "成分检测报告"),
                    ("驱动电机峰值效率", "≥ 96", "%", "整车厂台架试验报告"),
                    ("小批量试制", "≥ 5", "吨", "生产记录与用户证明"),
                ],
                "org_types": [OrgType.UNIVERSITY.value, OrgType.INSTITUTE.value, OrgType.SME.value],
                "consortium": True,
                "ip": "项目形成的知识产权归揭榜方所有，发榜方及自治区内企业享有同等条件下优先实施许可权。",
                "status": ItemStatus.COLLECTING,
            },
            {
                "key": "mining-truck",
                "keywords": ["无人驾驶", "矿用卡车", "露天煤矿", "编组运输"],
                "title": "露天矿用宽体自卸车无人驾驶系统",
                "goal": "研制适应高寒、扬尘、夜间作业的露天矿宽体自卸车无人驾驶系统，实现编组运输、"
                "自动装卸与远程接管，在自治区露天煤矿完成连续运行验证。",
                "background": "自治区露天煤矿司机招工难、夜班安全风险高，现有方案在 -30 ℃ 与扬尘工况下稳定性不足。",
                "industry": "C35",
                "months": 30,
                "funding": 600,
                "mode": ChallengeMode.HORSE_RACE,
                "teams": (3, 1),
                "plan": PLAN_RACE,
                "indicators": [
                    ("单车无人驾驶连续运行", "≥ 2000", "小时", "矿方运行日志与第三方评估"),
                    ("编组运输车辆数", "≥ 8", "台", "现场验证"),
                    ("人工接管频次", "≤ 0.5", "次/百公里", "运行数据统计"),
                    ("-30 ℃ 低温工况", "稳定运行", None, "冬季现场测试报告"),
                ],
                "org_types": RESEARCH_AND_FIRMS,
                "consortium": True,
                "ip": "知识产权归各揭榜团队所有；阶段评估未入围团队保留已形成成果。",
                "status": ItemStatus.COLLECTING,
            },
        ],
    },
    {
        "key": "2026",
        "issuer": "nm-miit",
        "title": "2026年度自治区关键核心技术攻关榜单",
        "description": "2026年度张榜项目，已完成评审；公示、实施与验收情况在各项目页公开。",
        "opens": -230,
        "closes": -170,
        "items": [
            {
                "key": "brine",
                "keywords": ["高盐废水", "分盐结晶", "零排放", "煤化工"],
                "title": "煤化工高盐废水分质结晶与零排放成套技术",
                "goal": "开发煤化工高盐废水分盐结晶成套工艺与装备，结晶盐达到工业盐标准并资源化利用，"
                "实现废水零排放，吨水处理成本显著下降。",
                "industry": "N77",
                "months": 24,
                "funding": 500,
                "mode": ChallengeMode.SINGLE,
                "plan": PLAN_30_40_30,
                "indicators": [
                    ("氯化钠结晶盐纯度", "≥ 98.5", "%", "第三方检测报告（GB/T 5462 工业盐）"),
                    ("硫酸钠结晶盐纯度", "≥ 97", "%", "第三方检测报告"),
                    ("吨水处理成本", "≤ 35", "元/吨", "连续运行 3 个月成本核算"),
                ],
                "org_types": RESEARCH_AND_FIRMS,
                "consortium": True,
                "ip": "知识产权归揭榜方所有，发榜方享有免费实施权。",
                "status": ItemStatus.NOTICE,
            },
            {
                "key": "electrolyser",
                "keywords": ["碱性电解槽", "电解水制氢", "绿氢", "风光制氢"],
                "title": "兆瓦级碱性电解水制氢装备关键技术",
                "goal": "研制单槽产氢量 1000 Nm³/h 级碱性电解槽及其适配宽功率波动的控制系统，"
                "在风光制氢项目中完成示范运行。",
                "industry": "C38",
                "months": 24,
                "funding": 900,
                "mode": ChallengeMode.HORSE_RACE,
                "teams": (3, 1),
                "plan": PLAN_RACE,
                "indicators": [
                    ("单槽产氢量", "≥ 1000", "Nm³/h", "现场标定报告"),
                    ("直流电耗", "≤ 4.3", "kWh/Nm³", "第三方检测"),
                    ("功率波动适应范围", "20–110", "%", "示范项目运行数据"),
                ],
                "org_types": RESEARCH_AND_FIRMS,
                "consortium": True,
                "ip": "知识产权归各揭榜团队所有。",
                "status": ItemStatus.IMPLEMENTING,
            },
            {
                "key": "starter",
                "keywords": ["乳酸菌", "发酵剂", "菌种选育", "直投式"],
                "title": "乳酸菌发酵剂国产化菌株选育与工程化",
                "goal": "选育适合草原特色乳制品的乳酸菌发酵剂菌株并完成工程化生产，替代进口直投式发酵剂。",
                "industry": "C14",
                "months": 12,
                "funding": 200,
                "mode": ChallengeMode.SINGLE,
                "plan": PLAN_30_40_30,
                "indicators": [
                    ("自主选育菌株", "≥ 5", "株", "菌种保藏证明"),
                    ("直投式发酵剂活菌数", "≥ 1×10¹¹", "CFU/g", "第三方检测报告"),
                    ("在乳企的应用", "≥ 2", "家", "用户使用证明"),
                ],
                "org_types": RESEARCH_AND_FIRMS,
                "consortium": False,
                "ip": "菌株及其知识产权归揭榜方所有。",
                "status": ItemStatus.ACCEPTED,
            },
            {
                "key": "fineness",
                "keywords": ["羊绒", "纤维细度", "在线检测"],
                "title": "羊绒纤维细度与长度在线检测仪",
                "goal": "研制分梳生产线用羊绒细度、长度在线检测仪，替代人工抽检。",
                "industry": "C17",
                "months": 12,
                "funding": 80,
                "mode": ChallengeMode.SINGLE,
                "plan": PLAN_30_40_30,
                "indicators": [("细度测量误差", "≤ 0.2", "μm", "与国家纤维检验机构比对")],
                "org_types": RESEARCH_AND_FIRMS,
                "consortium": False,
                "ip": "知识产权归揭榜方所有。",
                "status": ItemStatus.FAILED,
                "failed_reason": "征集期内仅收到 1 份申报且形式审查未通过，本项目流榜，拟在 2027 年第二批榜单中调整指标后重新发布。",
            },
        ],
    },
]

QUESTIONS = [
    ("magnet", "xinci", "镧铈占比 30% 是按稀土总量还是按磁体总质量计算？", "按稀土总量计算，以成分检测报告为准。"),
    (
        "magnet",
        "jingyan",
        "是否接受区外单位牵头、区内企业参与的联合体？",
        "接受。联合体中须至少有一家自治区内注册的单位。",
    ),
    ("mining-truck", "zhikuang", "赛马制首阶段三支团队的经费如何分配？", None),
]

# 北疆乳业's own 榜单 item (app/demo/challenges.py _firm_batch): closed, under blind expert review.
FIRM_ITEM = {
    "key": "cold-chain",
    "title": "低温乳制品冷链全程温度追溯与预警系统",
    "goal": "建立从牧场收奶、工厂冷库到门店冷柜的低温乳制品全程温度追溯系统，断链与超温实时预警，"
    "温度数据可被监管平台调阅。",
    "background": "公司低温酸奶和巴氏奶销往华北、东北，冷链环节多、承运商分散，客诉中近三成与温度有关。",
    "industry": "C14",
    "keywords": ["冷链", "温度追溯", "物联网"],
    "months": 12,
    "funding": 120,
    "mode": ChallengeMode.SINGLE,
    "plan": PLAN_30_40_30,
    "indicators": [
        ("温度记录间隔", "≤ 5", "分钟", "系统日志抽查"),
        ("超温预警送达时间", "≤ 3", "分钟", "现场测试"),
        ("覆盖冷链车辆与冷库", "≥ 200", "个节点", "平台台账"),
    ],
    "org_types": RESEARCH_AND_FIRMS,
    "consortium": True,
    "ip": "系统源代码著作权归揭榜方所有，北疆乳业享有永久免费使用权。",
    "status": ItemStatus.REVIEWING,
}
