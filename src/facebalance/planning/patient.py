"""The plan the patient reads: every item in plain words, its risks, aftercare, downtime and alternatives, what
was deliberately left untreated and why, the consent points and when to come back.

All wording is data (``data/patient.toml``, and the ``patient`` sentences of the rule, safety and finding rows);
this module only chooses and fills it. Nothing it writes names an internal id, a rule id or the clinic's
typical price band: those stay in the clinician's fields of the plan document.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from facebalance.planning.catalog import Catalog
from facebalance.planning.datafiles import packaged_toml, source_of
from facebalance.planning.errors import ClinicalDataError
from facebalance.planning.rules import Condition, Evidence, PlanningRules, conditions_of
from facebalance.planning.safety import SafetyRules
from facebalance.planning.vocabulary import Vocabulary


@dataclass(frozen=True)
class ModalityWords:
    """A modality in the patient's words; ``reversibility`` replaces the plain reversible / not reversible
    sentence where that would mislead (toxin wears off; a device leaves nothing behind)."""

    what: str
    risks: tuple[str, ...]
    aftercare: tuple[str, ...]
    downtime: str
    source: str
    reversibility: str = ""


@dataclass(frozen=True)
class TreatmentWords:
    title: str
    what: str
    risks: tuple[str, ...]
    alternatives: tuple[str, ...]
    surgery: str
    surgery_when: tuple[Condition, ...]


@dataclass(frozen=True)
class Wording:
    """The written plan's words (``data/patient.toml``)."""

    version: str
    grades: Mapping[str, str]
    graded: str
    evidence: Mapping[str, str]
    products: Mapping[str, str]
    modalities: Mapping[str, ModalityWords]
    treatments: Mapping[str, TreatmentWords]
    sequencing: Mapping[str, str]
    notes: Mapping[str, str]
    untreated: Mapping[str, str]
    plan: Mapping[str, str]
    consent_always: tuple[str, ...]
    consent: Mapping[str, str]
    sign_off: Mapping[str, str]
    gates: Mapping[str, str]


def _texts(row: Mapping[str, Any], key: str) -> tuple[str, ...]:
    return tuple(str(x) for x in row.get(key, []))


def parse_wording(doc: Mapping[str, Any]) -> Wording:
    """The wording from its TOML form; clinical rows (risks, aftercare, downtime) need a source."""
    modalities = {
        row["id"]: ModalityWords(
            row["what"],
            _texts(row, "risks"),
            _texts(row, "aftercare"),
            row["downtime"],
            source_of(row, f"patient.toml modality {row['id']!r}"),
            str(row.get("reversibility", "")),
        )
        for row in doc["modality"]
    }
    treatments = {
        row["id"]: TreatmentWords(
            row["title"],
            row["what"],
            _texts(row, "risks"),
            _texts(row, "alternatives"),
            str(row.get("surgery", "")),
            conditions_of(row.get("surgery_when"), f"patient.toml treatment {row['id']!r}"),
        )
        for row in doc["treatment"]
    }
    consent = dict(doc["consent"])
    always = tuple(str(x) for x in consent.pop("always"))
    return Wording(
        version=str(doc["meta"]["version"]),
        grades=dict(doc["grades"]),
        graded=str(doc["grade_words"]["graded"]),
        evidence=dict(doc["evidence"]),
        products=dict(doc["products"]),
        modalities=modalities,
        treatments=treatments,
        sequencing=dict(doc["sequencing"]),
        notes=dict(doc["notes"]),
        untreated=dict(doc["untreated"]),
        plan=dict(doc["plan"]),
        consent_always=always,
        consent={k: str(v) for k, v in consent.items()},
        sign_off={k: str(v) for k, v in doc["sign_off"].items() if k not in ("source", "review")},
        gates=dict(doc["gates"]),
    )


@functools.lru_cache(maxsize=1)
def load_wording() -> Wording:
    """The packaged wording, parsed once per process."""
    return parse_wording(packaged_toml("patient.toml"))


