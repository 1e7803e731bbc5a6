#!/usr/bin/env python3
"""Mutation campaign over one contract: slither-mutate's mutant generators and driver, with

- a guard focus (`--guards-only`): slither's node-level mutators (MIA, ROR, LOR, CR, RR, ...) only touch
  `if (...)` nodes whose true branch reverts and `require(...)` calls, so the campaign spends its time
  on the checks that protect funds and state;
- an extra generator, MR (modifier removal): one mutant per modifier use in a function header
  (`onlyOwner`, `onlyGuardian`, `whenNotPaused`, `nonReentrant`, ...), which slither-mutate lacks;
- one forge run per mutant instead of crytic-compile + forge (the test command compiles the mutant; a
  compile error is told apart from a failing test by forge's output), saving one solc-js compile per
  mutant;
- a JSON line per mutant (contract, mutator, line, original, replacement, outcome, seconds) appended to
  `--results`, which `report.py` turns into the report and which shows the progress of a running campaign.

Run it through `scripts/mutation/run.sh`, which prepares a scratch copy of the project: slither-mutate
edits the contract in place, so it must never run in a working tree someone is using.
"""

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

from slither.core.cfg.node import NodeType
from slither.slithir.operations import SolidityCall
from slither.tools.mutator import __main__ as mutate_main
from slither.tools.mutator.mutators import abstract_mutator, all_mutators
from slither.tools.mutator.mutators.abstract_mutator import AbstractMutator
from slither.tools.mutator.utils import file_handling
from slither.tools.mutator.utils.patch import create_patch_with_line

# ----------------------------------------------------------------------------------------------------
# Guards


def _is_revert_call(node) -> bool:
    return any(
        isinstance(ir, SolidityCall) and ir.function.name.startswith(("revert", "require"))
        for ir in node.irs
    )


def is_guard(node) -> bool:
    """An `if (cond) revert ...;` node, a `require(...)` call, or the revert itself."""
    if node.type == NodeType.IF:
        son = node.son_true
        return son is not None and son.type == NodeType.EXPRESSION and _is_revert_call(son)
    return node.type == NodeType.EXPRESSION and _is_revert_call(node)


_plain_should_mutate_node = AbstractMutator.should_mutate_node


def _guard_should_mutate_node(self, node) -> bool:
    return _plain_should_mutate_node(self, node) and is_guard(node)


def _non_guard_should_mutate_node(self, node) -> bool:
    return _plain_should_mutate_node(self, node) and not is_guard(node)


# ----------------------------------------------------------------------------------------------------
# Lean variants: of slither's mutants of a guard, keep those that weaken it. MIA's `true` (always
# revert) and `!(cond)` are killed by any happy-path test; ROR's far swaps (`>` to `==`, `<`, `!=`)
# mostly too. What can survive a suite is a guard that is gone (MIA `false`) or off by one (ROR's
# boundary twin: `<` and `<=`, `>` and `>=`).

_OPS = re.compile(r"(<=|>=|==|!=|<|>)")
_TWINS = {("<", "<="), ("<=", "<"), (">", ">="), (">=", ">")}


def _is_boundary_twin(original: str, replacement: str) -> bool:
    a = _OPS.split(" ".join(original.split()))
    b = _OPS.split(" ".join(replacement.split()))
    if len(a) != len(b):
        return False
    diffs = [(x, y) for x, y in zip(a, b) if x.strip() != y.strip()]
    return len(diffs) == 1 and diffs[0] in _TWINS


def _filter(mutator_class, keep) -> None:
    """Keeps the patches of `mutator_class` for which keep(name, line, original, replacement) holds."""
    plain = mutator_class._mutate

    def _mutate(self) -> dict:
        result = plain(self)
        source = self.contract.compilation_unit.core.source_code[self.in_file].encode("utf8")
        for patches in result.get("patches", {}).values():
            patches[:] = [
                p
                for p in patches
                if keep(
                    self.NAME,
                    p["line_number"],
                    source[p["start"] : p["end"]].decode("utf8", "replace"),
                    p["new_string"],
                )
            ]
        return result

    mutator_class._mutate = _mutate


def lean_variants() -> None:
    _filter(all_mutators.MIA, lambda _m, _l, _o, new: new.strip() == "false")
    _filter(all_mutators.ROR, lambda _m, _l, original, new: _is_boundary_twin(original, new))


def mutant_key(mutator: str, line: int, original: str, replacement: str) -> tuple:
    return (mutator, line, " ".join(original.split()), " ".join(replacement.split()))


def only_survivors_of(results: Path, contract: str) -> None:
    """Re-tests only the mutants that survived in an earlier campaign (same contract source)."""
    wanted = set()
    for line in results.read_text(encoding="utf8").splitlines():
        r = json.loads(line)
        if r["contract"] == contract and r["outcome"] == "survived":
            wanted.add(mutant_key(r["mutator"], r["line"], r["original"], r["replacement"]))
    for name in dir(all_mutators):
        cls = getattr(all_mutators, name)
        if isinstance(cls, type) and issubclass(cls, AbstractMutator):
            _filter(cls, lambda m, l, o, n: mutant_key(m, l, o, n) in wanted)


# ----------------------------------------------------------------------------------------------------
# MR: modifier removal


