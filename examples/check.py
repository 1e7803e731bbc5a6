#!/usr/bin/env python3
"""Checks the demo data in examples/ (Python 3, standard library only).

Run from anywhere:  python3 examples/check.py

Tokenizer (same rule as attribution/src/tokenize.rs): Unicode NFC, lowercase,
maximal runs of letters/digits (regex [^\\W_]+, so "_" separates tokens).
The demo texts are plain ASCII, so Python and Rust agree on every token.

Checks:
  * 14 + 14 datanet files, UTF-8, 80-200 words each; no two corpus files
    (datanet files, extra/late-note.txt, extra/spam.txt) share an 8-token run;
  * contributors.json: alice 9 field-guide, bob 9 repair-notes, carol 5 + 5,
    every datanet file assigned exactly once, carolDuplicate is alice's file;
  * outputs/*.jsonl: 20 + 10 unique lines of {"output", "amount"}, amounts are
    decimals in [1, 10];
  * for every output, the files it shares an 8-token run with are exactly the
    files the README table lists (and the greedy span rule of the attribution
    engine credits exactly those files); each listed file is reused with a run
    of at least 12 tokens; "nothing" outputs share no run with any file;
  * no output shares a run with spam.txt, no epoch-1 output with late-note.txt;
    epoch 2 credits alice, bob and carol and reuses late-note.txt.
"""

import json
import re
import sys
import unicodedata
from decimal import Decimal, InvalidOperation
from pathlib import Path

ROOT = Path(__file__).resolve().parent
MIN_SPAN = 8        # engine's default min_span
MIN_REUSE = 12      # a reused passage is at least this many tokens
TOKEN_RE = re.compile(r"[^\W_]+", re.UNICODE)
LATE = "extra/late-note.txt"
SPAM = "extra/spam.txt"

failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL:", msg)


def tokenize(text):
    return TOKEN_RE.findall(unicodedata.normalize("NFC", text).lower())


def grams(tokens, n=MIN_SPAN):
    return {tuple(tokens[i:i + n]) for i in range(len(tokens) - n + 1)}


def longest_common_run(a, b):
    """Length of the longest common contiguous token run of a and b."""
    best = 0
    prev = [0] * (len(b) + 1)
    for x in a:
        cur = [0] * (len(b) + 1)
        for j, y in enumerate(b, 1):
            if x == y:
                cur[j] = prev[j - 1] + 1
                if cur[j] > best:
                    best = cur[j]
        prev = cur
    return best


def greedy_spans(out_tokens, corpus):
    """The engine's span rule: at output token i take the longest L such that
    out[i:i+L] occurs inside one corpus file; if L >= MIN_SPAN credit all L
    tokens to the earliest file containing it and jump to i+L, else i+1.
    corpus: list of (name, tokens) in registration order."""
    credit = {}
    i = 0
    n = len(out_tokens)
    while i < n:
        best_len, best_file = 0, None
        for name, toks in corpus:
            for j in range(len(toks)):
                k = 0
                while i + k < n and j + k < len(toks) and out_tokens[i + k] == toks[j + k]:
                    k += 1
                if k > best_len:  # strict: ties keep the earlier file
                    best_len, best_file = k, name
        if best_len >= MIN_SPAN:
            credit[best_file] = credit.get(best_file, 0) + best_len
            i += best_len
        else:
            i += 1
    return credit


def word_count(text):
    return len(text.split())


