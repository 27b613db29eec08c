"""What the graph says about the evidence: claims rebuilt as objects and sentences,
the evidence audit, evidence chains and counts."""
