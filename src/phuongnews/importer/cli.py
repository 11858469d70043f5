"""What `phuongnews import` prints: one block per article, then a summary."""

from __future__ import annotations

from phuongnews.config import load_config, resolver
from phuongnews.errors import BuildFailed, ErrorList, SourceError
from phuongnews.importer import DEFAULT_OLD_URL, ImportOptions, import_sources
from phuongnews.vietnamese import fold


def run_import(args, lang: str, say) -> int:
    errors = ErrorList()
    config = load_config(args.site, errors)
    if config is None:
        raise BuildFailed(errors)
    table = resolver(config)
    for label in args.unit:
        if fold(label) not in table:
            known = ", ".join(f"{unit.key} ({unit.short})" for unit in config.units)
            errors.add("--unit", None, "units.unknown", value=label, known=known)
    if errors:
        raise BuildFailed(errors)
    options = ImportOptions(site_dir=args.site, out_dir=args.out, units=tuple(args.unit), dry_run=args.dry_run,
                            old_url=args.old_url or DEFAULT_OLD_URL)
    result = import_sources(list(args.sources), config, options)
    for outcome in result.outcomes:
        if outcome.status in ("written", "dry_run"):
            print(SourceError(outcome.origin, None, f"import.{outcome.status}", {"path": outcome.path}).format(lang))
        elif outcome.status == "skipped" and not outcome.notes:
            print(SourceError(outcome.origin, None, "import.skipped").format(lang))
        for note in outcome.notes:  # on stdout too, so each article's lines stay together
            print(note.format(lang))
    counts = {"written": result.count("written", "dry_run"), "duplicates": result.count("duplicate"),
              "skipped": result.count("skipped", "refused", "invalid")}
    say(lang, "summary.import_dry" if args.dry_run else "summary.import", **counts)
    return 0 if counts["skipped"] == 0 else 1
