"""The plan's sentences: why an item is left out, why it sits at its visit, what each visit is for."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import timedelta

from facebalance.planning.candidates import LOW_DOSE_RULE, PLLA_SESSIONS, Candidate
from facebalance.planning.catalog import REGION_ORDER
from facebalance.planning.content import PlanningData
from facebalance.planning.intake import Intake
from facebalance.planning.plan import Omission, Phase, PlannedItem, Pricing, Visit
from facebalance.planning.pricing import PriceRange
from facebalance.planning.solver import OmissionReason, Schedule, SolverProblem


def _label(key: str, items: Mapping[str, Candidate]) -> str:
    return items[key].label if key in items else key


def lower_first(text: str) -> str:
    """The text with its first letter in lower case, to continue a sentence (an acronym stays as it is).

    >>> lower_first("Lips with soft HA"), lower_first("IPL photofacial")
    ('lips with soft HA', 'IPL photofacial')
    """
    return text if text[:2].isupper() else text[:1].lower() + text[1:]


def _displaced(reason: OmissionReason, c: Candidate, items: Mapping[str, Candidate]) -> tuple[str, str]:
    """The items an omitted candidate would displace, and why they rank higher (``("", "")`` when none)."""
    if not reason.displaced:
        return "", ""
    top = max(reason.displaced, key=lambda k: items[k].value)
    drop = ", ".join(lower_first(_label(k, items)) for k in reason.displaced)
    if items[top].value < c.value:
        findings = len({e for k in reason.displaced for e in items[k].evidence})
        return drop, (
            f" Together they treat more of what was found ({findings} findings or grades) than "
            f"{lower_first(c.label)} alone, so they are kept."
        )
    return drop, (
        f" {items[top].label} is kept instead: it comes first in the clinic's order of treatment because "
        f"{lower_first(items[top].rationale)}"
    )


def omission_sentence(
    reason: OmissionReason,
    c: Candidate,
    items: Mapping[str, Candidate],
    problem: SolverProblem,
    data: PlanningData,
    intake: Intake,
    price: PriceRange | None,
) -> str:
    """The sentence for a treatment the solver left out: the limit, what it would displace, and why."""
    basis = intake.preferences.budget_basis
    label = c.label
    drop, ranked = _displaced(reason, c, items)
    cost = price.text() if price is not None else "price on consultation"
    if reason.kind == "budget":
        budget = f"${problem.budget:,}" if problem.budget is not None else "the budget"
        within = f"Within {budget} per phase" if problem.phases > 1 else f"Within {budget}"
        if drop:
            return (
                f"{label} omitted: budget. {within} (checked at the {basis} end of each price range, "
                f"{problem.phases} phase(s) at most), adding it ({cost}) would mean dropping {drop}.{ranked}"
            )
        if problem.phases > 1:
            return (
                f"{label} omitted: budget. Even at its lowest dose ({cost}) it does not fit within {budget} ({basis} "
                f"end of each price range) in any of the {problem.phases} phases a plan may have."
            )
        return (
            f"{label} omitted: budget. Even at its lowest dose ({cost}) it does not fit within {budget} ({basis} end)."
        )
    if reason.kind == "plan_caps":
        cap = problem.plan_caps.get("filler_centi_ml", 0) / 100
        return (
            f"{label} omitted: the plan's filler volume limit ({cap:g} mL of filler across the whole plan)"
            + (f"; it would displace {drop}." if drop else ".")
            + " More volume is a strategy to rethink with the patient, not a longer list of syringes."
        )
    if reason.kind == "visits":
        return (
            f"{label} omitted: number of visits. With {problem.max_visits} visit(s), the waits between dependent "
            f"steps (at least {problem.min_visit_gap_days} days) and the per-visit limits leave no room for it"
            + (f" without dropping {drop}." if drop else ".")
            + f"{ranked} More visits would fit it."
        )
    if reason.kind == "visit_caps":
        caps = ", ".join(
            f"{v / 100:g} mL of filler" if k == "filler_centi_ml" else f"{v} {k.replace('_', ' ')}"
            for k, v in problem.visit_caps.items()
        )
        return f"{label} omitted: per-visit limits ({caps} per visit)" + (
            f"; it would displace {drop}." if drop else "."
        )
    if reason.kind == "timing" and reason.rule:
        rule = rule_sentences(data).get(reason.rule, "")
        return (
            f"{label} omitted: an earlier phase of the plan has already placed the step it must come before, with "
            f"or after (rule {reason.rule}: {lower_first(rule).rstrip('.')}), so no later phase can take it."
        )
    if reason.kind == "timing":
        release = ""
        if c.release_day > 0:
            on = intake.start_date + timedelta(days=c.release_day)
            weeks = problem.toxin_min_interval_days / 7
            release = f"; toxin is not given before {on.isoformat()} ({weeks:g} weeks after the last session)"
        return (
            f"{label} omitted: timing. It cannot be given within the {problem.horizon_days}-day planning window"
            f"{release}. It belongs in the maintenance calendar."
        )
    if reason.kind == "area_caps":
        return f"{label} omitted: the cumulative filler cap of the {c.area.replace('_', ' ')} is reached."
    if reason.kind == "exclusive":
        rel = next((r for r in data.rules.relations if r.id == reason.rule), None)
        why = rel.sentence if rel else "only one of these treatments is planned"
        return f"{label} omitted: {lower_first(why)}" + (f"{ranked}" if ranked else "")
    if reason.kind == "several":
        return f"{label} omitted: it does not fit the budget, visits and per-visit limits together" + (
            f"; it would displace {drop}." if drop else "."
        )
    return f"{label} omitted: no schedule satisfies the sequencing and safety rules with it."


def rule_sentences(data: PlanningData) -> dict[str, str]:
    """Every rule's sentence by id: the sequences, the relations and the PLLA sessions of the limits."""
    return (
        {s.id: s.sentence for s in data.rules.sequences}
        | {r.id: r.sentence for r in data.rules.relations}
        | {PLLA_SESSIONS: f"PLLA sessions are {data.rules.limits.plla_session_gap_text} apart."}
        | {
            LOW_DOSE_RULE: "Under a budget a dose may be lowered to the low end of its catalogue range, so the plan "
            "keeps its structural steps rather than dropping them."
        }
    )


