"""Claude escalation settings: the ``cloud`` section of the box entry's options, and the key.

The API key lives in the entry's data (set in the reconfigure flow, renewed by reauth); the
rest are options. ``claude_base_url`` in the entry's data (not in any form) points the client
at another server, such as the tests' fake Messages API.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

import probatio
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import CONF_API_KEY
from homeassistant.data_entry_flow import section
from homeassistant.helpers.selector import (
    NumberSelector,
    NumberSelectorConfig,
    NumberSelectorMode,
    ObjectSelector,
    SelectSelector,
    SelectSelectorConfig,
    SelectSelectorMode,
)

from ..agent.router import CLOUD_COMPLEX
from .budget import DEFAULT_PRICES, ModelPrice, parse_prices, price_for

CONF_CLOUD: Final = "cloud"  # the options section
CONF_CLOUD_MODE: Final = "cloud_mode"
CONF_CONTEXT_SHARING: Final = "context_sharing"
CONF_MODEL_SIMPLE: Final = "claude_model_simple"
CONF_MODEL_COMPLEX: Final = "claude_model_complex"
CONF_MONTHLY_BUDGET: Final = "monthly_budget_usd"
CONF_PRICES: Final = "claude_prices"
CONF_CLAUDE_BASE_URL: Final = "claude_base_url"  # entry data; not in any form

CLOUD_MODE_AUTO: Final = "auto"  # the router may escalate to Claude
CLOUD_MODE_NEVER: Final = "never"
SHARING_CONVERSATION: Final = "conversation"  # history and tool results may leave the house
SHARING_MINIMAL: Final = "minimal"  # only the current request and the instructions


DEFAULT_MODEL_SIMPLE: Final = "claude-haiku-4-5"
DEFAULT_MODEL_COMPLEX: Final = "claude-sonnet-4-5"
DEFAULT_MONTHLY_BUDGET: Final = 20.0
DEFAULT_BASE_URL: Final = "https://api.anthropic.com"


def _default_prices() -> dict[str, dict[str, float]]:
    return {model: price.as_dict() for model, price in DEFAULT_PRICES.items()}


@dataclass(frozen=True, slots=True)
class CloudSettings:
    """What an entry allows of Claude."""

    mode: str
    context_sharing: str
    model_simple: str
    model_complex: str
    monthly_budget_usd: float
    prices: Mapping[str, ModelPrice]
    base_url: str
    api_key: str | None = field(default=None, repr=False)

    @property
    def enabled(self) -> bool:
        """Whether turns may go to Claude at all: a key is set and the cloud is not off."""
        return self.mode == CLOUD_MODE_AUTO and bool(self.api_key)

    @property
    def minimal_context(self) -> bool:
        """Only the current request (and the instructions) may leave the house."""
        return self.context_sharing == SHARING_MINIMAL

    def model_for(self, route: str) -> str:
        """The model of a cloud route (``cloud-simple`` or ``cloud-complex``)."""
        return self.model_complex if route == CLOUD_COMPLEX else self.model_simple


def cloud_settings(entry: ConfigEntry[Any]) -> CloudSettings:
    """The entry's Claude settings, defaults filled in."""
    options: Mapping[str, Any] = entry.options.get(CONF_CLOUD) or {}
    budget = options.get(CONF_MONTHLY_BUDGET)
    try:
        prices: Mapping[str, ModelPrice] = parse_prices(
            options.get(CONF_PRICES) or _default_prices()
        )
    except ValueError:
        prices = DEFAULT_PRICES
    return CloudSettings(
        mode=str(options.get(CONF_CLOUD_MODE, CLOUD_MODE_AUTO)),
        context_sharing=str(options.get(CONF_CONTEXT_SHARING, SHARING_CONVERSATION)),
        model_simple=str(options.get(CONF_MODEL_SIMPLE) or DEFAULT_MODEL_SIMPLE),
        model_complex=str(options.get(CONF_MODEL_COMPLEX) or DEFAULT_MODEL_COMPLEX),
        monthly_budget_usd=DEFAULT_MONTHLY_BUDGET if budget is None else float(budget),
        prices=prices,
        base_url=str(entry.data.get(CONF_CLAUDE_BASE_URL) or DEFAULT_BASE_URL),
        api_key=entry.data.get(CONF_API_KEY) or None,
    )


def _select(options: list[str], translation_key: str) -> SelectSelector:
    return SelectSelector(
        SelectSelectorConfig(
            options=options, translation_key=translation_key, mode=SelectSelectorMode.DROPDOWN
        )
    )


def _model_select() -> SelectSelector:
    return SelectSelector(
        SelectSelectorConfig(
            options=list(DEFAULT_PRICES), custom_value=True, mode=SelectSelectorMode.DROPDOWN
        )
    )


def options_section() -> dict[str, Any]:
    """The collapsed ``cloud`` section of the options form."""
    fields: dict[str, Any] = {
        CONF_CLOUD_MODE: _select([CLOUD_MODE_AUTO, CLOUD_MODE_NEVER], CONF_CLOUD_MODE),
        CONF_CONTEXT_SHARING: _select(
            [SHARING_CONVERSATION, SHARING_MINIMAL], CONF_CONTEXT_SHARING
        ),
        CONF_MODEL_SIMPLE: _model_select(),
        CONF_MODEL_COMPLEX: _model_select(),
        CONF_MONTHLY_BUDGET: probatio.All(
            NumberSelector(
                NumberSelectorConfig(
                    min=0,
                    max=1000,
                    step=0.01,
                    unit_of_measurement="USD",
                    mode=NumberSelectorMode.BOX,
                )
            ),
            probatio.Coerce(float),
        ),
        CONF_PRICES: ObjectSelector(),
    }
    schema = probatio.Schema({probatio.Optional(key): value for key, value in fields.items()})
    return {CONF_CLOUD: section(schema, {"collapsed": True})}


def suggested_options(options: Mapping[str, Any]) -> dict[str, Any]:
    """What the ``cloud`` section shows: the entry's options over the defaults."""
    defaults: dict[str, Any] = {
        CONF_CLOUD_MODE: CLOUD_MODE_AUTO,
        CONF_CONTEXT_SHARING: SHARING_CONVERSATION,
        CONF_MODEL_SIMPLE: DEFAULT_MODEL_SIMPLE,
        CONF_MODEL_COMPLEX: DEFAULT_MODEL_COMPLEX,
        CONF_MONTHLY_BUDGET: DEFAULT_MONTHLY_BUDGET,
        CONF_PRICES: _default_prices(),
    }
    return {CONF_CLOUD: {**defaults, **(options.get(CONF_CLOUD) or {})}}


def options_error(options: Mapping[str, Any]) -> str | None:
    """The form error of a submitted ``cloud`` section, if any."""
    cloud: Mapping[str, Any] = options.get(CONF_CLOUD) or {}
    try:
        prices = parse_prices(cloud.get(CONF_PRICES) or _default_prices())
    except ValueError:
        return "invalid_prices"
    models = (
        cloud.get(CONF_MODEL_SIMPLE) or DEFAULT_MODEL_SIMPLE,
        cloud.get(CONF_MODEL_COMPLEX) or DEFAULT_MODEL_COMPLEX,
    )
    if any(price_for(prices, str(model)) is None for model in models):
        return "missing_price"
    return None
