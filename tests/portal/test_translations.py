"""The portal's own Simplified Chinese catalogue is complete and its compiled .mo matches it."""

import gettext
from pathlib import Path

import onewindow.portal
from tests.web.test_translations import _po_entries

CATALOGUE = Path(onewindow.portal.__file__).parent / "locale" / "zh_Hans" / "LC_MESSAGES"


def test_no_portal_translation_is_fuzzy_or_missing():
    entries = _po_entries((CATALOGUE / "django.po").read_text(encoding="utf-8"))
    assert len(entries) > 250
    assert not [entry["msgid"] for entry in entries if "fuzzy" in entry["flags"]]
    assert [
        entry["msgid"] for entry in entries[1:] if not (entry.get("msgstr") or entry.get("msgstr[0]"))
    ] == []


def test_the_compiled_portal_catalogue_holds_every_translation():
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
