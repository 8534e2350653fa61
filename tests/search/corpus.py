"""The corpus every search backend is asked about, and the helpers that build and query a backend
(tests/search/conftest.py gives the `backend` fixture; test_backends*.py ask the same of each)."""

from __future__ import annotations

import os
import uuid
from datetime import date

from search import SearchRequest, default_analyzer
from search.backends.embedded import EmbeddedBackend
from tests.conftest import missing

TODAY = date(2026, 6, 1)
SEARCH_URL = os.environ.get("SEARCH_URL", "http://127.0.0.1:9200")

SPECIAL = [
    {
        "id": 1,
        "kind": "achievement",
        "title": "高性能烧结钕铁硼永磁体制备技术",
        "body": "采用晶界扩散工艺降低重稀土用量，适用于新能源汽车驱动电机。",
        "keywords": ["晶界扩散"],
        "industry": "C32",
        "region": "150200",
        "trl": 7,
        "cooperation": ["transfer", "license"],
        "org_id": 101,
        "group_id": 11,
    },
    {
        "id": 2,
        "kind": "achievement",
        "title": "风挡防雾涂层",
        "body": "一种用于汽车挡风玻璃的长效防雾涂层，透光率高，耐擦洗。",
        "keywords": ["防雾", "涂层"],
        "industry": "C26",
        "region": "150100",
        "trl": 5,
        "cooperation": ["joint_dev"],
        "org_id": 102,
    },
    {
        "id": 3,
        "kind": "need",
        "title": "露天矿区道路粉尘治理",
        "body": "运输道路扬尘严重，寻求长效抑尘剂和洒水方案。",
        "industry": "B06",
        "region": "150600",
        "deadline": "2026-12-31",
        "challenge": True,
        "budget_wan": 80,
        "cooperation": ["contract_rd"],
        "org_id": 103,
        "group_id": 11,
    },
    {
        "id": 4,
        "kind": "need",
        "title": "煤焦油深加工催化剂",
        "body": "截止日期已过的需求。",
        "industry": "C25",
        "region": "150300",
        "deadline": "2026-05-01",
        "org_id": 104,
    },
    {
        "id": 5,
        "kind": "achievement",
        "status": "draft",
        "title": "稀土抛光粉回收工艺",
        "body": "草稿不可搜索。",
        "industry": "C32",
        "region": "150200",
        "org_id": 105,
    },
    {
        "id": 6,
        "kind": "capability",
        "title": "光伏组件清洗机器人",
        "body": "适用于大型光伏电站的无水清洗，<script>alert(1)</script> 不应执行。",
        "industry": "C34",
        "region": "150900",
        "tier": "little_giant",
        "org_id": 106,
    },
    {
        "id": 7,
        "kind": "procurement",
        "title": "碱性电解槽隔膜采购",
        "body": "绿氢项目采购电解槽隔膜，要求国产化。",
        "industry": "D44",
        "region": "150600",
        "deadline": "2026-09-30",
        "org_id": 107,
    },
]

TOPICS = [
    ("乳清蛋白提取", "C14", "乳清蛋白膜分离提取与喷雾干燥"),
    ("益生菌发酵乳", "C14", "益生菌菌株筛选和发酵工艺"),
    ("羊绒分梳设备", "C17", "无毛绒分梳提高收率"),
    ("煤制烯烃催化剂", "C26", "甲醇制烯烃催化剂寿命提升"),
    ("风电运维无人机", "M74", "风机叶片巡检与缺陷识别"),
    ("肉苁蓉人工种植", "A01", "梭梭林下接种肉苁蓉"),
    ("沙棘果汁加工", "C15", "沙棘果汁澄清与保鲜"),
    ("蒙药现代制剂", "C27", "蒙药传统方剂的颗粒剂开发"),
    ("退化草原修复", "N77", "草原修复与补播改良"),
    ("矿用卡车无人驾驶", "C35", "露天矿运输车辆自动驾驶系统"),
    ("工业互联网平台", "I64", "设备联网与数据采集"),
    ("智慧牧场管理系统", "I65", "耳标识别与饲喂管理"),
]
KIND_CYCLE = ["achievement", "need", "procurement", "capability"]
REGION_CYCLE = ["150100", "150200", "150400", "150600", "150700", "152500"]
COOP_CYCLE = [["transfer"], ["license", "joint_dev"], ["service"], []]
TIER_CYCLE = ["innovative", "specialized", None]


def _filler(n: int) -> dict:
    topic, industry, body = TOPICS[n % len(TOPICS)]
    kind = KIND_CYCLE[n % 4]
    return {
        "id": 100 + n,
        "kind": kind,
        "title": f"{topic}（{n}号）",
        "body": body,
        "keywords": [topic],
        "industry": industry,
        "region": REGION_CYCLE[n % len(REGION_CYCLE)],
        "trl": (n % 9) + 1 if kind == "achievement" else None,
        "cooperation": COOP_CYCLE[n % len(COOP_CYCLE)],
        "tier": TIER_CYCLE[n % 3] if kind == "capability" else None,
        "org_id": 200 + n % 5,
    }


def _corpus() -> list[dict]:
    docs = SPECIAL + [_filler(n) for n in range(50 - len(SPECIAL))]
    out = []
    for i, doc in enumerate(docs):
        full = {"version": 1, "status": "published", "body": "", "keywords": [], **doc}
        full["published_at"] = f"2026-{1 + i // 28:02d}-{1 + i % 28:02d}T08:00:00"
        out.append(full)
    return out


CORPUS = _corpus()


def searchable(doc: dict) -> bool:
    return doc["status"] == "published" and (doc.get("deadline") is None or doc["deadline"] >= TODAY.isoformat())


SEARCHABLE = [d for d in CORPUS if searchable(d)]


def newest_first(docs) -> list[int]:
    return [d["id"] for d in sorted(docs, key=lambda d: d["published_at"], reverse=True)]


def ask(backend, text="", **kwargs):
    kwargs.setdefault("today", TODAY)
    return backend.search(SearchRequest(text=text, **kwargs))


def opensearch_backend(prefix: str):
    from search.backends.opensearch import OpenSearchBackend

    backend = OpenSearchBackend(SEARCH_URL, analyzer=default_analyzer(), prefix=prefix)
    if not backend.ping():
        missing(f"no search engine at SEARCH_URL={SEARCH_URL} (start one with `make engine`)")
    return backend


def build_backend(name: str, tmp_path_factory):
    prefix = f"lqtest-{uuid.uuid4().hex[:8]}"
    if name == "embedded":
        path = tmp_path_factory.mktemp("search") / "search.db"
        backend = EmbeddedBackend(path, analyzer=default_analyzer(), prefix=prefix)
    else:
        backend = opensearch_backend(prefix)
    backend.ensure_indices()
    report = backend.index_many(CORPUS)
    assert sorted(report.indexed) == sorted(d["id"] for d in CORPUS)
    backend.refresh()
    return backend
