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


def test_unknown_key_warns_in_one_line_naming_the_key_and_the_file(tmp_path, caplog):
    (tmp_path / "reuse.toml").write_text("min_length = 15\ncolour = 'red'\n", encoding="utf-8")
    assert Settings.load(cwd=tmp_path).min_length == 15
    [record] = caplog.records
    assert record.levelname == "WARNING"
    assert record.getMessage() == f"reuse: warning: unknown setting 'colour' in {tmp_path / 'reuse.toml'} ignored"


def test_unknown_variable_warns_in_one_line_naming_it(tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("REUSE_MIN_LENGHT", "20")
    assert Settings.load(cwd=tmp_path).min_length == 12
    assert [r.getMessage() for r in caplog.records] == [
        "reuse: warning: unknown setting REUSE_MIN_LENGHT in the environment ignored"]


def test_an_unknown_setting_is_one_line_on_stderr_without_a_source_line(tmp_path):
    """As a user sees it: no Python file, line or code, only the key and where it is."""
    import subprocess
    import sys

    (tmp_path / "reuse.toml").write_text("colour = 'red'\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-c", "from reuse.config import Settings; Settings.load()"],
                          cwd=tmp_path, capture_output=True, text=True, check=True)
    assert done.stderr.splitlines() == [f"reuse: warning: unknown setting 'colour' in {tmp_path / 'reuse.toml'} ignored"]


def test_the_test_suites_switches_are_not_settings():
    """No test switch is named REUSE_*: a run with one set must not warn of an unknown setting."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    sources = [p for p in [*root.glob("tests/*.py"), *root.glob("reuse/**/*.py"), root / ".ci" / "run"]
               if p.name != "test_config.py"]  # this file names unknown settings on purpose
    names = {m for p in sources for m in re.findall(r"\bREUSE_[A-Z_]+\b", p.read_text(encoding="utf-8"))}
    fields = {"REUSE_" + f.upper() for f in Settings.__dataclass_fields__}
    assert names - fields - {"REUSE_"} == set()


@pytest.mark.parametrize("bad", [{"unit": "line"}, {"threshold": 0}, {"min_score": 2.0}, {"shingle": 0}])
def test_impossible_values_are_config_errors(bad):
    with pytest.raises(ConfigError):
        Settings(**bad)


def test_broken_config_file_is_named(tmp_path):
    (tmp_path / "reuse.toml").write_text("min_length = ", encoding="utf-8")
    with pytest.raises(ConfigError, match="reuse.toml"):
        Settings.load(cwd=tmp_path)
