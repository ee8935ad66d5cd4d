"""A request's parts into a view's models, by flask-openapi3's rules (its ``request`` module).

The rules are kept as flask-openapi3 4.x applies them, so that a request means the same
whether it is checked here or described by the document that flask-openapi3 builds:

- ``path``: the URL's variables;
- ``query``: a field whose JSON schema is an array (or optional array) takes every value of
  its name, any other field the first one; names the model does not declare are passed
  too (the model decides whether extra names are an error);
- ``form``: the same from the form and its files, a value that parses as JSON as that JSON;
- ``body``: the request's JSON (``None`` when it is absent or not JSON), a JSON string as a
  JSON document in itself.

The one difference: each model's JSON schema is computed once per process, not on every
request.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from flask import request
from pydantic import BaseModel
from werkzeug.datastructures import MultiDict

BINARY = {"format": "binary", "type": "string"}


@functools.cache
def _properties(model: type[BaseModel]) -> dict[str, Any]:
    properties: dict[str, Any] = model.model_json_schema().get("properties", {})
    return properties


def _key(model: type[BaseModel], name: str) -> tuple[str, tuple[str, ...]]:
    """The key the value goes under, and the names it is looked up by (in order)."""
    alias = model.model_fields[name].alias
    if alias and model.model_config.get("populate_by_name"):
        return alias, (alias, name)
    if alias:
        return alias, (alias,)
    return name, (name,)


def _first(args: MultiDict[str, Any], names: tuple[str, ...]) -> Any:
    for name in names:
        value = args.get(name)
        if value:
            return value
    return args.get(names[-1])


def _all(args: MultiDict[str, Any], names: tuple[str, ...]) -> list[Any]:
    for name in names:
        values = args.getlist(name)
        if values:
            return values
    return []


def _is_array(schema: dict[str, Any]) -> bool:
    return schema.get("type") == "array" or any(
        s.get("type") == "array" for s in schema.get("anyOf", [])
    )


def _collect(model: type[BaseModel], pick: Any) -> dict[str, Any]:
    """``{key: value}`` of the model's fields, ``pick(schema, names)`` giving each value."""
    out: dict[str, Any] = {}
    properties = _properties(model)
    for name in model.model_fields:
        key, names = _key(model, name)
        schema = properties.get(key, {})
        value = pick(schema, names)
        if value is not None and value != []:
            out[key] = value
        if schema.get("type") == "null":
            out[key] = value
    return out


def _json_or_text(value: Any) -> Any:
    try:
        return json.loads(value)
    except (ValueError, TypeError):
        return value


def _query(model: type[BaseModel]) -> BaseModel:
    args = request.args

    def pick(schema: dict[str, Any], names: tuple[str, ...]) -> Any:
        return _all(args, names) if _is_array(schema) else _first(args, names)

    values = _collect(model, pick)
    for key, value in args.items():
        values.setdefault(key, value)
    return model.model_validate(values)


def _form(model: type[BaseModel]) -> BaseModel:
    form, files = request.form, request.files

    def pick(schema: dict[str, Any], names: tuple[str, ...]) -> Any:
        if schema.get("type") == "array":
            if schema.get("items") == BINARY:
                return _all(files, names)
            return [_json_or_text(v) for v in _all(form, names)]
        if schema == BINARY or (schema.get("type"), schema.get("format")) == ("string", "binary"):
            return _first(files, names)
        return _json_or_text(_first(form, names))

    values = _collect(model, pick)
    for key, value in {**dict(form), **dict(files)}.items():
        values.setdefault(key, value)
    return model.model_validate(values)


def _body(model: type[BaseModel]) -> BaseModel:
    obj = request.get_json(silent=True)
    if isinstance(obj, str):
        return model.model_validate_json(obj)
    return model.model_validate(obj)


def parse(part: str, model: type[BaseModel], path_args: dict[str, Any]) -> BaseModel:
    """The ``part`` of the current request as ``model``; path variables it uses are consumed.

    Raises pydantic's ``ValidationError`` when the request does not fit the model.
    """
    if part == "path":
        parsed = model.model_validate(path_args)
        for name in type(parsed).model_fields:
            path_args.pop(name, None)
        return parsed
    if part == "query":
        return _query(model)
    if part == "form":
        return _form(model)
    return _body(model)
