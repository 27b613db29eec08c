"""Validation: the input gate, SHACL engines, the OWL reasoner and the report."""
