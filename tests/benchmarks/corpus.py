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
