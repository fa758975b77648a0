"""Load rule packs from a rules tree, compile them whole, and keep versions side by side.

A rules tree is a folder with `ruleset.yaml` (name, version, packs) and one folder per pack
(`pack.yaml` + rule files + their `_test.yaml` examples). The working tree is `rules/`; a frozen
release is a copy under `rules/releases/<version>/` with its own `knowledge/` snapshot, so an old
decision can be replayed with exactly the rules and numbers it was made with.

A tree compiles whole or not at all: every problem in every file is collected and raised in one
`RulePackError`, each naming file:line:col, the rule and the YAML key. It compiles under one
benchmark profile (`engine.rules.profiles`): a rule the profile gives no benchmark is recorded in
`Ruleset.inactive` with the reason, never dropped silently. Scope rules (clause 1) compile into a
ruleset of their own, `Ruleset.scope`, evaluated before everything else. Both compiled rulesets
must have an acyclic finding graph (`engine.rules.finding_graph`): rules that derive findings from
each other's findings never settle, so a cycle is a problem naming its rules, and the tree fails.
"""
from __future__ import annotations

import hashlib
import json
import re
import threading
from dataclasses import dataclass, field, replace
from functools import cached_property, lru_cache
from pathlib import Path
from collections.abc import Callable
from typing import TYPE_CHECKING

from pydantic import TypeAdapter, ValidationError

from ..errors import Problem, RulePackError, RulesetNotFound
from ..facts.loader import validation_problems
from . import ir
from .manifests import PackManifest, RulesetManifest
from .profiles import DEFAULT_PROFILE
from ..text import Text
from ..sourcefile import load_document

if TYPE_CHECKING:  # pragma: no cover
    from .meta import RuleMeta
# Compiling a tree needs the compiler, the finding graph, the engine limits and the knowledge
# loader; a process that takes its ruleset from the cache (engine.rules.cache) imports them only
# as far as the objects it unpickles need them: load_ruleset imports them itself.

__all__ = ["Ruleset", "load_ruleset", "RulesetRegistry", "rule_files", "REPO_ROOT", "DEFAULT_RULES"]

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_RULES = REPO_ROOT / "rules"


@lru_cache(maxsize=1)
def _rule_adapter() -> TypeAdapter:
    """The validator of a rule file, built when a tree compiles (not at import: a cache hit needs none)."""
    from .dsl import RuleFile
    return TypeAdapter(RuleFile)


@dataclass(frozen=True)
class Ruleset:
    """A compiled, versioned ruleset and the knowledge it was compiled against."""

    name: str
    version: str
    packs: dict[str, str]
    compiled: ir.CompiledRuleset
    meta: dict[str, RuleMeta]
    knowledge: object
    digest: str
    root: Path
    exemptions: dict = field(default_factory=dict)   # clause id -> Text: why no rule checks it
    profile: str = DEFAULT_PROFILE                   # benchmark profile compiled under
    inactive: dict = field(default_factory=dict)     # rule id -> (title Text, reason Text)
    scope: ir.CompiledRuleset | None = None          # clause 1 scope rules + their measures, run first
    files: dict = field(default_factory=dict)        # every rule id of the tree -> (pack, file), active or not
    # what an evaluator worked out from `compiled` and `scope` alone (`RulesetRegistry(prepare=)`),
    # by evaluator; stored in the cache with the rest, not part of the ruleset's value
    prepared: dict = field(default_factory=dict, compare=False, repr=False)
    # the finding graph of `compiled` and `scope` by their key (`FindingGraph`), worked out when the
    # ruleset compiles and stored in the cache with it: ~6 ms of a process's first assessment
    graphs: dict = field(default_factory=dict, compare=False, repr=False)

    def versions(self) -> dict[str, str]:
        return {"ruleset": self.version, **self.packs}

    # Values that depend on the ruleset alone are worked out once per ruleset, not per assessment:
    # load_ruleset fills them in before the ruleset is cached, so a cache hit carries them too.
    # The methods hand out copies, so a caller changing one cannot change the ruleset's.

    @cached_property
    def _rules_by_id(self) -> dict[str, ir.RuleIR]:
        rules = list(self.scope.rules) if self.scope else []
        return {r.id: r for r in rules + list(self.compiled.rules)}

    @cached_property
    def _frameworks(self) -> tuple[str, ...]:
        return tuple(sorted({t.framework for m in self.meta.values() for t in m.thresholds.values()}))

    def rules_by_id(self) -> dict[str, ir.RuleIR]:
        """Every engine rule, of the scope ruleset and the main one."""
        return dict(self._rules_by_id)

    def inactive_json(self) -> list[dict]:
        """The rules this profile does not apply, each with its title and the reason."""
        return [{"rule": rid, "title": title.model_dump(), "reason": reason.model_dump()}
                for rid, (title, reason) in sorted(self.inactive.items())]

    def frameworks(self) -> list[str]:
        """Frameworks the active rules measure against."""
        return list(self._frameworks)

    def status_of(self, engine_rule: str) -> tuple[RuleMeta, str]:
        """The DSL rule and verdict an engine rule id stands for."""
        source = engine_rule.split("#", 1)[0]
        meta = self.meta[source]
        return meta, meta.engine_rules[engine_rule]


