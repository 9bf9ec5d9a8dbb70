"""benchmarks/real_corpus.py: the development corpora's snapshots as folders of dated .txt files."""

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # benchmarks/ is not an installed package
    sys.path.insert(0, str(ROOT))

from benchmarks import real_corpus  # noqa: E402


def test_each_known_snapshot_file_becomes_dated_documents(tmp_path):
    snap = tmp_path / "snap"
    (snap / "data").mkdir(parents=True)
    (snap / "data" / "cpcnews_gqdj.csv").write_text(
        "title,date,body\n标题一,2019-02-11 08:00,\"第一段。\n\n\t第二段。\"\n", encoding="utf-8")
    (snap / "all_data.csv").write_text("Date,Text\n2020-01-08,同志们：\u3000\u3000今天开会。\n", encoding="utf-8")
    address = "Fellow-Citizens of the Senate and House of Representatives: I embrace with great satisfaction the opportunity."
    (snap / "data" / "1790_george_washington_n.txt").write_text(address, encoding="utf-8")
    (snap / "assets" / "2020").mkdir(parents=True)
    day = {"videoList": [
        {"video_title": "[视频]新年戏曲晚会在京举行",
         "video_detail": {"content": "<p>央视网消息（新闻联播）：晚会在国家大剧院举行。</p>\r\n<p>高歌奋进&amp;新时代。</p>"}},
        {"video_title": "[视频]空条目", "video_detail": {"content": ""}},
    ]}
    (snap / "assets" / "2020" / "20200101.json").write_text(json.dumps(day, ensure_ascii=False), encoding="utf-8")
    (snap / "output_markdown").mkdir()
    statement = "# Budget Speech\n\n**Mr Speaker:** Sir, I beg to move."
    (snap / "output_markdown" / "2010.md").write_text(statement, encoding="utf-8")
    (snap / "README.md").write_text("not a corpus", encoding="utf-8")
    out = tmp_path / "out"
    assert real_corpus.write(snap, out) == 5
    texts = {p.name: p.read_text(encoding="utf-8") for p in out.glob("*.txt")}
    assert texts == {
        "1790_george_washington_n_01.txt": address + "\n",  # the address keeps its one line
        "2010_sgbudget_01.txt": statement + "\n",
        "2019-02-11_gqdj_01.txt": "标题一\n第一段。\n第二段。\n",
        "2020-01-01_xwlb_01.txt": "[视频]新年戏曲晚会在京举行\n央视网消息（新闻联播）：晚会在国家大剧院举行。\n高歌奋进&新时代。\n",
        "2020-01-08_xi_01.txt": "同志们：\n今天开会。\n",
    }
    assert "5 documents" in (out / "SOURCE").read_text(encoding="utf-8")
    assert real_corpus.write(snap, tmp_path / "since", since="2020") == 2  # the news item and the speech
