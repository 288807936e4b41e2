"""Draft Cyrillic Uzbek catalogs (`uz_Cyrl`) from the Latin ones, for a reader to review."""

from pathlib import Path

import polib
from django.conf import settings
from django.core.management.base import BaseCommand

from ishenim.uz_cyrillic import to_cyrillic


class Command(BaseCommand):
    help = (
        "Write <app>/locale/uz_Cyrl/LC_MESSAGES/django.po from each uz catalog, transliterated and marked "
        "fuzzy: nothing is shown until a reader of Cyrillic Uzbek checks each entry and clears the mark."
    )

    def handle(self, *args, **options):
        root = Path(settings.BASE_DIR)
        sources = sorted(root.glob("*/locale/uz/LC_MESSAGES/django.po")) + [root / "locale/uz/LC_MESSAGES/django.po"]
        for source in sources:
            if ".venv" in source.parts:
                continue
            po = polib.pofile(str(source), wrapwidth=79)
            po.metadata["Language"] = "uz_Cyrl"
            for entry in po:
                if entry.msgid_plural:
                    entry.msgstr_plural = {k: to_cyrillic(v) for k, v in entry.msgstr_plural.items()}
                else:
                    entry.msgstr = to_cyrillic(entry.msgstr)
                if entry.msgstr or entry.msgstr_plural:
                    entry.flags = sorted({*entry.flags, "fuzzy"})
            target = source.parents[2] / "uz_Cyrl" / "LC_MESSAGES" / "django.po"
            target.parent.mkdir(parents=True, exist_ok=True)
            po.save(str(target))
            self.stdout.write(f"{target.relative_to(root)}: {len(po)} entries to review")
