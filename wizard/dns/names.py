"""Domain-name spelling: absolute (trailing dot), bare, zone-relative, comparison."""

from __future__ import annotations


def bare(name: str) -> str:
    """``name`` lower-cased without its trailing dot (``"@"``-free, as users type it)."""
    return name.strip().rstrip(".").lower()


def absolute(name: str) -> str:
    """``name`` as an absolute FQDN with the trailing dot."""
    return bare(name) + "."


def same_name(a: str, b: str) -> bool:
    """True when two names are equal ignoring case and a trailing dot."""
    return bare(a) == bare(b)


def is_subdomain(name: str, parent: str) -> bool:
    """True when ``name`` equals ``parent`` or lies below it."""
    child, above = bare(name), bare(parent)
    return child == above or child.endswith("." + above) or above == ""


def relative_to(name: str, zone: str) -> str:
    """``name`` as a zone file or DNS console writes it inside ``zone`` (``"@"`` for the apex)."""
    child, above = bare(name), bare(zone)
    if child == above:
        return "@"
    if not is_subdomain(child, above):
        raise ValueError(f"{name} is not inside {zone}")
    return child if above == "" else child[: -len(above) - 1]


def ancestors(name: str, stop: str) -> list[str]:
    """``name`` and each parent of it, up to and including ``stop`` (which must contain it)."""
    child, above = bare(name), bare(stop)
    if not is_subdomain(child, above):
        raise ValueError(f"{name} is not inside {stop}")
    out = [child]
    while child != above:
        child = child.partition(".")[2]
        out.append(child)
    return out


def domain_of(address_or_domain: str) -> str:
    """The domain of an e-mail address (``a@b.example`` → ``b.example``), or the domain itself."""
    text = address_or_domain.strip().strip("<>")
    return bare(text.rpartition("@")[2])


def last_two_labels(domain: str) -> str:
    """The naive registered domain: the last two labels of ``domain``."""
    return ".".join(bare(domain).split(".")[-2:])
