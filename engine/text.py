"""Bilingual text: Chinese first, English always available."""
from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Text", "Lang"]

Lang = Literal["zh", "en"]


class Text(BaseModel):
    """A string in Chinese (primary) and English."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    zh: str = Field(min_length=1)
    en: str = Field(min_length=1)

    def get(self, lang: Lang) -> str:
        return self.zh if lang == "zh" else self.en