def rule_files(pack_dir: Path) -> list[Path]:
    """Rule files of a pack folder, sorted (not pack.yaml, not *_test.yaml)."""
    return sorted(p for p in pack_dir.glob("*.yaml") if p.name != "pack.yaml" and not p.stem.endswith("_test"))


def _rel(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(REPO_ROOT))
    except ValueError:
        return str(path)


def _load_model(path: Path, model, problems: list[Problem]):
    try:
        doc = load_document(path)
    except Exception as exc:  # InputError: malformed YAML
        problems.extend(getattr(exc, "problems", []) or [Problem(str(exc), file=_rel(path))])
        return None, None
    doc.file = _rel(path)
    try:
        if isinstance(model, TypeAdapter):
            return model.validate_python(doc.data), doc
        return model.model_validate(doc.data), doc
    except ValidationError as exc:
        problems.extend(validation_problems(exc, doc, model if not isinstance(model, TypeAdapter) else object))
        return None, doc


def load_ruleset(root: Path = DEFAULT_RULES, knowledge=None, profile: str = DEFAULT_PROFILE) -> Ruleset:
    """Compile the rules tree at `root` under benchmark `profile`.

    Args:
        root: folder holding ruleset.yaml.
        knowledge: a loaded Knowledge; default: the tree's own `knowledge/` snapshot if it has
            one, else the repository's knowledge/.
        profile: the benchmark profile (knowledge/benchmarks.yaml `profiles`).

    Raises:
        RulePackError: listing every problem found, each with file and line.
        RulesetNotFound: no such profile.
        KnowledgeError: the knowledge does not load.
    """
    from ..evaluators.durable_limits import check_limits
    from ..knowledge import load_knowledge
    from .compiler import RuleCompileError, RuleInactive, compile_rule
    from .dsl import ComplianceRule, MeasureRule, ProblemRule      # the rule files: only when compiling
    from .finding_graph import FindingGraph
    root = Path(root)
    if knowledge is None:
        snapshot = root / "knowledge"
        knowledge = load_knowledge(snapshot if snapshot.is_dir() else None)
    if profile not in knowledge.profiles:
        raise RulesetNotFound(f"benchmark profile {profile!r} does not exist "
                              f"(profiles: {', '.join(knowledge.profiles)})")
    problems: list[Problem] = []
    manifest, _ = _load_model(root / "ruleset.yaml", RulesetManifest, problems)
    if manifest is None:
        raise RulePackError("ruleset.yaml does not load", problems)
    parsed: list[tuple] = []          # (rule, doc, pack name, pack version)
    packs: dict[str, str] = {}
    seen: dict[str, str] = {}
    for pack_name in manifest.packs:
        pack_dir = root / pack_name
        pack, _ = _load_model(pack_dir / "pack.yaml", PackManifest, problems)
        if pack is None:
            continue
        if pack.pack != pack_name:
            problems.append(Problem(f"pack.yaml names pack {pack.pack!r} but sits in {pack_name}/",
                                    file=_rel(pack_dir / "pack.yaml"), line=1))
        packs[pack_name] = pack.version
        for path in rule_files(pack_dir):
            rule, doc = _load_model(path, _rule_adapter(), problems)
            if rule is None or rule.disabled:
                continue
            where = lambda key, msg, doc=doc, rule=rule: problems.append(doc.problem(key, f"rule {rule.id}: {msg}"))
            if not path.stem.startswith(rule.id + "_") and path.stem != rule.id:
                where(("id",), f"file name must start with the rule id ({rule.id}_<slug>.yaml)")
            if not rule.id.startswith(pack.id_prefix + "-"):
                where(("id",), f"ids in pack {pack_name} start with {pack.id_prefix}-")
            if rule.id in seen:
                where(("id",), f"duplicate rule id (also in {seen[rule.id]})")
                continue
            seen[rule.id] = doc.file
            parsed.append((rule, doc, pack_name, pack.version))
    rules: list[ir.RuleIR] = []
    scope_rules: list[ir.RuleIR] = []
    metas: dict[str, RuleMeta] = {}
    inactive: dict[str, tuple[Text, Text]] = {}
    kinds = {rule.id: rule.kind for rule, *_ in parsed}
    subjects = {rule.id: rule.subject.fact for rule, *_ in parsed if isinstance(rule, ComplianceRule)}
    # measures last: they answer only the rules that are active under this profile
    for rule, doc, pack_name, pack_version in sorted(parsed, key=lambda p: isinstance(p[0], MeasureRule)):
        where = lambda key, msg, doc=doc, rule=rule: problems.append(doc.problem(key, f"rule {rule.id}: {msg}"))
        answers = None
        if isinstance(rule, MeasureRule):
            for target in rule.answers:
                if kinds.get(target) in (None, "measure"):
                    where(("answers",), f"answers {target!r}, which is not a problem or compliance rule of this "
                                        "ruleset")
            answers = tuple(a for a in rule.answers if a in metas)
            if not answers:
                inactive[rule.id] = (rule.title, Text(zh="它回应的规则在该基准配置下均不适用",
                                                      en="every rule it answers is inactive under this profile"))
                continue
        if isinstance(rule, ProblemRule) and rule.restates:
            _check_restates(rule, kinds, subjects, where)
        try:
            compiled, meta = compile_rule(rule, pack=pack_name, pack_version=pack_version, file=doc.file,
                                          knowledge=knowledge, profile=profile, answers=answers)
        except RuleCompileError as exc:
            where(exc.key, str(exc))
            continue
        except RuleInactive as exc:
            inactive[rule.id] = (rule.title, exc.reason)
            continue
        metas[rule.id] = meta
        answers_scope = isinstance(rule, MeasureRule) and all(metas[a].scope for a in answers)
        (scope_rules if meta.scope or answers_scope else rules).extend(compiled)
    for rid, meta in metas.items():   # a restated rule inactive under this profile folds nothing
        if meta.restates and any(r not in metas for r in meta.restates):
            metas[rid] = replace(meta, restates=tuple(r for r in meta.restates if r in metas))
    _check_legal(metas, knowledge, {rule.id: doc for rule, doc, *_ in parsed}, problems)
    exemptions = _exemptions(root, knowledge, metas, problems)
    graphs = []
    if not problems:
        for part in (rules, scope_rules):
            graph = FindingGraph.build(part)
            graphs.append(graph)
            for cycle, msg in zip(graph.cycles, graph.cycle_problems()):
                first = next(r.source for r in part if r.id == cycle[0])
                problems.append(Problem(msg, file=metas[first].file if first in metas else _rel(root / "ruleset.yaml")))
            for msg in check_limits(ir.CompiledRuleset(key="scratch", rules=part), cycles=False):
                cited = next((m for rid, m in metas.items() if re.search(rf"\b{re.escape(rid)}\b", msg)), None)
                problems.append(Problem(f"durable-rules limit: {msg}",
                                        file=cited.file if cited else _rel(root / "ruleset.yaml")))
    if problems:
        raise RulePackError(f"rules tree {_rel(root)} does not compile ({len(problems)} problem(s))", problems)
    digest = _digest(manifest, packs, scope_rules + rules, metas, knowledge, exemptions, profile)
    key = f"{manifest.ruleset}@{manifest.version}~{profile}#{digest[:12]}"
    ruleset = Ruleset(name=manifest.ruleset, version=manifest.version, packs=packs,
                      compiled=ir.CompiledRuleset(key=key, rules=rules), meta=metas,
                      knowledge=knowledge, digest=digest, root=root, exemptions=exemptions, profile=profile,
                      inactive=inactive,
                      scope=ir.CompiledRuleset(key=key + ".scope", rules=scope_rules) if scope_rules else None,
                      files={rule.id: (pack_name, doc.file) for rule, doc, pack_name, _ in parsed})
    ruleset._rules_by_id, ruleset._frameworks        # noqa: B018 - worked out once, cached with the ruleset
    for compiled, graph in zip((ruleset.compiled, ruleset.scope), graphs):   # built for the checks above
        if compiled is not None:
            ruleset.graphs[compiled.key] = graph
            FindingGraph.remember(compiled, graph)
    _vouch(ruleset)       # the rule objects check_limits passed above, unchanged
    return ruleset


