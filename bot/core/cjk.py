"""The CJK ideograph ranges, as regex character-class bodies (use inside `[...]`)."""

from __future__ import annotations

# Extension A, the unified ideographs, the compatibility ideographs: the Basic Multilingual Plane.
IDEOGRAPHS_BMP = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
# ... plus Extensions B to H and the supplementary compatibility ideographs (planes 2 and 3).
IDEOGRAPHS = IDEOGRAPHS_BMP + "\U00020000-\U0003134f"
