"""A paragraph every document repeats is a template family, not a quadratic number of pairs."""

import random

from reuse.config import Settings
from reuse.ingest import document
from reuse.normalize import solid
from reuse.pipeline import scan_documents

BOILERPLATE = ("各级党组织要坚持以习近平新时代中国特色社会主义思想为指导，深入贯彻落实党的二十大精神，"
               "切实扛起管党治党政治责任，推动全面从严治党向纵深发展，为高质量发展提供坚强政治保证。")


def _corpus(n: int, seed: int = 3):
    rng = random.Random(seed)
    alphabet = "".join(sorted(set("经济社会发展取得新成效人民群众获得感幸福感安全感不断增强改革开放持续深化生态环境明显改善")))
    docs = []
    for i in range(n):
        own = "。".join("".join(rng.choices(alphabet, k=rng.randint(12, 30))) for _ in range(12)) + "。"
        cut = len(own) // 2
        docs.append(document(own[:cut] + "\n" + BOILERPLATE + "\n" + own[cut:] + "\n", f"d{i:03d}.txt"))
    return docs


def test_boilerplate_in_every_document_is_a_family_and_no_pair():
    settings = Settings()
    docs = _corpus(settings.max_doc_freq + 10)  # more documents than any shingle may seed pairs from
    result = scan_documents(docs, settings)
    assert result.pairs == () and result.passages == ()
    [family] = [t for t in result.templates if len({d for d, _, _ in t.members}) == len(docs)]
    text_of = {d.id: d.text for d in docs}
    for doc_id, start, end in family.members:
        assert BOILERPLATE.rstrip("。") in text_of[doc_id][start:end] + "。"
    for doc, stats in zip(result.documents, result.stats):
        expected = int(solid(BOILERPLATE).sum()) / doc.chars
        # the family's text is shared, though no pair was aligned: it counts as template, not copying
        assert abs(stats.template_ratio - expected) <= 5 / doc.chars  # a character or two of chance on each side
        assert stats.reuse_ratio == stats.template_ratio and stats.copy_ratio == 0.0
