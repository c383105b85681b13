"""Linked Data for people and crawlers: descriptions, VoID, pages.

- ``describe``: what a dereferenced IRI answers with (its description).
- ``void``: the dataset in VoID.
- ``sitemap``: the article and entity pages a crawler should find; sitemap.xml, robots.txt.
- ``claims_rdf12``: an article's claims as RDF 1.2 (statements as reifiers of triple terms).
- ``anchors``: claims located in an article's text; the text with spans marked.
- ``anchor_authoring``: anchors as authors write them (Turtle, into a claim, where a quote is).
- ``article_scaffold``: a new article's starting graph (article node, narrator, skeleton claim).
- ``neighbourhood``: the SVG picture of a resource's neighbourhood.
- ``ontology_docs``: the ontology's HTML documentation (pyLODE).
- ``page_model``: labelled values and sections; ``resource_view``: a page's view model.
- ``term_labels``: readable labels (en, de) of the schema.org, VoID and DCMI terms
  shown, from the shipped ``term_labels.ttl`` (one registry, used by every page).
- ``pages``: HTML pages rendered from the templates; ``page_text``: their words.
- ``query_editor``: the browser's query editor page and its assets.
- ``search_results``: a search's hits labelled and linked (the ``/search`` JSON and page).
- ``articles``: the articles with display titles (derived from the text), dates, status;
  the people, organisations and places with their claim counts.
- ``home``: the home page's view; ``claim_list``: claims as listed (claimant, how
  reported, contradictions; by article and claimant); ``dataset_view``: VoID as a
  page; ``results_view``: SPARQL results as a table.
- ``revision_log``: the revisions a store records and which history a page shows;
  ``history_view``: the History block of article, claim and revision pages;
  ``diff_view``: a diff between two revisions; ``feeds``: the Atom feeds of revisions;
  ``mementos``: which IRIs have a past and their mementos; ``timemap``: an IRI's
  TimeMap in every format.
"""
