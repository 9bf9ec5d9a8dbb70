"""Real development corpora as folders of .txt files, one document each, dated in the name.

    python benchmarks/real_corpus.py SNAPSHOT_DIR OUT_DIR [--mb N]

SNAPSHOT_DIR is a git directory that the search tool's ``fetch`` brought here
(``/work/.mirror/<owner>+<name>/repo``) or a checkout of one of:

* ``x13-caesar/FMPRC_NLP``: ``data/cpcnews_<section>.csv`` (title, date,
  body), about 3,600 articles from 中国共产党新闻网's party-building sections,
  2017-2020: the seeds' own genre;
* ``vanillabeans98/plsc_xi_speeches``: ``all_data.csv`` (Date, Text), 58
  speeches of 2020;
* ``stdlib-js/datasets-sotu``: ``data/<year>_<president>_<party>.txt``, the
  233 State of the Union addresses of 1790-2021, each on one line: the
  genre in English;
* ``jeremychia/singapore-budget-speeches``: ``output_markdown/<year>.md``, 67
  budget statements of 1960-2025 as markdown (written as ``<year>_sgbudget_01.txt``);
* ``china-data/xwlb``: ``assets/<year>/<yyyymmdd>.json``, the 新闻联播
  transcripts from 2012 on, one document per news item (its title, then its
  paragraphs): news transcripts. ``--since 2020`` starts at a date.

Each article becomes ``OUT_DIR/<date>_<section>_<n>.txt``: the title on the
first line, then the body (an address keeps its one line; its date is the
year and its section the president). ``--mb`` stops once that many megabytes are
written (articles in date order, so a smaller corpus is a prefix of a larger
one). The text is public but not ours: OUT_DIR belongs in an ignored folder
(``benchmarks/out/``), and results name the repository and commit, which
``OUT_DIR/SOURCE`` records.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import re
import subprocess
import sys
from pathlib import Path

csv.field_size_limit(sys.maxsize)


def _git(snapshot: Path, *args: str) -> str:
    return subprocess.run(["git", f"--git-dir={snapshot}", *args], check=True, capture_output=True,
                          text=True, encoding="utf-8").stdout


def _files(snapshot: Path) -> tuple[str, dict[str, str]]:
    """(commit or '', {path: text}) of the snapshot's CSV files: a git directory or a plain folder."""
    if (snapshot / "HEAD").is_file() and (snapshot / "objects").is_dir():
        commit = _git(snapshot, "rev-parse", "HEAD").strip()
        names = [n for n in _git(snapshot, "ls-tree", "-r", "--name-only", "HEAD").splitlines() if _known(n)]
        return commit, {n: _git(snapshot, "show", f"HEAD:{n}") for n in names}
    return "", {str(p.relative_to(snapshot)): p.read_text(encoding="utf-8") for p in sorted(snapshot.rglob("*"))
                if p.is_file() and _known(str(p.relative_to(snapshot)))}


_CPC = re.compile(r"(?:.*/)?cpcnews_(\w+)\.csv")
_SOTU = re.compile(r"(?:.*/)?data/(\d{4})_(\w+)\.txt")
_XWLB = re.compile(r"(?:.*/)?assets/\d{4}/(\d{4})(\d\d)(\d\d)\.json")
_BUDGET = re.compile(r"(?:.*/)?output_markdown/(\d{4})\.md")


def _known(name: str) -> bool:
    return bool(_CPC.fullmatch(name) or _SOTU.fullmatch(name) or _XWLB.fullmatch(name)
                or _BUDGET.fullmatch(name)) or name == "all_data.csv"


def _news_items(day: str) -> list[str]:
    """The items of one day's 新闻联播 JSON: the title, then the paragraphs of its HTML transcript."""
    from reuse.readers.html import visible_text

    out = []
    for item in json.loads(day).get("videoList") or []:
        body = visible_text((item.get("video_detail") or {}).get("content") or "")
        if body.strip():
            out.append(f"{(item.get('video_title') or '').strip()}\n{_clean(body)}")
    return out


def articles(snapshot: Path) -> tuple[str, list[tuple[str, str, str]]]:
    """(commit, [(date, section, text)]) of a known snapshot, in date then source order."""
    commit, files = _files(snapshot)
    out = []
    for name, text in sorted(files.items()):
        cpc = _CPC.fullmatch(name)
        if cpc:
            for row in csv.DictReader(io.StringIO(text)):
                body = _clean(row.get("body") or "")
                if body.strip():
                    out.append((row.get("date", "").strip()[:10], cpc.group(1), f"{(row.get('title') or '').strip()}\n{body}"))
        elif xwlb := _XWLB.fullmatch(name):
            out += [("-".join(xwlb.groups()), "xwlb", item) for item in _news_items(text)]
        elif budget := _BUDGET.fullmatch(name):
            if text.strip():
                out.append((budget.group(1), "sgbudget", text if text.endswith("\n") else text + "\n"))
        elif sotu := _SOTU.fullmatch(name):
            if text.strip():
                out.append((sotu.group(1), sotu.group(2), text if text.endswith("\n") else text + "\n"))
        elif name == "all_data.csv":
            for row in csv.DictReader(io.StringIO(text)):
                body = _clean((row.get("Text") or "").replace("\u3000\u3000", "\n"))
                if body.strip():
                    out.append((row.get("Date", "").strip()[:10], "xi", body))
    if not out:
        raise SystemExit(f"{snapshot}: no cpcnews_<section>.csv, all_data.csv, data/<year>_<name>.txt, output_markdown/<year>.md or assets/<year>/<day>.json found")
    out.sort(key=lambda r: r[0])  # stable: equal dates keep their source order
    return commit, out


def _clean(body: str) -> str:
    """Paragraphs one per line, without the tabs and blank lines the crawler left between them."""
    lines = [line.strip() for line in body.replace("\r", "").split("\n")]
    return "\n".join(line for line in lines if line) + "\n"


def write(snapshot: Path, out: Path, megabytes: float | None = None, since: str = "") -> int:
    commit, rows = articles(snapshot)
    rows = [row for row in rows if row[0] >= since]
    out.mkdir(parents=True, exist_ok=True)
    for old in out.glob("*.txt"):
        old.unlink()
    written, count = 0, {}
    for date, section, text in rows:
        data = text.encode("utf-8")
        if megabytes is not None and written + len(data) > megabytes * 1_000_000:
            break
        n = count[(date, section)] = count.get((date, section), 0) + 1
        (out / f"{date or 'undated'}_{section}_{n:02d}.txt").write_bytes(data)
        written += len(data)
    (out / "SOURCE").write_text(f"{snapshot}\ncommit {commit}\n{sum(count.values())} documents, {written} bytes\n",
                                encoding="utf-8")
    return sum(count.values())


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("snapshot", type=Path)
    ap.add_argument("out", type=Path)
    ap.add_argument("--mb", type=float, default=None, help="stop after this many megabytes")
    ap.add_argument("--since", default="", help="only articles dated from this on (2020, 2020-06-01)")
    args = ap.parse_args()
    n = write(args.snapshot, args.out, args.mb, args.since)
    print(f"{n} documents written to {args.out}")


if __name__ == "__main__":
    main()
