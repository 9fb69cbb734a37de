"""Choose and order the plan's items with OR-Tools CP-SAT, and explain every omission.

The model
---------
* ``sel[i]`` (bool): item *i* is in the plan; ``at[i][k]`` (bool): it is given at visit *k*
  (``sum_k at[i][k] = sel[i]``); ``day[k]`` (int, days from the start date) is visit *k*'s date and
  ``t[i] = day[k]`` when ``at[i][k]``.
* Visits are used in order (``used[k] >= used[k+1]``), at most ``max_visits``, consecutive used visits at
  least ``min_visit_gap_days`` apart, all within ``horizon_days``.
* Precedence ``a -> b`` (gap *g*, optional maximum): when both are planned, ``t[b] >= t[a] + g``.
* Release dates: ``t[i] >= release_day[i]`` (toxin no sooner than 12 weeks after the last session).
* Toxin spacing: two toxin items are in the same visit or at least ``toxin_min_interval_days`` apart.
* ``requires`` (``sel[i] => sel[j]``), ``same_visit`` (and the same visit), ``forbids`` (not both), dose
  variants (at most one per group), ``exclusive`` sets (at most one).
* Per-visit caps (filler syringes, toxin units, PLLA vials), per-area cumulative filler caps (headroom
  after the ledger), and the budget on the chosen basis (high end or mid-point of each price range).

Objective, lexicographic in three solves: maximise clinical value; then, at that value, the fewest
visits; then the lowest cost and the earliest dates. One worker and a fixed seed make it deterministic.

Omissions are explained by re-solving with the omitted item forced in: infeasible -> the one family of
limits whose relaxation admits it; feasible -> the items it would displace and the family whose
relaxation lets it in without displacing anything.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Literal

from ortools.sat.python import cp_model

Family = Literal["budget", "visits", "visit_caps", "area_caps", "timing", "exclusive"]
ReasonKind = Literal["budget", "visits", "visit_caps", "area_caps", "timing", "exclusive", "several", "impossible"]
#: The order in which limits are tried when explaining an omission (clinical limits first).
EXPLAIN_ORDER: tuple[Family, ...] = ("exclusive", "area_caps", "timing", "visit_caps", "visits", "budget")
_RELAXED_VISITS = 8
_RELAXED_HORIZON_FACTOR = 4


@dataclass(frozen=True)
class SolverItem:
    """One candidate item as the solver sees it (integers only).

    ``usage`` is per-visit resource use (``syringes``, ``toxin_units``, ``plla_vials``) at the high dose;
    ``area_ml_centi`` is the filler (hundredths of a mL, high dose) counted against the area cap;
    ``group`` ties dose variants of one treatment (at most one of a group is planned).
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
    """A rule between two items: ``requires`` (a needs b), ``same_visit`` (a with b), ``forbids`` (not both)."""

    a: str
    b: str
    rule: str


@dataclass(frozen=True)
class ExclusiveSet:
    keys: tuple[str, ...]
    rule: str


@dataclass(frozen=True)
class SolverProblem:
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

    def item(self, key: str) -> SolverItem:
        return next(i for i in self.items if i.key == key)


