"""The Simplified Chinese catalogue is complete and its compiled .mo (which is shipped) matches it."""

import ast
import gettext
from pathlib import Path

import onewindow

CATALOGUE = Path(onewindow.__file__).parent / "locale" / "zh_Hans" / "LC_MESSAGES"


def _po_entries(text: str) -> list[dict]:
    """msgid, msgid_plural and msgstr values (joined) and flags of each entry of a .po file."""
    entries, current, key = [], {"flags": ""}, None
    for line in [*text.splitlines(), ""]:
        if not line.strip():
            if "msgid" in current:
                entries.append(current)
            current, key = {"flags": ""}, None
        elif line.startswith("#,"):
            current["flags"] += line
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            current[key] += ast.literal_eval(line)
        else:
            key, _space, value = line.partition(" ")
            current[key] = ast.literal_eval(value)
    return entries


def test_no_translation_is_fuzzy_or_missing():
    entries = _po_entries((CATALOGUE / "django.po").read_text(encoding="utf-8"))
    assert len(entries) > 300
    assert not [e["msgid"] for e in entries if "fuzzy" in e["flags"]]
    untranslated = [e["msgid"] for e in entries[1:] if not (e.get("msgstr") or e.get("msgstr[0]"))]
    assert untranslated == []


def test_the_compiled_catalogue_holds_every_translation():
    entries = _po_entries((CATALOGUE / "django.po").read_text(encoding="utf-8"))
    with (CATALOGUE / "django.mo").open("rb") as compiled:
        catalogue = gettext.GNUTranslations(compiled)
    for entry in entries[1:]:
        context = entry.get("msgctxt")
        if "msgid_plural" in entry:
            args = (entry["msgid"], entry["msgid_plural"], 1)
            found = catalogue.npgettext(context, *args) if context else catalogue.ngettext(*args)
            assert found == entry["msgstr[0]"], entry["msgid"]
        else:
            found = (
                catalogue.pgettext(context, entry["msgid"]) if context else catalogue.gettext(entry["msgid"])
            )
            assert found == entry["msgstr"], entry["msgid"]
