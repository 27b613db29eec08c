"""The documentation site and the pictures: model diagram, evidence maps, shapes in words."""
