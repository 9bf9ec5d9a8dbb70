import unicodedata

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from reuse.normalize import SINGLE, WORD, fold, fold_char, fold_text, solid


@pytest.mark.parametrize(
    "raw, folded",
    [
        pytest.param("黨的建設", "党的建设", id="traditional"),
        pytest.param("ＡＢＣ１２３", "abc000", id="fullwidth"),
        pytest.param("2020年", "0000年", id="digits"),
        pytest.param("同志们：今天，开会。", "同志们今天开会", id="punctuation"),
        pytest.param("e\u0301te\u0301", "ete", id="combining"),
        pytest.param("été", "ete", id="precomposed"),
        pytest.param("Hello,  World", "helloworld", id="latin"),
    ],
)
def test_fold_text(raw, folded):
    assert fold(raw).text == folded


def test_fold_keeps_digits_when_asked():
    assert fold("2020年", fold_digits=False).text == "2020年"


def test_fold_traditional_matches_simplified():
    assert fold("「黨的建設」").text == fold("“党的建设”").text


def test_origin_maps_back_to_original_characters():
    text = "黨的，２０年 ok"
    f = fold(text)
    assert [text[i] for i in f.origin] == ["黨", "的", "２", "０", "年", "o", "k"]


def test_word_starts_mark_latin_words_only():
    f = fold("ab cd党")
    assert f.word_start.tolist() == [True, False, True, False, False]
    assert f.cls.tolist() == [WORD, WORD, WORD, WORD, SINGLE]


def test_fold_char_single_characters():
    assert fold_char("，") == " "
    assert fold_char("Ⅻ") == "xii"


def test_solid_counts_non_whitespace():
    assert int(solid("a b\u3000c\n").sum()) == 3


@given(st.text())
def test_origin_is_monotone_and_in_range(text):
    f = fold(text)
    assert len(f.origin) == len(f.text) == len(f.cls) == len(f.word_start)
    if len(f.origin):
        assert f.origin.min() >= 0 and f.origin.max() < len(text)
        assert np.all(np.diff(f.origin) >= 0)


@given(st.text(alphabet=st.characters(categories=["Lo", "Ll", "Lu", "Nd"])))
def test_letters_and_digits_survive(text):
    # every letter or digit produces at least one folded character
    kept = {int(i) for i in fold(text).origin}
    for i, ch in enumerate(text):
        if unicodedata.normalize("NFKD", ch).strip():
            assert i in kept or not any(
                unicodedata.category(c)[0] in "LN" for c in unicodedata.normalize("NFKD", ch)
            )


from hypothesis import settings as hsettings


@hsettings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("黨的建設党的建设，。：“”ＡＢ１２abc XYZ éÉ\n\t、！")), max_size=40))
def test_fold_is_the_same_whether_characters_are_looked_up_or_spliced(text):
    # "㈱" folds to more than one character, which sends the whole text down the splicing path
    plain, expanded = fold(text), fold(text + "㈱")
    n = len(plain.text)
    assert expanded.text[:n] == plain.text
    assert expanded.origin[:n].tolist() == plain.origin.tolist()
    assert expanded.cls[:n].tolist() == plain.cls.tolist()
    assert expanded.word_start[:n].tolist() == plain.word_start.tolist()
    assert expanded.boundary[:n].tolist() == plain.boundary.tolist()


@hsettings(max_examples=300, deadline=None)
@given(st.text(), st.booleans(), st.booleans())
def test_fold_text_is_the_text_fold_gives(text, simplify, fold_digits):
    assert fold_text(text, simplify=simplify, fold_digits=fold_digits) == fold(
        text, simplify=simplify, fold_digits=fold_digits).text


@pytest.mark.parametrize("text", ["黨的建設，２０２０年 Hello", "㈱…½ ﬁ\u3000", "e\u0301\ud800x", ""])
def test_fold_text_on_expanding_and_odd_characters(text):
    assert fold_text(text) == fold(text).text