def _check_legal(metas: dict[str, RuleMeta], knowledge, docs: dict, problems: list[Problem]) -> None:
    """A rule marked `legal_obligation` is answered by a measure whose knowledge entry names the law
    (`legal_basis`): the conclusion calls its unmet verdicts legal obligations on that ground."""
    for rid, meta in metas.items():
        if meta.legal_obligation and not any(
                m.kind == "measure" and rid in m.answers
                and getattr(knowledge.measures.get(m.measure or ""), "legal_basis", None) for m in metas.values()):
            problems.append(docs[rid].problem(("legal_obligation",), f"rule {rid}: no measure with a legal_basis "
                                                                    "(knowledge/measures.yaml) answers it"))


def _vouch(ruleset: Ruleset) -> None:
    """Tell the durable adapter this ruleset's compiled rulesets passed `check_limits` (see
    `engine.evaluators.durable_limits`), so it does not check them again on registration."""
    from ..evaluators.durable_limits import vouch
    for part in (ruleset.compiled, ruleset.scope):
        if part is not None:
            vouch(part)


def _check_restates(rule: ProblemRule, kinds: dict[str, str], subjects: dict[str, str], where) -> None:
    """`restates:` names compliance rules of the tree whose subject kind the problem binds."""
    patterns = [rule.when] if rule.when is not None else list(rule.all or [])
    bound = {p.fact for p in patterns}
    for i, target in enumerate(rule.restates):
        kind = kinds.get(target)
        if kind is None:
            where(("restates", i), f"restates {target!r}, which is not a rule of this ruleset")
        elif kind != "compliance":
            where(("restates", i), f"restates {target!r}, a {kind} rule; only a compliance verdict can be restated")
        elif subjects[target] not in bound:
            where(("restates", i), f"restates {target!r}, whose subject is a {subjects[target]} fact, but this "
                                   f"problem binds no {subjects[target]} fact, so the two never share a subject")


