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
        "skip": "Skip to content",
        "site_nav": "Site",
        "home": "Home",
        "language": "Language",
        "query_editor": "Query editor",
        "ontology": "Ontology",
        "shapes": "SHACL shapes",
        "home_title": "News, claim by claim",
        "home_lead": (
            "What each article says, who says it and how it is reported, as Linked "
            "Data: every claim is anchored to the words of the text."
        ),
        "search": "Search",
        "search_label": "Search the articles, claims and names",
        "search_placeholder": "e.g. Starlink",
        "articles": "Articles",
        "no_date": "no date given",
        "claims_count": "claims",
        "developing": "developing story",
        "title_derived": (
            "Title taken from the article's first sentence; the data gives it no headline."
        ),
        "no_articles": "The store holds no article with a text.",
        "who_what_where": "People, organisations and places",
        "claims_about_note": "In brackets: the number of claims about each, across all articles.",
        "people": "People",
        "organisations": "Organisations",
        "places": "Places",
        "the_data": "The data",
        "ontology_text": "the vocabulary, documented",
        "shapes_text": "the rules the data must pass",
        "void_text": "the dataset described: graphs, sizes, endpoint",
        "query_text": "ask your own SPARQL questions",
        "api_docs": "API docs",
        "api_text": "every route and its answers",
        "claims": "Claims",
        "claims_in_order": "The claims, in reading order",
        "how_reported": "How it is reported",
        "reported": "reported",
        "claims_about": "Claims about",
        "claimant": "Claimed by",
        "claims_made": "Claims it makes",
        "other_facts": "Other facts",
        "no_claims": "No claim in the articles is about this.",
        "date": "Date",
        "status": "Status",
        "dataset": "Dataset",
        "subsets": "Parts of the dataset",
        "results": "Query results",
        "rows": "rows",
        "edit_query": "Edit this query in the query editor",
        "the_query": "The query",
        "as_data": "These results as data",
        "boolean_answer": "Answer",
        "void_lead": (
            "The dataset's VoID description, for people: what it holds, where to query it."
        ),
        "graph": "Named graph",
        "shown": "shown",
        "entities": "entities",
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
        "skip": "Zum Inhalt springen",
        "site_nav": "Website",
        "home": "Start",
        "language": "Sprache",
        "query_editor": "Abfrage-Editor",
        "ontology": "Ontologie",
        "shapes": "SHACL-Shapes",
        "home_title": "Nachrichten, Behauptung für Behauptung",
        "home_lead": (
            "Was jeder Artikel sagt, wer es sagt und wie es berichtet wird, als "
            "Linked Data: jede Behauptung ist an die Worte des Textes geknüpft."
        ),
        "search": "Suchen",
        "search_label": "Artikel, Behauptungen und Namen durchsuchen",
        "search_placeholder": "z. B. Starlink",
        "articles": "Artikel",
        "no_date": "kein Datum angegeben",
        "claims_count": "Behauptungen",
        "developing": "sich entwickelnde Geschichte",
        "title_derived": (
            "Titel aus dem ersten Satz des Artikels; die Daten geben ihm keine Überschrift."
        ),
        "no_articles": "Der Speicher enthält keinen Artikel mit Text.",
        "who_what_where": "Personen, Organisationen und Orte",
        "claims_about_note": "In Klammern: die Zahl der Behauptungen über sie, in allen Artikeln.",
        "people": "Personen",
        "organisations": "Organisationen",
        "places": "Orte",
        "the_data": "Die Daten",
        "ontology_text": "das Vokabular, dokumentiert",
        "shapes_text": "die Regeln, die die Daten erfüllen müssen",
        "void_text": "der Datensatz beschrieben: Graphen, Größen, Endpunkt",
        "query_text": "eigene SPARQL-Fragen stellen",
        "api_docs": "API-Dokumentation",
        "api_text": "jede Route und ihre Antworten",
        "claims": "Behauptungen",
        "claims_in_order": "Die Behauptungen, in Lesereihenfolge",
        "how_reported": "Wie berichtet",
        "reported": "berichtet",
        "claims_about": "Behauptungen über",
        "claimant": "Behauptet von",
        "claims_made": "Seine Behauptungen",
        "other_facts": "Weitere Fakten",
        "no_claims": "Keine Behauptung in den Artikeln handelt hiervon.",
        "date": "Datum",
        "status": "Status",
        "dataset": "Datensatz",
        "subsets": "Teile des Datensatzes",
        "results": "Abfrageergebnisse",
        "rows": "Zeilen",
        "edit_query": "Diese Abfrage im Abfrage-Editor bearbeiten",
        "the_query": "Die Abfrage",
        "as_data": "Diese Ergebnisse als Daten",
        "boolean_answer": "Antwort",
        "void_lead": "Die VoID-Beschreibung des Datensatzes, für Menschen: Inhalt, Abfrageort.",
        "graph": "Benannter Graph",
        "shown": "gezeigt",
        "entities": "Entitäten",
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
