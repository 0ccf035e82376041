"""Private files in S3-compatible object storage (settings STORAGE_S3_*), for running on many machines.

The private bucket is never readable by anyone but the platform's key: an object is written without
a public ACL and its storage has no URL. A scoped view (trustplatform/files.attachment_response)
answers a reader it let in with a redirect to a link signed for STORAGE_PRIVATE_URL_SECONDS, which
makes the storage answer the object as an attachment with the allow-listed content type and
`no-store`, whatever the object says. Why a redirect rather than streaming through the web process:
a sync web worker would be held for the whole download of a file of up to ten megabytes, and the
link, issued only after the scope check, is worthless a minute later.

Kept out of files.py so that a process on the file system never imports boto3.
"""

from django.conf import settings
from django.utils.http import content_disposition_header
from storages.backends.s3 import S3Storage


class PrivateS3Storage(S3Storage):
    """Files only a scoped view may answer, in the private bucket: no URL, only `signed_url()`."""

    def __init__(self, **options):
        super().__init__(**options)
        # Whatever the options say: signed links only, never through a public CDN, no public ACL.
        self.querystring_auth = True
        self.custom_domain = None
        self.default_acl = None

    def url(self, name, parameters=None, expire=None, http_method=None):
        raise ValueError("A private file has no URL: answer it through a view scoped to who may see it.")

    def signed_url(self, name: str, *, filename: str, content_type: str) -> str:
        """A link to GET the object for STORAGE_PRIVATE_URL_SECONDS, answered as an attachment named
        `filename` with `content_type` and `no-store` (the signature covers these overrides)."""
        return super().url(
            name,
            parameters={
                "ResponseContentDisposition": content_disposition_header(True, filename),
                "ResponseContentType": content_type,
                "ResponseCacheControl": "private, no-store",
            },
            expire=settings.STORAGE_PRIVATE_URL_SECONDS,
        )