def check_wording(wording: Wording, catalog: Catalog) -> None:
    """Every treatment, modality and product class of the catalogue has its words (a test runs it)."""
    for t in catalog.treatments.values():
        if t.id not in wording.treatments or t.product_class not in wording.products:
            raise ClinicalDataError(f"patient.toml has no words for {t.id!r} ({t.product_class}).")
    for m in catalog.modalities:
        if m not in wording.modalities:
            raise ClinicalDataError(f"patient.toml has no words for the modality {m!r}.")


# --- the patient's section of a plan ---------------------------------------------------------------------------


@dataclass(frozen=True)
class PatientItem:
    """One planned item in the patient's words."""

    title: str
    what: str
    product: str
    why: tuple[str, ...]
    when: tuple[str, ...]
    risks: tuple[str, ...]
    aftercare: tuple[str, ...]
    downtime: str
    alternatives: tuple[str, ...]
    reversibility: str
    notes: tuple[str, ...]


@dataclass(frozen=True)
class PatientSection:
    """The plan in the patient's words: per item (by key), what is left out and why (treatments considered, and
    findings with no injectable answer, kept apart: they are part of the assessment), the alternatives, the
    consent points, the phases, any referral and when to come back."""

    summary: str
    items: tuple[tuple[str, PatientItem], ...]
    untreated: tuple[str, ...]
    findings_untreated: tuple[str, ...]
    alternatives: tuple[str, ...]
    consent: tuple[str, ...]
    phases: tuple[str, ...]
    referrals: tuple[str, ...]
    notices: tuple[str, ...]
    reconsult: str

    def item(self, key: str) -> PatientItem:
        return dict(self.items)[key]


@dataclass(frozen=True)
class PlannedFacts:
    """What the patient section reads of one planned item (the engine's item and candidate, flattened)."""

    key: str
    treatment: str
    modality: str
    product_class: str
    visit: int
    phase: int
    role: str
    reversible: bool
    priced: bool
    low_dose: bool
    course: str
    basis: tuple[Condition, ...]
    serves: tuple[str, ...]
    dissolve_area: str
    companion_of: str
    companion_rule: str
    waits_for: tuple[tuple[str, str, str], ...]
    released_on: str
    phase_starts_on: str


@dataclass(frozen=True)
class LeftOut:
    """What the patient section reads of one omission."""

    treatment: str
    reason: str
    rule: str


def _fill(text: str, **words: str) -> str:
    for k, v in words.items():
        text = text.replace("{" + k + "}", v)
    return text


def _lower(title: str) -> str:
    """A title inside a sentence: lower case, except an acronym (IPL, PRF) and a name in brackets."""
    first, _, rest = title.partition(" ")
    return f"{first if first.isupper() else first.lower()}{' ' + rest if rest else ''}"


def readable(iso: str) -> str:
    """An ISO date as the patient reads it.

    >>> readable("2026-12-15")
    '15 December 2026'
    """
    d = date.fromisoformat(iso)
    return f"{d.day} {d:%B %Y}"


def _why(
    f: PlannedFacts, ev: Evidence | None, w: Wording, vocab: Vocabulary, area_label: Mapping[str, str]
) -> list[str]:
    """The findings behind an item in plain words (finding sentences, graded features, concerns)."""
    out: list[str] = []
    for c in f.basis:
        if c.finding is not None:
            entry = vocab.finding(c.finding)
            out.append(entry.plain if entry else c.finding.replace("_", " "))
        elif c.grade is not None:
            plain = w.grades.get(c.grade, "")
            scale = ev.scales.get(c.grade) if ev is not None else None
            grade = ev.grades.get(c.grade) if ev is not None else None
            if scale is not None and grade is not None and 0 <= grade - scale.min < len(scale.anchors):
                anchor = scale.anchors[grade - scale.min].split(":")[0]
                plain = f"{plain.rstrip('.')} {_fill(w.graded, anchor=anchor)}."
            out.append(plain)
        elif c.concern is not None:
            out.append(_fill(w.evidence["concern"], area=c.concern.replace("_", " ")))
    if f.dissolve_area:
        out.append(_fill(w.evidence["dislike"], area=area_label.get(f.dissolve_area, f.dissolve_area)))
    if f.companion_of:
        title = _lower(w.treatments[f.companion_of].title)
        out.append(_fill(w.evidence["companion"], title=f"the {title}"))
    for concern in f.serves:
        sentence = _fill(w.evidence["concern"], area=concern.replace("_", " "))
        if sentence not in out:
            out.append(sentence)
    return list(dict.fromkeys(s for s in out if s))


