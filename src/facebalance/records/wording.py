"""Patient-facing wording of a plan document: what the patient reads, without the engine's ids or the clinic's
internal comparisons, and each message once.

The plan document (``facebalance.treatment_plan``) is written for the clinician and the machine: its sentences
name rule ids (``rule chin_before_lips: ...``), finding ids (``frontal finding commissure_tilt_right_deg_below``),
catalogue ids (``crows_feet``, ``ha_soft``) and the clinic's typical price range. :class:`PatientWording` turns
them into words from the catalogue's own labels and the assessment's measurement labels; nothing here changes
the plan, only how the written plan says it.

Examples
--------
>>> from facebalance.planning import PlanningData
>>> w = PatientWording(PlanningData.default())
>>> w.text("Visit 2: after chin projection (visit 1; rule chin_before_lips: Chin first).")
'Visit 2: after chin projection (visit 1; Chin first).'
>>> w.evidence("profile finding profile.recessed_chin (moderate)")
'recessed chin, on the profile (moderate)'
>>> w.text("Toxin in the crows_feet. Filler in the tear_trough.")
"Toxin in the crow's feet. Filler in the tear troughs."
>>> w.product("ha_soft", "ha")
'hyaluronic acid filler, soft'
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from facebalance.planning.content import PlanningData
from facebalance.planning.explain import rule_sentences
from facebalance.planning.pricing import PriceRange

#: The product classes of the catalogue in words (the catalogue names them by id).
PRODUCT_CLASSES: Mapping[str, str] = {
    "toxin": "botulinum toxin type A",
    "ha_lift": "hyaluronic acid filler, firm (lifting)",
    "ha_soft": "hyaluronic acid filler, soft",
    "ha_low_hydrophilic": "hyaluronic acid filler, low water-binding",
    "caha": "calcium hydroxylapatite filler",
    "plla": "poly-L-lactic acid (collagen stimulator)",
    "hyaluronidase": "hyaluronidase (dissolves hyaluronic acid filler)",
}
_SOURCES = {"frontal": "", "profile": "on the profile", "dynamic": "on movement", "clinician": ""}
_EVIDENCE = re.compile(r"^(?P<source>\w+) finding (?P<id>\S+) \((?P<severity>\w+)\)$")
_DIRECTIONS = {"above": "above the usual range", "below": "below the usual range", "noticeable": "noticeable"}


def _sentence_key(text: str) -> str:
    return " ".join(text.lower().split()).rstrip(".")


def once(sentences: Iterable[str], *, already: Iterable[str] = ()) -> list[str]:
    """The sentences without repeats (nor any of ``already``), in order.

    >>> once(["Refer.", "refer", "Other."], already=["Summary."])
    ['Refer.', 'Other.']
    """
    seen = {_sentence_key(s) for s in already}
    out = []
    for s in sentences:
        key = _sentence_key(s)
        if s.strip() and key not in seen:
            seen.add(key)
            out.append(s)
    return out


class PatientWording:
    """The written plan's wording for one plan and its (reviewed) assessment."""

    def __init__(self, data: PlanningData, analysis: Mapping[str, Any] | None = None) -> None:
        self.data = data
        self.measurements: Mapping[str, Any] = (analysis or {}).get("measurements", {}) or {}
        self.rules = sorted(rule_sentences(data), key=len, reverse=True)
        ids = {a.id: a.label for a in data.catalog.areas.values() if "_" in a.id}
        ids |= {t.id: t.label[:1].lower() + t.label[1:] for t in data.catalog.treatments.values()}
        self.ids = dict(sorted(ids.items(), key=lambda kv: len(kv[0]), reverse=True))

    def finding(self, finding_id: str) -> str:
        """A finding id in words: the measurement's label and direction, or the id read aloud."""
        source, _, name = finding_id.rpartition(".")
        stem, _, direction = name.rpartition("_")
        m = self.measurements.get(stem)
        if m is not None and direction in _DIRECTIONS:
            label = " ".join(re.sub(r";[^()]*", " ", str(m.get("label", stem))).split())
            return f"{label[:1].lower()}{label[1:]}, {_DIRECTIONS[direction]}"
        words = name.replace("_", " ").replace(" vs ", " against ")
        where = _SOURCES.get(source, source.replace("_", " "))
        return f"{words}, {where}" if where else words

    def evidence(self, phrase: str) -> str:
        """One piece of an item's evidence (``'profile finding profile.recessed_chin (moderate)'``) in words."""
        m = _EVIDENCE.match(phrase)
        if m is None:
            return self.text(phrase)
        return f"{self.finding(m['id'])} ({m['severity']})"

    def text(self, sentence: str) -> str:
        """A sentence of the plan without rule ids, and with catalogue ids as their labels."""
        out = sentence
        for rule in self.rules:
            out = re.sub(rf" \((?:rule|Rule) {re.escape(rule)}\)", "", out)
            out = re.sub(rf"(?:rule|Rule) {re.escape(rule)}: ?", "", out)
            out = re.sub(rf"\((?:rule|Rule) {re.escape(rule)}\.\)", "", out)
        out = re.sub(r"\b(?:clinician|profile|dynamic)\.[a-z0-9_]+\b", lambda m: self.finding(m.group(0)), out)
        for identifier, label in self.ids.items():
            out = re.sub(rf"(?<![\w.]){re.escape(identifier)}(?!\w|\.\w)", label, out)
        return re.sub(r"  +", " ", out).replace(" .", ".").strip()

    def omission(self, sentence: str) -> str:
        """An omission without the rule's requirement in ids (``needs one of: crows_feet >= 2; ...``)."""
        return self.text(re.sub(r" \(needs one of: [^)]*\)", "", sentence))

    def product(self, product_class: str, modality: str) -> str:
        if product_class in PRODUCT_CLASSES:
            return PRODUCT_CLASSES[product_class]
        m = self.data.catalog.modalities.get(modality)
        return m.label if m is not None else product_class.replace("_", " ")

    def why(self, item: Mapping[str, Any]) -> str:
        """The item's why with its evidence in words (the engine writes ``LABEL because E1; E2. RATIONALE``)."""
        why, label, evidence = str(item.get("why", "")), str(item.get("label", "")), list(item.get("evidence", []))
        head = f"{label} because {'; '.join(evidence)}."
        if evidence and why.startswith(head):
            rationale = why[len(head) :].strip()
            return f"{label} because {'; '.join(self.evidence(e) for e in evidence)}. {self.text(rationale)}".strip()
        return self.text(why)

    def pricing_notes(self, pricing: Mapping[str, Any]) -> list[str]:
        """The pricing notes for the patient: the clinic's own comparison (its typical plan total) is left out;
        it is for the clinician."""
        typical = pricing.get("typical") or {}
        internal = []
        if typical:
            internal.append(PriceRange(float(typical.get("low", 0)), float(typical.get("high", 0))).text())
        return [n for n in pricing.get("notes", []) if not any(x in n for x in internal)]

    def messages(
        self, plan: Mapping[str, Any]
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[str], list[str]]:
        """Referrals, flags, notes and omission sentences, each message once and never repeating the summary
        (a positive BDDQ-AS is the summary, the referral and a flag of the same sentence)."""
        seen: list[str] = [str(plan.get("summary", ""))]
        referrals = []
        for r in plan.get("referrals", []):
            if once([r.get("sentence", "")], already=seen):
                referrals.append(dict(r, sentence=self.text(r.get("sentence", ""))))
            seen.append(r.get("sentence", ""))
        flags = []
        for f in plan.get("flags", []):
            if once([f.get("sentence", "")], already=seen):
                flags.append(dict(f, sentence=self.text(f.get("sentence", ""))))
            seen.append(f.get("sentence", ""))
        notes = [self.text(n) for n in once(plan.get("notes", []), already=seen)]
        omissions = once((self.omission(o.get("sentence", "")) for o in plan.get("omissions", [])), already=seen)
        return referrals, flags, notes, omissions


def patient_items(items: Sequence[Mapping[str, Any]], wording: PatientWording) -> list[dict[str, Any]]:
    """The plan's items with their patient-facing ``why``, ``when``, product and flags."""
    return [
        dict(
            i,
            why=wording.why(i),
            when=wording.text(str(i.get("when", ""))),
            product=wording.product(str(i.get("product_class", "")), str(i.get("modality", ""))),
            flags=[wording.text(f) for f in once(i.get("flags", []))],
        )
        for i in items
    ]
