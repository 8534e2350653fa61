"""Demo 惠企政策: fictional but realistic policies of the 自治区 and its 盟市, in the import file's shape
(app/policies/importing.py), with dates as day offsets from the load day so the demo always has open windows,
windows closing within a week and closed ones. All 文号, amounts and contacts are invented.
"""

from __future__ import annotations

from app.core.enums import OrgSize, OrgType
from app.demo.data.types import OrgSeed

# Issuing departments that get an organisation (主管部门) and an admin account <key>@lianqiao.demo on the demo;
# the first one's account is authority@lianqiao.demo (README 演示账号).
AUTHORITIES: list[OrgSeed] = [
    OrgSeed(
        key, name, OrgType.AUTHORITY, region, "S92", (), business, size=OrgSize.MEDIUM, founded=1990, contact=contact
    )
    for key, name, region, business, contact in (
        ("nm-miit", "内蒙古自治区工业和信息化厅", "150100", "工业和信息化发展、中小企业促进和惠企政策兑现", "王海涛"),
        ("nm-most", "内蒙古自治区科学技术厅", "150100", "科技创新政策、科技型企业培育和研发投入激励", "李晓梅"),
        ("nm-finance", "内蒙古自治区财政厅", "150100", "财政资金管理、政府采购和融资担保政策", "赵志刚"),
        ("nm-hrss", "内蒙古自治区人力资源和社会保障厅", "150100", "就业创业、稳岗和人才引进政策", "高娜"),
        ("nm-jrj", "内蒙古自治区地方金融管理局", "150100", "地方金融监管、普惠金融和企业上市培育", "张宏伟"),
        ("baotou-miit", "包头市工业和信息化局", "150200", "包头市工业经济运行、专精特新和稀土产业政策", "韩磊"),
        ("ordos-kjj", "鄂尔多斯市科学技术局", "150600", "鄂尔多斯市科技创新、科技券和成果转化政策", "苏日娜"),
    )
]

# Rule pieces, in the words staff type into the rule builder.
SME = {"field": "org_type", "op": "in", "value": ["中小企业"]}
FIRMS = {"field": "org_type", "op": "in", "value": ["中小企业", "大型企业"]}
EMPLOYERS = {"field": "org_type", "op": "in", "value": ["中小企业", "大型企业", "服务机构"]}
MANUFACTURING = {"field": "industry", "op": "prefix", "value": ["C"]}


def tier(at_least: str) -> dict:
    return {"field": "tier", "op": "at_least", "value": at_least}


def at_least(field: str, value) -> dict:
    return {"field": field, "op": ">=", "value": value}


def at_most(field: str, value) -> dict:
    return {"field": field, "op": "<=", "value": value}


def cert(name: str) -> dict:
    return {"field": "certificates", "op": "has", "value": name}


def flag(field: str, value: bool) -> dict:
    return {"field": field, "op": "is", "value": value}


def every(*conditions) -> dict:
    return {"all": list(conditions)}


def either(*conditions) -> dict:
    return {"any": list(conditions)}


def item(title, benefit, amount, window, rules, materials="", how="", contact=""):
    """amount: (min, max) in 万元 or None; window: (opens, closes) as day offsets from the load day, None = open."""
    return {
        "title": title,
        "benefit_type": benefit,
        "amount": amount,
        "window": window,
        "rules": rules,
        "materials": materials or "申报书、营业执照、上年度财务报表、相关证明材料",
        "how_to_apply": how or "登录“蒙企通”惠企政策平台在线申报，主管部门网上审核",
        "contact": contact,
    }


def policy(ref, title, issuer, doc, scope, region, items, issuing=None, status="published", age=60, lasts=700):
    """age: days since publication; lasts: days from publication to expiry."""
    return {
        "ref": ref,
        "title": title,
        "issuer": issuer,
        "doc_number": doc,
        "scope": scope,
        "region": region,
        "issuing": issuing,
        "status": status,
        "age": age,
        "lasts": lasts,
        "items": items,
    }


MIIT, MOST, FIN, HRSS, JRJ = "内蒙古自治区工业和信息化厅", "内蒙古自治区科学技术厅", "内蒙古自治区财政厅", "内蒙古自治区人力资源和社会保障厅", "内蒙古自治区地方金融管理局"  # fmt: skip
OPEN, SOON, SHUT, LATER = (-30, 75), (-40, 5), (-90, -8), (12, 90)  # windows: open, closing within 7 days, closed, opens later  # fmt: skip
WEEK = (-40, 7)  # closes in exactly 7 days: its watchers get the 7-day reminder when the demo is loaded

