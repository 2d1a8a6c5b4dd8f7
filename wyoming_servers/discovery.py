"""Zeroconf ``_wyoming._tcp`` advertisement with the machine's real LAN addresses."""

from __future__ import annotations

import ipaddress
import logging
import socket

import ifaddr
from zeroconf import IPVersion
from zeroconf.asyncio import AsyncServiceInfo, AsyncZeroconf

_LOGGER = logging.getLogger(__name__)
SERVICE_TYPE = "_wyoming._tcp.local."
_HOME_LANS = tuple(
    ipaddress.IPv4Network(n) for n in ("192.168.0.0/16", "10.0.0.0/8", "172.16.0.0/12")
)


def lan_addresses() -> list[str]:
    """Return this machine's non-loopback, non-link-local IPv4 addresses, best first."""
    found: list[str] = []
    for adapter in ifaddr.get_adapters():
        for ip in adapter.ips:
            if not ip.is_IPv4 or not isinstance(ip.ip, str):
                continue
            addr = ipaddress.IPv4Address(ip.ip)
            if addr.is_loopback or addr.is_link_local or addr.is_unspecified:
                continue
            found.append(str(addr))
    # Home LAN ranges first: that is where Home Assistant lives.
    found.sort(key=lambda a: not any(ipaddress.IPv4Address(a) in net for net in _HOME_LANS))
    return found


def advertised_addresses(bind_host: str) -> list[str]:
    """Addresses to advertise for a server bound to ``bind_host``.

    A wildcard bind (``0.0.0.0``/``::``/empty) is never advertised as such: clients cannot connect
    to it. The LAN addresses are advertised instead.
    """
    if bind_host in ("", "0.0.0.0", "::"):
        return lan_addresses()
    try:
        return [str(ipaddress.ip_address(bind_host))]
    except ValueError:
        return [socket.gethostbyname(bind_host)]


class WyomingAdvertisement:
    """Registers one Wyoming service over mDNS for as long as the server runs."""

    def __init__(self, name: str, port: int, addresses: list[str], role: str = "") -> None:
        self.name = name
        self.port = port
        self.role = role  # TXT "atlas": stt, tts or llm (HA's ATLAS integration matches llm)
        self.addresses = addresses
        self._zc: AsyncZeroconf | None = None
        self._info: AsyncServiceInfo | None = None

    async def start(self) -> None:
        """Register the service; logs and carries on when there is no usable address."""
        if not self.addresses:
            _LOGGER.warning("Zeroconf: no LAN address found; %s is not advertised", self.name)
            return
        self._info = AsyncServiceInfo(
            SERVICE_TYPE,
            f"{self.name}.{SERVICE_TYPE}",
            addresses=[socket.inet_aton(a) for a in self.addresses],
            port=self.port,
            properties={"atlas": self.role or "1"},
        )
        self._zc = AsyncZeroconf(ip_version=IPVersion.V4Only)
        await self._zc.async_register_service(self._info)
        _LOGGER.info("Zeroconf: advertising %s at %s:%s", self.name, self.addresses, self.port)

    async def stop(self) -> None:
        """Unregister the service and close the mDNS socket."""
        if self._zc is None:
            return
        if self._info is not None:
            await self._zc.async_unregister_service(self._info)
        await self._zc.async_close()
        self._zc = None
