"""Which machine a request reaches: every host name is resolved by toll, each address it
resolves to is checked, and the connection goes to the checked address (so a name that
answers differently the second time, DNS rebinding, cannot move it).

Loopback, private, link-local, reserved and other non-public addresses are refused unless the
source allows them (`allow_private_addresses = true`, for the demo, the tests and sources on
a private network): a public report must not be able to point toll at a cloud metadata
service (169.254.169.254), the Prefect API on this machine or an admin page on the LAN.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable

Resolver = Callable[[str, int], list[str]]


class AddressRefused(Exception):
    """A host resolves to an address toll may not connect to."""


def resolve(host: str, port: int) -> list[str]:
    """The addresses of a host, IPv4 first (each once, in the resolver's order otherwise)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    found = list(dict.fromkeys(str(info[4][0]) for info in infos))
    return sorted(found, key=lambda address: ":" in address)


def kind_of(address: str) -> str | None:
    """What makes an address non-public ('loopback', 'private', ...), or None when public."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    for kind, flag in (
        ("loopback", ip.is_loopback),
        ("link-local", ip.is_link_local),
        ("private", ip.is_private),
        ("multicast", ip.is_multicast),
        ("unspecified", ip.is_unspecified),
        ("reserved", ip.is_reserved),
    ):
        if flag:
            return kind
    return None if ip.is_global else "non-public"


def checked_address(host: str, port: int, allow_private: bool, resolver: Resolver = resolve) -> str:
    """The address to connect to for host:port, after checking every address the name has;
    raises AddressRefused, or OSError when the name does not resolve."""
    addresses = resolver(host, port)
    if not addresses:
        raise OSError(f"{host} has no address")
    if not allow_private:
        for address in addresses:
            kind = kind_of(address)
            if kind is not None:
                raise AddressRefused(
                    f"{host} resolves to {address}, a {kind} address (set "
                    "allow_private_addresses = true for a source on a private network)"
                )
    return addresses[0]
