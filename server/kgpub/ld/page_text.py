"""The words of the HTML pages in each language, and choosing the reader's language."""

from __future__ import annotations

LANGUAGES = ("en", "de")

TEXT: dict[str, dict[str, str]] = {
    "en": {
        "types": "Type",
        "incoming": "Pointing here",
        "formats": "This description as data",
        "validation": "SHACL validation",
        "no_shapes": "No shapes are published, so nothing was checked.",
        "not_validated": "Validation was switched off for this server, so nothing was checked.",
        "conforms": "Conforms to the shapes: no results for this resource.",
        "claimed_by": "Claimed by",
        "told_to": "Told to",
        "first_appearance": "First appeared in",
        "appearance": "Appears in",
        "contradicts": "Contradicted by",
        "evidence": "In the article",
        "article_text": "Article text",
        "claims_marked": "Every marked span is a claim; its number links to the claim.",
        "subjects": "Resources in this graph",
        "triples": "triples",
        "not_found": "Not found",
        "not_found_text": "The dataset says nothing about",
        "report": "Validation report",
        "classes": "Classes",
        "properties": "Properties",
        "node_shapes": "Node shapes",
        "property_shapes": "Property shapes",
        "other_terms": "Other terms",
        "contents": "Contents",
        "neighbourhood": "Neighbourhood in the graph",
        "more": "+{n} more not drawn",
        "search": "Search",
        "search_words": "Words to search for",
        "search_language": "Language of the texts",
        "search_all_languages": "German and English",
        "search_results": "{n} hits for “{q}”",
        "search_none": "Nothing found for “{q}”.",
        "search_help": "Articles, claims and names; German and English words find their "
        "other forms (Verhandlungen finds Verhandlung, Strasse finds Straße).",
        "search_more": "More hits",
        "kind_article": "Article text",
        "kind_claim": "Claim",
        "kind_quote": "Claim, in the article's words",
        "kind_name": "Name",
        "in_article": "in the article",
    },
    "de": {
        "types": "Typ",
        "incoming": "Verweise hierher",
        "formats": "Diese Beschreibung als Daten",
        "validation": "SHACL-Prüfung",
        "no_shapes": "Es sind keine Shapes veröffentlicht; nichts wurde geprüft.",
        "not_validated": "Die Prüfung ist für diesen Server abgeschaltet; nichts wurde geprüft.",
        "conforms": "Erfüllt die Shapes: keine Ergebnisse für diese Ressource.",
        "claimed_by": "Behauptet von",
        "told_to": "Gesagt zu",
        "first_appearance": "Zuerst erschienen in",
        "appearance": "Erscheint in",
        "contradicts": "Widersprochen von",
        "evidence": "Im Artikel",
        "article_text": "Artikeltext",
        "claims_marked": "Jede markierte Stelle ist eine Behauptung; ihre Nummer verlinkt sie.",
        "subjects": "Ressourcen in diesem Graphen",
        "triples": "Tripel",
        "not_found": "Nicht gefunden",
        "not_found_text": "Der Datensatz sagt nichts über",
        "report": "Prüfbericht",
        "classes": "Klassen",
        "properties": "Eigenschaften",
        "node_shapes": "Knoten-Shapes",
        "property_shapes": "Eigenschafts-Shapes",
        "other_terms": "Weitere Begriffe",
        "contents": "Inhalt",
        "neighbourhood": "Nachbarschaft im Graphen",
        "more": "+{n} weitere nicht gezeichnet",
        "search": "Suche",
        "search_words": "Suchbegriffe",
        "search_language": "Sprache der Texte",
        "search_all_languages": "Deutsch und Englisch",
        "search_results": "{n} Treffer für „{q}“",
        "search_none": "Nichts gefunden für „{q}“.",
        "search_help": "Artikel, Behauptungen und Namen; deutsche und englische Wörter finden "
        "auch ihre anderen Formen (Verhandlungen findet Verhandlung, Strasse findet Straße).",
        "search_more": "Weitere Treffer",
        "kind_article": "Artikeltext",
        "kind_claim": "Behauptung",
        "kind_quote": "Behauptung, im Wortlaut des Artikels",
        "kind_name": "Name",
        "in_article": "im Artikel",
    },
}


def choose_language(param: str | None, accept_language: str | None) -> str:
    """``?lang=`` if it names a language we have, else the best of Accept-Language."""
    if param and param.strip().lower() in LANGUAGES:
        return param.strip().lower()
    best, best_q = "en", -1.0
    for element in (accept_language or "").split(","):
        tag, _, params = element.strip().partition(";")
        primary = tag.strip().lower().split("-")[0]
        q = 1.0
        name, _, value = params.strip().partition("=")
        if name.strip() == "q":
            try:
                q = float(value)
            except ValueError:
                q = 0.0
        if primary in LANGUAGES and q > best_q:
            best, best_q = primary, q
    return best