REGION_POLICIES = [
    policy("NM-GX-2026-12", "关于支持专精特新中小企业高质量发展的若干措施", MIIT, "内工信中小企字〔2026〕12号", "自治区", "内蒙古自治区", [
        item("首次认定国家级专精特新“小巨人”企业一次性奖励", "资金奖励", (50, 50), OPEN,
             every(SME, {"field": "tier", "op": "in", "value": ["专精特新小巨人"]}, at_least("tier_year", 2025)),
             "小巨人认定文件、奖励资金申请表、承诺书", contact="自治区工信厅中小企业处 0471-6600001"),
        item("自治区级专精特新中小企业培育奖励", "资金奖励", (10, 20), WEEK,
             every(SME, tier("专精特新中小企业"), at_least("rd_ratio", 3)), contact="自治区工信厅中小企业处 0471-6600001"),
    ], issuing="nm-miit"),
    policy("NM-GX-2026-18", "内蒙古自治区促进工业企业“小升规”奖励办法", MIIT, "内工信运行字〔2026〕18号", "自治区", "内蒙古自治区", [
        item("首次纳入规模以上工业企业奖励", "资金奖励", (10, 20), OPEN,
             every(SME, MANUFACTURING, flag("above_scale", True), at_most("years_since_established", 10)),
             "统计部门入规证明、上年度财务报表"),
    ], issuing="nm-miit"),
    policy("NM-KJ-2026-05", "内蒙古自治区企业研发投入后补助实施细则", MOST, "内科发〔2026〕5号", "自治区", "内蒙古自治区", [
        item("企业研发投入后补助", "资金补助", (10, 300), OPEN,
             every(FIRMS, at_least("rd_ratio", 3), at_least("revenue", 500)),
             "研发费用专项审计报告、研发项目立项文件", contact="自治区科技厅资源配置处 0471-6600101"),
    ], issuing="nm-most"),
    policy("NM-KJ-2026-09", "关于落实研发费用税前加计扣除政策的通知", MOST, "内科发〔2026〕9号", "自治区", "内蒙古自治区", [
        item("科技型中小企业研发费用 100% 加计扣除辅导", "税收优惠", None, (-120, 150),
             every(SME, cert("科技型中小企业"), at_least("rd_ratio", 1)), "研发项目辅助账、科技型中小企业入库登记编号",
             "年度汇算清缴时在电子税务局自行申报享受"),
        item("制造业企业研发费用加计扣除", "税收优惠", None, (-120, 150), every(FIRMS, MANUFACTURING, at_least("rd_ratio", 2))),
    ], issuing="nm-most"),
    policy("NM-KJ-2026-21", "内蒙古自治区科技创新券管理办法", MOST, "内科发〔2026〕21号", "自治区", "内蒙古自治区", [
        item("科技创新券（检验检测、研发设计服务）", "服务券", (1, 30), OPEN, every(SME, at_most("employees", 500))),
    ], issuing="nm-most"),
    policy("NM-KJ-2026-30", "高新技术企业认定奖励办法", MOST, "内科发〔2026〕30号", "自治区", "内蒙古自治区", [
        item("首次认定高新技术企业奖励", "资金奖励", (20, 30), SOON, every(FIRMS, cert("高新技术企业"))),
    ], issuing="nm-most"),
    policy("NM-JR-2026-03", "内蒙古自治区“助保贷”业务实施方案", JRJ, "内金发〔2026〕3号", "自治区", "内蒙古自治区", [
        item("助保贷贷款贴息", "贷款贴息", (5, 50), OPEN, every(SME, tier("创新型中小企业"), at_most("revenue", 40000)),
             "贷款合同、利息支付凭证、贴息申请表", "通过合作银行提交，地方金融管理局会同工信厅审核"),
    ], issuing="nm-jrj"),
    policy("NM-JR-2026-07", "关于深入推进“信易贷”工作支持中小微企业融资的通知", JRJ, "内金发〔2026〕7号", "自治区", "内蒙古自治区", [
        item("信易贷首贷贴息", "贷款贴息", (2, 20), OPEN, every(SME, at_least("years_since_established", 2)),
             "信易贷平台授信记录、贷款合同", "在“信易贷·内蒙古”平台提交融资需求，银行线上审批"),
    ], issuing="nm-jrj"),
    policy("NM-JR-2026-11", "企业上市挂牌奖励办法", JRJ, "内金发〔2026〕11号", "自治区", "内蒙古自治区", [
        item("境内外首次公开发行上市奖励", "资金奖励", (300, 500), OPEN, every(FIRMS, flag("listed", True))),
    ], issuing="nm-jrj"),
    policy("NM-CZ-2026-15", "关于进一步加大政府采购支持中小企业力度的通知", FIN, "内财购〔2026〕15号", "自治区", "内蒙古自治区", [
        item("政府采购工程预留 40% 以上份额专门面向中小企业", "其他", None, (-200, 300), SME,
             "中小企业声明函", "在内蒙古政府采购网参与投标时提交中小企业声明函"),
        item("小微企业价格评审优惠（扣除 10%–20%）", "其他", None, (-200, 300), every(SME, at_most("employees", 100))),
    ], issuing="nm-finance"),
    policy("NM-CZ-2026-22", "中小企业融资担保费补贴实施办法", FIN, "内财金〔2026〕22号", "自治区", "内蒙古自治区", [
        item("融资担保费补贴", "担保费补贴", (1, 30), SHUT, every(SME, at_most("revenue", 40000))),
    ], issuing="nm-finance"),
    policy("NM-RS-2026-04", "关于做好 2026 年失业保险稳岗返还工作的通知", HRSS, "内人社发〔2026〕4号", "自治区", "内蒙古自治区", [
        item("失业保险稳岗返还", "资金补助", (0.5, 50), OPEN, every(EMPLOYERS, at_least("employees", 1)),
             "无需申请，人社部门比对后直接返还至企业账户", "免申即享：人社部门大数据比对后发放"),
    ], issuing="nm-hrss"),
    policy("NM-RS-2026-19", "内蒙古自治区高层次人才引进支持办法", HRSS, "内人社发〔2026〕19号", "自治区", "内蒙古自治区", [
        item("引进博士及高级职称人才安家补贴", "资金补助", (10, 30), OPEN,
             either(every(FIRMS, at_least("rd_ratio", 2)), {"field": "org_type", "op": "in", "value": ["高校", "科研院所"]})),
    ], issuing="nm-hrss"),
    policy("NM-GX-2026-26", "内蒙古自治区首台（套）重大技术装备推广应用奖励办法", MIIT, "内工信装备字〔2026〕26号", "自治区", "内蒙古自治区", [
        item("首台（套）重大技术装备奖励", "资金奖励", (100, 500), OPEN,
             every(FIRMS, {"field": "industry", "op": "in", "value": ["C34", "C35", "C38", "C40"]})),
        item("首台（套）保险补偿", "资金补助", (20, 200), LATER,
             every(FIRMS, {"field": "industry", "op": "in", "value": ["C34", "C35", "C38", "C40"]})),
    ], issuing="nm-miit"),
    policy("NM-GX-2026-33", "中小企业数字化转型城市试点专项资金管理办法", MIIT, "内工信信软字〔2026〕33号", "自治区", "内蒙古自治区", [
        item("中小企业数字化改造补助", "资金补助", (20, 100), OPEN, every(SME, MANUFACTURING, at_least("employees", 10)),
             "数字化改造方案、服务商合同、验收报告"),
        item("两化融合管理体系贯标奖励", "资金奖励", (5, 10), SOON, every(FIRMS, cert("两化融合管理体系认证"))),
    ], issuing="nm-miit"),
    policy("NM-GX-2026-35", "内蒙古自治区绿色制造体系建设奖励办法", MIIT, "内工信节能字〔2026〕35号", "自治区", "内蒙古自治区", [
        item("国家级绿色工厂奖励", "资金奖励", (50, 100), OPEN, every(FIRMS, cert("绿色工厂"))),
        item("节能降碳技术改造补助", "资金补助", (30, 300), SHUT, every(FIRMS, MANUFACTURING, at_least("revenue", 2000))),
    ], issuing="nm-miit"),
    policy("NM-SW-2026-08", "关于支持企业参加重点展会的通知", "内蒙古自治区商务厅", "内商贸发〔2026〕8号", "自治区", "内蒙古自治区", [
        item("境内外重点展会展位费补贴", "资金补助", (1, 10), SOON, every(SME, at_most("revenue", 40000)),
             "参展合同、展位费发票、展会现场照片"),
    ]),
    policy("NM-GX-2026-40", "创新型中小企业评价和培育工作方案", MIIT, "内工信中小企字〔2026〕40号", "自治区", "内蒙古自治区", [
        item("创新型中小企业评价入库", "认定称号", None, OPEN, every(SME, at_least("rd_ratio", 1))),
    ], issuing="nm-miit"),
    policy("NM-GX-2025-60", "关于开展 2025 年度专精特新中小企业认定工作的通知", MIIT, "内工信中小企字〔2025〕60号", "自治区", "内蒙古自治区", [
        item("2025 年度专精特新中小企业认定", "认定称号", None, (-400, -300), every(SME, tier("创新型中小企业"))),
    ], issuing="nm-miit", status="expired", age=420, lasts=380),
    policy("NM-KJ-2026-02", "科技型企业知识产权质押融资贴息办法（征求意见稿）", MOST, "内科发〔2026〕2号", "自治区", "内蒙古自治区", [
        item("知识产权质押融资贴息", "贷款贴息", (5, 30), OPEN, every(SME, cert("知识产权管理体系认证"))),
    ], issuing="nm-most", status="withdrawn"),
]  # fmt: skip