def _when(f: PlannedFacts, w: Wording, first_visit: bool) -> list[str]:
    out = []
    for rule, title, on in f.waits_for:
        if rule in w.sequencing:
            out.append(w.sequencing[rule])
        out.append(_fill(w.sequencing["reassess"], title=_lower(title), date=readable(on)))
    if f.released_on:
        out.append(_fill(w.sequencing["toxin_interval"], date=readable(f.released_on)))
    if f.companion_of:
        out.append(w.sequencing.get(f.companion_rule, ""))
    if f.phase > 0:
        out.append(_fill(w.sequencing["phase"], date=readable(f.phase_starts_on)))
    if not out:
        out.append(w.sequencing["first_visit"] if first_visit else w.sequencing["later_visit"])
    return list(dict.fromkeys(s for s in out if s))


def _item(
    f: PlannedFacts,
    ev: Evidence | None,
    w: Wording,
    vocab: Vocabulary,
    area_label: Mapping[str, str],
    first_visit: bool,
    override_notes: Sequence[str],
) -> PatientItem:
    tw, mw = w.treatments[f.treatment], w.modalities[f.modality]
    alternatives = list(tw.alternatives)
    if tw.surgery and ev is not None and any(c.holds(ev) for c in tw.surgery_when) and tw.surgery not in alternatives:
        alternatives.append(tw.surgery)
    notes = []
    if f.course:
        notes.append(_fill(w.notes["course"], course=f.course))
    if f.low_dose:
        notes.append(w.notes["low_dose"])
    if f.role in ("adjunct", "optional"):
        notes.append(w.notes[f.role])
    if not f.priced:
        notes.append(w.notes["unpriced"])
    notes += override_notes
    return PatientItem(
        title=tw.title,
        what=f"{tw.what} {mw.what}",
        product=w.products.get(f.product_class, ""),
        why=tuple(_why(f, ev, w, vocab, area_label)),
        when=tuple(_when(f, w, first_visit)),
        risks=(*mw.risks, *tw.risks),
        aftercare=mw.aftercare,
        downtime=mw.downtime,
        alternatives=tuple(alternatives),
        reversibility=mw.reversibility or (w.notes["reversible"] if f.reversible else w.notes["not_reversible"]),
        notes=tuple(notes),
    )


@dataclass(frozen=True)
class Sources:
    """The clinical content the section draws its words from."""

    wording: Wording
    vocabulary: Vocabulary
    rules: PlanningRules
    safety: SafetyRules
    area_label: Mapping[str, str]


def _left_out(o: LeftOut, s: Sources) -> tuple[str, str]:
    """An omission in the patient's words, as (title, reason): its row's own patient sentence when it has one,
    else the sentence for its reason; a concern's title is the concern ("" when the sentence is whole)."""
    w = s.wording
    own = {r.id: r.patient for r in s.rules.relations if r.patient}
    own |= {i.id: i.unless_patient for i in s.rules.indications if i.unless_patient}
    own |= {c.id: c.patient for c in s.safety.contraindications}
    reason = own.get(o.rule, "") if o.reason in ("suppressed", "deferred", "excluded") else ""
    if o.treatment.startswith("concern:"):
        area = o.treatment.split(":", 1)[1].replace("_", " ")
        if reason:
            return "", _fill(w.untreated["concern_with_reason"], area=area, reason=reason)
        if o.reason == "no_finding":
            return "", _fill(w.untreated["concern"], area=area)
        return "", _fill(w.untreated.get(o.reason, w.untreated["several"]), title=f"Your concern about {area}")
    title = w.treatments[o.treatment].title if o.treatment in w.treatments else w.untreated["other"]
    if reason:
        return title, reason
    return "", _fill(w.untreated.get(o.reason, w.untreated["several"]), title=title)


