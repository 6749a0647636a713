"""The storage settings, read from the environment by `config/settings/base.py` (ADR 0015).

Kept free of Django imports: settings modules load before the app registry.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

LOCAL = {"BACKEND": "django.core.files.storage.FileSystemStorage"}


def default_storage(environ: Mapping[str, str]) -> dict[str, Any]:
    """A local folder (MEDIA_ROOT), or an S3 bucket when SAMDRIFT_S3_ENDPOINT_URL is set."""
    endpoint = environ.get("SAMDRIFT_S3_ENDPOINT_URL", "")
    if not endpoint:
        return dict(LOCAL)
    return s3_storage(
        endpoint_url=endpoint,
        bucket=environ.get("SAMDRIFT_S3_BUCKET", "samdrift"),
        access_key=environ.get("SAMDRIFT_S3_ACCESS_KEY_ID", ""),
        secret_key=environ.get("SAMDRIFT_S3_SECRET_ACCESS_KEY", ""),
        region=environ.get("SAMDRIFT_S3_REGION", "us-east-1"),
    )


def s3_storage(
    *, endpoint_url: str, bucket: str, access_key: str, secret_key: str, region: str = "us-east-1"
) -> dict[str, Any]:
    from boto3.s3.transfer import TransferConfig
    from botocore.config import Config

    transfer = TransferConfig(
        multipart_threshold=8 * 1024 * 1024, multipart_chunksize=5 * 1024 * 1024, max_concurrency=4
    )
    # Parts of 5 MB (S3's smallest), four in flight and two read ahead from a stream (boto3 takes
    # that one only as an attribute): one upload holds ~30 MB at most, whatever its size.
    transfer.max_in_memory_upload_chunks = 2
    return {
        "BACKEND": "samdrift.core.files.backends.S3Storage",
        "OPTIONS": {
            "endpoint_url": endpoint_url,
            "bucket_name": bucket,
            "access_key": access_key,
            "secret_key": secret_key,
            "region_name": region,
            # Path-style URLs: SeaweedFS, MinIO and most on-premises S3 servers have no
            # per-bucket host names.
            "addressing_style": "path",
            "signature_version": "s3v4",
            "file_overwrite": False,
            "querystring_auth": True,
            "default_acl": None,
            "transfer_config": transfer,
            # SigV4 already signs each request's SHA-256 over plain HTTP, and we send our own
            # SHA-256 with single PUTs; botocore's extra CRC32 per request would be a third pass.
            # Downloads are checked against our SHA-256 as they stream (ADR 0018): botocore's
            # own check of the checksum the S3 server returns would be a second pass.
            "client_config": Config(
                request_checksum_calculation="when_required",
                response_checksum_validation="when_required",
                s3={"addressing_style": "path"},
                signature_version="s3v4",
            ),
        },
    }
