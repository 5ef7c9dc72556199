"""Adding a new document (PDF, .docx or .txt) without code: the importer behind
`python -m bot ingest FILE --org … --title … --date …` and the Telegram upload.

`plan` extracts, resolves the organisation and the slug, parses with the generic layout and
classifies: everything a human needs to check, nothing written. `add_to_bundle` then writes the
text into data/sources/ with its manifest entry (and a new organisation), so the bundle stays
self-contained; `apply` ingests into the store only (the Telegram path: the bundle on disk is
the deployment's, not the bot's). Either way the records get first_seen = last_changed = now,
so digests show them as new.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import date as Date
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select

from bot.core.resources import sources_dir
from bot.ingest.extract import extract_text
from bot.ingest.layouts import DEFAULT_LAYOUT, parser_for
from bot.ingest.pipeline import ingest
from bot.ingest.sources import SLUG, SourceDocument, read_manifest
from bot.ingest.store import SourceReport
from bot.ingest.tree import Classified, Outline, classify_all, outline
from bot.store.db import SessionFactory
from bot.store.models import Source, utcnow

ORGANISATIONS_FILE = "organisations.yaml"
DEFAULT_KIND = "submission"
_DATE = re.compile(r"^\d{4}(?:-\d{2}(?:-\d{2})?)?$")


class ImportProblem(ValueError):
    """The document or its description cannot be imported; the message says what to fix.
    `code` names the reason for a translated message (`upload.errors.<code>`)."""

    def __init__(self, message: str, code: str, **params: object) -> None:
        super().__init__(message)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class ImportMeta:
    """What the person adding a document tells about it."""

    org: str
    title: str
    date: str
    kind: str = DEFAULT_KIND
    slug: str | None = None
    org_short: str | None = None
    org_en: str | None = None
    org_short_en: str | None = None
    title_en: str | None = None
    rules: str | dict[str, Any] | None = None

    def as_payload(self) -> dict[str, Any]:
        """JSON-safe form (kept in a PendingAction until the admin confirms)."""
        return {name: value for name, value in vars(self).items() if value is not None}

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> ImportMeta:
        """The inverse of `as_payload`."""
        return cls(**payload)


@dataclass(frozen=True)
class Organisation:
    """An organisation and its names."""

    name: str
    short: str
    en: str
    short_en: str

    def names(self) -> set[str]:
        """Every name it may be called by, folded."""
        return {_fold(name) for name in (self.name, self.short, self.en, self.short_en)}


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold().strip()


def load_organisations(directory: Path) -> list[Organisation]:
    """The organisations listed beside the manifest."""
    path = directory / ORGANISATIONS_FILE
    if not path.is_file():
        return []
    entries = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("organisations") or []
    return [
        Organisation(str(e["name"]), str(e["short"]), str(e["en"]), str(e["short_en"]))
        for e in entries
    ]


def resolve_organisation(meta: ImportMeta, known: list[Organisation]) -> tuple[Organisation, bool]:
    """The organisation `meta.org` names (any of its names), or a new one from meta (True)."""
    if not meta.org.strip():
        raise ImportProblem("the organisation is missing (--org / org:)", "no_org")
    wanted = _fold(meta.org)
    for organisation in known:
        if wanted in organisation.names():
            return organisation, False
    if not (meta.org_en and meta.org_en.strip()):
        raise ImportProblem(
            f"unknown organisation {meta.org!r}: give its English name (--org-en / org_en:) "
            "to add it",
            "unknown_org",
            org=meta.org,
        )
    short = (meta.org_short or meta.org).strip()
    organisation = Organisation(
        meta.org.strip(), short, meta.org_en.strip(), (meta.org_short_en or meta.org_en).strip()
    )
    return organisation, True


def check_date(value: str) -> str:
    """YYYY, YYYY-MM or YYYY-MM-DD, and a real date."""
    value = value.strip()
    if not _DATE.match(value):
        raise ImportProblem(
            f"bad date {value!r}: use YYYY, YYYY-MM or YYYY-MM-DD", "bad_date", date=value
        )
    parts = [int(part) for part in value.split("-")] + [1, 1]
    try:
        Date(parts[0], parts[1], parts[2])
    except ValueError as error:
        raise ImportProblem(f"bad date {value!r}: {error}", "bad_date", date=value) from error
    return value


def _slug(meta: ImportMeta, organisation: Organisation, taken: set[str]) -> str:
    if meta.slug:
        if not SLUG.match(meta.slug):
            raise ImportProblem(
                f"bad slug {meta.slug!r}: 2-16 of a-z 0-9, starting with a letter",
                "bad_slug",
                slug=meta.slug,
            )
        return meta.slug
    letters = re.sub(r"[^a-z0-9]", "", organisation.short_en.lower())
    base = (letters if letters[:1].isalpha() else "doc" + letters)[:12] + meta.date[2:4]
    slug, suffix = base, 1
    while slug in taken:
        suffix += 1
        slug = f"{base}{chr(ord('a') + suffix - 2)}" if suffix <= 27 else f"{base}{suffix}"
    return slug


@dataclass(frozen=True)
class InlineDocument(SourceDocument):
    """A document whose text is held in memory (an upload), not read from data/sources/."""

    content: str = ""

    def read_text(self) -> str:
        """The extracted text."""
        return self.content

    def checksum(self) -> str:
        """sha256 of the extracted text."""
        return hashlib.sha256(self.content.encode("utf-8")).hexdigest()

    def describe(self) -> str:
        """The manifest facts, without the text."""
        facts = {k: v for k, v in vars(self).items() if k not in ("path", "content")}
        return json.dumps(facts, ensure_ascii=False, sort_keys=True)


@dataclass(frozen=True)
class ImportPlan:
    """What importing a document would create."""

    document: InlineDocument
    organisation: Organisation
    new_organisation: bool
    records: list[Classified] = field(default_factory=list)

    @property
    def outline(self) -> Outline:
        """The tree of records for a human to check."""
        return outline(self.records, self.document.slug)

    def describe(self) -> str:
        """The facts, then the tree and the figures."""
        doc, org = self.document, self.organisation
        added = " (new organisation)" if self.new_organisation else ""
        header = [
            f"document: {doc.slug} ({doc.kind}, {doc.date}, layout {doc.layout}{_rules_note(doc)})",
            f"organisation: {org.name} / {org.short} / {org.en} / {org.short_en}{added}",
            f"title: {doc.title}",
            "",
        ]
        return "\n".join(header) + self.outline.text


def _rules_note(doc: SourceDocument) -> str:
    """Which rules of the generic layout read the document: a named set or its own."""
    if isinstance(doc.rules, str):
        return f", rules {doc.rules}"
    return ", own rules" if doc.rules else ""


def plan(
    data: bytes,
    filename: str,
    meta: ImportMeta,
    directory: Path | None = None,
    taken: set[str] | None = None,
) -> ImportPlan:
    """Extract, resolve and parse: what an import of `data` would create (nothing written).
    `taken`: slugs already used in the store (the manifest's are added here)."""
    directory = directory or sources_dir()
    if not meta.title.strip():
        raise ImportProblem("the title is missing (--title / title:)", "no_title")
    date = check_date(meta.date)
    organisation, new = resolve_organisation(meta, load_organisations(directory))
    manifest = read_manifest(directory)
    existing = next(
        (d for d in manifest if d.org == organisation.name and d.title == meta.title.strip()),
        None,
    )
    used = {d.slug for d in manifest} | (taken or set())
    slug = existing.slug if existing and not meta.slug else _slug(meta, organisation, used)
    if meta.slug and existing is None and meta.slug in {d.slug for d in manifest}:
        raise ImportProblem(
            f"slug {meta.slug!r} is already used by another document", "slug_taken", slug=meta.slug
        )
    text = extract_text(data)
    layout = existing.layout if existing else DEFAULT_LAYOUT
    rules = meta.rules if meta.rules is not None else (existing.rules if existing else None)
    document = InlineDocument(
        path=directory / f"{slug}{Path(filename).suffix or '.txt'}",
        slug=slug,
        layout=layout,
        org=organisation.name,
        org_short=organisation.short,
        org_en=organisation.en,
        org_short_en=organisation.short_en,
        title=meta.title.strip(),
        title_en=(meta.title_en or meta.title).strip(),
        kind=meta.kind.strip() or DEFAULT_KIND,
        date=date,
        rules=rules,
        content=text,
    )
    records = classify_all(parser_for(layout, rules)(text))
    if not records:
        raise ImportProblem(
            "no recommendations found: the document has no numbered items the parser knows "
            "(see data/layouts.yaml)",
            "no_records",
        )
    return ImportPlan(document, organisation, new, records)


def store_slugs(sessions: SessionFactory) -> set[str]:
    """Slugs of every source in the store (uploads included)."""
    with sessions() as session:
        return set(session.scalars(select(Source.id)))


def apply(
    sessions: SessionFactory,
    data: bytes,
    filename: str,
    meta: ImportMeta,
    now: datetime | None = None,
    directory: Path | None = None,
) -> tuple[ImportPlan, SourceReport]:
    """Import into the store only (the Telegram path); returns the plan and what changed."""
    existing = _store_slug(sessions, meta)
    if existing and not meta.slug:
        meta = replace(meta, slug=existing)
    the_plan = plan(data, filename, meta, directory, taken=store_slugs(sessions))
    report = ingest(sessions, [the_plan.document], now or utcnow())
    return the_plan, report.sources[0]


def _store_slug(sessions: SessionFactory, meta: ImportMeta) -> str | None:
    """An uploaded document imported again (same title) keeps its slug: records update."""
    with sessions() as session:
        return session.scalars(
            select(Source.id).where(Source.title == meta.title.strip()).limit(1)
        ).first()


def add_to_bundle(the_plan: ImportPlan, directory: Path | None = None) -> SourceDocument:
    """Write the text into `directory` (data/sources/), with a manifest entry and, if new, the
    organisation; returns the manifest's document (ready for `ingest`)."""
    directory = directory or sources_dir()
    doc = the_plan.document
    manifest = read_manifest(directory)
    listed = next((d for d in manifest if d.slug == doc.slug), None)
    if listed is not None:
        listed.path.write_text(doc.content, encoding="utf-8")
        return listed
    digest = hashlib.sha256(doc.content.encode("utf-8")).hexdigest()[:16]
    path = directory / f"{len(manifest):03d}_{digest}.txt"
    path.write_text(doc.content, encoding="utf-8")
    entry = {
        "file": path.name,
        "slug": doc.slug,
        "layout": doc.layout,
        "org": doc.org,
        "org_short": doc.org_short,
        "org_en": doc.org_en,
        "org_short_en": doc.org_short_en,
        "title": doc.title,
        "title_en": doc.title_en,
        "kind": doc.kind,
        "date": doc.date,
    }
    if doc.rules is not None:
        entry["rules"] = doc.rules
    _append_yaml_item(directory / "manifest.yaml", entry)
    if the_plan.new_organisation:
        org = the_plan.organisation
        item = {"name": org.name, "short": org.short, "en": org.en, "short_en": org.short_en}
        _append_organisation(directory / ORGANISATIONS_FILE, item)
    return next(d for d in read_manifest(directory) if d.slug == doc.slug)


def _yaml_item(entry: dict[str, Any]) -> str:
    """One list item, each value as a JSON scalar (valid YAML, quoted where needed)."""
    lines = []
    for index, (name, value) in enumerate(entry.items()):
        lead = "  - " if index == 0 else "    "
        lines.append(f"{lead}{name}: {json.dumps(value, ensure_ascii=False)}")
    return "\n".join(lines) + "\n"


def _append_yaml_item(path: Path, entry: dict[str, Any]) -> None:
    """Append to the file's top-level list without rewriting it (its comments stay)."""
    text = path.read_text(encoding="utf-8")
    path.write_text(text.rstrip("\n") + "\n" + _yaml_item(entry), encoding="utf-8")


def _append_organisation(path: Path, entry: dict[str, Any]) -> None:
    if not path.is_file():
        path.write_text("organisations:\n", encoding="utf-8")
    _append_yaml_item(path, entry)
