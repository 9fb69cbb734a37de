"""Accuracy evaluation against hand-placed ground truth (evaluation-only datasets stay outside the repo)."""
