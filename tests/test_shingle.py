import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from conftest import seed_text
from reuse.normalize import fold
from reuse.shingle import shingle_hashes, tokenize


def tokens(text, unit="char"):
    f = fold(text)
    t = tokenize(f, unit=unit)
    return [f.text[s:e] for s, e in zip(t.start, t.end)]


def test_char_unit_splits_han_and_keeps_latin_words():
    assert tokens("党建 work 2020年") == ["党", "建", "work", "0000", "年"]


def test_word_unit_uses_jieba_and_never_crosses_punctuation():
    assert tokens("中国特色社会主义，国家", unit="word") == ["中国", "特色", "社会主义", "国家"]


def test_equal_tokens_hash_equal_across_documents():
    a, b = fold("习近平新时代"), fold("新时代 hello")
    ta, tb = tokenize(a), tokenize(b)
    assert ta.hash[3] == tb.hash[0] and ta.hash[4] == tb.hash[1]


def test_shingles_equal_exactly_when_windows_equal():
    a = tokenize(fold("甲乙丙丁戊")).hash
    b = tokenize(fold("乙丙丁戊己")).hash
    sa, sb = shingle_hashes(a, 3), shingle_hashes(b, 3)
    assert sa[1] == sb[0] and sa[2] == sb[1]
    assert len(set(sa.tolist()) & set(sb.tolist())) == 2


def test_hashes_are_stable_across_processes():
    # a fixed value: shingle hashes must not depend on PYTHONHASHSEED
    h = shingle_hashes(tokenize(fold("党的建设")).hash, 4)
    import subprocess, sys

    code = "from reuse.normalize import fold;from reuse.shingle import *;print(int(shingle_hashes(tokenize(fold('党的建设')).hash,4)[0]))"
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                           env={"PYTHONHASHSEED": "123", "PATH": "/usr/bin:/bin"})
    assert int(other.stdout) == int(h[0])


@given(st.text(), st.integers(1, 6))
def test_token_spans_tile_the_folded_text(text, k):
    f = fold(text)
    t = tokenize(f)
    if len(t):
        assert t.start[0] == 0 and t.end[-1] == len(f.text)
        assert np.all(t.start[1:] == t.end[:-1])
    assert len(shingle_hashes(t.hash, k)) == max(0, len(t) - k + 1)


def test_weights_count_han_characters_words_two_and_numbers_one():
    t = tokenize(fold("党建 work 2020年"))
    assert t.weight.tolist() == [1, 1, 2, 1, 1]
    assert tokenize(fold("中国特色社会主义"), unit="word").weight.tolist() == [2, 2, 4]


def test_a_shingle_is_four_han_characters_or_two_words():
    from reuse.shingle import shingle_ends

    t = tokenize(fold("the for statement 党的建设"))
    # two words, two words, a word and two characters, four characters
    assert shingle_ends(t.weight, 4).tolist() == [2, 3, 5, 7]
    assert len(shingle_hashes(t.hash, 4, t.weight)) == 4


def test_weighted_shingles_of_han_text_are_the_plain_ones():
    t = tokenize(fold("习近平新时代中国特色社会主义思想"))
    assert (shingle_hashes(t.hash, 4, t.weight) == shingle_hashes(t.hash, 4)).all()


def test_equal_word_runs_hash_equal_whatever_surrounds_them():
    a = tokenize(fold("It is the for statement here"))
    b = tokenize(fold("Then the for statement again"))
    sa, sb = shingle_hashes(a.hash, 4, a.weight), shingle_hashes(b.hash, 4, b.weight)
    assert sa[2] == sb[1] and sa[3] == sb[2]  # "the for", "for statement"
    assert len(set(sa.tolist()) & set(sb.tolist())) == 2


@given(st.text(), st.integers(1, 8))
def test_weighted_shingles_cover_exactly_k_of_weight(text, k):
    from reuse.shingle import shingle_ends

    t = tokenize(fold(text))
    ends = shingle_ends(t.weight, k)
    cum = np.concatenate([[0], np.cumsum(t.weight)])
    assert len(ends) == len(shingle_hashes(t.hash, k, t.weight))
    for i, e in enumerate(ends.tolist()):
        assert cum[e] - cum[i] >= k and cum[e - 1] - cum[i] < k
    assert cum[-1] - cum[len(ends)] < k  # no shingle left out at the end


@given(st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x4E80), min_size=1, max_size=40))
def test_a_character_token_hashes_alike_alone_and_beside_words(han):
    # all-Han text takes the one-token-per-character path; with a Latin word after it, the general one
    from reuse.normalize import fold
    from reuse.shingle import tokenize

    alone = tokenize(fold(han)).hash
    mixed = tokenize(fold(han + " hello")).hash
    assert len(alone) == len(han) and alone.tolist() == mixed[: len(han)].tolist()


@given(st.lists(st.sampled_from(list("党的建设ab Zé1,。\u3000x") + ["word", "x" * 300]), max_size=60).map("".join))
def test_token_hashes_are_the_plain_sum_over_their_characters(text):
    # (a 300-letter word: positions past 256 reuse the powers)
    # the plain form: each token sums char * power(position) + salt, then mixes in its length
    from reuse.normalize import codepoints
    from reuse.shingle import _POWERS, fmix64

    folded = fold(text)
    tokens = tokenize(folded)
    cps = codepoints(folded.text).tolist()
    want = []
    for lo, hi in zip(tokens.start.tolist(), tokens.end.tolist()):
        total = sum(c * int(_POWERS[p % 256]) + 0x9E3779B97F4A7C15 for p, c in enumerate(cps[lo:hi])) % 2**64
        want.append(int(fmix64(np.array([total ^ (hi - lo)], dtype=np.uint64))[0]))
    assert tokens.hash.tolist() == want


@given(st.lists(st.integers(1, 5), max_size=60), st.integers(1, 8))
def test_a_weighted_shingle_is_its_tokens_hashed_unweighted(weights, k):
    # weights beyond a token's 1 or 2 (jieba words): shingles end where k of weight is reached, and hash as
    # their tokens do
    from reuse.shingle import shingle_ends

    weights = np.array(weights, dtype=np.uint8)
    hashes = np.arange(len(weights), dtype=np.uint64) * np.uint64(0x9E3779B97F4A7C15)
    cum = np.concatenate([[0], np.cumsum(weights, dtype=np.int64)])
    ends = shingle_ends(weights, k)
    assert len(ends) == np.count_nonzero(cum[:-1] + k <= cum[-1])
    assert ends.tolist() == np.searchsorted(cum, cum[:len(ends)] + k).tolist()
    got = shingle_hashes(hashes, k, weights, ends=ends)
    assert len(got) == len(ends)
    for i, e in enumerate(ends.tolist()):
        assert got[i] == shingle_hashes(hashes[i:e], e - i)[0]


def test_shingle_hashes_a_slice_at_a_time_are_the_whole_texts(monkeypatch):
    """Hashed and mixed a slice at a time (slices of 7 here), the shingles are those of one pass over the text."""
    from reuse import arrays
    from reuse.shingle import shingle_hashes

    hashes = tokenize(fold(seed_text("001"))).hash
    whole = shingle_hashes(hashes, 4)
    monkeypatch.setattr(arrays, "CHUNK", 7)
    assert len(whole) == len(hashes) - 3 > 7 * 10
    assert shingle_hashes(hashes, 4).tolist() == whole.tolist()
