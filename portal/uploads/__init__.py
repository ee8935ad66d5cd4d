"""Photo and image uploads: browsers upload straight to S3, the portal checks what arrived.

=============  ==================================================================
``types``      the allowlist: content type → extension, magic bytes, size cap
``keys``       the object keys the server chooses (incoming and verified)
``inspect``    what is checked in an uploaded object's bytes (and why)
``errors``     the domain errors, with stable codes and zh/en messages
``service``    :class:`~portal.uploads.service.UploadService`: offer, verify, view_url
``bucket``     what the bucket needs (CORS, lifecycle), applied by ``portal dev``
=============  ==================================================================
"""