def _exemptions(root: Path, knowledge, metas: dict[str, RuleMeta], problems: list[Problem]) -> dict:
    """rules/exemptions.yaml: normative clauses no rule checks, each with its reason."""
    from .clauses import is_within
    from .dsl import ExemptionsFile
    path = root / "exemptions.yaml"
    if not path.exists():
        return {}
    data, doc = _load_model(path, ExemptionsFile, problems)
    if data is None:
        return {}
    out = {}
    for i, ex in enumerate(data.exemptions):
        clause = knowledge.clauses.get(ex.clause)
        where = lambda msg: problems.append(doc.problem(("exemptions", i, "clause"), msg))
        if clause is None:
            where(f"clause {ex.clause!r} does not exist in the guide's catalogue")
        elif not clause.normative:
            where(f"clause {ex.clause} is not normative: it needs no exemption")
        elif ex.clause in out:
            where(f"clause {ex.clause} is exempted twice")
        else:
            citing = sorted(m.id for m in metas.values() if any(is_within(c, ex.clause) for c in m.clauses))
            if citing:
                where(f"clause {ex.clause} is checked by {', '.join(citing)}: drop the exemption")
            out[ex.clause] = ex.reason
    return out


def _digest(manifest, packs, rules, metas, knowledge, exemptions, profile) -> str:
    h = hashlib.sha256()
    h.update(json.dumps({"ruleset": manifest.model_dump(), "packs": packs, "profile": profile},
                        sort_keys=True).encode())
    for r in rules:
        h.update(r.model_dump_json().encode())
    for rid in sorted(metas):
        m = metas[rid]
        said = [m.id, m.version, m.severity, m.clauses, m.title.model_dump(),
                {k: v.model_dump() for k, v in m.explain.items()}, list(m.restates)]
        if m.explain_cases:
            said.append([[st, c.model_dump(), t.model_dump()] for st, c, t in m.explain_cases])
        if m.shows:
            said.append({"shows": list(m.shows)})
        if m.legal_obligation:
            said.append({"legal_obligation": True})
        h.update(json.dumps(said, sort_keys=True, ensure_ascii=False).encode())
    h.update(json.dumps({c: t.model_dump() for c, t in sorted(exemptions.items())}, ensure_ascii=False).encode())
    h.update(knowledge.digest.encode())
    return h.hexdigest()


def _semver(v: str) -> tuple[int, ...]:
    return tuple(int(x) for x in v.split("."))


