"""Outputs of an analysis: the versioned JSON document, the annotated image, the terminal summary."""
