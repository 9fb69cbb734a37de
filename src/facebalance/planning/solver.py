"""Choose, order and phase the plan's items with OR-Tools CP-SAT, and explain every omission.

The model
---------
* ``sel[i]`` (bool): item *i* is in the plan; ``at[i][k]`` (bool): it is given at visit slot *k*
  (``sum_k at[i][k] = sel[i]``); ``day[k]`` (int, days from the start date) is slot *k*'s date and
  ``t[i] = day[k]`` when ``at[i][k]``.
* Visits are used in order, at most ``max_visits``, consecutive used visits at least ``min_visit_gap_days``
  apart, all within ``horizon_days`` of ``start_day``.
* Precedence ``a -> b`` (gap *g*, optional maximum): when both are planned, ``t[b] >= t[a] + g`` (so a later
  step is never in an earlier phase).
* Release dates: ``t[i] >= release_day[i]`` (toxin no sooner than 12 weeks after the last session).
* Toxin spacing: two toxin items are in the same visit or at least ``toxin_min_interval_days`` apart; a
  ``spacing`` pair (a device and filler in one region) is at least its gap apart in either order.
* ``requires`` (``sel[a] =>`` some member of ``b``'s group, i.e. ``b`` at any of its doses), ``requires_any``
  (``sel[a] =>`` one of a set: the later step of a structural sequence waits for the earlier one, chin before
  lips, midface before lower face), ``same_visit`` (and at the same visit), ``forbids`` (not both), dose
  variants (at most one per group), ``exclusive`` sets (at most one).
* Per-visit caps (filler syringes, filler mL, toxin units, PLLA vials), per-plan caps (filler mL over the whole
  plan), per-area cumulative filler caps (headroom after the ledger), and the budget on the chosen basis
  (high end or mid-point of each price range).

Objective, lexicographic in three solves: maximise clinical value; then, at that value, the fewest visits;
then the lowest cost and the earliest dates. One worker and a fixed seed make it deterministic.

**Phases.** Under a budget a plan comes in up to ``phases`` phases, each within the budget: phase 1 is the best
plan within it; phase 2, starting at least ``phase_gap_days`` after phase 1's last visit (its results judged),
is the best plan of what is left, and so on. What an earlier phase planned binds the later ones: a later step
waits for its earlier one's date (release days), a step that had to come *before* something already planned is
left out, exclusive and dose-variant alternatives of a planned item are left out, the area and per-plan caps
count what is planned, and toxin stays 12 weeks apart across phases. So a budget never plans a later step
without the step it waits for: the later step moves to a later phase.

Omissions are explained by re-solving with the omitted item forced in: infeasible -> the one family of
limits whose relaxation admits it; feasible -> the items it would displace and the first family whose
relaxation admits it while keeping every planned item.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

from ortools.sat.python import cp_model

Family = Literal["budget", "visits", "visit_caps", "plan_caps", "area_caps", "timing", "exclusive"]
ReasonKind = Literal[
    "budget", "visits", "visit_caps", "plan_caps", "area_caps", "timing", "exclusive", "several", "impossible"
]
#: The order in which limits are tried when explaining an omission (clinical limits first).
EXPLAIN_ORDER: tuple[Family, ...] = (
    "exclusive",
    "area_caps",
    "plan_caps",
    "timing",
    "visit_caps",
    "visits",
    "budget",
)
#: The order in which limits are tried when an item fits but would displace others (money and visits first).
_DISPLACE_ORDER: tuple[Family, ...] = (
    "budget",
    "visits",
    "visit_caps",
    "timing",
    "plan_caps",
    "area_caps",
    "exclusive",
)
_RELAXED_VISITS = 8
_RELAXED_HORIZON_FACTOR = 4


@dataclass(frozen=True)
class SolverItem:
    """One candidate item as the solver sees it (integers only).

    ``usage`` is per-visit resource use (``syringes``, ``filler_centi_ml``, ``toxin_units``, ``plla_vials``)
    at the high dose; ``area_ml_centi`` is the filler (hundredths of a mL, high dose) counted against the area
    cap; ``group`` ties dose variants of one treatment (at most one of a group is planned).
    """

    key: str
    group: str
    value: int
    cost: int
    release_day: int = 0
    usage: Mapping[str, int] = field(default_factory=dict)
    area: str = ""
    area_ml_centi: int = 0
    is_toxin: bool = False


@dataclass(frozen=True)
class Link:
    """``before`` at least ``min_gap_days`` (and at most ``max_gap_days``) before ``after``."""

    before: str
    after: str
    min_gap_days: int
    rule: str
    max_gap_days: int | None = None


@dataclass(frozen=True)
class Pair:
    """A rule between two items: ``requires`` (a needs b, at any of b's doses), ``same_visit`` (a with b),
    ``forbids`` (not both)."""

    a: str
    b: str
    rule: str


@dataclass(frozen=True)
class RequiresAny:
    """``a`` is planned only with one of ``options`` (the steps a structural sequencing rule puts first)."""

    a: str
    options: tuple[str, ...]
    rule: str


@dataclass(frozen=True)
class Spacing:
    """``a`` and ``b`` at least ``min_gap_days`` apart, in either order (a device and fresh filler)."""

    a: str
    b: str
    min_gap_days: int
    rule: str


@dataclass(frozen=True)
class ExclusiveSet:
    keys: tuple[str, ...]
    rule: str


@dataclass(frozen=True)
class SolverProblem:
    """The items and every limit between them (see the module docstring for the model).

    With ``phases`` > 1 (and a budget) the plan may come in that many phases, the budget holding per phase;
    ``start_day`` is the first day a visit may be on (a later phase's start).
    """

    items: tuple[SolverItem, ...]
    links: tuple[Link, ...] = ()
    requires: tuple[Pair, ...] = ()
    same_visit: tuple[Pair, ...] = ()
    forbids: tuple[Pair, ...] = ()
    exclusive: tuple[ExclusiveSet, ...] = ()
    max_visits: int = 4
    min_visit_gap_days: int = 14
    horizon_days: int = 182
    visit_caps: Mapping[str, int] = field(default_factory=dict)
    area_caps_centi: Mapping[str, int] = field(default_factory=dict)
    budget: int | None = None
    toxin_min_interval_days: int = 84
    requires_any: tuple[RequiresAny, ...] = ()
    plan_caps: Mapping[str, int] = field(default_factory=dict)
    phases: int = 1
    phase_gap_days: int = 0
    start_day: int = 0
    spacing: tuple[Spacing, ...] = ()

    def item(self, key: str) -> SolverItem:
        return next(i for i in self.items if i.key == key)

    def group_keys(self, key: str) -> tuple[str, ...]:
        """The keys of ``key``'s group: the item at each of its doses."""
        group = self.item(key).group
        return tuple(i.key for i in self.items if i.group == group)


@dataclass(frozen=True)
class Schedule:
    """The solver's answer. ``visit_of`` maps each planned key to its visit (0-based, in date order) and
    ``visit_phases`` gives each visit's phase (0 = now)."""

    status: Literal["optimal", "feasible", "infeasible"]
    selected: tuple[str, ...]
    visit_of: Mapping[str, int]
    visit_days: tuple[int, ...]
    value: int
    cost: int
    visit_phases: tuple[int, ...] = ()

    def day_of(self, key: str) -> int:
        return self.visit_days[self.visit_of[key]]

    def phase_of(self, key: str) -> int:
        return self.visit_phases[self.visit_of[key]] if self.visit_phases else 0


@dataclass(frozen=True)
class OmissionReason:
    """Why a group of items is not in the plan.

    ``kind`` is the family of limits that keeps it out ("several" when only relaxing more than one would
    admit it, "impossible" when no relaxation of the non-clinical limits would); ``displaced`` the items the
    plan would have to drop to take it; ``rule`` the exclusive set that blocks it, if any.
    """

    group: str
    kind: ReasonKind
    displaced: tuple[str, ...]
    rule: str = ""


class _Model:
    """The CP-SAT model of one problem, with some families of limits relaxed.

    ``slot_phases`` fixes the visit slots and their phases (a clinician's edited plan); by default there are
    ``max_visits`` slots of one phase. ``keep_groups`` must all stay planned (to test "without displacing").
    """

    def __init__(
        self,
        p: SolverProblem,
        relax: frozenset[Family],
        force_group: str | None,
        *,
        slot_phases: Sequence[int] | None = None,
        keep_groups: Sequence[str] = (),
    ) -> None:
        self.p = p
        m = self.m = cp_model.CpModel()
        per_phase = max(p.max_visits, _RELAXED_VISITS) if "visits" in relax else p.max_visits
        # One phase unless the slots are given (a clinician's plan in phases): phases are solved one at a time.
        self.phase = list(slot_phases) if slot_phases is not None else [0] * per_phase
        self.horizon = p.horizon_days * (_RELAXED_HORIZON_FACTOR if "timing" in relax else 1)
        top = p.start_day + (max(self.phase, default=0) + 1) * (self.horizon + p.phase_gap_days)
        self.k = range(len(self.phase))
        keys = [i.key for i in p.items]
        self.sel = {k: m.new_bool_var(f"sel[{k}]") for k in keys}
        self.at = {k: [m.new_bool_var(f"at[{k},{v}]") for v in self.k] for k in keys}
        self.day = [m.new_int_var(0, top, f"day[{v}]") for v in self.k]
        self.used = [m.new_bool_var(f"used[{v}]") for v in self.k]
        self.t = {k: m.new_int_var(0, top, f"t[{k}]") for k in keys}
        # The constraints are added in a fixed order: with one worker and a fixed seed the solve is repeatable.
        self._visits(keys)
        self._pairs(relax)
        self._toxin_spacing()
        self._spacing()
        self._caps(relax)
        if force_group is not None:
            m.add(sum(self.sel[i.key] for i in p.items if i.group == force_group) >= 1)
        for group in keep_groups:
            m.add(sum(self.sel[i.key] for i in p.items if i.group == group) >= 1)
        self.value = sum(i.value * self.sel[i.key] for i in p.items)
        self.cost = sum(i.cost * self.sel[i.key] for i in p.items)

    def _first_slot(self, v: int) -> int:
        """The first slot of slot ``v``'s phase."""
        return self.phase.index(self.phase[v])

    def _visits(self, keys: list[str]) -> None:
        """Each selected item at one visit, on its visit's day, after its release day; visits used in order, at
        least the minimum gap apart within a phase and the phase gap between phases, each phase within the
        horizon."""
        p, m = self.p, self.m
        by_key = {i.key: i for i in p.items}
        for key in keys:
            m.add(sum(self.at[key]) == self.sel[key])
            for v in self.k:
                m.add(self.t[key] == self.day[v]).only_enforce_if(self.at[key][v])
                m.add_implication(self.at[key][v], self.used[v])
                if by_key[key].release_day > 0:
                    m.add(self.day[v] >= by_key[key].release_day).only_enforce_if(self.at[key][v])
        for v in self.k:
            m.add(self.used[v] <= sum(self.at[key][v] for key in keys))
            first = self._first_slot(v)
            m.add(self.day[v] >= p.start_day)
            if self.phase[v] == self.phase[0]:
                m.add(self.day[v] <= p.start_day + self.horizon)
            else:
                m.add(self.day[v] <= self.day[first] + self.horizon)
            if v + 1 >= len(self.k):
                continue
            nxt = v + 1
            new_phase = self.phase[nxt] != self.phase[v]
            if new_phase:
                m.add_implication(self.used[nxt], self.used[first])
            else:
                m.add(self.used[v] >= self.used[nxt])
            gap = p.phase_gap_days if new_phase else p.min_visit_gap_days
            m.add(self.day[nxt] >= self.day[v] + gap).only_enforce_if(self.used[nxt])
            m.add(self.day[nxt] == self.day[v]).only_enforce_if(self.used[nxt].Not())

    def _group(self, key: str) -> list[cp_model.IntVar]:
        group = next(i.group for i in self.p.items if i.key == key)
        return [self.sel[i.key] for i in self.p.items if i.group == group]

    def _pairs(self, relax: frozenset[Family]) -> None:
        """Precedence links, requires (any dose of the required item), requires-any, same visit, forbids, one
        item per group, exclusive sets."""
        p, m = self.p, self.m
        for link in p.links:
            both = [self.sel[link.before], self.sel[link.after]]
            m.add(self.t[link.after] >= self.t[link.before] + link.min_gap_days).only_enforce_if(both)
            if link.max_gap_days is not None:
                m.add(self.t[link.after] <= self.t[link.before] + link.max_gap_days).only_enforce_if(both)
        for pair in p.requires:
            m.add(sum(self._group(pair.b)) >= 1).only_enforce_if(self.sel[pair.a])
        for need in p.requires_any:
            m.add(sum(self.sel[k] for k in need.options) >= 1).only_enforce_if(self.sel[need.a])
        groups: dict[str, list[str]] = {}
        for item in p.items:
            groups.setdefault(item.group, []).append(item.key)
        for pair in p.same_visit:
            partners = groups[p.item(pair.b).group]
            m.add(sum(self.sel[k] for k in partners) >= 1).only_enforce_if(self.sel[pair.a])
            for v in self.k:
                m.add(sum(self.at[k][v] for k in partners) >= 1).only_enforce_if(self.at[pair.a][v])
        for pair in p.forbids:
            m.add(self.sel[pair.a] + self.sel[pair.b] <= 1)
        for members in groups.values():
            if len(members) > 1:
                m.add(sum(self.sel[k] for k in members) <= 1)
        if "exclusive" not in relax:
            for ex in p.exclusive:
                m.add(sum(self.sel[k] for k in ex.keys) <= 1)

    def _spacing(self) -> None:
        """Items of a spacing rule are at least its gap apart, in either order."""
        p, m = self.p, self.m
        for n, sp in enumerate(p.spacing):
            later = m.new_bool_var(f"apart[{n}]")
            both = [self.sel[sp.a], self.sel[sp.b]]
            m.add(self.t[sp.b] - self.t[sp.a] >= sp.min_gap_days).only_enforce_if([*both, later])
            m.add(self.t[sp.a] - self.t[sp.b] >= sp.min_gap_days).only_enforce_if([*both, later.Not()])

    def _toxin_spacing(self) -> None:
        """Two toxin items share a visit or are at least ``toxin_min_interval_days`` apart."""
        p, m = self.p, self.m
        toxins = [i.key for i in p.items if i.is_toxin]
        for x, a in enumerate(toxins):
            for b in toxins[x + 1 :]:
                same, later = m.new_bool_var(f"same[{a},{b}]"), m.new_bool_var(f"later[{a},{b}]")
                for v in self.k:
                    m.add(self.at[a][v] == self.at[b][v]).only_enforce_if([same, self.sel[a], self.sel[b]])
                apart = [self.sel[a], self.sel[b], same.Not()]
                gap = p.toxin_min_interval_days
                m.add(self.t[b] - self.t[a] >= gap).only_enforce_if([*apart, later])
                m.add(self.t[a] - self.t[b] >= gap).only_enforce_if([*apart, later.Not()])

    def _caps(self, relax: frozenset[Family]) -> None:
        """Per-visit and per-plan caps, cumulative area caps and the budget per phase (each unless relaxed)."""
        p, m = self.p, self.m
        if "visit_caps" not in relax:
            for resource, cap in p.visit_caps.items():
                for v in self.k:
                    m.add(sum(i.usage.get(resource, 0) * self.at[i.key][v] for i in p.items) <= cap)
        if "plan_caps" not in relax:
            for resource, cap in p.plan_caps.items():
                m.add(sum(i.usage.get(resource, 0) * self.sel[i.key] for i in p.items) <= cap)
        if "area_caps" not in relax:
            for area, cap in p.area_caps_centi.items():
                m.add(sum(i.area_ml_centi * self.sel[i.key] for i in p.items if i.area == area) <= cap)
        if p.budget is not None and "budget" not in relax:
            for phase in sorted(set(self.phase)):
                slots = [v for v in self.k if self.phase[v] == phase]
                m.add(sum(i.cost * self.at[i.key][v] for i in p.items for v in slots) <= p.budget)

    def _solver(self) -> cp_model.CpSolver:
        s = cp_model.CpSolver()
        s.parameters.num_workers = 1
        s.parameters.random_seed = 0
        s.parameters.max_time_in_seconds = 10.0
        return s

    def best_value(self) -> int | None:
        """The maximal value, or ``None`` when infeasible."""
        self.m.maximize(self.value)
        s = self._solver()
        status = s.solve(self.m)
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return None
        return round(s.objective_value)

    def schedule(self) -> Schedule:
        """The lexicographic optimum: value, then fewest visits, then lowest cost and earliest dates."""
        best = self.best_value()
        if best is None:
            return Schedule("infeasible", (), {}, (), 0, 0)
        self.m.add(self.value >= best)
        self.m.minimize(sum(self.used))
        s = self._solver()
        s.solve(self.m)
        self.m.add(sum(self.used) <= round(s.objective_value))
        # Cost dominates the dates: every date sum is far below one dollar x this weight.
        top = self.p.start_day + (max(self.phase, default=0) + 1) * (self.horizon + self.p.phase_gap_days)
        weight = (len(self.k) + len(self.p.items)) * (top + 1)
        self.m.minimize(self.cost * weight + sum(self.day) + sum(self.t.values()))
        s = self._solver()
        status = s.solve(self.m)
        used = [v for v in self.k if s.value(self.used[v])]
        compact = {slot: n for n, slot in enumerate(used)}
        chosen = [i.key for i in self.p.items if s.value(self.sel[i.key])]
        visit_of = {k: compact[next(v for v in self.k if s.value(self.at[k][v]))] for k in chosen}
        chosen.sort(key=lambda k: visit_of[k])
        return Schedule(
            "optimal" if status == cp_model.OPTIMAL else "feasible",
            tuple(chosen),
            visit_of,
            tuple(int(s.value(self.day[v])) for v in used),
            sum(self.p.item(k).value for k in chosen),
            int(sum(self.p.item(k).cost for k in chosen)),
            tuple(self.phase[v] for v in used),
        )


@dataclass(frozen=True)
class _Phases:
    """A plan solved phase by phase: the combined schedule, the problem of what was left after the last phase,
    and the groups an earlier phase ruled out (with the reason and the rule)."""

    schedule: Schedule
    rest: SolverProblem
    ruled_out: Mapping[str, tuple[ReasonKind, str]]


def _after(
    problem: SolverProblem, placed: Mapping[str, int], start: int
) -> tuple[SolverProblem, dict[str, tuple[ReasonKind, str]]]:
    """The problem of what is left once ``placed`` (key -> day) is planned, for a phase starting on ``start``.

    Returns it with the groups it rules out: a step that had to come before something already planned, the
    alternatives (dose variants, exclusive sets, a full dose forbidden once the earlier step is planned) of a
    planned item, a companion that had to share a visit with something already planned.
    """
    by_key = {i.key: i for i in problem.items}
    planned_groups = {by_key[k].group for k in placed}
    out: dict[str, tuple[ReasonKind, str]] = {}
    drop: set[str] = {i.key for i in problem.items if i.group in planned_groups}

    def rule_out(key: str, kind: ReasonKind, rule: str) -> None:
        """Leave ``key`` (one dose of its group) out; a group with every dose left out is ruled out, with why."""
        group = by_key[key].group
        if group in planned_groups:
            return
        drop.add(key)
        if all(k in drop for k in problem.group_keys(key)):
            out.setdefault(group, (kind, rule))

    for pair in problem.forbids:
        for mine, other in ((pair.a, pair.b), (pair.b, pair.a)):
            if mine in placed and other not in placed:
                rule_out(other, "exclusive", pair.rule)
    for ex in problem.exclusive:
        if set(ex.keys) & set(placed):
            for k in ex.keys:
                if k not in placed:
                    rule_out(k, "exclusive", ex.rule)
    for link in problem.links:
        if link.after in placed and link.before not in placed:
            rule_out(link.before, "timing", link.rule)
        elif link.before in placed and link.after not in placed and link.max_gap_days is not None:
            rule_out(link.after, "timing", link.rule)
    for pair in problem.same_visit:
        if pair.a not in placed and any(k in placed for k in problem.group_keys(pair.b)):
            rule_out(pair.a, "timing", pair.rule)
    # A step whose required step is gone (ruled out, and not planned) goes too; until nothing changes.
    size = -1
    while size != len(drop):
        size = len(drop)
        for pair in (*problem.requires, *problem.same_visit):
            targets = problem.group_keys(pair.b)
            if pair.a not in drop and not any(k in placed for k in targets) and all(k in drop for k in targets):
                rule_out(pair.a, "timing", pair.rule)
        for need in problem.requires_any:
            if need.a not in drop and not set(need.options) & set(placed) and all(o in drop for o in need.options):
                rule_out(need.a, "timing", need.rule)
    release = {i.key: i.release_day for i in problem.items}
    for link in problem.links:
        if link.before in placed and link.after in release:
            release[link.after] = max(release[link.after], placed[link.before] + link.min_gap_days)
    for sp in problem.spacing:
        for mine, other in ((sp.a, sp.b), (sp.b, sp.a)):
            if mine in placed and other in release:
                release[other] = max(release[other], placed[mine] + sp.min_gap_days)
    last_toxin = max((placed[k] for k in placed if by_key[k].is_toxin), default=None)
    items = []
    for i in problem.items:
        if i.key in drop:
            continue
        day = release[i.key]
        if i.is_toxin and last_toxin is not None:
            day = max(day, last_toxin + problem.toxin_min_interval_days)
        items.append(replace(i, release_day=day))
    keys = {i.key for i in items}
    used = [by_key[k] for k in placed]
    rest = replace(
        problem,
        items=tuple(items),
        links=tuple(k for k in problem.links if {k.before, k.after} <= keys),
        spacing=tuple(sp for sp in problem.spacing if {sp.a, sp.b} <= keys),
        requires=tuple(
            p for p in problem.requires if p.a in keys and not any(k in placed for k in problem.group_keys(p.b))
        ),
        same_visit=tuple(p for p in problem.same_visit if p.a in keys and p.b in keys),
        forbids=tuple(p for p in problem.forbids if {p.a, p.b} <= keys),
        exclusive=tuple(
            ExclusiveSet(tuple(k for k in ex.keys if k in keys), ex.rule)
            for ex in problem.exclusive
            if len([k for k in ex.keys if k in keys]) > 1
        ),
        requires_any=tuple(
            RequiresAny(r.a, tuple(o for o in r.options if o in keys), r.rule)
            for r in problem.requires_any
            if r.a in keys and not set(r.options) & set(placed)
        ),
        area_caps_centi={
            a: cap - sum(i.area_ml_centi for i in used if i.area == a) for a, cap in problem.area_caps_centi.items()
        },
        plan_caps={r: cap - sum(i.usage.get(r, 0) for i in used) for r, cap in problem.plan_caps.items()},
        start_day=start,
    )
    return rest, out


def _solve_in_phases(problem: SolverProblem) -> _Phases:
    """Phase 1 is the best plan within the budget, phase 2 the best of what is left, and so on."""
    placed: dict[str, int] = {}
    visit_of: dict[str, int] = {}
    days: list[int] = []
    phases: list[int] = []
    ruled_out: dict[str, tuple[ReasonKind, str]] = {}
    rest = problem
    for phase in range(problem.phases):
        part = _Model(rest, frozenset(), None).schedule()
        if not part.selected:
            break
        for k in part.selected:
            placed[k] = part.day_of(k)
            visit_of[k] = len(days) + part.visit_of[k]
        days += part.visit_days
        phases += [phase] * len(part.visit_days)
        rest, out = _after(problem, placed, days[-1] + problem.phase_gap_days)
        for group, why in out.items():
            ruled_out.setdefault(group, why)
        if not rest.items:
            break
    chosen = tuple(sorted(visit_of, key=lambda k: (visit_of[k], k)))
    status: Literal["optimal", "feasible"] = "optimal" if len(set(phases)) <= 1 else "feasible"
    schedule = Schedule(
        status,
        chosen,
        visit_of,
        tuple(days),
        sum(problem.item(k).value for k in chosen),
        sum(problem.item(k).cost for k in chosen),
        tuple(phases),
    )
    return _Phases(schedule, rest, ruled_out)


def solve(problem: SolverProblem) -> Schedule:
    """The best plan for the problem (see the module docstring for the model); in phases under a budget."""
    if problem.phases > 1 and problem.budget is not None:
        return _solve_in_phases(problem).schedule
    return _Model(problem, frozenset(), None).schedule()


def schedule_fixed(
    problem: SolverProblem,
    visit_of: Mapping[str, int],
    *,
    relax: frozenset[Family] = frozenset(),
    visit_phases: Sequence[int] | None = None,
) -> Schedule:
    """The earliest dates of a schedule chosen by hand (a clinician's edited plan).

    Every key of ``visit_of`` is planned at its visit (0-based; the visits used must be 0..n-1) and every other
    item of the problem is left out; ``visit_phases`` gives each visit's phase (default: all now). The model's
    limits hold as in :func:`solve`, except the families in ``relax`` ("visits" is implied: the number of
    visits is the schedule's own). Returns status "feasible" with the earliest dates, or "infeasible" when no
    dates satisfy the limits; never "optimal", since the choice is the clinician's and not the solver's optimum.
    """
    n = max(visit_of.values(), default=-1) + 1
    if sorted(set(visit_of.values())) != list(range(n)):
        raise ValueError(f"visits must be used in order without gaps, got {sorted(set(visit_of.values()))}")
    unknown = set(visit_of) - {i.key for i in problem.items}
    if unknown:
        raise ValueError(f"not items of the problem: {', '.join(sorted(unknown))}")
    phases = list(visit_phases) if visit_phases is not None else [0] * max(n, 1)
    if len(phases) < max(n, 1) or any(b < a for a, b in itertools.pairwise(phases)):
        raise ValueError(f"one phase per visit, in order: got {phases} for {n} visits")
    phases = phases[: max(n, 1)]
    model = _Model(replace(problem, max_visits=max(n, 1)), relax - {"visits"}, None, slot_phases=phases)
    for item in problem.items:
        planned = item.key in visit_of
        model.m.add(model.sel[item.key] == int(planned))
        for v in model.k:
            model.m.add(model.at[item.key][v] == int(planned and visit_of[item.key] == v))
    model.m.minimize(sum(model.day) + sum(model.t.values()))
    s = model._solver()
    if s.solve(model.m) not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return Schedule("infeasible", (), {}, (), 0, 0)
    order = {i.key: idx for idx, i in enumerate(problem.items)}
    chosen = tuple(sorted(visit_of, key=lambda k: (visit_of[k], order[k])))
    return Schedule(
        "feasible",
        chosen,
        dict(visit_of),
        tuple(int(s.value(model.day[v])) for v in range(n)),
        sum(problem.item(k).value for k in chosen),
        sum(problem.item(k).cost for k in chosen),
        tuple(phases[:n]),
    )


def explain_omissions(problem: SolverProblem, schedule: Schedule) -> dict[str, OmissionReason]:
    """For every group with no planned item, the limit that keeps it out and what it would displace.

    A plan in phases explains each group on what was left after its last phase (why no further phase takes it),
    or by the rule an earlier phase's item imposes on it.
    """
    if problem.phases > 1 and problem.budget is not None:
        phased = _solve_in_phases(problem)
        reasons = {
            group: OmissionReason(group, kind, (), rule)
            for group, (kind, rule) in phased.ruled_out.items()
            if group not in {problem.item(k).group for k in schedule.selected}
        }
        empty = Schedule("optimal", (), {}, (), 0, 0)
        for group, reason in _explain(phased.rest, empty).items():
            reasons.setdefault(group, reason)
        return reasons
    return _explain(problem, schedule)


def _explain(problem: SolverProblem, schedule: Schedule) -> dict[str, OmissionReason]:
    planned_groups = list(dict.fromkeys(problem.item(k).group for k in schedule.selected))
    groups = list(dict.fromkeys(i.group for i in problem.items if i.group not in planned_groups))
    reasons: dict[str, OmissionReason] = {}
    for group in groups:
        forced = _Model(problem, frozenset(), group)
        forced_schedule = forced.schedule()
        if forced_schedule.status == "infeasible":
            kind: ReasonKind = "impossible"
            for family in EXPLAIN_ORDER:
                if _Model(problem, frozenset({family}), group).best_value() is not None:
                    kind = family
                    break
            else:
                if _Model(problem, frozenset(EXPLAIN_ORDER), group).best_value() is not None:
                    kind = "several"
            reasons[group] = OmissionReason(group, kind, (), _blocking_rule(problem, schedule, group, kind))
            continue
        kept = {problem.item(k).group for k in forced_schedule.selected}
        displaced = tuple(k for k in schedule.selected if problem.item(k).group not in kept)
        kind = "several"
        for family in _DISPLACE_ORDER:
            if _Model(problem, frozenset({family}), group, keep_groups=planned_groups).best_value() is not None:
                kind = family
                break
        reasons[group] = OmissionReason(group, kind, displaced, _blocking_rule(problem, schedule, group, kind))
    return reasons


def _blocking_rule(problem: SolverProblem, schedule: Schedule, group: str, kind: ReasonKind) -> str:
    if kind != "exclusive":
        return ""
    keys = {i.key for i in problem.items if i.group == group}
    for ex in problem.exclusive:
        if keys & set(ex.keys) and set(ex.keys) & set(schedule.selected):
            return ex.rule
    return ""
