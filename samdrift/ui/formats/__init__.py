"""Date and number formats per language (issue 21 item 4, ADR 0709), found through
`FORMAT_MODULE_PATH`. Only what differs from Django's own locale formats is set here."""