LEAGUE_POLICIES = [
    policy("BT-GX-2026-08", "包头市支持稀土新材料企业研发投入若干措施", "包头市工业和信息化局", "包工信发〔2026〕8号", "盟市", "包头市", [
        item("稀土新材料企业研发投入后补助", "资金补助", (10, 50), OPEN,
             every(FIRMS, {"field": "industry", "op": "in", "value": ["C32", "C39"]}, at_least("rd_ratio", 3)),
             contact="包头市工信局科技产业科 0472-5100001"),
    ], issuing="baotou-miit"),
    policy("BT-GX-2026-11", "包头市工业企业“小升规”奖励实施细则", "包头市工业和信息化局", "包工信发〔2026〕11号", "盟市", "包头市", [
        item("包头市首次入规工业企业奖励", "资金奖励", (20, 30), SOON, every(SME, MANUFACTURING, flag("above_scale", True))),
    ], issuing="baotou-miit"),
    policy("BT-GX-2026-15", "包头市首台（套）装备和首批次材料奖励办法", "包头市工业和信息化局", "包工信发〔2026〕15号", "盟市", "包头市", [
        item("首批次新材料应用奖励", "资金奖励", (30, 100), OPEN, every(FIRMS, {"field": "industry", "op": "prefix", "value": ["C3"]})),
    ], issuing="baotou-miit"),
    policy("BT-GX-2026-20", "包头市专精特新中小企业梯度培育奖励办法", "包头市工业和信息化局", "包工信发〔2026〕20号", "盟市", "包头市", [
        item("包头市专精特新中小企业配套奖励", "资金奖励", (10, 10), OPEN, every(SME, tier("专精特新中小企业"))),
    ], issuing="baotou-miit", status="draft"),
    policy("HH-GX-2026-06", "呼和浩特市中小企业数字化转型补助办法", "呼和浩特市工业和信息化局", "呼工信发〔2026〕6号", "盟市", "呼和浩特市", [
        item("乳业和生物医药企业数字化车间补助", "资金补助", (30, 80), OPEN,
             every(SME, {"field": "industry", "op": "in", "value": ["C14", "C15", "C27"]}, at_least("employees", 20)),
             "数字化车间建设方案、设备及软件采购合同"),
    ]),
    policy("HH-RS-2026-10", "呼和浩特市“青城英才”引进计划实施办法", "呼和浩特市人力资源和社会保障局", "呼人社发〔2026〕10号", "盟市", "呼和浩特市", [
        item("企业引进硕士以上人才生活补贴", "资金补助", (3, 12), OPEN, every(FIRMS, at_least("employees", 10))),
    ]),
    policy("HH-KJ-2026-03", "呼和浩特市技术合同登记奖补办法", "呼和浩特市科技创新服务中心", "呼科创发〔2026〕3号", "盟市", "呼和浩特市", [
        item("技术合同登记奖补", "资金奖励", (1, 20), SOON, every(FIRMS, cert("科技型中小企业"))),
    ], issuing="hohhot-sti"),
    policy("ES-KJ-2026-04", "鄂尔多斯市科技创新券实施细则", "鄂尔多斯市科学技术局", "鄂科发〔2026〕4号", "盟市", "鄂尔多斯市", [
        item("鄂尔多斯市科技创新券", "服务券", (2, 20), OPEN, SME),
        item("煤化工和氢能企业研发补助", "资金补助", (50, 200), LATER,
             every(FIRMS, {"field": "industry", "op": "in", "value": ["C25", "C26", "D44"]}, at_least("rd_ratio", 2))),
    ], issuing="ordos-kjj"),
    policy("ES-GX-2026-09", "鄂尔多斯市绿色低碳工厂奖励办法", "鄂尔多斯市工业和信息化局", "鄂工信发〔2026〕9号", "盟市", "鄂尔多斯市", [
        item("绿色工厂认定奖励", "资金奖励", (30, 50), OPEN, every(FIRMS, cert("绿色工厂"))),
    ]),
    policy("XA-ZX-2026-02", "兴安盟中小企业贷款贴息和稳岗支持措施", "兴安盟中小企业服务中心", "兴中小发〔2026〕2号", "盟市", "兴安盟", [
        item("兴安盟中小企业流动资金贷款贴息", "贷款贴息", (2, 15), OPEN, SME),
    ], issuing="xingan-sme"),
    policy("CF-SW-2026-05", "赤峰市支持企业开拓市场参展补贴办法", "赤峰市商务局", "赤商发〔2026〕5号", "盟市", "赤峰市", [
        item("参加广交会等重点展会补贴", "资金补助", (1, 8), SOON, SME),
    ]),
    policy("TL-GX-2026-07", "通辽市专精特新“小巨人”企业奖励办法", "通辽市工业和信息化局", "通工信发〔2026〕7号", "盟市", "通辽市", [
        item("通辽市小巨人企业配套奖励", "资金奖励", (30, 30), OPEN, every(SME, tier("专精特新小巨人"))),
    ]),
    policy("BY-GX-2026-12", "巴彦淖尔市农畜产品加工企业绿色化改造补助办法", "巴彦淖尔市工业和信息化局", "巴工信发〔2026〕12号", "盟市", "巴彦淖尔市", [
        item("农畜产品加工企业绿色化改造补助", "资金补助", (10, 60), SHUT,
             every(FIRMS, {"field": "industry", "op": "in", "value": ["C13", "C14"]})),
    ]),
    policy("HL-FG-2026-06", "呼伦贝尔市“信易贷”融资风险补偿办法", "呼伦贝尔市发展和改革委员会", "呼发改财金字〔2026〕6号", "盟市", "呼伦贝尔市", [
        item("信易贷融资利息补贴", "贷款贴息", (2, 10), OPEN, every(SME, at_least("years_since_established", 1))),
    ]),
    policy("WH-GX-2026-03", "乌海市“助保贷”风险补偿资金管理办法", "乌海市工业和信息化局", "乌工信发〔2026〕3号", "盟市", "乌海市", [
        item("助保贷担保费补贴", "担保费补贴", (1, 10), OPEN, every(SME, tier("创新型中小企业"))),
    ]),
    policy("XL-RS-2026-02", "锡林郭勒盟柔性引才支持办法", "锡林郭勒盟人力资源和社会保障局", "锡署人社发〔2026〕2号", "盟市", "锡林郭勒盟", [
        item("柔性引进专家工作补贴", "资金补助", (2, 10), OPEN, EMPLOYERS),
    ]),
]  # fmt: skip

