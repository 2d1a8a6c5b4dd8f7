"""Zeroconf advertises real LAN addresses, never the wildcard a server is bound to."""

from __future__ import annotations

from typing import Any

import ifaddr
import pytest

from wyoming_servers import discovery


def _adapter(*ips: str) -> Any:
    return ifaddr.Adapter("eth", "eth", [ifaddr.IP(ip, 24, "eth") for ip in ips])


@pytest.fixture
def adapters(monkeypatch: pytest.MonkeyPatch) -> None:
    v6 = ifaddr.Adapter("v6", "v6", [ifaddr.IP(("fe80::1", 0, 0), 64, "v6")])
    fake = [_adapter("127.0.0.1"), _adapter("169.254.3.4"), _adapter("203.0.113.9"),
            _adapter("192.168.1.50"), v6]  # fmt: skip
    monkeypatch.setattr(ifaddr, "get_adapters", lambda: fake)


@pytest.mark.usefixtures("adapters")
@pytest.mark.parametrize("bind", ["0.0.0.0", "", "::"])
def test_wildcard_bind_advertises_lan_addresses_private_first(bind: str) -> None:
    assert discovery.advertised_addresses(bind) == ["192.168.1.50", "203.0.113.9"]


def test_specific_bind_is_advertised_as_is() -> None:
    assert discovery.advertised_addresses("10.1.2.3") == ["10.1.2.3"]


async def test_no_address_means_no_advertisement(caplog: pytest.LogCaptureFixture) -> None:
    advert = discovery.WyomingAdvertisement("atlas-llm", 10400, [])
    await advert.start()  # must not open an mDNS socket without an address
    await advert.stop()
    assert "not advertised" in caplog.text
