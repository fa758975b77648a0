"""The knowledge base: the guide's clauses, indicators, benchmarks, factors, industry lists and
measures, loaded from the repository's knowledge/ folder.

    >>> from engine.knowledge import load_knowledge
    >>> kb = load_knowledge()                                   # doctest: +SKIP
    >>> kb.grid_factor("江苏", 2023).value                      # doctest: +SKIP
    0.5827
"""
from .factors import CARRIER_DIMENSION, Factor, GridChoice, convert_published
from .knowledge import Knowledge
from .loader import DEFAULT_DIRECTORY, FILES, load_knowledge
from .models import (CARRIERS, Benchmark, Clause, Framework, Indicator,
                                     IndustryList, Measure, Member, Source, Tag)

__all__ = ["load_knowledge", "Knowledge", "Factor", "GridChoice", "Source", "Clause", "Indicator",
           "Framework", "Benchmark", "Measure", "IndustryList", "Member", "Tag", "CARRIERS",
           "CARRIER_DIMENSION", "DEFAULT_DIRECTORY", "FILES", "convert_published"]
