"""Claude budget sensors: month-to-date spend, cloud calls, and the cloud's share of turns."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import PERCENTAGE, EntityCategory
from homeassistant.helpers import device_registry as dr

from ..const import DOMAIN
from ..runtime import AtlasConfigEntry
from .budget import Budget


@dataclass(frozen=True, kw_only=True)
class BudgetSensorEntityDescription(SensorEntityDescription):
    """A budget sensor: its value, and whether it is a total that resets monthly."""

    value_fn: Callable[[Budget], float | int | None]
    monthly_total: bool = False


BUDGET_SENSORS: tuple[BudgetSensorEntityDescription, ...] = (
    BudgetSensorEntityDescription(
        key="cloud_spend_month",
        translation_key="cloud_spend_month",
        device_class=SensorDeviceClass.MONETARY,
        native_unit_of_measurement="USD",
        state_class=SensorStateClass.TOTAL,
        suggested_display_precision=2,
        value_fn=lambda budget: round(budget.spend_usd, 6),
        monthly_total=True,
    ),
    BudgetSensorEntityDescription(
        key="cloud_calls_month",
        translation_key="cloud_calls_month",
        native_unit_of_measurement="calls",
        state_class=SensorStateClass.TOTAL,
        value_fn=lambda budget: budget.calls,
        monthly_total=True,
    ),
    BudgetSensorEntityDescription(
        key="cloud_share_month",
        translation_key="cloud_share_month",
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=0,
        value_fn=lambda budget: budget.cloud_share,
    ),
)


def budget_sensors(entry: AtlasConfigEntry) -> list[AtlasBudgetSensor]:
    """The entry's budget sensors."""
    budget = entry.runtime_data.budget
    return [AtlasBudgetSensor(entry, budget, description) for description in BUDGET_SENSORS]


class AtlasBudgetSensor(SensorEntity):
    """A counter of this month's Claude use, on the entry's cloud budget device."""

    entity_description: BudgetSensorEntityDescription
    # Counters of the integration's own use of Claude, not of the home: diagnostic entities.
    _attr_entity_category = EntityCategory.DIAGNOSTIC
    _attr_has_entity_name = True
    _attr_should_poll = False

    def __init__(
        self, entry: AtlasConfigEntry, budget: Budget, description: BudgetSensorEntityDescription
    ) -> None:
        """Describe the sensor."""
        self.entity_description = description
        self._budget = budget
        self._attr_unique_id = f"{entry.entry_id}_{description.key}"
        self._attr_device_info = dr.DeviceInfo(
            identifiers={(DOMAIN, f"{entry.entry_id}_cloud_budget")},
            translation_key="cloud_budget",
            manufacturer="ATLAS",
            entry_type=dr.DeviceEntryType.SERVICE,
        )

    @property
    def native_value(self) -> float | int | None:
        """The value for the current month."""
        return self.entity_description.value_fn(self._budget)

    @property
    def last_reset(self) -> datetime | None:
        """Monthly totals restart at local midnight of the 1st."""
        return self._budget.month_start if self.entity_description.monthly_total else None

    async def async_added_to_hass(self) -> None:
        """Follow the budget's changes and month boundaries."""
        await super().async_added_to_hass()
        self.async_on_remove(self._budget.async_add_listener(self.async_write_ha_state))
