from hypothesis import settings as hsettings
from hypothesis import given
from hypothesis import strategies as st

from conftest import seed_text
from reuse.segment import MAX_UNIT, paragraphs, sentences


def test_paragraphs_are_nonblank_stripped_lines():
    text = "同志们：\n\n  今天开会。\r\n第二段\n   \n"
    assert [text[s.start:s.end] for s in paragraphs(text)] == ["同志们：", "今天开会。", "第二段"]


def test_sentences_split_after_terminal_punctuation_and_quotes():
    text = "他说：“要抓落实。”我们照办！Is it? Yes. 3.14 stays"
    got = [text[s.start:s.end] for s in sentences(text, paragraphs(text))]
    assert got == ["他说：“要抓落实。”", "我们照办！", "Is it?", "Yes.", "3.14 stays"]


def test_huge_line_is_cut_into_bounded_units():
    text = "字" * (MAX_UNIT * 3 + 5)
    paras = paragraphs(text)
    assert len(paras) == 4 and max(s.end - s.start for s in paras) == MAX_UNIT
    assert all(s.end - s.start <= MAX_UNIT for s in sentences(text, paras))


@given(st.text())
def test_units_are_in_bounds_ordered_and_stripped(text):
    paras = paragraphs(text)
    sents = sentences(text, paras)
    for spans in (paras, sents):
        for s in spans:
            assert 0 <= s.start < s.end <= len(text)
            assert not text[s.start].isspace() and not text[s.end - 1].isspace()
        assert [s.start for s in spans] == sorted(s.start for s in spans)


_ENGLISH_PIECES = ["字", "a", " ", ".", "。", "！", "？", "”", "\n", "\t", "\u3000", "Mr", "S", "I", "e.g", "(Dr", "war",
                   "     "]


def _plain_sentence_ends(text: str, lo: int, hi: int) -> list[int]:
    """Where sentences end in ``text[lo:hi]``, the plain way: a full stop before a blank ends one unless the word
    before it (its characters since the last blank, at most eight) is an abbreviation."""
    from reuse.segment import _SENTENCE_END, is_abbreviation

    ends = []
    for m in _SENTENCE_END.finditer(text, lo, hi):
        word = text[: m.start()].split()[-1] if m.start() and not text[m.start() - 1].isspace() else ""
        if text[m.start()] == "." and len(word) <= 8 and is_abbreviation(word):
            continue
        ends.append(m.end())
    return ends


@given(st.lists(st.sampled_from(_ENGLISH_PIECES), max_size=80).map("".join))
def test_sentences_are_the_stripped_pieces_between_sentence_ends(text):
    # the plain form: every piece up to a sentence end, stripped (paragraphs are at most MAX_UNIT long here)
    from reuse.segment import _strip

    want = []
    for para in paragraphs(text):
        start = para.start
        for end in _plain_sentence_ends(text, para.start, para.end) + [para.end]:
            want += [span] if (span := _strip(text, start, end)) else []
            start = end
    assert sentences(text, paragraphs(text)) == want


@hsettings(max_examples=300, deadline=None)
@given(text=st.lists(st.sampled_from(_ENGLISH_PIECES), min_size=1, max_size=120).map("".join),
       limit=st.integers(1, 40))
def test_a_long_line_is_cut_at_its_last_sentence_end_else_its_last_blank(text, limit):
    from reuse.segment import _cut, _strip

    line = _strip(text, 0, len(text))
    if line is None or "\n" in text[line.start:line.end]:
        return
    pieces = _cut(text, line.start, line.end, limit)
    ends = _plain_sentence_ends(text, line.start, line.end)
    assert pieces[0].start == line.start and pieces[-1].end == line.end
    for piece, after in zip(pieces, pieces[1:] + [None]):
        assert 0 < piece.end - piece.start <= limit
        assert not text[piece.start].isspace() and not text[piece.end - 1].isspace()
        if after is None:
            break
        assert text[piece.end:after.start].strip() == ""  # nothing but blanks left out
        fits = [e for e in ends if piece.start < e <= piece.start + limit]
        blanks = [i for i in range(piece.start + 1, piece.start + limit + 1)  # where a blank run starts
                  if text[i].isspace() and not text[i - 1].isspace()]
        assert piece.end == (fits[-1] if fits else blanks[-1] if blanks else piece.start + limit)


