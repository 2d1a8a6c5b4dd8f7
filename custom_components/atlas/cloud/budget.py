"""The monthly budget of Claude calls: prices, reservations, spend and turn counters.

Before each call its worst case (every input token at the dearest input price, ``max_tokens``
of output) is reserved; a call whose worst case could take the month's spend over the cap is
not made. Its real cost, from the usage Anthropic reports, is settled afterwards. Amounts are
integer nano-dollars, so no rounding can creep over the cap. Months are the user's local
months (HA's time zone); the counters reset at local midnight of the 1st.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from itertools import count
from typing import Any, Final, TypedDict

from homeassistant.core import CALLBACK_TYPE, HomeAssistant, callback
from homeassistant.helpers.event import async_track_point_in_time
from homeassistant.helpers.storage import Store
from homeassistant.util import dt as dt_util

from ..const import DOMAIN, LOGGER
from ..listeners import ChangeListeners

STORAGE_VERSION: Final = 1
SAVE_DELAY: Final = 1.0  # seconds; flushed at unload
NANOS_PER_USD: Final = 1_000_000_000
ROUTE_LOCAL: Final = "local"


class MissingPriceError(Exception):
    """The price table has no prices for a model, so its calls cannot be budgeted."""

    def __init__(self, model: str) -> None:
        """Name the model."""
        super().__init__(f"no prices for the model {model}")
        self.model = model


@dataclass(frozen=True, slots=True)
class ModelPrice:
    """List prices of one model in US dollars per million tokens."""

    input: float
    cached_input: float  # cache reads
    cache_write: float
    output: float

    def as_dict(self) -> dict[str, float]:
        """The options (and stored) form."""
        return {
            "input": self.input,
            "cached_input": self.cached_input,
            "cache_write": self.cache_write,
            "output": self.output,
        }


# Anthropic's list prices (5-minute cache writes).
DEFAULT_PRICES: Final[Mapping[str, ModelPrice]] = {
    "claude-haiku-4-5": ModelPrice(input=1.0, cached_input=0.10, cache_write=1.25, output=5.0),
    "claude-sonnet-4-5": ModelPrice(input=3.0, cached_input=0.30, cache_write=3.75, output=15.0),
}


def parse_prices(raw: Any) -> dict[str, ModelPrice]:
    """``{model: {input, cached_input, cache_write, output}}`` → prices; ``ValueError`` if bad."""
    if not isinstance(raw, Mapping):
        raise ValueError("the prices must be a mapping of models")  # noqa: TRY004
    prices: dict[str, ModelPrice] = {}
    for model, fields in raw.items():
        if not isinstance(model, str) or not model or not isinstance(fields, Mapping):
            raise ValueError(f"bad price entry for {model!r}")
        values: dict[str, float] = {}
        for key in ("input", "cached_input", "cache_write", "output"):
            value = fields.get(key)
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"{model}: {key} must be a number")  # noqa: TRY004
            if not math.isfinite(value) or value < 0:
                raise ValueError(f"{model}: {key} must be zero or more")
            values[key] = float(value)
        if set(fields) - set(values):
            raise ValueError(f"{model}: unknown fields {sorted(set(fields) - set(values))}")
        prices[model] = ModelPrice(**values)
    return prices


def price_for(prices: Mapping[str, ModelPrice], model: str) -> ModelPrice | None:
    """The prices of ``model``: exact, else the longest listed name it starts with.

    So ``claude-haiku-4-5-20251001`` costs what ``claude-haiku-4-5`` costs.
    """
    if model in prices:
        return prices[model]
    matches = [name for name in prices if model.startswith(f"{name}-")]
    return prices[max(matches, key=len)] if matches else None


@dataclass(frozen=True, slots=True)
class Usage:
    """Token usage of one call, as Anthropic reports it."""

    input_tokens: int = 0  # not read from or written to the cache
    cache_read_input_tokens: int = 0
    cache_creation_input_tokens: int = 0
    output_tokens: int = 0


def _nanos(exact_usd_per_million: Decimal) -> int:
    """Round up ``tokens * price per million`` to whole nano-dollars."""
    return math.ceil(exact_usd_per_million * 1000)


def cost_nanos(price: ModelPrice, usage: Usage) -> int:
    """What ``usage`` costs at ``price``, in nano-dollars (rounded up)."""
    return _nanos(
        usage.input_tokens * Decimal(str(price.input))
        + usage.cache_read_input_tokens * Decimal(str(price.cached_input))
        + usage.cache_creation_input_tokens * Decimal(str(price.cache_write))
        + usage.output_tokens * Decimal(str(price.output))
    )


def worst_case_nanos(price: ModelPrice, input_tokens: int, max_tokens: int) -> int:
    """The most a call can cost with at most ``input_tokens`` in and ``max_tokens`` out."""
    dearest_input = max(price.input, price.cached_input, price.cache_write)
    return _nanos(
        input_tokens * Decimal(str(dearest_input)) + max_tokens * Decimal(str(price.output))
    )


def usd_to_nanos(usd: float) -> int:
    """A dollar amount (such as the cap) in whole nano-dollars, rounded down."""
    return math.floor(Decimal(str(usd)) * NANOS_PER_USD)


@dataclass(frozen=True, slots=True)
class Reservation:
    """The worst case of one call, held against the cap until it is settled or released."""

    id: int
    model: str
    price: ModelPrice  # the prices when it was made: the call is settled at them
    input_tokens: int
    max_tokens: int
    nanos: int


_reservation_ids = count(1)


class StoredBudget(TypedDict):
    """The persisted counters of the current month."""

    month: str
    spend_nanos: int
    calls: int
    local_turns: int
    cloud_turns: int


@dataclass
class Ledger:
    """The month's counters and the open reservations (no HA: the rules of the budget).

    The invariant ``spend + reserved ≤ cap`` holds after every :meth:`reserve`, as long as
    each settled usage stays within its reservation (input ≤ the estimate, output ≤
    ``max_tokens``).
    """

    month: str
    spend_nanos: int = 0
    calls: int = 0
    local_turns: int = 0
    cloud_turns: int = 0
    open: dict[int, Reservation] = field(default_factory=dict)

    @property
    def reserved_nanos(self) -> int:
        """The worst cases of the calls under way."""
        return sum(r.nanos for r in self.open.values())

    def reserve(
        self, model: str, price: ModelPrice, input_tokens: int, max_tokens: int, cap_nanos: int
    ) -> Reservation | None:
        """Hold the call's worst case; ``None`` when it could take spend over the cap."""
        worst = worst_case_nanos(price, max(input_tokens, 0), max(max_tokens, 0))
        if self.spend_nanos + self.reserved_nanos + worst > cap_nanos:
            return None
        reservation = Reservation(
            next(_reservation_ids), model, price, input_tokens, max_tokens, worst
        )
        self.open[reservation.id] = reservation
        return reservation

    def settle(self, reservation: Reservation, usage: Usage) -> int:
        """Book the call's real cost (at the reservation's prices); returns it."""
        self.open.pop(reservation.id, None)
        cost = cost_nanos(reservation.price, usage)
        if cost > reservation.nanos:
            LOGGER.warning(
                "A Claude call cost more than its reservation (%s > %s nano-dollars)",
                cost,
                reservation.nanos,
            )
        self.spend_nanos += cost
        self.calls += 1
        return cost

    def release(self, reservation: Reservation) -> None:
        """Drop the reservation of a call that was not billed."""
        self.open.pop(reservation.id, None)

    def record_turn(self, route: str) -> None:
        """Count a turn answered locally (``local``) or by Claude (``cloud-…``)."""
        if route == ROUTE_LOCAL:
            self.local_turns += 1
        else:
            self.cloud_turns += 1

    def roll(self, month: str) -> bool:
        """Start ``month`` with zero counters if it is a new month (open calls stay held)."""
        if month == self.month:
            return False
        self.month = month
        self.spend_nanos = self.calls = self.local_turns = self.cloud_turns = 0
        return True

    def as_stored(self) -> StoredBudget:
        """The persisted form."""
        return StoredBudget(
            month=self.month,
            spend_nanos=self.spend_nanos,
            calls=self.calls,
            local_turns=self.local_turns,
            cloud_turns=self.cloud_turns,
        )

    @classmethod
    def from_stored(cls, data: StoredBudget) -> Ledger:
        """Read the persisted form."""
        return cls(
            month=str(data["month"]),
            spend_nanos=int(data["spend_nanos"]),
            calls=int(data["calls"]),
            local_turns=int(data["local_turns"]),
            cloud_turns=int(data["cloud_turns"]),
        )


