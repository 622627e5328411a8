"""The model's fixed conversion constants, defined once (every module imports them from here).

Examples
--------
>>> HOURS_PER_MONTH, round(DAYS_PER_MONTH, 4), MONTHS_PER_YEAR
(730.0, 30.4167, 12)
"""

HOURS_PER_MONTH = 730.0
"""Hours in the model month: 8,760 hours a year / 12 (DESIGN.md, "a month is 730 hours")."""

DAYS_PER_MONTH = HOURS_PER_MONTH / 24.0
"""Days in the model month (730 / 24 = 30.4167)."""

MONTHS_PER_YEAR = 12
"""Months in a year."""

BYTES_PER_GB = 1e9
"""Decimal gigabyte, the unit cloud price lists bill data in."""
