"""Every input of the API is bounded, once, for every operation (issue 19 items 3 and 6).

A field an app declares without a rule gets the safe default when the API is assembled
(`harden_inputs`, called by `config/api.py` after the routers are added):

* text (`str`, also inside lists, dicts and optionals) without its own `pattern` gets
  `core.text.MULTI_LINE_PATTERN`: no control character but tab and newline (ESC in a credit
  reason made a finalised credit note unreadable); a field declared `single_line()` keeps its
  stricter rule;
* an integer without an upper bound gets the 64-bit range (a 20-digit offset or id overflowed
  the database driver: 500), so it is a 422 in the API's error format before any query or
  permission check;
* a float or decimal refuses NaN and infinity, and a decimal has at most 30 digits;
* a date or time must be text: a JSON number was read as seconds since 1970 (`0`: 1970-01-01);
* an object (a schema, alone or inside a list) must be a JSON object: ninja's `Schema` reads
  anything through attribute access, so a list, text or number was taken as an object with
  every field missing, and a body of `[]` whose schema has only defaults did what `{}` does
  (it locked a meeting).

The rules are added to the pydantic models ninja validates with and reads its OpenAPI document
from, so the document states them and schemathesis generates within them. Only models reached
from an operation's *input* are changed; answers are never validated against these rules (a
legacy row must stay readable). `input_models()` is what the tests walk to prove no field is
left out (docs/adr/0068).
"""

from __future__ import annotations

import datetime
import enum
import types
import typing
from collections.abc import Iterator
from decimal import Decimal
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from annotated_types import Ge, Le
from ninja import NinjaAPI
from pydantic import BaseModel, BeforeValidator, Field
from pydantic.fields import FieldInfo

from .text import MULTI_LINE_PATTERN

INT_MAX = 2**63 - 1  # the database's bigint
INT_MIN = -(2**63)
MultiLineText = Annotated[str, Field(pattern=MULTI_LINE_PATTERN)]
BoundedInt = Annotated[int, Field(ge=INT_MIN, le=INT_MAX)]
FiniteFloat = Annotated[float, Field(allow_inf_nan=False)]
BoundedDecimal = Annotated[Decimal, Field(allow_inf_nan=False, max_digits=30)]


def harden_inputs(api: NinjaAPI) -> None:
    """Add the default rules to every input field of every operation of `api` (idempotent)."""
    done: set[type[BaseModel]] = set()
    for params_model in _operation_models(api):
        _harden_model(params_model, done)


def input_models(api: NinjaAPI) -> Iterator[type[BaseModel]]:
    """Every pydantic model an operation's input is validated with, nested ones included."""
    seen: set[type[BaseModel]] = set()
    for params_model in _operation_models(api):
        yield from _walk(params_model, seen)


def _operation_models(api: NinjaAPI) -> Iterator[type[BaseModel]]:
    for router in api._get_bound_routers():
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                yield from operation.signature.models


def _walk(model: type[BaseModel], seen: set[type[BaseModel]]) -> Iterator[type[BaseModel]]:
    if model in seen:
        return
    seen.add(model)
    yield model
    for field in model.model_fields.values():
        for nested in _models_in(field.annotation):
            yield from _walk(nested, seen)


def _models_in(annotation: Any) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
        return
    for arg in get_args(annotation):
        yield from _models_in(arg)


def _object_only(value: Any) -> Any:
    if isinstance(value, list | tuple | str | bytes | int | float | bool):
        raise ValueError("write a JSON object here: {…}")
    return value


OBJECT_ONLY = BeforeValidator(_object_only)


def _is_model(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, BaseModel)


def _harden_model(model: type[BaseModel], done: set[type[BaseModel]]) -> None:
    if model in done:
        return
    done.add(model)
    changed = False
    for field in model.model_fields.values():
        for nested in _models_in(field.annotation):
            _harden_model(nested, done)
        if _is_model(_strip_optional(field.annotation)):
            if OBJECT_ONLY not in field.metadata:
                field.metadata.append(OBJECT_ONLY)
                changed = True
            continue
        if _has_constraint(field, "pattern") and _has_constraint(field, "le"):
            continue
        scalar = _scalar_rule(field)
        if scalar is not None:
            field.metadata.extend(scalar)
            changed = True
            continue
        new = _bounded(field.annotation)
        if new is not field.annotation:
            field.annotation = new
            changed = True
    # Rebuilt in any case: a nested model rebuilt above must be taken in by its container.
    model.model_rebuild(force=True)
    del changed


def _has_constraint(field: FieldInfo, name: str) -> bool:
    return any(getattr(m, name, None) is not None for m in field.metadata)


def _date_as_text(value: Any) -> Any:
    """A date or time travels as text ("2026-12-04"); pydantic would read a number as seconds
    since 1970 and accept `0` as 1970-01-01, which the document (type string) does not allow."""
    if isinstance(value, int | float):
        raise ValueError("write a date as text, e.g. 2026-12-04")
    return value


def _scalar_rule(field: FieldInfo) -> list[Any] | None:
    """The metadata to add when the field itself is a (possibly optional) str, int, float, decimal
    or date."""
    base = _strip_optional(field.annotation)
    if base in (datetime.date, datetime.datetime) and not any(
        isinstance(m, BeforeValidator) for m in field.metadata
    ):
        return [BeforeValidator(_date_as_text)]
    if base is str and not _has_constraint(field, "pattern"):
        return list(FieldInfo.from_annotation(MultiLineText).metadata)
    if base is int and not (_has_constraint(field, "le") or _has_constraint(field, "lt")):
        rules: list[Any] = [Le(INT_MAX)]
        if not (_has_constraint(field, "ge") or _has_constraint(field, "gt")):
            rules.append(Ge(INT_MIN))
        return rules
    if base is float and not _has_constraint(field, "allow_inf_nan"):
        return list(FieldInfo.from_annotation(FiniteFloat).metadata)
    if base is Decimal and not _has_constraint(field, "max_digits"):
        return list(FieldInfo.from_annotation(BoundedDecimal).metadata)
    return None


def _strip_optional(annotation: Any) -> Any:
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return annotation


def _bounded(annotation: Any) -> Any:
    """The annotation with each bare str/int/float inside a container replaced by its bounded
    form; the same object when nothing changes."""
    if annotation is str:
        return MultiLineText
    if annotation is int:
        return BoundedInt
    if annotation is float:
        return FiniteFloat
    if annotation is Decimal:
        return BoundedDecimal
    if _is_model(annotation):  # inside a container: the field's own rule is in its metadata
        return Annotated[annotation, OBJECT_ONLY]
    origin = get_origin(annotation)
    if origin is None or origin is Literal or origin is Annotated:
        return annotation
    if isinstance(origin, type) and issubclass(origin, enum.Enum):
        return annotation
    args = get_args(annotation)
    new_args = tuple(_bounded(a) for a in args)
    if all(n is o for n, o in zip(new_args, args, strict=True)):
        return annotation
    if origin in (Union, types.UnionType):
        return typing.Union[new_args]  # noqa: UP007 (built from a tuple)
    return origin[new_args if len(new_args) > 1 else new_args[0]]
