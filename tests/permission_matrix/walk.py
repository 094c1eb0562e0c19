"""Every URL pattern the project defines, read from Django's URL resolver."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RegexPattern, RoutePattern


@dataclass(frozen=True)
class Pattern:
    key: str  # "ns:name", or "ns:<route>" for an unnamed pattern
    name: str | None  # the full namespaced name, for reverse()
    route: str  # the whole route, converters included
    params: tuple[str, ...]
    callback: object

    @property
    def namespace(self) -> str:
        return self.key.rpartition(":")[0]


def _params(pattern) -> list[str]:
    if isinstance(pattern, RoutePattern):
        return list(pattern.converters)
    if isinstance(pattern, RegexPattern):
        return list(pattern.regex.groupindex)
    return []


def _route(pattern) -> str:
    return str(pattern)


def walk_patterns(resolver=None, prefix="", namespace="", params=()) -> list[Pattern]:
    resolver = resolver or get_resolver()
    found = []
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            found += walk_patterns(
                entry, prefix + _route(entry.pattern), ns, (*params, *_params(entry.pattern))
            )
        elif isinstance(entry, URLPattern):
            route = prefix + _route(entry.pattern)
            name = f"{namespace}{entry.name}" if entry.name else None
            found.append(
                Pattern(
                    key=name or f"{namespace}<{route}>",
                    name=name,
                    route=route,
                    params=(*params, *_params(entry.pattern)),
                    callback=entry.callback,
                )
            )
    return found
