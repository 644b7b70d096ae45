"""The tools a model may call, as pydantic argument models; the JSON schemas sent to the model are
generated from them.

No argument names a client, a phone number or an id: the server binds the client from the
conversation and keeps every id. Arguments forbid unknown fields, so a call that smuggles one in
(`phone`, `client_id`, ...) fails validation and is refused, not ignored.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.contracts.tools import TimePreference

# The categories a conversation may be handed off with (the system's own, such as a blocked reply or a
# dead letter, are not the model's to raise).
HandOffCategory = Literal[
    "medical",
    "cancellation",
    "reschedule",
    "refund",
    "payment_dispute",
    "complaint",
    "human_request",
    "other",
]


class Args(BaseModel):
    """Base of every tool's arguments: strict, nothing extra."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Preference(TimePreference):
    """When the client would like to come, in the spa's time zone (dates ISO, times HH:MM)."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class MatchServiceArgs(Args):
    """Rank the spa's services for the client's words (e.g. 'something for forehead lines')."""

    words: str = Field(min_length=1, max_length=300)


class FindAvailabilityArgs(Args):
    """Open slots for one catalog service (its exact name) and the client's time preference."""

    service_name: str = Field(min_length=1, max_length=120)
    preference: Preference = Field(default_factory=Preference)
    provider_first_name: str | None = Field(default=None, max_length=60)


class HoldOptionsArgs(Args):
    """Hold the options found by the last find_availability (all, or these 1-based numbers) and
    offer them; the client replies with an option number."""

    option_numbers: list[int] = Field(default_factory=list, max_length=5)


class ConfirmChoiceArgs(Args):
    """Book the held option the client chose, by its number (1 = the first option offered)."""

    option_number: int = Field(ge=1, le=5)


class ReadBenefitsArgs(Args):
    """The texting client's own packages and membership, and the spa's package offers."""

    service_name: str | None = Field(default=None, max_length=120)


class SpaProfileArgs(Args):
    """The spa's public profile: hours, address, parking, services and prices, providers."""


class HandOffArgs(Args):
    """Hand the conversation to the spa's staff (clinical questions, cancellations, reschedules,
    refunds, complaints, a request for a person, or anything you cannot do)."""

    category: HandOffCategory
    reason: str = Field(min_length=1, max_length=300)


TOOLS: dict[str, type[Args]] = {
    "match_service": MatchServiceArgs,
    "find_availability": FindAvailabilityArgs,
    "hold_options": HoldOptionsArgs,
    "confirm_choice": ConfirmChoiceArgs,
    "read_benefits": ReadBenefitsArgs,
    "spa_profile": SpaProfileArgs,
    "hand_off": HandOffArgs,
}


def _inline(node: Any, defs: dict[str, Any]) -> Any:
    """The schema with every local $ref replaced by its definition (simple for any Messages server)."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/$defs/"):
            return _inline(defs[ref.removeprefix("#/$defs/")], defs)
        return {k: _inline(v, defs) for k, v in node.items() if k not in ("$defs", "title")}
    if isinstance(node, list):
        return [_inline(v, defs) for v in node]
    return node


def input_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The JSON schema of a tool's arguments, self-contained."""
    schema = model.model_json_schema()
    return _inline(schema, schema.get("$defs", {}))


def tool_definitions() -> list[dict[str, Any]]:
    """The `tools` of a Messages API request."""
    return [
        {
            "name": name,
            "description": " ".join((model.__doc__ or name).split()),
            "input_schema": input_schema(model),
        }
        for name, model in TOOLS.items()
    ]
