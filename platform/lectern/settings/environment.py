"""Reading configuration from environment variables."""

from __future__ import annotations

import ipaddress
import os


class MissingSetting(SystemExit):
    """Raised at start-up when a required environment variable is absent."""

    def __init__(self, name: str, why: str) -> None:
        super().__init__(f"lectern: set the {name} environment variable ({why}).")


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise SystemExit(f"lectern: {name} must be a whole number, got {raw!r}.") from exc


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    raw = os.environ.get(name, "")
    items = [item.strip() for item in raw.split(",") if item.strip()]
    return items or list(default or [])


def env_required(name: str, why: str) -> str:
    value = env_str(name)
    if not value:
        raise MissingSetting(name, why)
    return value


def env_networks(name: str) -> list[str]:
    """Comma-separated addresses or networks in CIDR notation (`10.0.0.0/8, 192.0.2.1`);
    refuses to start on one that is not."""
    networks = env_list(name)
    for network in networks:
        try:
            ipaddress.ip_network(network, strict=False)
        except ValueError as exc:
            raise SystemExit(
                f"lectern: {name} must list addresses or CIDR networks, got {network!r}."
            ) from exc
    return networks
