"""Synthetic but plausible Chinese posting records in the import contract, for benchmarks."""

from __future__ import annotations

import random
from datetime import date, timedelta

from app.core.regions import REGIONS

TOPICS = [
    ("C32", ["稀土永磁", "钕铁硼", "抛光粉", "储氢合金", "稀土催化", "高纯稀土"]),
    ("C14", ["益生菌", "奶酪", "乳清蛋白", "低温酸奶", "婴幼儿配方", "冷链"]),
    ("C17", ["羊绒", "无毛绒", "分梳", "染色", "可追溯", "纺纱"]),
    ("C26", ["煤制烯烃", "煤焦油", "二氧化碳捕集", "废水零排放", "催化剂", "气化"]),
    ("D44", ["风电运维", "光伏组件", "绿氢", "电解槽", "储能", "微电网"]),
    ("C27", ["蒙药", "肉苁蓉", "沙棘", "疫苗", "中药材", "提取工艺"]),
    ("C13", ["牛羊肉", "马铃薯", "燕麦", "向日葵", "精深加工", "保鲜"]),
    ("N77", ["草原修复", "沙化治理", "牧草种子", "生态监测", "盐碱地", "固沙"]),
    ("C35", ["矿用卡车", "重型机械", "铁路装备", "液压", "耐磨", "焊接"]),
    ("I65", ["工业互联网", "智慧牧场", "无人驾驶", "数字孪生", "视觉检测", "边缘计算"]),
]
VERBS = ["研发", "制备", "优化", "应用", "检测", "集成", "改造", "提升"]
NOUNS = ["技术", "工艺", "装备", "系统", "方法", "材料", "平台", "方案"]


def make_records(n: int, seed: int = 7) -> list[dict]:
    rng = random.Random(seed)
    kinds = ["achievement"] * 5 + ["need"] * 3 + ["procurement"] + ["capability"] * 2
    orgs = [(f"基准测试机构{i:03d}", rng.choice(["university", "institute", "sme", "large"])) for i in range(300)]
    today = date.today()
    records = []
    for i in range(n):
        kind = rng.choice(kinds)
        industry, words = rng.choice(TOPICS)
        picked = rng.sample(words, 3)
        org, org_type = rng.choice(orgs)
        title = f"{picked[0]}{rng.choice(VERBS)}{rng.choice(NOUNS)}（{picked[1]}方向）{i}"
        body = "；".join(f"围绕{w}开展{rng.choice(VERBS)}，形成可推广的{rng.choice(NOUNS)}" for w in picked) + "。"
        rec = {
            "kind": kind,
            "ref": f"BENCH-{i:06d}",
            "org": org,
            "org_type": org_type,
            "title": title,
            "keywords": picked,
            "industry": industry,
            "region": rng.choice(REGIONS)[1],
        }
        if kind == "achievement":
            rec.update(
                summary=body, trl=rng.randint(3, 9), cooperation=["技术转让", "合作开发"], year=rng.randint(2018, 2026)
            )
        elif kind == "need":
            rec.update(
                description=body,
                budget_wan=rng.randint(5, 800),
                deadline=(today + timedelta(days=rng.randint(30, 400))).isoformat(),
                challenge=False,
            )
        elif kind == "procurement":
            rec.update(
                description=body,
                quantity=f"每年约{rng.randint(1, 50) * 100}吨",
                deadline=(today + timedelta(days=rng.randint(30, 400))).isoformat(),
            )
        else:
            rec.update(description=body, certifications=["ISO9001"], tier="")
        records.append(rec)
    return records


# --- richer postings for the search and matching benchmarks ------------------------------------------
# Longer bodies (≈150–300 characters, as real postings are) from the same topic vocabulary, plus
# application scenes per industry, measured figures and cooperation wishes.

SCENES = {
    "C32": ["新能源汽车驱动电机", "风力发电机磁钢", "汽车尾气净化", "镍氢电池负极", "精密光学玻璃抛光"],
    "C14": ["乳企发酵车间", "低温奶冷链配送", "婴幼儿奶粉生产线", "牧区奶站收购", "功能性乳制品开发"],
    "C17": ["羊绒衫生产企业", "高端面料出口", "羊绒原料收购", "纺织印染园区", "品牌溯源认证"],
    "C26": ["煤化工园区", "焦化企业", "电厂烟气处理", "高盐废水处理", "合成气净化"],
    "D44": ["风电场", "光伏电站", "工业园区微电网", "化工绿氢替代", "电网调峰"],
    "C27": ["蒙药制剂厂", "道地药材种植基地", "兽用疫苗生产", "保健食品企业", "中药饮片加工"],
    "C13": ["肉类屠宰加工厂", "马铃薯淀粉企业", "燕麦食品加工", "农产品冷库", "杂粮深加工园区"],
    "N77": ["退化草原", "沙化土地", "盐碱化耕地", "矿区复垦", "生态保护红线区"],
    "C35": ["露天煤矿", "铁路货运", "重型装备制造", "工程机械维修", "矿山运输"],
    "I65": ["规模化牧场", "智能工厂", "矿区无人运输", "园区能源管理", "生产线质量检测"],
}
METRICS = ["效率", "良品率", "产量", "使用寿命", "回收率", "稳定性", "精度", "转化率"]
SAVINGS = ["成本", "能耗", "水耗", "排放", "故障率", "人工投入"]
WISHES = ["技术转让", "联合攻关", "共建中试线", "委托开发", "专利许可", "共建实验室"]


