"""HTTP routes: thin adapters from requests to the core modules."""
