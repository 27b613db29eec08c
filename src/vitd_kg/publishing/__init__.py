"""Putting the graph out: releases, nanopublications, uploads to SPARQL stores, a local server."""
