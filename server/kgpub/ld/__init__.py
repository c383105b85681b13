"""Linked Data for people and crawlers: descriptions, VoID, pages.

- ``describe``: what a dereferenced IRI answers with (its description).
- ``void``: the dataset in VoID.
- ``claims_rdf12``: the article's claims as RDF 1.2 (statements as reifiers of triple terms).
- ``anchors``: claims located in the article's text; the text with spans marked.
- ``neighbourhood``: the SVG picture of a resource's neighbourhood.
- ``ontology_docs``: the ontology's HTML documentation (pyLODE).
- ``page_model``: labelled values and sections; ``resource_view``: a page's view model.
- ``pages``: HTML pages rendered from the templates; ``page_text``: their words.
- ``query_editor``: the browser's query editor page and its assets.
- ``articles``: the articles with display titles (derived from the text), dates, status;
  the people, organisations and places with their claim counts.
- ``home``: the home page's view; ``claim_list``: claims as listed (claimant, how
  reported, contradictions; by article and claimant); ``dataset_view``: VoID as a
  page; ``results_view``: SPARQL results as a table.
"""
