"""The conversation's tools as the model uses them: each request says which result fields the model
will see, so the scheduler's audit record of a model-initiated call lists those as disclosed (and
marks the call `via: model`).
"""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
from typing import Any, TypeVar

from pydantic import BaseModel

from shared.contracts.tools import ToolRequest

from ..disclosure import MODEL_FIELDS
from ..tools import ConversationTools

ResultT = TypeVar("ResultT", bound=BaseModel)


def _nested(annotation: Any) -> type[BaseModel] | None:
    """The model class a field holds (directly, in a list, or optional), if it has an allow-list."""
    if isinstance(annotation, type) and annotation in MODEL_FIELDS:
        return annotation
    if typing.get_origin(annotation) in (list, tuple, typing.Union, types.UnionType):
        for arg in typing.get_args(annotation):
            found = _nested(arg)
            if found is not None:
                return found
    return None


@functools.cache
def model_field_paths(result_type: type[BaseModel], prefix: str = "") -> tuple[str, ...]:
    """The dotted fields of a result type a model may see (the allow-list, unfolded)."""
    paths: list[str] = []
    allowed = MODEL_FIELDS.get(result_type, frozenset())
    for name, info in result_type.model_fields.items():
        if name not in allowed:
            continue
        inner = _nested(info.annotation)
        if inner is None:
            paths.append(f"{prefix}{name}")
        else:
            paths.extend(model_field_paths(inner, f"{prefix}{name}."))
    return tuple(paths)


class ModelTools(ConversationTools):
    """ConversationTools whose requests carry the model's allow-list for the audit record."""

    @classmethod
    def of(cls, tools: ConversationTools) -> ModelTools:
        """The same conversation's tools (same bound client, same call list), marked as the model's."""
        return cls(**{f.name: getattr(tools, f.name) for f in dataclasses.fields(tools)})

    async def _call(self, name: str, request: ToolRequest, result_type: type[ResultT]) -> ResultT:
        actor = request.actor.model_copy(update={"disclosed_to_model": list(model_field_paths(result_type))})
        return await super()._call(name, request.model_copy(update={"actor": actor}), result_type)