def when_sentence(
    key: str,
    schedule: Schedule,
    problem: SolverProblem,
    items: Mapping[str, Candidate],
    intake: Intake,
    data: PlanningData,
) -> str:
    """Why the item sits at its visit: the precedences, release date or same-visit rule that place it."""
    visit = schedule.visit_of[key]
    reasons = []
    seq_sentence = rule_sentences(data)
    for link in problem.links:
        if link.after == key and link.before in schedule.visit_of and link.min_gap_days > 0:
            reasons.append(
                f"after {lower_first(items[link.before].label)} (visit {schedule.visit_of[link.before] + 1}; "
                f"rule {link.rule}: {seq_sentence.get(link.rule, '').rstrip('.')})"
            )
    c = items[key]
    if c.release_day > 0 and schedule.day_of(key) >= c.release_day:
        reasons.append(
            f"not before {(intake.start_date + timedelta(days=c.release_day)).isoformat()}: toxin never sooner than "
            f"{problem.toxin_min_interval_days / 7:g} weeks after the last session"
        )
    for pair in problem.same_visit:
        if pair.a == key:
            reasons.append(f"with {lower_first(items[pair.b].label)} in the same visit (rule {pair.rule})")
    if not reasons and visit == 0 and schedule.visit_days[0] == 0:
        return "Visit 1: nothing needs to come before it."
    if not reasons and visit == 0:
        return (
            "Visit 1: nothing needs to come before it; the visit waits for the other items in it, since one visit "
            "is preferred over two."
        )
    if not reasons:
        return (
            f"Visit {visit + 1}: nothing needs to come before it; it is here to keep the earlier visits within "
            "their per-visit limits, or to share a visit with items that must wait."
        )
    return f"Visit {visit + 1}: " + "; ".join(reasons) + "."


def visit_purpose(keys: Sequence[str], items: Mapping[str, Candidate], data: PlanningData) -> str:
    """What a visit is for, in a few words (corrective, or the regions it treats)."""
    kinds = [data.catalog.modality_of(items[k].treatment).kind for k in keys]
    if "enzyme" in kinds:
        return "Corrective: dissolve the filler the patient dislikes."
    regions = sorted({data.catalog.region_of(items[k].area) for k in keys}, key=REGION_ORDER.index)
    return "Treat " + ", ".join(r.replace("_", " ") for r in regions) + "."


def summary_sentence(
    planned: Sequence[PlannedItem],
    visits: Sequence[Visit],
    pricing: Pricing,
    omissions: Sequence[Omission],
    phases: Sequence[Phase] = (),
) -> str:
    """One sentence for the top of the plan: what, over how many visits, for how much, and what was left out."""
    labels = ", ".join(dict.fromkeys(lower_first(i.label) for i in planned))
    left = len([o for o in omissions if o.reason != "no_finding"])
    first, last = visits[0].date.isoformat(), visits[-1].date.isoformat()
    when = f"1 visit on {first}" if len(visits) == 1 else f"{len(visits)} visits from {first} to {last}"
    phased = (
        " In "
        + f"{len(phases)} phases within the budget: "
        + "; ".join(f"phase {p.index + 1} {p.price.text()}" for p in phases)
        + "."
        if len(phases) > 1
        else ""
    )
    return f"{len(planned)} item(s) over {when}: {labels}. Total {pricing.total.text()}.{phased}" + (
        f" {left} treatment(s) considered and left out, each with its reason." if left else ""
    )
