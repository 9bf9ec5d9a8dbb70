"""The report's Chinese: kinds, grades, directions and the scan's parameters in words.

Every label a reader sees in the HTML comes from here, so one table says
what ``formula`` or ``fold_digits True`` means in the report's language and
no raw key or Python value reaches a page.
"""

from __future__ import annotations

from typing import Any

GRADES = {"red": "几乎原文", "orange": "稍有改动", "yellow": "改动较多"}
"""Grades of copied text, from the alignment score (``pages.grade``)."""

KINDS = {"copy": "复制", "template": "套话", "quote": "引用", "phrase": "常见短语"}
"""What shared text is (``reuse.tiers``)."""

TEMPLATE_KINDS = {
    "formula": "固定提法",
    "boilerplate": "固定段落",
    "structure": "格式结构",
    "placeholder": "填空模板",
    "watermark": "水印与声明",
    "opening": "开场套话",
}
"""Kinds of template family (``reuse.tiers.families``)."""

DIRECTIONS = {"source": "疑似来源", "citing": "疑似引用", "similar": "最相似文档"}
"""How another document stands to this one: written before it, after it, or not known."""


def template_kind(kind: str) -> str:
    """A template family's kind in words; an unknown kind is still called a template.

    >>> template_kind("formula"), template_kind("new-kind")
    ('固定提法', '套话')
    """
    return TEMPLATE_KINDS.get(kind, "套话")


def _yes(value: Any) -> str:
    return "是" if value else "否"


def _chars(value: Any) -> str:
    return f"{value} 字"


def _unit(value: Any) -> str:
    return {"char": "按字（每个汉字一个单位）", "word": "按词（jieba 分词）"}.get(str(value), str(value))


def _min_docs(value: Any) -> str:
    if value is None:
        return "自动：至少 3 篇，且不少于语料的 5%"
    if isinstance(value, float) and value < 1:
        return f"语料的 {value:.0%}"
    return f"{int(value)} 篇"


def _listed(value: Any) -> str:
    items = list(value or ())
    return "、".join(map(str, items)) if items else "无"


def _encoding(value: Any) -> str:
    return "自动识别" if value is None else str(value)


PARAMS: dict[str, tuple[str, Any]] = {
    "min_length": ("最短片段", _chars),
    "shingle": ("精确匹配的种子长度", _chars),
    "threshold": ("近似句子的相似度阈值（Jaccard）", str),
    "min_score": ("片段的最低对齐得分（0–1）", str),
    "max_gap": ("片段内可跨越的最大改动", _chars),
    "unit": ("切分单位", _unit),
    "num_perm": ("MinHash 排列数", str),
    "seed": ("随机种子", str),
    "max_doc_freq": ("出现在多于此篇数的文字不再逐对比较", lambda v: f"{v} 篇"),
    "copy_evidence": ("判为复制所需的证据", lambda v: f"{v:g} 字"),
    "copy_run": ("连续相同即判为复制的长度", _chars),
    "min_docs": ("套话族至少出现的篇数", _min_docs),
    "include_templates": ("相似度计入套话", _yes),
    "exclude": ("排除的已知套话文件", _listed),
    "simplify": ("繁体字按简体比对", _yes),
    "fold_digits": ("数字不同视为相同（2020年≈2023年）", _yes),
    "extensions": ("读取的文件类型", _listed),
    "encoding": ("文本编码", _encoding),
}
"""Each parameter of ``reuse.config.Settings.params``: its name in words, and how its value reads."""


def param(key: str, value: Any) -> tuple[str, str]:
    """One parameter as (name, value) in words.

    >>> param("fold_digits", True), param("encoding", None), param("min_length", 12)
    (('数字不同视为相同（2020年≈2023年）', '是'), ('文本编码', '自动识别'), ('最短片段', '12 字'))
    """
    name, words = PARAMS.get(key, (key, str))
    return name, words(value)


MAIN = ("min_length", "threshold", "min_score", "copy_evidence", "copy_run", "min_docs", "include_templates",
        "exclude", "fold_digits")
"""The parameters a printed page's header names (the overview lists them all)."""


def params(values: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    """Every parameter in words, in the order of ``PARAMS`` (unknown keys last, as they are)."""
    known = [param(k, values[k]) for k in PARAMS if k in values]
    return tuple(known + [param(k, values[k]) for k in sorted(values) if k not in PARAMS])


SKIP_REASONS = (
    ("binary file", "二进制文件，不是文本"),
    ("empty file", "空文件"),
    ("is a folder", "是文件夹"),
    ("not a regular file", "不是普通文件"),
    ("too large", "文件太大，请拆分"),
    ("cannot read", "无法读取"),
    ("named twice", "重复指定，只读一次"),
    ("no text", "没有文字"),
    ("no visible text", "没有可见文字"),
    ("damaged .docx", "损坏的 .docx 文件，请用 Word 重新保存"),
    ("not a .docx", "不是 .docx 文件"),
    ("a zip archive, but not a word", "是压缩包，但不是 Word 文档"),
    ("unpacks to", "解压后太大"),
    ("an rtf file", "RTF 文件，请另存为 .docx 或 .txt"),
    ("cannot tell the text encoding", "无法识别文本编码"),
    ("unknown encoding", "未知的编码"),
    ("not valid", "不符合指定的编码"),
    ("cannot be read as", "无法按指定的编码读取"),
    ("read as", "按指定的编码读出的不是文本"),
    ("html nested", "HTML 嵌套过深"),
    ("cannot parse the html", "无法解析 HTML"),
    ("reading pdf needs", "读取 PDF 需要安装 pypdf"),
    ("encrypted pdf", "加密的 PDF"),
    ("damaged pdf", "损坏的 PDF"),
)
"""Why a file was skipped (``reuse.ingest``, ``reuse.readers``), by how the reason begins."""


def skip_reason(reason: str) -> str:
    """A skipped file's reason in Chinese, the reader's own words kept after it.

    >>> skip_reason("binary file (NUL bytes)")
    '二进制文件，不是文本（binary file (NUL bytes)）'
    >>> skip_reason("something new")
    'something new'
    """
    low = reason.lower()
    for start, zh in SKIP_REASONS:
        if low.startswith(start):
            return f"{zh}（{reason}）"
    return reason