@dataclass(frozen=True)
class Schedule:
    """The solver's answer. ``visit_of`` maps each planned key to its visit (0-based, in date order)."""

    status: Literal["optimal", "feasible", "infeasible"]
    selected: tuple[str, ...]
    visit_of: Mapping[str, int]
    visit_days: tuple[int, ...]
    value: int
    cost: int

    def day_of(self, key: str) -> int:
        return self.visit_days[self.visit_of[key]]


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
    """The CP-SAT model of one problem, with some families of limits relaxed."""

    def __init__(self, p: SolverProblem, relax: frozenset[Family], force_group: str | None) -> None:
        self.p = p
        m = self.m = cp_model.CpModel()
        visits = max(p.max_visits, _RELAXED_VISITS) if "visits" in relax else p.max_visits
        horizon = self.horizon = p.horizon_days * (_RELAXED_HORIZON_FACTOR if "timing" in relax else 1)
        self.k = range(visits)
        keys = [i.key for i in p.items]
        self.sel = {k: m.new_bool_var(f"sel[{k}]") for k in keys}
        self.at = {k: [m.new_bool_var(f"at[{k},{v}]") for v in self.k] for k in keys}
        self.day = [m.new_int_var(0, horizon, f"day[{v}]") for v in self.k]
        self.used = [m.new_bool_var(f"used[{v}]") for v in self.k]
        self.t = {k: m.new_int_var(0, horizon, f"t[{k}]") for k in keys}
        # The constraints are added in a fixed order: with one worker and a fixed seed the solve is repeatable.
        self._visits(keys)
        self._pairs(relax)
        self._toxin_spacing()
        self._caps(relax)
        if force_group is not None:
            m.add(sum(self.sel[i.key] for i in p.items if i.group == force_group) >= 1)
        self.value = sum(i.value * self.sel[i.key] for i in p.items)
        self.cost = sum(i.cost * self.sel[i.key] for i in p.items)

    def _visits(self, keys: list[str]) -> None:
        """Each selected item at one visit, on its visit's day, after its release day; visits used in order and
        at least the minimum gap apart."""
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
            if v + 1 < len(self.k):
                nxt = v + 1
                m.add(self.used[v] >= self.used[nxt])
                m.add(self.day[nxt] >= self.day[v] + p.min_visit_gap_days).only_enforce_if(self.used[nxt])
                m.add(self.day[nxt] == self.day[v]).only_enforce_if(self.used[nxt].Not())

    def _pairs(self, relax: frozenset[Family]) -> None:
        """Precedence links, requires, same visit, forbids, one item per group, exclusive sets."""
        p, m = self.p, self.m
        for link in p.links:
            both = [self.sel[link.before], self.sel[link.after]]
            m.add(self.t[link.after] >= self.t[link.before] + link.min_gap_days).only_enforce_if(both)
            if link.max_gap_days is not None:
                m.add(self.t[link.after] <= self.t[link.before] + link.max_gap_days).only_enforce_if(both)
        for pair in p.requires:
            m.add_implication(self.sel[pair.a], self.sel[pair.b])
        for pair in p.same_visit:
            m.add_implication(self.sel[pair.a], self.sel[pair.b])
            for v in self.k:
                m.add_implication(self.at[pair.a][v], self.at[pair.b][v])
        for pair in p.forbids:
            m.add(self.sel[pair.a] + self.sel[pair.b] <= 1)
        groups: dict[str, list[str]] = {}
        for item in p.items:
            groups.setdefault(item.group, []).append(item.key)
        for members in groups.values():
            if len(members) > 1:
                m.add(sum(self.sel[k] for k in members) <= 1)
        if "exclusive" not in relax:
            for ex in p.exclusive:
                m.add(sum(self.sel[k] for k in ex.keys) <= 1)

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
        """Per-visit resource caps, cumulative area caps and the budget (each unless relaxed)."""
        p, m = self.p, self.m
        if "visit_caps" not in relax:
            for resource, cap in p.visit_caps.items():
                for v in self.k:
                    m.add(sum(i.usage.get(resource, 0) * self.at[i.key][v] for i in p.items) <= cap)
        if "area_caps" not in relax:
            for area, cap in p.area_caps_centi.items():
                m.add(sum(i.area_ml_centi * self.sel[i.key] for i in p.items if i.area == area) <= cap)
        if p.budget is not None and "budget" not in relax:
            m.add(sum(i.cost * self.sel[i.key] for i in p.items) <= p.budget)

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
        weight = (len(self.k) + len(self.p.items)) * (self.horizon + 1)
        self.m.minimize(self.cost * weight + sum(self.day) + sum(self.t.values()))
        s = self._solver()
        status = s.solve(self.m)
        chosen = [i.key for i in self.p.items if s.value(self.sel[i.key])]
        visit_of = {k: next(v for v in self.k if s.value(self.at[k][v])) for k in chosen}
        n_used = sum(s.value(u) for u in self.used)
        days = tuple(int(s.value(self.day[v])) for v in range(n_used))
        chosen.sort(key=lambda k: visit_of[k])
        return Schedule(
            "optimal" if status == cp_model.OPTIMAL else "feasible",
            tuple(chosen),
            visit_of,
            days,
            best,
            int(sum(self.p.item(k).cost for k in chosen)),
        )


def solve(problem: SolverProblem) -> Schedule:
    """The best plan for the problem (see the module docstring for the model)."""
    return _Model(problem, frozenset(), None).schedule()


def schedule_fixed(
    problem: SolverProblem, visit_of: Mapping[str, int], *, relax: frozenset[Family] = frozenset()
) -> Schedule:
    """The earliest dates of a schedule chosen by hand (a clinician's edited plan).

    Every key of ``visit_of`` is planned at its visit (0-based; the visits used must be 0..n-1) and every other
    item of the problem is left out. The model's limits hold as in :func:`solve`, except the families in
    ``relax`` ("visits" is implied: the number of visits is the schedule's own). Returns status "feasible" with
    the earliest dates, or "infeasible" when no dates satisfy the limits; never "optimal", since the choice is
    the clinician's and not the solver's optimum.
    """
    n = max(visit_of.values(), default=-1) + 1
    if sorted(set(visit_of.values())) != list(range(n)):
        raise ValueError(f"visits must be used in order without gaps, got {sorted(set(visit_of.values()))}")
    unknown = set(visit_of) - {i.key for i in problem.items}
    if unknown:
        raise ValueError(f"not items of the problem: {', '.join(sorted(unknown))}")
    model = _Model(replace(problem, max_visits=max(n, 1)), relax - {"visits"}, None)
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
    )


def explain_omissions(problem: SolverProblem, schedule: Schedule) -> dict[str, OmissionReason]:
    """For every group with no planned item, the limit that keeps it out and what it would displace."""
    planned_groups = {problem.item(k).group for k in schedule.selected}
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
        displaced = tuple(k for k in schedule.selected if k not in forced_schedule.selected)
        kind = "several"
        for family in ("budget", "visits", "visit_caps", "timing", "area_caps", "exclusive"):
            relaxed = _Model(problem, frozenset({family}), group).best_value()
            if relaxed is not None and relaxed >= schedule.value + _group_value(problem, group):
                kind = family
                break
        reasons[group] = OmissionReason(group, kind, displaced, _blocking_rule(problem, schedule, group, kind))
    return reasons


def _group_value(problem: SolverProblem, group: str) -> int:
    return min(i.value for i in problem.items if i.group == group)


def _blocking_rule(problem: SolverProblem, schedule: Schedule, group: str, kind: ReasonKind) -> str:
    if kind != "exclusive":
        return ""
    keys = {i.key for i in problem.items if i.group == group}
    for ex in problem.exclusive:
        if keys & set(ex.keys) and set(ex.keys) & set(schedule.selected):
            return ex.rule
    return ""
