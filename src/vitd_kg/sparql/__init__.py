"""SPARQL: reading the bundled queries (or a user's), checking them, binding values,
running them on an engine with a time limit, and writing their results."""