def _untreated(left_out: Sequence[LeftOut], s: Sources) -> list[str]:
    """The omissions in the patient's words; treatments left out for one and the same reason are named together."""
    titles: dict[str, list[str]] = {}
    for o in left_out:
        title, sentence = _left_out(o, s)
        titles.setdefault(sentence, [])
        if title and title not in titles[sentence]:
            titles[sentence].append(title)
    return [f"{', '.join(t)}: {sentence}" if t else sentence for sentence, t in titles.items()]


def patient_section(
    items: Sequence[PlannedFacts],
    left_out: Sequence[LeftOut],
    untreated_plain: Sequence[str],
    *,
    evidence: Evidence | None,
    sources: Sources,
    visits: int,
    start: str,
    referrals: Sequence[str],
    notices: Sequence[str],
    reconsult: tuple[str, str] | None,
    override_gates: Sequence[str],
) -> PatientSection:
    """The patient's section of a plan, from the plan's facts (see :class:`PlannedFacts`, :class:`LeftOut`).

    ``untreated_plain``: the findings deliberately left untreated, already in plain words; ``referrals`` and
    ``notices`` likewise (holds, deferrals); ``reconsult`` is (date, plain reason); ``override_gates`` the gates a
    clinician went past, for the consent points.
    """
    w = sources.wording
    no_reversal = w.notes["override_no_reversal"] if "ha_without_hyaluronidase" in override_gates else ""
    out_items = []
    for f in items:
        overrides = []
        if no_reversal and f.modality == "ha":
            overrides.append(no_reversal)
        if "non_reversible_product" in override_gates and not f.reversible and f.modality == "caha":
            overrides.append(w.notes["override_non_reversible"])
        out_items.append(
            (
                f.key,
                _item(f, evidence, w, sources.vocabulary, sources.area_label, f.visit == 0, overrides),
            )
        )
    titles = [p.title for _, p in out_items]
    summary = (
        _fill(w.plan["summary"], n=str(len(dict.fromkeys(titles))), visits=str(visits), date=readable(start))
        if items
        else w.plan["summary_none"]
    )
    phases = sorted({f.phase for f in items})
    phase_lines = []
    if len(phases) > 1:
        phase_lines.append(w.plan["phases"])
        for ph in phases:
            names = ", ".join(
                dict.fromkeys(p.title for f, (_, p) in zip(items, out_items, strict=True) if f.phase == ph)
            )
            phase_lines.append(f"{ph + 1}: {names}.")
    alternatives = [w.plan["no_treatment"], w.plan["surgery"]]
    consent = list(w.consent_always) if items else []
    irreversible = list(
        dict.fromkeys(
            p.title
            for f, (_, p) in zip(items, out_items, strict=True)
            if not f.reversible and not w.modalities[f.modality].reversibility
        )
    )
    if irreversible:
        consent.append(_fill(w.consent["not_reversible"], titles=", ".join(irreversible)))
    if any(f.role == "adjunct" for f in items):
        consent.append(w.consent["adjunct"])
    if len(phases) > 1:
        consent.append(w.consent["phases"])
    if override_gates:
        gates = ", ".join(w.gates.get(g, w.gates["other"]) for g in override_gates)
        consent.append(_fill(w.consent["override"], gates=gates))
    return PatientSection(
        summary=summary,
        items=tuple(out_items),
        untreated=tuple(dict.fromkeys(_untreated(left_out, sources))),
        findings_untreated=tuple(dict.fromkeys(untreated_plain)),
        alternatives=tuple(alternatives),
        consent=tuple(consent),
        phases=tuple(phase_lines),
        referrals=tuple(referrals),
        notices=tuple(notices),
        reconsult=""
        if reconsult is None
        else f"{_fill(w.plan['reconsult'], date=readable(reconsult[0]))} {reconsult[1]}".strip(),
    )