POLICIES = REGION_POLICIES + LEAGUE_POLICIES

# Marks a few demo firms set (关注 / 已申报 / 已获批 with the amount and a rating) so the figures page has content:
# (policy ref, item index, firm key, (viewed, watched, applied, approved amount in 万元 or None, rating or None)).
MARKS = [
    ("NM-GX-2026-12", 0, "yikang", (True, True, False, None, None)),
    ("NM-GX-2026-12", 1, "yikang", (True, True, False, None, None)),
    ("NM-GX-2026-12", 1, "xinci", (True, True, True, None, None)),
    ("NM-GX-2026-12", 1, "qingyuan-h2", (True, True, False, None, None)),
    ("NM-GX-2026-12", 1, "rongyi", (True, True, True, 20, 5)),
    ("NM-GX-2026-12", 1, "mengkang", (True, False, True, 15, 4)),
    ("NM-GX-2026-12", 1, "xibao", (True, True, True, 10, 3)),
    ("NM-GX-2026-12", 1, "ruimu", (True, False, False, None, None)),
    ("NM-GX-2026-33", 0, "kuihua", (True, True, True, 60, 5)),
    ("NM-GX-2026-33", 0, "shuxiang", (True, True, True, None, None)),
    ("NM-GX-2026-33", 0, "niuye", (True, True, False, None, None)),
    ("NM-GX-2026-33", 0, "jingyan", (True, False, False, None, None)),
    ("NM-GX-2026-33", 0, "yikang", (True, False, False, None, None)),
    ("NM-GX-2026-18", 0, "qingqing", (True, True, True, 20, 4)),
    ("NM-GX-2025-60", 0, "xinci", (True, True, True, 0, 5)),
    ("NM-JR-2026-03", 0, "yikang", (True, True, True, None, None)),
    ("NM-JR-2026-03", 0, "zhikuang", (True, True, True, 12.5, 4)),
    ("HH-GX-2026-06", 0, "yikang", (True, False, False, None, None)),
]
