from reuse.model import Document, Passage
from reuse.score import score


def doc(i, text):
    return Document(i, i, text, "utf-8", sum(not c.isspace() for c in text))


def test_ratios_count_non_whitespace_and_unions():
    a = doc("a", "0123456789" * 2)  # 20 chars
    b = doc("b", "abcde fghij")  # 10 solid chars
    c = doc("c", "zzzzzzzzzz")
    passages = [
        Passage("a", 0, 10, "b", 0, 5, 1.0, "", ""),
        Passage("a", 5, 15, "c", 0, 10, 1.0, "", ""),
    ]
    pairs, stats = score([a, b, c], passages)
    by_id = {s.id: s for s in stats}
    assert by_id["a"].reuse_ratio == 0.75  # 0..15 of 20
    assert by_id["a"].top_source.id == "b"  # ties (10 vs 10) go to the first id
    assert by_id["b"].reuse_ratio == 0.5
    assert by_id["c"].top_source.ratio == 1.0
    ab = next(p for p in pairs if (p.a, p.b) == ("a", "b"))
    assert (ab.a_shared_chars, ab.b_shared_chars, ab.passages) == (10, 5, 1)
    assert ab.similarity == round(15 / 30, 4)


def test_document_without_passages_has_no_source():
    _, stats = score([doc("a", "text")], [])
    assert stats[0].reuse_ratio == 0.0 and stats[0].top_source is None
