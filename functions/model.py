"""The base of every request and answer model of the API."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class ApiModel(BaseModel):
    """A pydantic model whose validator and serializer are built when first used, not at import.

    The API declares about two hundred models; building them all cost a cold start about a
    quarter of a second, although one request uses two or three (``bench/cold_start.py``).
    Their JSON schemas, and so the OpenAPI document, are the same either way.
    """

    model_config = ConfigDict(defer_build=True)
