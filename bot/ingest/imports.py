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
import os
import re
import tempfile
import unicodedata
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date as Date
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select

from bot.core.resources import sources_dir
from bot.ingest.extract import extract_text
from bot.ingest.fields import SLUG, TEXT_FIELDS, kind_problem, text_problem
from bot.ingest.layouts import DEFAULT_LAYOUT, furniture_for, parser_for
from bot.ingest.layouts.generic_furniture import shape
from bot.ingest.pipeline import ingest
from bot.ingest.sources import SourceDocument, read_manifest
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


def check_meta(meta: ImportMeta) -> None:
    """Every field's rules (bot.ingest.fields), before anything is read or written."""
    problems = [text_problem(name, getattr(meta, name)) for name in TEXT_FIELDS]
    for problem in [*problems, kind_problem(meta.kind)]:
        if problem is not None:
            raise ImportProblem(problem.message, problem.code, **problem.params)
    if meta.slug is not None and not SLUG.match(meta.slug):
        raise ImportProblem(
            f"bad slug {meta.slug!r}: 2-16 of a-z 0-9, starting with a letter",
            "bad_slug",
            slug=meta.slug,
        )
    check_date(meta.date)


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
    furniture: tuple[str, ...] = ()  # lines dropped as running headers, footers, page numbers

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
        return "\n".join([*header, *_furniture_lines(self.furniture)]) + self.outline.text


def _furniture_lines(lines: tuple[str, ...]) -> list[str]:
    """What was dropped as page furniture, once per kind of line (numbers aside), with counts."""
    if not lines:
        return []
    counts = Counter(shape(line) for line in lines)
    first: dict[str, str] = {}
    for line in lines:
        first.setdefault(shape(line), line)
    listed = [f"  {line}  ×{counts[key]}" for key, line in first.items()]
    return [f"furniture (dropped): {len(lines)} lines", *listed, "", ""]


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
    check_meta(meta)
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
    dropped = tuple(furniture_for(layout, rules)(text))
    return ImportPlan(document, organisation, new, records, dropped)


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
    organisation; returns the manifest's document (ready for `ingest`). All or nothing: each
    file is replaced atomically, and if one cannot be written the others are put back."""
    directory = directory or sources_dir()
    doc = the_plan.document
    manifest = read_manifest(directory)
    listed = next((d for d in manifest if d.slug == doc.slug), None)
    if listed is not None:
        write_files([(listed.path, doc.content)])
        return listed
    digest = hashlib.sha256(doc.content.encode("utf-8")).hexdigest()[:16]
    path = directory / f"{len(manifest):03d}_{digest}.txt"
    entry: dict[str, Any] = {
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
    writes = [(path, doc.content), _appended(directory / "manifest.yaml", entry)]
    if the_plan.new_organisation:
        org = the_plan.organisation
        item = {"name": org.name, "short": org.short, "en": org.en, "short_en": org.short_en}
        writes.append(_appended(directory / ORGANISATIONS_FILE, item, header="organisations:\n"))
    for target, text in writes[1:]:
        _check_yaml(target, text)
    write_files(writes)
    return next(d for d in read_manifest(directory) if d.slug == doc.slug)


def _yaml_item(entry: dict[str, Any]) -> str:
    """One list item, each value as a JSON scalar (valid YAML, quoted where needed)."""
    lines = []
    for index, (name, value) in enumerate(entry.items()):
        lead = "  - " if index == 0 else "    "
        lines.append(f"{lead}{name}: {json.dumps(value, ensure_ascii=False)}")
    return "\n".join(lines) + "\n"


def _appended(path: Path, entry: dict[str, Any], header: str = "") -> tuple[Path, str]:
    """The file's new text with `entry` appended to its top-level list, nothing else rewritten
    (its comments stay)."""
    text = path.read_text(encoding="utf-8") if path.is_file() else header
    return path, text.rstrip("\n") + "\n" + _yaml_item(entry)


def _check_yaml(path: Path, text: str) -> None:
    """A file about to be written must read back (a last guard behind the field checks)."""
    try:
        yaml.safe_load(text)
    except yaml.YAMLError as error:
        reason = str(error).splitlines()[0]
        raise ImportProblem(f"{path.name} would not read back ({reason})", "unreadable") from None


def write_files(writes: list[tuple[Path, str]]) -> None:
    """Replace each file's text atomically (a temporary file in the same folder, then
    os.replace); if one fails, the files already replaced get their old text back (or are
    removed if they are new) and the error is raised."""
    done: list[tuple[Path, bytes | None]] = []
    try:
        for path, text in writes:
            before = path.read_bytes() if path.is_file() else None
            _replace(path, text.encode("utf-8"))
            done.append((path, before))
    except BaseException:
        for path, before in reversed(done):
            if before is None:
                path.unlink(missing_ok=True)
            else:
                _replace(path, before)
        raise


def _replace(path: Path, data: bytes) -> None:
    handle, name = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.replace(name, path)
    except BaseException:
        Path(name).unlink(missing_ok=True)
        raise