class MR(AbstractMutator):
    """Removes one modifier invocation from a function header."""

    NAME = "MR"
    HELP = "Modifier Removal (access control, pause, reentrancy guards)"

    def _mutate(self) -> dict:
        result: dict = {}
        source = self.contract.compilation_unit.core.source_code[self.in_file].encode("utf8")
        for function in self.contract.functions_declared:
            if not self.should_mutate_function(function) or not function.modifiers:
                continue
            start = function.source_mapping.start
            header_end = source.find(b"{", start, start + function.source_mapping.length)
            if header_end < 0:
                continue
            header = source[start:header_end].decode("utf8")
            line_no = function.source_mapping.lines[0]
            for modifier in {m.name for m in function.modifiers}:
                for match in re.finditer(rf"\b{re.escape(modifier)}\b(\s*\([^)]*\))?", header):
                    begin = start + len(header[: match.start()].encode("utf8"))
                    end = start + len(header[: match.end()].encode("utf8"))
                    create_patch_with_line(
                        result, self.in_file, begin, end, match.group(0), "", line_no
                    )
        return result


# ----------------------------------------------------------------------------------------------------
# One forge run per mutant


def _forge_outcome(cmd: str, timeout: int) -> tuple[str, float]:
    started = time.monotonic()
    try:
        done = subprocess.run(
            cmd + " --fail-fast", shell=True, capture_output=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        return "timeout", time.monotonic() - started
    seconds = time.monotonic() - started
    out = done.stdout.decode("utf8", "replace") + done.stderr.decode("utf8", "replace")
    if "Compiler run failed" in out or "Compilation failed" in out:
        return "compile_error", seconds
    # Judged by forge's output: with --fail-fast, forge 1.7 can exit 0 after a failing test.
    if "[FAIL" in out or "Suite result: FAILED" in out:
        return "killed", seconds
    if done.returncode == 0 and re.search(r"\d+ tests? passed, 0 failed", out):
        return "survived", seconds
    # Neither a test result nor a compile error: the toolchain itself failed (e.g. node_modules being
    # reinstalled). Counted apart, never as a kill.
    with open("forge-errors.log", "a", encoding="utf8") as log:
        log.write(f"--- {cmd} (exit {done.returncode})\n{out[-4000:]}\n")
    return "error", seconds


def make_test_patch(contract: str, results: Path, guards_only: bool):
    counter = {"n": 0}

    def test_patch(output_folder, file, patch, command, generator_name, timeout, _maps, verbose):
        with open(file, "rb") as f:
            content = f.read()
        mutated = content[: patch["start"]] + patch["new_string"].encode("utf8") + content[patch["end"] :]
        with open(file, "wb") as f:
            f.write(mutated)
        outcome, seconds = _forge_outcome(command, timeout)
        counter["n"] += 1
        original = content[patch["start"] : patch["end"]].decode("utf8", "replace")
        record = {
            "contract": contract,
            "mutator": generator_name,
            "line": patch["line_number"],
            "original": original,
            "replacement": patch["new_string"],
            "outcome": outcome,
            "seconds": round(seconds, 1),
            "guards_only": guards_only,
        }
        with results.open("a", encoding="utf8") as f:
            f.write(json.dumps(record) + "\n")
        flat = " ".join(original.split())[:70]
        print(
            f"[{contract} #{counter['n']}] {generator_name} line {patch['line_number']}: "
            f"{flat!r} -> {' '.join(patch['new_string'].split())[:70]!r}: {outcome} ({seconds:.1f}s)",
            flush=True,
        )
        if outcome == "survived":
            file_handling.create_mutant_file(output_folder, file, generator_name)
        file_handling.reset_file(file)
        return {"survived": 0, "killed": 1, "timeout": 1, "compile_error": 2, "error": 2}[outcome]

    return test_patch


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--contract", required=True, help="contract name; its file is contracts/<name>.sol")
    parser.add_argument("--test-cmd", required=True, help="fast forge test command for this contract")
    parser.add_argument("--mutators", required=True, help="comma-separated slither-mutate names, plus MR")
    parser.add_argument("--guards-only", action="store_true", help="node mutators touch guards only")
    parser.add_argument(
        "--non-guards", action="store_true", help="node mutators touch everything but guards"
    )
    parser.add_argument("--timeout", type=int, required=True, help="seconds per mutant")
    parser.add_argument("--results", type=Path, required=True, help="JSON lines file to append to")
    parser.add_argument("--output-dir", type=Path, required=True, help="surviving mutant sources")
    parser.add_argument("--dry-run", action="store_true", help="count the mutants, test nothing")
    parser.add_argument(
        "--only-survivors", type=Path, help="re-test only the survivors recorded in this results file"
    )
    parser.add_argument(
        "--all-variants", action="store_true", help="every MIA/ROR variant, not only weakening ones"
    )
    args = parser.parse_args()

    all_mutators.MR = MR
    if args.guards_only:
        AbstractMutator.should_mutate_node = _guard_should_mutate_node
    elif args.non_guards:
        AbstractMutator.should_mutate_node = _non_guard_should_mutate_node
    if not args.all_variants:
        lean_variants()
    if args.only_survivors:
        only_survivors_of(args.only_survivors, args.contract)
    if args.dry_run:
        planned = {"n": 0}

        def count_patch(*_args, **_kwargs):
            planned["n"] += 1
            return 1

        abstract_mutator.test_patch = count_patch
        args.test_cmd = "true"
    else:
        abstract_mutator.test_patch = make_test_patch(args.contract, args.results, args.guards_only)

    sys.argv = [
        "slither-mutate",
        f"contracts/{args.contract}.sol",
        "--test-cmd",
        args.test_cmd,
        "--mutators-to-run",
        args.mutators,
        "--timeout",
        str(args.timeout),
        "--output-dir",
        str(args.output_dir),
        "--compile-force-framework",
        "foundry",
        # Every mutant on every line: by default a line whose statement could be deleted unnoticed
        # is skipped by the later mutators, which would hide guard mutants from the report.
        "--comprehensive",
    ]
    os.environ.setdefault("FOUNDRY_PROFILE", "mutation")
    mutate_main.main()
    if args.dry_run:
        print(f"planned {args.contract} {planned['n']}", flush=True)


if __name__ == "__main__":
    main()
