"""The manifest of source documents: what each file is and which parser reads it."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from bot.ingest.fields import SLUG
from bot.ingest.layouts import KNOWN_LAYOUTS

_REQUIRED = ("file", "slug", "layout", "org", "org_short", "org_en", "title", "kind", "date")


class ManifestError(ValueError):
    """The manifest is missing a field or names something that does not exist."""


@dataclass(frozen=True)
class SourceDocument:
    """One manifest entry plus where its file is."""

    path: Path
    slug: str
    layout: str
    org: str
    org_short: str
    org_en: str
    org_short_en: str
    title: str
    title_en: str
    kind: str
    date: str
    rules: str | dict[str, Any] | None = None  # generic layout: rule set name or overrides

    def read_text(self) -> str:
        """The raw extracted text."""
        return self.path.read_text(encoding="utf-8")

    def describe(self) -> str:
        """The manifest facts (not the path) as one string, for change detection."""
        facts = {name: value for name, value in vars(self).items() if name != "path"}
        return json.dumps(facts, ensure_ascii=False, sort_keys=True)

    def checksum(self) -> str:
        """sha256 of the file's bytes."""
        return hashlib.sha256(self.path.read_bytes()).hexdigest()


def read_manifest(directory: Path) -> list[SourceDocument]:
    """Every document listed in `<directory>/manifest.yaml`, validated."""
    manifest = directory / "manifest.yaml"
    try:
        entries = yaml.safe_load(manifest.read_text(encoding="utf-8"))["documents"]
    except (OSError, KeyError, TypeError, yaml.YAMLError) as error:
        raise ManifestError(f"{manifest}: cannot read a 'documents' list ({error})") from error
    documents = [_document(directory, entry) for entry in entries]
    for field in ("slug", "path"):
        values = [getattr(document, field) for document in documents]
        if len(set(values)) != len(values):
            raise ManifestError(f"{manifest}: duplicate {field} in the manifest")
    return documents


def _document(directory: Path, entry: dict[str, object]) -> SourceDocument:
    missing = [field for field in _REQUIRED if not entry.get(field)]
    name = entry.get("file", "?")
    if missing:
        raise ManifestError(f"manifest entry {name}: missing {', '.join(missing)}")
    slug, layout = str(entry["slug"]), str(entry["layout"])
    if not SLUG.match(slug):
        raise ManifestError(f"manifest entry {name}: slug {slug!r} must match {SLUG.pattern}")
    if layout not in KNOWN_LAYOUTS:
        raise ManifestError(f"manifest entry {name}: unknown layout {layout!r}")
    path = directory / str(entry["file"])
    if not path.is_file():
        raise ManifestError(f"manifest entry {name}: file not found in {directory}")
    return SourceDocument(
        path=path,
        slug=slug,
        layout=layout,
        org=str(entry["org"]),
        org_short=str(entry["org_short"]),
        org_en=str(entry["org_en"]),
        org_short_en=str(entry.get("org_short_en") or entry["org_short"]),
        title=str(entry["title"]),
        title_en=str(entry.get("title_en") or entry["title"]),
        kind=str(entry["kind"]),
        date=str(entry["date"]),
        rules=_rules(name, entry.get("rules")),
    )


def _rules(name: object, rules: object) -> str | dict[str, Any] | None:
    if rules is not None and not isinstance(rules, str | dict):
        raise ManifestError(f"manifest entry {name}: rules must be a rule set name or a mapping")
    if rules is not None:
        from bot.ingest.layouts.generic import RulesError, load_rules  # only when rules are set

        try:
            load_rules(rules)
        except RulesError as error:
            raise ManifestError(f"manifest entry {name}: {error}") from error
    return rules
