"""Which reuse and which datasketch are running: reports and libraries record both."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version


def package_versions() -> dict[str, str]:
    """``{"reuse": ..., "datasketch": ...}``, "unknown" for one not installed (a source tree)."""
    out = {}
    for name, dist in (("reuse", "reuse-detector"), ("datasketch", "datasketch")):
        try:
            out[name] = version(dist)
        except PackageNotFoundError:  # running from a source tree
            out[name] = "unknown"
    return out


try:
    __version__ = version("reuse-detector")
except PackageNotFoundError:  # pragma: no cover - source tree without install
    __version__ = "0.0.0"
