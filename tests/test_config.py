import pytest

from reuse.config import Settings
from reuse.errors import ConfigError


def test_precedence_defaults_file_env_kwargs(tmp_path, monkeypatch):
    assert Settings.load(cwd=tmp_path).min_length == 12
    (tmp_path / "pyproject.toml").write_text("[tool.reuse]\nmin_length = 20\nshingle = 5\n", encoding="utf-8")
    assert Settings.load(cwd=tmp_path).min_length == 20
    monkeypatch.setenv("REUSE_MIN_LENGTH", "30")
    s = Settings.load(cwd=tmp_path)
    assert (s.min_length, s.shingle) == (30, 5)
    assert Settings.load(cwd=tmp_path, min_length=40, shingle=None).min_length == 40


def test_unknown_key_warns_and_is_ignored(tmp_path):
    (tmp_path / "reuse.toml").write_text("min_length = 15\ncolour = 'red'\n", encoding="utf-8")
    with pytest.warns(UserWarning, match="colour"):
        assert Settings.load(cwd=tmp_path).min_length == 15


@pytest.mark.parametrize("bad", [{"unit": "line"}, {"threshold": 0}, {"min_score": 2.0}, {"shingle": 0}])
def test_impossible_values_are_config_errors(bad):
    with pytest.raises(ConfigError):
        Settings(**bad)


def test_broken_config_file_is_named(tmp_path):
    (tmp_path / "reuse.toml").write_text("min_length = ", encoding="utf-8")
    with pytest.raises(ConfigError, match="reuse.toml"):
        Settings.load(cwd=tmp_path)
