"""The checker stores nothing: a check is a pure function of the uploaded file (ADR 0101).

Uploads to SAFOS will keep their results with the upload in that app; this module exists so that
the app has the same layers as every other.
"""