def test_titles_and_initials_leave_a_sentence_open():
    text = ("Mr. Speaker, Mr. President, and fellow citizens: I thank you. Ulysses S. Grant wrote it, e.g. in 1875. "
            "So did I. Then Dr. Li left.")
    got = [text[s.start:s.end] for s in sentences(text, paragraphs(text))]
    assert got == ["Mr. Speaker, Mr. President, and fellow citizens: I thank you.",
                   "Ulysses S. Grant wrote it, e.g. in 1875.", "So did I.", "Then Dr. Li left."]


def test_a_speech_on_one_line_is_cut_between_its_sentences():
    # a real speech with its line breaks taken out, as scraped speeches and transcripts come
    text = seed_text("001").replace("\n", "")
    paras = paragraphs(text)
    assert len(paras) > 1 and all(p.end - p.start <= MAX_UNIT for p in paras)
    assert all(text[p.end - 1] in "。！？；;!?…”’」』》）)]" for p in paras[:-1])
    # the sentences are those of the whole line: no piece boundary cuts one
    whole = sentences(text, paragraphs(text, limit=len(text)), limit=len(text))
    assert sentences(text, paras) == whole


@given(st.text(alphabet=st.sampled_from(list("字a .。！？!?；;…”’」)]\"'\n\t")), max_size=200))
def test_sentence_ends_match_the_plain_pattern(text):
    # the plain form of the pattern, one alternation; the module's is written for speed
    import re

    from reuse.segment import _SENTENCE_END

    plain = re.compile(r"(?:[。！？!?；;…]+|\.(?=\s))[\"'”’」』》）)\]]*")
    for lo, hi in [(0, len(text)), (len(text) // 3, 2 * len(text) // 3)]:
        want = [m.span() for m in plain.finditer(text, lo, hi)]
        assert [m.span() for m in _SENTENCE_END.finditer(text, lo, hi)] == want


@given(st.text(alphabet=st.sampled_from(list("一二十〇是要、第章部分节（()）1２.．，：字a \n")), max_size=200))
def test_sections_try_only_paragraphs_a_heading_can_start(text):
    # the plain form: every pattern tried on every paragraph
    from reuse.segment import _HEADING_FIRST, _HEADINGS, sections

    paras = paragraphs(text)
    for p in paras:
        if any(pattern.match(text, p.start, p.end) for pattern in _HEADINGS):
            assert text[p.start] in _HEADING_FIRST
    for pattern in _HEADINGS:
        starts = [i for i, p in enumerate(paras) if pattern.match(text, p.start, p.end)]
        if len(starts) >= 2:
            assert [title.start for title, _ in sections(text, paras)][-len(starts):] == [paras[i].start for i in starts]
            break
    else:
        assert len(sections(text, paras)) == (1 if paras else 0)


def test_a_sentence_end_stops_at_its_paragraphs_end():
    # punctuation at one span's end and closing quotes at the next one's start, as a cut long line gives them
    from reuse.model import Span

    text = "他说。”好的. 再见。"
    got = sentences(text, [Span(0, 3), Span(3, 7), Span(7, 11)])
    assert [text[s.start:s.end] for s in got] == ["他说。", "”好的.", "再见。"]


_SEGMENT_PIECES = ["党的建设", "。", "！", "；", "…", "?", ".", ". ", "”", "」", ")", "\"", " ", "\u3000", "\n", "\r\n",
                   "\u2028", "\x0b", "\x85", "\t", "Word", "a.b", "\n\n  ", "Mr. ", "S. ", "I. ", "(e.g. "]


@hsettings(max_examples=500, deadline=None)
@given(texts=st.lists(st.lists(st.sampled_from(_SEGMENT_PIECES), max_size=25).map("".join), min_size=1, max_size=5),
       limit=st.sampled_from([1, 3, 7, 2000]))
def test_segmented_is_paragraphs_and_sentences_of_each_text(texts, limit):
    """The batch form gives every text the spans the plain per-text forms give it, pieces cut at ``limit``."""
    from reuse.segment import paragraphs, segmented, sentences

    want = []
    for t in texts:
        paras = paragraphs(t, limit=limit)
        want.append((paras, sentences(t, paras, limit=limit)))
    assert segmented(texts, limit=limit) == want


def test_segmented_cuts_real_speeches_as_the_plain_forms_do():
    from reuse.segment import paragraphs, segmented, sentences

    texts = [seed_text(f"{n:03d}") for n in range(5)]
    got = segmented(texts)
    for t, (paras, sents) in zip(texts, got):
        assert paras == paragraphs(t) and sents == sentences(t, paras)
        assert all(t[s.start:s.end].strip() == t[s.start:s.end] for s in sents)
    assert sum(len(s) for _, s in got) > 500