def _rich_text(rng: random.Random, i: int) -> tuple[str, list[str], str, str]:
    """(title, keywords, industry, body) for posting number i."""
    industry, words = rng.choice(TOPICS)
    picked = rng.sample(words, 3)
    scenes = SCENES[industry]
    title = f"{picked[0]}{rng.choice(VERBS)}{rng.choice(NOUNS)}（{picked[1]}方向）{i}"
    sentences = [
        f"围绕{picked[0]}开展{rng.choice(VERBS)}，形成可推广的{rng.choice(NOUNS)}",
        f"在{picked[1]}环节采用新型{rng.choice(NOUNS)}，{rng.choice(METRICS)}提高{rng.randint(5, 60)}%，"
        f"{rng.choice(SAVINGS)}降低{rng.randint(5, 50)}%",
        f"适用于{rng.choice(scenes)}和{rng.choice(scenes)}",
        f"已在{rng.choice(REGIONS)[1]}{rng.choice(scenes)}完成{rng.choice(['中试', '示范应用', '小批量生产'])}",
    ]
    optional = [
        f"拥有{picked[2]}相关发明专利{rng.randint(1, 12)}项",
        f"配套{rng.choice(words)}{rng.choice(NOUNS)}，可与现有产线兼容",
        f"希望通过{rng.choice(WISHES)}方式与{rng.choice(['高校', '科研院所', '龙头企业', '中小企业'])}合作",
        f"重点解决{picked[2]}{rng.choice(METRICS)}不高、{rng.choice(SAVINGS)}偏高的问题",
    ]
    sentences += rng.sample(optional, rng.randint(1, 4))
    return title, picked, industry, "；".join(sentences) + "。"


def make_documents(n: int, seed: int = 11, today: date | None = None) -> list[dict]:
    """n published search documents (search.documents.PostingDocument) of all four kinds, ids 1..n."""
    rng = random.Random(seed)
    today = today or date.today()
    kinds = ["achievement"] * 5 + ["need"] * 3 + ["procurement"] + ["capability"] * 2
    modes = ["transfer", "license", "joint_dev", "equity", "service", "contract_rd"]
    docs = []
    for i in range(1, n + 1):
        kind = rng.choice(kinds)
        title, keywords, industry, body = _rich_text(rng, i)
        org_id = rng.randint(1, 600)
        docs.append(
            {
                "id": i,
                "kind": kind,
                "version": 1,
                "status": "published",
                "title": title,
                "body": body,
                "keywords": keywords,
                "industry": industry,
                "region": rng.choice(REGIONS)[0],
                "trl": rng.randint(3, 9) if kind == "achievement" else None,
                "cooperation": rng.sample(modes, rng.randint(1, 3)),
                "tier": rng.choice([None, None, "innovative", "specialized", "little_giant"])
                if kind == "capability"
                else None,
                "deadline": (today + timedelta(days=rng.randint(30, 400))).isoformat()
                if kind in ("need", "procurement")
                else None,
                "published_at": (today - timedelta(days=rng.randint(0, 900))).isoformat() + "T08:00:00",
                "org_id": org_id,
                "group_id": org_id // 20 if org_id % 3 == 0 else None,
                "challenge": kind == "need" and rng.random() < 0.1,
                "budget_wan": rng.randint(5, 800) if kind == "need" else None,
            }
        )
    return docs


def make_matching_records(achievements: int, needs: int, seed: int = 13) -> list[dict]:
    """Import-format records (`flask catalog import`): achievements, then needs, rich text."""
    rng = random.Random(seed)
    orgs = [(f"匹配基准机构{i:03d}", t) for i, t in enumerate(["university", "institute", "sme", "large"] * 100)]
    today = date.today()
    records = []
    for i in range(achievements + needs):
        kind = "achievement" if i < achievements else "need"
        title, keywords, industry, body = _rich_text(rng, i)
        org, org_type = rng.choice(orgs[:200] if kind == "achievement" else orgs[200:])
        rec = {
            "kind": kind,
            "ref": f"MATCH-{i:06d}",
            "org": org,
            "org_type": org_type,
            "title": title,
            "keywords": keywords,
            "industry": industry,
            "region": rng.choice(REGIONS)[1],
        }
        if kind == "achievement":
            rec.update(
                summary=body, trl=rng.randint(3, 9), cooperation=["技术转让", "合作开发"], year=rng.randint(2018, 2025)
            )
        else:
            rec.update(
                description=body,
                budget_wan=rng.randint(5, 800),
                deadline=(today + timedelta(days=rng.randint(30, 400))).isoformat(),
                challenge=False,
            )
        records.append(rec)
    return records
