"""English: day-month-year with the month as a word (4 Dec 2026, never the ambiguous 12/04/2026),
a 24-hour clock as the rest of the site, a point for decimals and a comma between thousands."""

DATE_FORMAT = "j F Y"
SHORT_DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j F Y, H:i"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
TIME_FORMAT = "H:i"
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
