"""Phase 3 of the dataset process: merge, cross-reference, confidence tags, human review.

``merge`` unifies and de-duplicates datasets and tags every record; ``page`` writes the
self-contained review page and applies the decisions exported from it; ``card`` writes the
Hugging Face dataset card. Nothing here imports the engine at module top level.
"""
