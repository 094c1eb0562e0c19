"""Formatted text members write (notes, reflections), cleaned before it is stored.

Only a small set of formatting tags survives; scripts, event handlers, styles
and foreign links are removed, so what is shown back can be marked safe.
"""

import nh3

ALLOWED_TAGS = {
    "p",
    "br",
    "strong",
    "b",
    "em",
    "i",
    "u",
    "s",
    "h3",
    "h4",
    "blockquote",
    "ul",
    "ol",
    "li",
    "a",
    "hr",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}
ALLOWED_URL_SCHEMES = {"http", "https", "mailto"}


def clean_html(text: str) -> str:
    return nh3.clean(
        text or "",
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes=ALLOWED_URL_SCHEMES,
        link_rel="noopener noreferrer nofollow",
    ).strip()


def plain_text(html: str) -> str:
    """The text without any tags (for previews and search snippets)."""
    return nh3.clean(html or "", tags=set()).strip()
