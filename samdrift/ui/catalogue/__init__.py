"""Catalogue pages: the services, and who subscribes to each."""
