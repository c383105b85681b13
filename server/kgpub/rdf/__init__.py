"""RDF in and out: the formats kgpub reads and writes, and the files it publishes.

- ``formats``: the one registry of representations (media types, ``?format=``
  tokens, file suffixes, pyoxigraph formats, what each kind of answer offers).
- ``conneg``: HTTP content negotiation over those representations.
- ``serialization``: descriptions written in every RDF format, JSON-LD compacted.
- ``sources``: which files make up a project and how each is read (guarded).
- ``articles``: a newsroom project's article folders (text, graphs, sidecar ``article.toml``).
- ``quote_selectors``: Web Annotation selectors of a quote in a text: found, unique, checked.
- ``formatting``: the canonical Turtle form of the project's source files.
- ``rdflib_bridge``: pyoxigraph quads as rdflib graphs, for pySHACL and pyLODE.
- ``representable``: refuses characters XML 1.0 cannot carry, in and out.
"""
