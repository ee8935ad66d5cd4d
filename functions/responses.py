"""Turning response models into JSON responses."""

from __future__ import annotations

from flask import Response, jsonify
from pydantic import BaseModel


def json_response(model: BaseModel, status: int = 200, *, exclude_none: bool = False) -> Response:
    """``model`` as a JSON response (serialised in JSON mode: dates as ISO strings)."""
    response = jsonify(model.model_dump(mode="json", exclude_none=exclude_none))
    response.status_code = status
    return response
