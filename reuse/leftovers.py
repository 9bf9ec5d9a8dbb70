"""What a killed run leaves behind, and removing it: only reuse's own, only when its process is gone.

A report is staged in a hidden folder beside its target and a library is
built in a hidden file beside it; ``kill -9`` (or a power cut) leaves them
there. Each such name carries the process id of the run that made it, so a
later run can tell a leftover (its process is gone) from the work of a run
still going on (never touched).

The test is ``kill(pid, 0)`` on this machine: a folder shared with other
machines may hold the staging folder of a live run elsewhere, whose process
id means nothing here. Runs never share a staging folder, so the worst case
is that such a run fails with one line and is run again.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
from pathlib import Path

STAGE_KINDS = ("stage", "old", "tmp")
"""Suffixes of reuse's own names: a report being written, a report being replaced, a page being written."""

_OWNED = re.compile(r"^\.(?P<name>.*)\.(?P<pid>[1-9][0-9]*)\.[0-9a-f]{8}\.reuse-(?:stage|old|tmp)$")


def owned_name(name: str, kind: str) -> str:
    """A hidden name for something this process writes beside ``name``, carrying its process id.

    >>> made = owned_name("seeds", "stage")
    >>> made.startswith(f".seeds.{os.getpid()}.") and made.endswith(".reuse-stage")
    True
    """
    if kind not in STAGE_KINDS:
        raise ValueError(f"kind must be one of {STAGE_KINDS}, not {kind!r}")
    return f".{name}.{os.getpid()}.{secrets.token_hex(4)}.reuse-{kind}"


def owner(entry: str, name: str) -> int | None:
    """The process id in ``entry`` when it is a name ``owned_name(name, ...)`` made, else None.

    >>> owner(".seeds.4242.0123abcd.reuse-stage", "seeds"), owner(".seeds.x1", "seeds")
    (4242, None)
    >>> owner(".a.b.1.00000000.reuse-old", "a")  # made beside a.b, not beside a
    """
    match = _OWNED.match(entry)
    return int(match["pid"]) if match and match["name"] == name else None


def alive(pid: int) -> bool:
    """Whether a process ``pid`` runs on this machine (True when that cannot be told: nothing is removed then)."""
    if pid <= 0 or pid == os.getpid():
        return True
    if os.name == "nt":  # os.kill(pid, 0) would send Ctrl-C on Windows; never guess there
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # EPERM: it exists, under another user
        return True
    return True


def remove_dead(folder: str | os.PathLike, name: str) -> list[Path]:
    """Remove the staging folders and files beside ``folder/name`` whose run is gone; returns what was removed.

    Only names ``owned_name(name, ...)`` makes are looked at (one listing
    of ``folder``, nothing walked), and only when their process is not alive.
    """
    try:
        with os.scandir(folder) as listing:
            entries = [e for e in listing if e.name.startswith(f".{name}.")]
    except OSError:
        return []
    removed = []
    for entry in entries:
        pid = owner(entry.name, name)
        if pid is None or alive(pid):
            continue
        try:
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path)
            else:
                os.unlink(entry.path)
        except OSError:
            continue  # another run is removing it too, or it cannot be: left as it was
        removed.append(Path(entry.path))
    return removed
