"""When a document was written, where it says so: its file name or its metadata.

Dates order the witnesses of a copied passage: the earliest is the likely
source (疑似来源), the later ones copy it (疑似引用). A document without a
date is never guessed at; reports then say 最相似文档, not who came first.
"""

from __future__ import annotations

import re
from datetime import date

_DATE = re.compile(
    r"(?<!\d)((?:19|20)\d\d)"
    r"(?:([-_./年])(\d{1,2})(?:\2|月)(\d{1,2})日?|(\d\d)(\d\d))"
    r"(?!\d)"
)


def date_in(text: str) -> str | None:
    """The first valid calendar date written in ``text`` (a file name, a metadata value), as YYYY-MM-DD.

    >>> date_in("2019-02-11_gqdj_01.txt"), date_in("speech_20230315.docx"), date_in("2020年3月5日讲话")
    ('2019-02-11', '2023-03-15', '2020-03-05')
    >>> date_in("report_12345678.txt"), date_in("2020-13-40.txt"), date_in("v2.0.1")
    (None, None, None)
    """
    for m in _DATE.finditer(text):
        year = int(m.group(1))
        month, day = (m.group(3), m.group(4)) if m.group(3) else (m.group(5), m.group(6))
        try:
            return date(year, int(month), int(day)).isoformat()
        except ValueError:
            continue
    return None
