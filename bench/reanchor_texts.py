"""Fictional German news texts for the re-anchoring corpus (issue 17).

FICTIONAL: every person, place, company and figure below is invented for the
benchmark; none reports a real event. They add what the shipped article lacks:
two people with one first name (the "Robin" trap), lookalike paragraphs, a
direct quotation in ASCII quotes, negations and many numbers.
"""

from __future__ import annotations

from typing import Final

FICTIONAL: Final = {
    "hafen": (
        "Stadtrat von Neuhafen stimmt für neuen Hafen\n"
        "Der Stadtrat von Neuhafen hat am Dienstag mit 23 zu 14 Stimmen den Ausbau des alten "
        "Fischereihafens beschlossen. Die Kosten werden auf 48 Millionen Euro geschätzt. "
        "Bürgermeisterin Robin Albers sprach von einem „historischen Tag für die Küste“.\n"
        "Kritik aus der Opposition\n"
        "Der Fraktionschef der Opposition, Robin Kessler, kritisierte die Entscheidung scharf. "
        "Die Stadt habe die Folgen für das Wattenmeer nicht geprüft, sagte Kessler. Seine "
        "Fraktion werde keine weiteren Mittel freigeben, solange kein Gutachten vorliege.\n"
        "Zeitplan und Finanzierung\n"
        "Die Bauarbeiten sollen im Frühjahr 2027 beginnen und drei Jahre dauern. Das Land hat "
        "eine Förderung von 12 Millionen Euro zugesagt, der Rest soll über Kredite finanziert "
        "werden. Nach Angaben der Verwaltung entstehen dabei rund 180 neue Arbeitsplätze.\n"
        "Die Hafengesellschaft begrüßte den Beschluss. Ihr Sprecher sagte, man habe lange auf "
        "diesen Tag gewartet.\n"
        "Dies ist eine fiktive Meldung für Testzwecke."
    ),
    "zwillinge": (
        "Zwei Bibliotheken, ein Problem\n"
        "In Altbrück schließt die Stadtbibliothek am Marktplatz zum Ende des Monats. Die "
        "Besucherzahlen sind seit 2019 um 40 Prozent gesunken, teilte die Stadt mit. Die "
        "Leiterin der Bibliothek, Robin Hartmann, bedauerte die Entscheidung.\n"
        "In Neubrück schließt die Stadtbibliothek am Rathaus zum Ende des Jahres. Die "
        "Besucherzahlen sind seit 2019 um 35 Prozent gesunken, teilte die Stadt mit. Der "
        "Leiter der Bibliothek, Robin Hartwig, bedauerte die Entscheidung.\n"
        "Beide Städte wollen die Bestände an Schulen verteilen. Ein gemeinsamer Lesesaal ist "
        "nicht geplant, hieß es aus beiden Rathäusern. Die Gewerkschaft kündigte Proteste an.\n"
        '"Wir lassen uns das nicht gefallen", sagte ein Sprecher der Gewerkschaft. Man werde '
        "niemals zulassen, dass Bücher im Keller verschwinden.\n"
        "Dies ist eine fiktive Meldung für Testzwecke."
    ),
    "wetter": (
        "Sturmflut an der Küste erwartet\n"
        "Der Wetterdienst warnt für Donnerstag vor einer schweren Sturmflut an der "
        "Nordseeküste. Das Wasser könne bis zu 2,5 Meter über das mittlere Hochwasser steigen. "
        "In Neuhafen wurden die Deiche bereits verstärkt.\n"
        "Schulen bleiben geschlossen\n"
        "Die Kreisverwaltung ordnete an, dass alle 31 Schulen im Landkreis am Donnerstag "
        "geschlossen bleiben. Der Fährverkehr zu den Inseln wird eingestellt. Landrätin "
        "Jana Petersen rief die Bevölkerung auf, nicht an die Deiche zu gehen.\n"
        "Erinnerungen an 1962\n"
        "Ältere Bewohner erinnern sich an die Flut von 1962, bei der in der Region mehr als "
        "300 Menschen starben. Eine solche Katastrophe sei heute nicht zu erwarten, sagte ein "
        "Sprecher des Wetterdienstes. Die Deiche seien seitdem um fast zwei Meter erhöht "
        "worden.\n"
        "Dies ist eine fiktive Meldung für Testzwecke."
    ),
}
"""Fictional texts by name: each ends with a line saying it is fictional."""

FILLER: Final = (
    "Die Polizei war mit zahlreichen Einsatzkräften vor Ort.",
    "Eine Stellungnahme des Ministeriums stand zunächst aus.",
    "Beobachter rechnen mit einer längeren Debatte im Parlament.",
    "Die Opposition forderte eine Sondersitzung des Ausschusses.",
    "Weitere Einzelheiten wurden am Abend bekannt.",
    "Experten halten die Lage für angespannt, aber beherrschbar.",
    "Das Ergebnis soll in der kommenden Woche vorgestellt werden.",
    "Auf Nachfrage wollte sich die Behörde nicht äußern.",
)
"""Invented sentences to insert or to rewrite a sentence with (fictional, neutral)."""

NAMES: Final = ("Vance", "Lawrow", "Scholz", "Biden", "Merz", "Macron", "Petersen", "Kiew")
"""Names an edit swaps in."""

ADVERBS: Final = ("zudem", "offenbar", "bereits", "demnach", "inzwischen", "erneut")
"""Lowercase words an edit inserts (changing no number, negation, name or quotation mark)."""
