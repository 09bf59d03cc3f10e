"""The knowledge base: sourced, dated facts as YAML data, validated once and cached."""

from reality.knowledge.loader import KnowledgeBase, KnowledgeError, Problem, load_kb

__all__ = ["KnowledgeBase", "KnowledgeError", "Problem", "load_kb"]