class RulesetRegistry:
    """Every available ruleset version; compiles a version on first use, then keeps it.

    Example:
        >>> registry = RulesetRegistry()                      # doctest: +SKIP
        >>> registry.get().version, registry.versions()       # doctest: +SKIP
        ('1.0.0', ['1.0.0'])
    """

    def __init__(self, roots: list[Path] | None = None, *, knowledge=None, cache_dir: Path | None = None,
                 prepare: Callable[[list[ir.CompiledRuleset | None], dict], None] | None = None):
        if roots is None:
            roots = [DEFAULT_RULES] + sorted(p for p in (DEFAULT_RULES / "releases").glob("*") if p.is_dir())
        self._knowledge = knowledge
        self._cache_dir = cache_dir
        self._prepare = prepare        # e.g. DurableEvaluator.prepare: its work is cached with the ruleset
        self._roots: dict[str, Path] = {}
        for root in roots:
            problems: list[Problem] = []
            manifest, _ = _load_model(Path(root) / "ruleset.yaml", RulesetManifest, problems)
            if manifest is None:
                raise RulePackError(f"{root}: ruleset.yaml does not load", problems)
            if manifest.version in self._roots:
                raise RulePackError(f"ruleset version {manifest.version} appears twice: "
                                    f"{self._roots[manifest.version]} and {root}")
            self._roots[manifest.version] = Path(root)
        self._loaded: dict[tuple[str, str | None], Ruleset] = {}
        self._lock = threading.Lock()

    def _compile(self, root: Path, knowledge, profile: str) -> Ruleset:
        """Compile `root` under `profile`, or take it from the cache when one is configured and valid
        (`engine.rules.cache`: the entry of this tree, knowledge, profile and engine, whose sources
        are unchanged). A hit is what compiling gives, so it passed the engine limits
        (`check_limits`) when it compiled: they are not checked again here, and the durable
        adapter is told so (`durable_limits.vouch`) - of the objects returned, in this process."""
        if self._cache_dir is None or knowledge is not None:
            return self._prepared(load_ruleset(root, knowledge, profile))
        from ..knowledge.loader import DEFAULT_DIRECTORY
        from . import cache
        from .finding_graph import FindingGraph
        snapshot = root / "knowledge"
        ruleset = cache.cached(self._cache_dir, root, snapshot if snapshot.is_dir() else DEFAULT_DIRECTORY, profile,
                               lambda: self._prepared(load_ruleset(root, None, profile)),
                               lambda hit: isinstance(hit, Ruleset) and hit.root == root and hit.profile == profile,
                               self._completed if self._prepare is not None else None)
        _vouch(ruleset)       # compiled here, or a valid entry: what load_ruleset checked, from these sources
        for compiled in (ruleset.compiled, ruleset.scope):      # a hit: its finding graphs, as compiled
            if compiled is not None and compiled.key in ruleset.graphs:
                FindingGraph.remember(compiled, ruleset.graphs[compiled.key])
        return self._prepared(ruleset)     # a hit: hands the stored work to this process's evaluator

    def _prepared(self, ruleset: Ruleset) -> Ruleset:
        if self._prepare is not None:
            self._prepare([ruleset.compiled, ruleset.scope], ruleset.prepared)
        return ruleset

    def _completed(self, hit: Ruleset) -> bool:
        """Whether `prepare` added to an entry stored by a process that had no (or another) evaluator."""
        def snapshot() -> dict:
            return {name: {k: id(v) for k, v in forms.items()} if isinstance(forms, dict) else id(forms)
                    for name, forms in hit.prepared.items()}
        before = snapshot()
        self._prepared(hit)
        return snapshot() != before

    def versions(self) -> list[str]:
        """Available versions, newest first."""
        return sorted(self._roots, key=_semver, reverse=True)

    def get(self, version: str | None = None, profile: str | None = None) -> Ruleset:
        """The compiled ruleset `version` (default: newest) under benchmark `profile`.

        Args:
            version: ruleset version; None for the newest.
            profile: benchmark profile (see `engine.rules.profiles`); None for the default.

        Raises:
            RulesetNotFound: no such version or profile.
            RulePackError: that version does not compile.
        """
        version = version or self.versions()[0]
        profile = profile or DEFAULT_PROFILE
        if version not in self._roots:
            raise RulesetNotFound(f"ruleset version {version!r} is not available "
                                  f"(available: {', '.join(self.versions())})")
        with self._lock:
            if (version, profile) not in self._loaded:
                root = self._roots[version]
                own_snapshot = (root / "knowledge").is_dir()
                self._loaded[(version, profile)] = self._compile(
                    root, None if own_snapshot else self._knowledge, profile)
            return self._loaded[(version, profile)]
