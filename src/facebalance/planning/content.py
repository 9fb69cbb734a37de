"""The clinical content a plan is made with: catalogue, rules, safety rules, scales and prices."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from facebalance.planning.catalog import Catalog, load_catalog
from facebalance.planning.patient import Wording, load_wording
from facebalance.planning.pricing import PriceList, load_price_list
from facebalance.planning.rules import PlanningRules, load_planning_rules
from facebalance.planning.safety import SafetyRules, load_safety_rules
from facebalance.planning.scales import Scale, load_scales
from facebalance.planning.vocabulary import Vocabulary, load_vocabulary


@dataclass(frozen=True)
class PlanningData:
    """The clinical content the engine plans with (defaults: the packaged, versioned files)."""

    catalog: Catalog
    rules: PlanningRules
    safety: SafetyRules
    scales: Mapping[str, Scale]
    prices: PriceList
    vocabulary: Vocabulary = field(default_factory=load_vocabulary)
    wording: Wording = field(default_factory=load_wording)

    @classmethod
    def default(cls, *, prices: PriceList | None = None) -> PlanningData:
        return cls(
            load_catalog(), load_planning_rules(), load_safety_rules(), load_scales(), prices or load_price_list()
        )

    @property
    def versions(self) -> dict[str, str]:
        return {
            "catalog": self.catalog.version,
            "rules": self.rules.version,
            "safety": self.safety.version,
            "vocabulary": self.vocabulary.version,
            "wording": self.wording.version,
            "prices": f"{self.prices.name} {self.prices.version}".strip(),
        }
