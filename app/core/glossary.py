"""Plain words for the platform's jargon: the nine 技术成熟度 (TRL) levels and what an industry code is. Used by
the posting form's choices and help, by the facts shown on pages and exports, and (as the Jinja global
`glossary`) by the tooltips of templates/macros/glossary.html."""

from __future__ import annotations

TRL_LEVELS: dict[int, str] = {
    1: "基本原理被发现和阐述",
    2: "形成技术概念或应用方案",
    3: "关键功能和特性通过实验验证",
    4: "实验室环境中部件或原理样机验证",
    5: "相关环境中部件或原理样机验证",
    6: "相关环境中系统或原型演示",
    7: "实际使用环境中原型系统演示",
    8: "实际系统完成并通过试验验证",
    9: "实际系统经运行验证，可批量生产或推广应用",
}
TRL_HELP = (
    "技术成熟度（TRL）：衡量一项技术离实际应用有多近，共九级，1 级最早（原理阶段），9 级最成熟（实际系统已运行验证）"
)
INDUSTRY_STANDARD = "国民经济行业分类（GB/T 4754-2017）"
INDUSTRY_HELP = (
    f"行业代码：{INDUSTRY_STANDARD}的门类或大类。门类是一个字母（如 C 制造业），"
    "大类是字母加两位数字（如 C32 有色金属冶炼和压延加工业）"
)


def trl_label(level: int) -> str:
    """ "TRL 6：相关环境中系统或原型演示"; just "TRL n" for a level outside 1–9."""
    text = TRL_LEVELS.get(level)
    return f"TRL {level}：{text}" if text else f"TRL {level}"


def trl_title(level: int) -> str:
    """The tooltip of one level: what the level means, and what TRL is."""
    return f"技术成熟度 {trl_label(level)}。{TRL_HELP}"


def trl_choices() -> list[tuple[str, str]]:
    """(value, label) for a select of the nine levels."""
    return [(str(level), trl_label(level)) for level in TRL_LEVELS]
