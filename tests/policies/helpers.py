"""Policy lines for import files, and a writer for .jsonl files."""

from __future__ import annotations

import copy
import json
from pathlib import Path

RD_ITEM = {
    "title": "研发费用后补助",
    "benefit_type": "资金补助",
    "amount_min": 10,
    "amount_max": 50,
    "opens_on": "2026-11-01",
    "closes_on": "2026-12-31",
    "materials": "申报书、研发费用专项审计报告",
    "how_to_apply": "登录政务服务网在线申报",
    "contact": "包头市工业和信息化局 0472-0000000",
    "rules": {
        "all": [
            {"field": "region", "op": "within", "value": ["包头市"]},
            {"field": "tier", "op": "at_least", "value": "专精特新中小企业"},
            {"field": "rd_ratio", "op": ">=", "value": 3},
        ]
    },
}
POLICY = {
    "ref": "BT-2026-01",
    "title": "包头市支持专精特新企业高质量发展若干措施",
    "issuer": "包头市工业和信息化局",
    "doc_number": "包工信发〔2026〕8号",
    "scope": "盟市",
    "region": "包头市",
    "published_on": "2026-10-20",
    "effective_on": "2026-11-01",
    "expires_on": "2028-10-31",
    "body": "第一条 ……",
    "interpretation": "一图读懂 ……",
    "source_url": "https://gxj.baotou.gov.cn/policy/8",
    "status": "published",
    "items": [
        RD_ITEM,
        {
            "title": "首次入选小巨人奖励",
            "benefit_type": "资金奖励",
            "amount_max": 100,
            "rules": {"field": "tier", "op": "in", "value": ['专精特新"小巨人"']},
        },
    ],
}


def policy(**changes) -> dict:
    record = copy.deepcopy(POLICY)
    record.update(changes)
    return record


def write_jsonl(path: Path, records: list) -> Path:
    lines = [r if isinstance(r, str) else json.dumps(r, ensure_ascii=False) for r in records]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
