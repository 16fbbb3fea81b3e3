"""Nadir worker SDK: wraps existing training loops as Nadir workers speaking protocol v1."""

__version__ = "0.1.0"
