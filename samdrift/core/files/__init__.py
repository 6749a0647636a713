"""One storage layer for every file samdrift keeps (ADRs 0015–0019).

`services.store` streams a file into the configured storage (a local folder by default, an S3
API when `SAMDRIFT_S3_ENDPOINT_URL` is set), counting and hashing it on the way; the row it writes
(`StoredFile`) names the owning agency, so the app that links the file decides who may read it.
`responses.file_response` streams it back with a checksum-verified body.
"""
