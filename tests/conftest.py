from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


def pytest_addoption(parser):
    parser.addoption("--accept-gold", action="store_true",
                     help="write the report of tests/report_mini.py as the new golden files (tests/test_gold.py)")


def make_doc(folder: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    """Write a small document (dedented) into folder."""
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(textwrap.dedent(text).encode(encoding))
    return path


def seed_text(prefix: str) -> str:
    return next(SEEDS.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def seeds_result():
    from reuse.pipeline import run

    return run([str(SEEDS)])
