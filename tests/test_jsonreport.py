import json

from hypothesis import given, settings as hsettings, strategies as st

from reuse.report.jsonreport import indented

_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4),
    max_leaves=30,
)


@hsettings(max_examples=300, deadline=None)
@given(data=_json)
def test_report_json_is_json_dumps_with_indent_one_byte_for_byte(data):
    assert indented(data) == json.dumps(data, ensure_ascii=False, indent=1)


def test_surrogates_tuples_and_other_keys_encode_as_json_does():
    data = {"text": "a\ud800b\n“引号”", "members": ("x", 1), "nested": [{"k": (1.5, None)}], "n": {1: "one"}}
    assert indented(data) == json.dumps(data, ensure_ascii=False, indent=1)
