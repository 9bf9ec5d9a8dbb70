import json

import pytest
from typer.testing import CliRunner

from conftest import SEEDS, make_doc
from reuse.cli import app, default_output

runner = CliRunner()


def test_scan_writes_report_json_and_prints_summary(tmp_path):
    out = tmp_path / "report"
    result = runner.invoke(app, ["scan", str(SEEDS), "-o", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads((out / "report.json").read_text(encoding="utf-8"))
    assert [d["id"] for d in data["documents"]] == sorted(p.name for p in SEEDS.glob("*.txt"))
    assert data["passages"] and data["phrases"] and data["pairs"] == []  # formulas and phrases, no copying
    assert "Copying: none." in result.output and "Report written to" in result.output
    assert (out / ".gitignore").read_text().strip().endswith("*")


def test_missing_path_is_one_line_error_with_exit_2(tmp_path):
    result = runner.invoke(app, ["scan", str(tmp_path / "nope")])
    assert result.exit_code == 2
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert len(lines) == 1 and "no such file or directory" in lines[0]
    assert "Traceback" not in result.output


def test_folder_without_documents_exits_1(tmp_path):
    (tmp_path / "empty.txt").write_text("   \n", encoding="utf-8")
    result = runner.invoke(app, ["scan", str(tmp_path), "-o", str(tmp_path.with_name(tmp_path.name + "-out"))])
    assert result.exit_code == 1
    assert "no readable documents" in result.output and "empty file" in result.output


def test_options_reach_the_report(tmp_path):
    out = tmp_path / "r"
    result = runner.invoke(app, ["scan", str(SEEDS), "-o", str(out), "--min-length", "20", "--shingle", "5",
                                 "--threshold", "0.6", "-q"])
    assert result.exit_code == 0 and result.output == ""
    data = json.loads((out / "report.json").read_text(encoding="utf-8"))
    params = data["meta"]["params"]
    assert (params["min_length"], params["shingle"], params["threshold"]) == (20, 5, 0.6)
    assert all(len(p["a_text"]) >= 20 for p in data["passages"])


def test_a_threshold_the_index_cannot_band_is_a_one_line_error_before_reading(tmp_path):
    result = runner.invoke(app, ["scan", str(SEEDS), "-o", str(tmp_path / "r"), "--threshold", "0.99"])
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert result.exit_code == 2 and len(lines) == 1 and "one band" in lines[0] and "Traceback" not in result.output
    assert not (tmp_path / "r").exists()


def test_bad_option_value_is_a_one_line_error(tmp_path):
    result = runner.invoke(app, ["scan", str(SEEDS), "-o", str(tmp_path / "r"), "--unit", "sentence"])
    assert result.exit_code == 2 and "unit must be" in result.output  # a usage error


def test_ids_are_relative_paths_with_posix_separators(tmp_path):
    make_doc(tmp_path / "corpus", "a/x.txt", "第一篇")
    make_doc(tmp_path / "corpus", "b/x.txt", "第二篇")
    single = make_doc(tmp_path, "loose.md", "第三篇")
    out = tmp_path / "out"
    result = runner.invoke(app, ["scan", str(tmp_path / "corpus"), str(single), "-o", str(out)])
    assert result.exit_code == 0, result.output
    ids = [d["id"] for d in json.loads((out / "report.json").read_text(encoding="utf-8"))["documents"]]
    assert ids == ["a/x.txt", "b/x.txt", "loose.md"]


def test_default_output_is_named_after_first_path(tmp_path):
    assert default_output([SEEDS]).as_posix() == "reports/seeds"


def test_report_folder_with_foreign_files_is_refused(tmp_path):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me", encoding="utf-8")
    result = runner.invoke(app, ["scan", str(SEEDS), "-o", str(out)])
    assert result.exit_code == 1 and "--force" in result.output
    assert (out / "notes.txt").read_text(encoding="utf-8") == "keep me"
    assert not (out / "report.json").exists()
    result = runner.invoke(app, ["scan", str(SEEDS), "-o", str(out), "--force", "-q"])
    assert result.exit_code == 0
    assert (out / "notes.txt").read_text(encoding="utf-8") == "keep me" and (out / "report.json").exists()


def test_rescan_replaces_its_own_report(tmp_path):
    out = tmp_path / "r"
    assert runner.invoke(app, ["scan", str(SEEDS), "-o", str(out), "-q"]).exit_code == 0
    first = (out / "report.json").read_bytes()
    assert runner.invoke(app, ["scan", str(SEEDS), "-o", str(out), "-q"]).exit_code == 0
    assert (out / "report.json").read_bytes() == first


@pytest.mark.parametrize("command", ["scan"])
def test_every_command_has_help_with_an_example(command):
    result = runner.invoke(app, [command, "--help"])
    assert result.exit_code == 0 and "Example" in result.output


def test_library_and_cli_give_the_same_result(tmp_path):
    import reuse
    from reuse.report.jsonreport import dumps

    out = tmp_path / "r"
    runner.invoke(app, ["scan", str(SEEDS), "-o", str(out), "-q"])
    assert (out / "report.json").read_text(encoding="utf-8") == dumps(reuse.scan([str(SEEDS)]))


COMMANDS = [[], ["scan"], ["compare"], ["templates"], ["check"], ["index"], ["index", "build"], ["index", "add"],
            ["index", "remove"], ["index", "list"], ["index", "stats"]]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "reuse")
def test_help_reads_as_a_person_wrote_it(command):
    """Placeholders, not Python types; flags show none; every default in one style, "(default: X)"."""
    result = runner.invoke(app, [*command, "--help"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    text = result.output
    for python in ("<int>", "<float>", "<str>", "<bool>", "<path>", "list[", "Optional", "NoneType"):
        assert python not in text, python
    assert "{" not in text.split("\n\n")[0] + text.split("Usage:")[1].split("\n")[0]  # usage: PATH..., not {paths}
    assert "[default:" not in text
    assert text.count("(default:") == text.count("default:")
    if command and command != ["index"]:
        assert "Example: reuse " in text  # every command shows how it is used


def test_each_option_is_declared_once():
    """The commands take their options from reuse.cli_options; none declares its own."""
    import inspect

    from reuse import cli, cli_index

    for module in (cli, cli_index):
        assert "typer.Option(" not in inspect.getsource(module) and "typer.Argument(" not in inspect.getsource(module)
