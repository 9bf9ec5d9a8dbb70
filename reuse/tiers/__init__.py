"""The kinds of shared text, each in one module used by the scan, ``reuse check`` and the library alike.

``families``: template families (formulas, skeleton, placeholder paragraphs,
watermarks), their kinds, thresholds, order and ids.
"""
