"""Renderers: turn a template and a context into document bytes on disk."""