def main():
    # ---- corpus files --------------------------------------------------
    files = {}
    for ds in ("field-guide", "repair-notes"):
        paths = sorted((ROOT / "datanets" / ds).glob("*"))
        if len(paths) != 14:
            fail(f"datanets/{ds}: {len(paths)} files, expected 14")
        for p in paths:
            rel = p.relative_to(ROOT).as_posix()
            if p.suffix != ".txt":
                fail(f"{rel}: not a .txt file")
            files[rel] = p.read_bytes().decode("utf-8")
    datanet_files = list(files)
    for rel in (LATE, SPAM):
        files[rel] = (ROOT / rel).read_bytes().decode("utf-8")

    for rel, text in files.items():
        wc = word_count(text)
        if rel != SPAM and not 80 <= wc <= 200:
            fail(f"{rel}: {wc} words, expected 80-200")
        if not text.isascii():
            fail(f"{rel}: contains non-ASCII characters")
    tokens = {rel: tokenize(t) for rel, t in files.items()}
    gramsets = {rel: grams(t) for rel, t in tokens.items()}

    names = list(files)
    overlaps = 0
    for a in range(len(names)):
        for b in range(a + 1, len(names)):
            shared = gramsets[names[a]] & gramsets[names[b]]
            if shared:
                overlaps += 1
                fail(f"{names[a]} and {names[b]} share an 8-token run: {' '.join(sorted(shared)[0])}")
    longest = max(((longest_common_run(tokens[a], tokens[b]), a, b)
                   for i, a in enumerate(names) for b in names[i + 1:]))
    print(f"corpus: {len(datanet_files)} datanet files + late note + spam; "
          f"{len(names) * (len(names) - 1) // 2} pairs, {overlaps} sharing an 8-token run "
          f"(longest shared run: {longest[0]} tokens, {longest[1]} / {longest[2]})")

    # ---- contributors ----------------------------------------------------
    contrib = json.loads((ROOT / "contributors.json").read_text("utf-8"))
    owner = {}
    for who in ("alice", "bob", "carol"):
        for rel in contrib.get(who, []):
            if rel in owner:
                fail(f"contributors.json: {rel} assigned twice")
            if rel not in datanet_files:
                fail(f"contributors.json: {rel} is not a datanet file")
            owner[rel] = who
    if set(owner) != set(datanet_files):
        fail(f"contributors.json: unassigned files {sorted(set(datanet_files) - set(owner))}")

    def count(who, ds):
        return sum(1 for r in contrib.get(who, []) if r.startswith(f"datanets/{ds}/"))

    expected_counts = {("alice", "field-guide"): 9, ("alice", "repair-notes"): 0,
                       ("bob", "field-guide"): 0, ("bob", "repair-notes"): 9,
                       ("carol", "field-guide"): 5, ("carol", "repair-notes"): 5}
    for (who, ds), n in expected_counts.items():
        if count(who, ds) != n:
            fail(f"contributors.json: {who} has {count(who, ds)} {ds} files, expected {n}")
    dup = contrib.get("carolDuplicate")
    if dup not in contrib.get("alice", []) or not dup.startswith("datanets/field-guide/"):
        fail(f"contributors.json: carolDuplicate {dup!r} is not one of alice's field-guide files")
    owner[LATE] = "carol"
    print(f"contributors: alice {len(contrib['alice'])}, bob {len(contrib['bob'])}, "
          f"carol {len(contrib['carol'])} (+ late note, spam); carolDuplicate = {dup}")

    # ---- README expectations -----------------------------------------------
    readme = (ROOT / "README.md").read_text("utf-8")
    expected = {}
    row_re = re.compile(r"^\|\s*(epoch\d+)\s*\|\s*(\d+)\s*\|\s*([^|]*?)\s*\|\s*([^|]*?)\s*\|\s*([^|]*?)\s*\|\s*$")
    for line in readme.splitlines():
        m = row_re.match(line)
        if not m:
            continue
        epoch, idx, amount, reuses, credited = m.groups()
        srcs = set(re.findall(r"`([^`]+)`", reuses))
        if not srcs and not reuses.strip().lower().startswith("nothing"):
            fail(f"README {epoch} #{idx}: cannot parse sources {reuses!r}")
        who = set() if credited.strip() in ("-", "none", "") else {w.strip() for w in credited.split(",")}
        expected[(epoch, int(idx))] = (amount, srcs, who)

    # ---- outputs -------------------------------------------------------------
    all_lines = set()
    credited_by_epoch = {}
    for epoch, n_total, n_reuse in (("epoch1", 20, 16), ("epoch2", 10, 8)):
        lines = (ROOT / "outputs" / f"{epoch}.jsonl").read_text("utf-8").splitlines()
        if len(lines) != n_total:
            fail(f"{epoch}: {len(lines)} lines, expected {n_total}")
        # epoch-1 corpus: the accepted datanet files; epoch 2 adds the late note.
        corpus = [(r, tokens[r]) for r in datanet_files]
        if epoch == "epoch2":
            corpus.append((LATE, tokens[LATE]))
        reusing = 0
        credited_by_epoch[epoch] = set()
        print(f"\n{epoch}:")
        for idx, line in enumerate(lines, 1):
            tag = f"{epoch} #{idx}"
            if line in all_lines:
                fail(f"{tag}: duplicate line")
            all_lines.add(line)
            obj = json.loads(line)
            if set(obj) != {"output", "amount"} or not isinstance(obj["amount"], str):
                fail(f"{tag}: expected keys output, amount (string)")
                continue
            try:
                amt = Decimal(obj["amount"])
                if not re.fullmatch(r"\d+(\.\d+)?", obj["amount"]) or not 1 <= amt <= 10:
                    raise InvalidOperation
            except InvalidOperation:
                fail(f"{tag}: bad amount {obj['amount']!r}")
            out = tokenize(obj["output"])
            og = grams(out)
            shared = {r for r in names if og & gramsets[r]}
            if SPAM in shared:
                fail(f"{tag}: reuses spam.txt")
            if epoch == "epoch1" and LATE in shared:
                fail(f"{tag}: reuses the late note before it is accepted")
            if (epoch, idx) not in expected:
                fail(f"{tag}: missing from the README table")
                continue
            r_amount, r_srcs, r_who = expected[(epoch, idx)]
            if r_amount != obj["amount"]:
                fail(f"{tag}: README amount {r_amount} != {obj['amount']}")
            if shared != r_srcs:
                fail(f"{tag}: shares 8-token runs with {sorted(shared)}, README says {sorted(r_srcs)}")
            spans = greedy_spans(out, corpus)
            if set(spans) != r_srcs:
                fail(f"{tag}: greedy spans credit {sorted(spans)}, README says {sorted(r_srcs)}")
            runs = {r: longest_common_run(out, tokens[r]) for r in r_srcs}
            for r, L in runs.items():
                if L < MIN_REUSE:
                    fail(f"{tag}: longest run with {r} is {L} tokens (< {MIN_REUSE})")
            who = {owner[r] for r in spans}
            if who != r_who:
                fail(f"{tag}: credits {sorted(who)}, README says {sorted(r_who)}")
            credited_by_epoch[epoch] |= who
            if r_srcs:
                reusing += 1
                detail = ", ".join(f"{r} ({spans.get(r, 0)} tok, run {runs[r]})" for r in sorted(r_srcs))
            else:
                closest = max(names, key=lambda r: longest_common_run(out, tokens[r]))
                detail = (f"nothing (longest common run with any file: "
                          f"{longest_common_run(out, tokens[closest])} tokens, {closest})")
            print(f"  #{idx:2} amount {obj['amount']:>5}  {len(out):3} tokens -> {detail}")
        if reusing != n_reuse:
            fail(f"{epoch}: {reusing} reusing outputs, expected {n_reuse}")
        print(f"  {reusing} reusing, {len(lines) - reusing} reusing nothing; "
              f"credited: {', '.join(sorted(credited_by_epoch[epoch]))}")

    if credited_by_epoch.get("epoch2") != {"alice", "bob", "carol"}:
        fail("epoch2 does not credit each of alice, bob and carol")
    if not any(LATE in s for (e, _), (_, s, _) in expected.items() if e == "epoch2"):
        fail("epoch2: no output reuses the late note")
    extra_rows = set(expected) - {(e, i) for e, n in (("epoch1", 20), ("epoch2", 10)) for i in range(1, n + 1)}
    if extra_rows:
        fail(f"README lists unknown outputs {sorted(extra_rows)}")

    print()
    if failures:
        print(f"{len(failures)} check(s) FAILED")
        return 1
    print("all checks passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
