"""Periodic digests by policy area: `schedule` (when), `compose` (what a chat gets), `deliver`
(exactly once per chat and period), `sender` (the outcomes delivery understands)."""