def month_key(when: datetime) -> str:
    """``YYYY-MM`` of a local time."""
    return f"{when.year:04d}-{when.month:02d}"


def month_start(when: datetime) -> datetime:
    """Local midnight of the 1st of ``when``'s month."""
    return dt_util.start_of_local_day(when.date().replace(day=1))


def next_month_start(when: datetime) -> datetime:
    """Local midnight of the 1st of the month after ``when``'s."""
    return dt_util.start_of_local_day(date(when.year + when.month // 12, when.month % 12 + 1, 1))


def storage_key(entry_id: str) -> str:
    """The Store key of an entry's budget."""
    return f"{DOMAIN}.{entry_id}.budget"


class Budget(ChangeListeners):
    """The Claude budget of one ATLAS entry, persisted in a Store.

    ``limits`` returns the current cap (US dollars per month) and price table, so option
    changes apply to the next call.
    """

    def __init__(
        self,
        hass: HomeAssistant,
        entry_id: str,
        limits: Callable[[], tuple[float, Mapping[str, ModelPrice]]],
    ) -> None:
        """Set up an empty ledger for the current month; :meth:`async_load` reads the Store."""
        super().__init__()
        self.hass = hass
        self._limits = limits
        self._store: Store[StoredBudget] = Store(hass, STORAGE_VERSION, storage_key(entry_id))
        self._ledger = Ledger(month_key(dt_util.now()))
        self._unsub_rollover: CALLBACK_TYPE | None = None

    async def async_load(self) -> None:
        """Read the stored counters (those of a past month start from zero) and start the timer."""
        if (data := await self._store.async_load()) is not None:
            self._ledger = Ledger.from_stored(data)
        if self._ledger.roll(month_key(dt_util.now())):
            self._save()
        self._schedule_rollover()

    async def async_unload(self) -> None:
        """Stop the timer and write what is pending."""
        if self._unsub_rollover is not None:
            self._unsub_rollover()
            self._unsub_rollover = None
        await self._store.async_save(self._ledger.as_stored())

    # --- reading --------------------------------------------------------------------------

    @property
    def month(self) -> str:
        """The current month, ``YYYY-MM``."""
        self._check_month()
        return self._ledger.month

    @property
    def month_start(self) -> datetime:
        """When the current month (and its counters) began, local time."""
        return month_start(dt_util.now())

    @property
    def spend_usd(self) -> float:
        """Month-to-date spend."""
        self._check_month()
        return self._ledger.spend_nanos / NANOS_PER_USD

    @property
    def reserved_usd(self) -> float:
        """The worst cases of the calls under way."""
        return self._ledger.reserved_nanos / NANOS_PER_USD

    @property
    def cap_usd(self) -> float:
        """The monthly cap."""
        return self._limits()[0]

    @property
    def calls(self) -> int:
        """Claude calls this month."""
        self._check_month()
        return self._ledger.calls

    @property
    def local_turns(self) -> int:
        """Turns answered locally this month."""
        self._check_month()
        return self._ledger.local_turns

    @property
    def cloud_turns(self) -> int:
        """Turns answered by Claude this month."""
        self._check_month()
        return self._ledger.cloud_turns

    @property
    def cloud_share(self) -> float | None:
        """Percentage of this month's turns answered by Claude; ``None`` before the first."""
        turns = self.local_turns + self.cloud_turns
        return None if turns == 0 else 100 * self.cloud_turns / turns

    # --- booking ----------------------------------------------------------------------------

    @callback
    def reserve(self, model: str, input_tokens: int, max_tokens: int) -> Reservation | None:
        """Hold a call's worst case; ``None`` when the call could take spend over the cap.

        Raises :class:`MissingPriceError` when the price table does not know ``model``.
        """
        self._check_month()
        cap, prices = self._limits()
        if (price := price_for(prices, model)) is None:
            raise MissingPriceError(model)
        reservation = self._ledger.reserve(
            model, price, input_tokens, max_tokens, usd_to_nanos(cap)
        )
        if reservation is None:
            LOGGER.info(
                "Claude call refused: its worst case could exceed the monthly budget of $%.2f",
                cap,
            )
        return reservation

    @callback
    def settle(self, reservation: Reservation, usage: Usage) -> float:
        """Book a finished (or broken-off) call at its real usage; returns its cost in USD."""
        self._check_month()
        cost = self._ledger.settle(reservation, usage)
        self._changed()
        return cost / NANOS_PER_USD

    @callback
    def release(self, reservation: Reservation) -> None:
        """Drop the reservation of a call that was never billed."""
        self._ledger.release(reservation)

    @callback
    def record_turn(self, route: str) -> None:
        """Count a turn by the route that answered it: ``local`` or ``cloud-…``."""
        self._check_month()
        self._ledger.record_turn(route)
        self._changed()

    # --- month boundary ----------------------------------------------------------------------

    def _check_month(self) -> None:
        """Roll over if the month changed since; the timer tells the listeners."""
        if self._ledger.roll(month_key(dt_util.now())):
            self._save()

    @callback
    def _schedule_rollover(self) -> None:
        self._unsub_rollover = async_track_point_in_time(
            self.hass, self._async_rollover, next_month_start(dt_util.now())
        )

    @callback
    def _async_rollover(self, _now: datetime) -> None:
        self._check_month()
        self._changed()
        self._schedule_rollover()

    @callback
    def _changed(self) -> None:
        self._save()
        self._async_notify()

    @callback
    def _save(self) -> None:
        self._store.async_delay_save(self._ledger.as_stored, SAVE_DELAY)
