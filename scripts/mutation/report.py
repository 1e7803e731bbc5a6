#!/usr/bin/env python3
"""Markdown summary of mutation campaigns (results.jsonl files written by campaign.py).

    report.py [--dispositions FILE] LABEL=results.jsonl[,recheck.jsonl] [LABEL=...]

For each label: killed/survived per contract and per mutator, the time spent, and every surviving
mutant. With --dispositions (a TSV: contract, mutator, original, replacement, disposition; `*` matches
any mutator or replacement), each survivor of the last label gets its disposition, and those without
one are marked UNEXPLAINED (exit status 1).
"""

import argparse
import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

OUTCOMES = ["killed", "timeout", "survived", "compile_error", "error"]


def flat(text: str, width: int = 90) -> str:
    one = " ".join(text.split()).replace("|", "\\|")
    return one if len(one) <= width else one[: width - 1] + "…"


def load(paths: str) -> list[dict]:
    """Records of one or more results files; a later record of the same mutant (a re-check) wins."""
    rows: dict[tuple, dict] = {}
    for path in paths.split(","):
        for line in Path(path).read_text(encoding="utf8").splitlines():
            if line.strip():
                r = json.loads(line)
                key = (r["contract"], r["mutator"], r["line"], flat(r["original"], 10**6), flat(r["replacement"], 10**6))
                rows.pop(key, None)
                rows[key] = r
    return list(rows.values())


def load_dispositions(path: Path) -> list[tuple[str, str, str, str, str]]:
    out = []
    for line in path.read_text(encoding="utf8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 5:
            sys.exit(f"{path}: expected 5 tab-separated fields: {line!r}")
        out.append(tuple(p.strip() for p in parts))
    return out


def disposition_of(row: dict, dispositions) -> str | None:
    for contract, mutator, original, replacement, why in dispositions:
        if (
            contract == row["contract"]
            and mutator in ("*", row["mutator"])
            and flat(original, 10_000) == flat(row["original"], 10_000)
            and replacement in ("*", flat(row["replacement"], 10_000))
        ):
            return why
    return None


def score(c: Counter) -> str:
    tested = c["killed"] + c["timeout"] + c["survived"]
    return f"{100 * (c['killed'] + c['timeout']) / tested:.1f}%" if tested else "–"


def section(label: str, rows: list[dict], dispositions, out: list[str]) -> int:
    per_contract: dict[str, Counter] = defaultdict(Counter)
    per_mutator: dict[tuple[str, str], Counter] = defaultdict(Counter)
    for r in rows:
        per_contract[r["contract"]][r["outcome"]] += 1
        per_mutator[(r["contract"], r["mutator"])][r["outcome"]] += 1
    seconds = sum(r["seconds"] for r in rows)
    out.append(f"### {label}\n")
    out.append(
        f"{len(rows)} mutants, {seconds / 60:.0f} min of forge runs "
        f"({seconds / max(len(rows), 1):.1f} s per mutant).\n"
    )
    out.append("| contract | killed | survived | timeout | no compile | tool error | mutation score |")
    out.append("|---|---:|---:|---:|---:|---:|---:|")
    total: Counter = Counter()
    for contract, c in per_contract.items():
        total.update(c)
        out.append(
            f"| {contract} | {c['killed']} | {c['survived']} | {c['timeout']} | {c['compile_error']} "
            f"| {c['error']} | {score(c)} |"
        )
    out.append(
        f"| **total** | {total['killed']} | {total['survived']} | {total['timeout']} "
        f"| {total['compile_error']} | {total['error']} | {score(total)} |\n"
    )
    out.append("| contract | mutator | killed / tested |")
    out.append("|---|---|---:|")
    for (contract, mutator), c in per_mutator.items():
        tested = c["killed"] + c["timeout"] + c["survived"]
        out.append(f"| {contract} | {mutator} | {c['killed'] + c['timeout']} / {tested} |")
    out.append("")
    survivors = [r for r in rows if r["outcome"] == "survived"]
    unexplained = 0
    if survivors:
        out.append(f"Surviving mutants ({len(survivors)}):\n")
        head = "| contract | line | mutator | original | mutant |"
        rule = "|---|---:|---|---|---|"
        if dispositions is not None:
            head += " disposition |"
            rule += "---|"
        out.append(head)
        out.append(rule)
        for r in survivors:
            line = (
                f"| {r['contract']} | {r['line']} | {r['mutator']} | `{flat(r['original'])}` "
                f"| `{flat(r['replacement']) or '(removed)'}` |"
            )
            if dispositions is not None:
                why = disposition_of(r, dispositions)
                if why is None:
                    unexplained += 1
                    why = "**UNEXPLAINED**"
                line += f" {why} |"
            out.append(line)
        out.append("")
    return unexplained


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dispositions", type=Path)
    parser.add_argument("runs", nargs="+", help="LABEL=results.jsonl[,more.jsonl]")
    args = parser.parse_args()
    dispositions = load_dispositions(args.dispositions) if args.dispositions else None
    out: list[str] = []
    unexplained = 0
    for i, run in enumerate(args.runs):
        label, _, paths = run.partition("=")
        last = i == len(args.runs) - 1
        unexplained = section(label, load(paths), dispositions if last else None, out)
    print("\n".join(out))
    sys.exit(1 if unexplained else 0)


if __name__ == "__main__":
    main()
