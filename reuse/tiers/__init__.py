"""The kinds of shared text, each in one module used by the scan, ``reuse check`` and the library alike.

``families``: template families (formulas, skeleton, placeholder paragraphs,
watermarks): what the candidates are, which are kept, their kinds, order and
ids, and when a passage lies in one.

Every kind has the same shape, so a new one (phrases, clusters, quotes, and
the verdict that gives each passage its kind) goes beside ``families``:

* ``tiers/<kind>.py`` holds all its rules, as plain functions over
  documents, features and passages. The scan calls it from
  ``reuse.pipeline`` (a whole-corpus stage runs side by side with the
  others on the engine; what needs the passages runs after alignment).
* ``library/<kind>.py`` keeps it current over a library: a maintainer
  (``SCHEMA``, ``prepare``, ``update``, ``stats``; see
  ``reuse.library.writing``) listed in ``reuse.library.MAINTAINERS``, which
  stores the candidates in tables of its own and applies this module's rules
  to what each write touches, and a lookup of a draft that ``reuse check``
  calls. It calls the rules here and re-implements none of them.
"""
