"""Check the Simplified Chinese catalogue is complete.

Exits non-zero and lists the entries of locale/zh_Hans/LC_MESSAGES/django.po
(or the .po files given as arguments) that are untranslated, marked fuzzy, or
whose translation drops or invents a placeholder (%(name)s, %s, %d, {name}).

Plain-Python parsing of the .po format: no polib, no gettext tools needed.

    python scripts/check_translations.py [PO_FILE ...]
"""

from __future__ import annotations

import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_PO = Path(__file__).resolve().parent.parent / "locale/zh_Hans/LC_MESSAGES/django.po"

_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[\d+\])?)\s+"(.*)"\s*$')
_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
_PLACEHOLDER = re.compile(r"%\(\w+\)[sdfir]|%[sdfir]|\{\w*\}")


@dataclass
class Entry:
    line: int
    flags: set[str] = field(default_factory=set)
    fields: dict[str, str] = field(default_factory=dict)

    @property
    def msgid(self) -> str:
        return self.fields.get("msgid", "")

    @property
    def msgstrs(self) -> list[str]:
        return [v for k, v in sorted(self.fields.items()) if k.startswith("msgstr")]

    @property
    def is_header(self) -> bool:
        return self.msgid == "" and "msgctxt" not in self.fields


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(0)), text)


def parse(text: str) -> list[Entry]:
    """Entries of a .po file, obsolete (#~) ones left out."""
    entries: list[Entry] = []
    current: Entry | None = None
    last_key: str | None = None

    def start(lineno: int) -> Entry:
        entry = Entry(line=lineno)
        entries.append(entry)
        return entry

    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            current, last_key = None, None
            continue
        if line.startswith("#~"):
            continue
        if line.startswith("#"):
            if current is None or current.fields:
                current, last_key = start(lineno), None
            if line.startswith("#,"):
                current.flags.update(f.strip() for f in line[2:].split(",") if f.strip())
            continue
        match = _KEYWORD.match(line)
        if match:
            key, value = match.groups()
            # A new msgctxt/msgid after a msgstr begins a new entry even without a blank line.
            if current is None or (
                key in ("msgctxt", "msgid") and any(k.startswith("msgstr") for k in current.fields)
            ):
                current = start(lineno)
            current.fields[key] = _unescape(value)
            last_key = key
        elif line.startswith('"') and line.endswith('"') and current and last_key:
            current.fields[last_key] += _unescape(line[1:-1])
    return [e for e in entries if "msgid" in e.fields]


def _placeholders(text: str) -> list[str]:
    return sorted(_PLACEHOLDER.findall(text))


def problems(entries: list[Entry]) -> list[str]:
    found = []
    for entry in entries:
        label = f"line {entry.line}: {entry.msgid!r}"
        if "fuzzy" in entry.flags:
            found.append(f"fuzzy        {label}")
        if entry.is_header:
            continue
        if not entry.msgstrs or any(s == "" for s in entry.msgstrs):
            found.append(f"untranslated {label}")
            continue
        source = entry.fields.get("msgid_plural", entry.msgid)
        if any(_placeholders(s) != _placeholders(source) for s in entry.msgstrs):
            found.append(f"placeholders {label}")
    return found


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv] or [DEFAULT_PO]
    status = 0
    for path in paths:
        if not path.exists():
            print(f"{path}: missing", file=sys.stderr)
            status = 1
            continue
        entries = parse(path.read_text(encoding="utf-8"))
        found = problems(entries)
        for problem in found:
            print(f"{path}: {problem}", file=sys.stderr)
        if found:
            status = 1
        else:
            print(f"{path}: {len(entries) - 1} entries, all translated")
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
