"""Text every document repeats is one entry with all its documents, never a quadratic number of pairs."""

import random

from reuse.config import Settings
from reuse.ingest import document
from reuse.normalize import solid
from reuse.pipeline import scan_documents

BOILERPLATE = ("各级党组织要坚持以习近平新时代中国特色社会主义思想为指导，深入贯彻落实党的二十大精神，"
               "切实扛起管党治党政治责任，推动全面从严治党向纵深发展，为高质量发展提供坚强政治保证。")


def _corpus(n: int, seed: int = 3, at_head: bool = False):
    rng = random.Random(seed)
    alphabet = "".join(sorted(set("经济社会发展取得新成效人民群众获得感幸福感安全感不断增强改革开放持续深化生态环境明显改善")))
    docs = []
    for i in range(n):
        own = "。".join("".join(rng.choices(alphabet, k=rng.randint(12, 30))) for _ in range(12)) + "。"
        cut = len(own) // 2
        text = (BOILERPLATE + "\n" + own + "\n") if at_head else (own[:cut] + "\n" + BOILERPLATE + "\n" + own[cut:] + "\n")
        docs.append(document(text, f"d{i:03d}.txt"))
    return docs


def test_a_paragraph_in_every_body_is_one_cluster_against_one_witness():
    settings = Settings()
    docs = _corpus(settings.max_doc_freq + 10)  # more documents than any shingle may seed pairs from
    result = scan_documents(docs, settings)
    [cluster] = result.clusters
    assert cluster.doc_count == len(docs) and {d for d, _, _ in cluster.members} == {d.id for d in docs}
    text_of = {d.id: d.text for d in docs}
    for doc_id, start, end in cluster.members:
        assert BOILERPLATE.rstrip("。") in text_of[doc_id][start:end] + "。"
    # each copy against one witness: n - 1 passages and pairs, not n(n - 1)/2
    copies = [p for p in result.passages if p.kind == "copy"]
    assert len(copies) == len(docs) - 1 and len(result.pairs) == len(docs) - 1
    assert all(p.cluster == cluster.id for p in copies)
    witness = {p.a for p in copies} & {p.b for p in copies} or {p.a for p in copies}
    assert len({p.a for p in copies} | {p.b for p in copies}) == len(docs) and len(witness) >= 1
    assert not [t for t in result.templates if t.doc_count == len(docs) and t.kind == "boilerplate"]
    for doc, stats in zip(result.documents, result.stats):
        expected = int(solid(BOILERPLATE).sum()) / doc.chars
        assert abs(stats.copy_ratio - expected) <= 5 / doc.chars  # a character or two of chance on each side
        assert stats.template_ratio < expected / 2


def test_the_same_paragraph_heading_every_document_is_its_boilerplate():
    settings = Settings()
    docs = _corpus(settings.max_doc_freq + 10, at_head=True)
    result = scan_documents(docs, settings)
    [family] = [t for t in result.templates if t.doc_count == len(docs) and len(t.text) > 50]
    assert family.kind == "boilerplate"
    assert not [p for p in result.passages if p.kind == "copy"] and result.pairs == () and not result.clusters
    for doc, stats in zip(result.documents, result.stats):
        expected = int(solid(BOILERPLATE).sum()) / doc.chars
        assert abs(stats.template_ratio - expected) <= 5 / doc.chars
        assert stats.copy_ratio == 0.0
