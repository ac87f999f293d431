"""Typed errors. Each carries the engine's message: what is wrong, the numbers involved, what to do.

``AudienceError`` is the base of all of them, so ``except AudienceError`` catches every refusal.
"""

from ._native import (
    AudienceError,
    BoundsError,
    ColumnsError,
    EncodeError,
    ExportError,
    IngestError,
    ModelError,
    OptionsError,
    ProfileError,
)

__all__ = [
    "AudienceError",
    "BoundsError",
    "ColumnsError",
    "EncodeError",
    "ExportError",
    "IngestError",
    "ModelError",
    "OptionsError",
    "ProfileError",
]
