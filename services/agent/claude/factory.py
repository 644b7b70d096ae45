"""Builds the ClaudeBrain from the agent's settings."""

from __future__ import annotations

from ..settings import AgentSettings
from .brain import ClaudeBrain, ModelConfig
from .limits import ModelLimits
from .routes import make_client


def model_config(settings: AgentSettings) -> ModelConfig:
    """The model part of the settings."""
    return ModelConfig(
        route=settings.model_route,
        model=settings.model_name,
        max_tokens=settings.model_max_tokens,
        temperature=settings.model_temperature,
        history_chars=settings.model_history_chars,
        limits=ModelLimits(
            tool_calls_per_turn=settings.model_tool_calls_per_turn,
            tokens_per_conversation_day=settings.model_tokens_per_conversation_day,
        ),
    )


def claude_brain(settings: AgentSettings) -> ClaudeBrain:
    """The Claude brain on the configured route (raises ModelRouteError when it is not usable)."""
    return ClaudeBrain(make_client(settings), model_config(settings))
