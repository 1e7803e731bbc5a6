#!/usr/bin/env bash
# Mutation testing of contracts/*.sol with slither-mutate (see scripts/mutation/campaign.py).
#
#   scripts/mutation/run.sh [--label NAME] [--rev REV] [--targets FILE] [--contracts A,B]
#                           [--mutators LIST] [--all-nodes | --non-guards] [--all-variants] [--timeout SECONDS]
#                           [--recheck LABEL] [--dry-run] [--append]
#
# --label     name of the run: results go to target/mutation/<label>/ (default: current)
# --rev       mutate the contracts and tests of a git revision instead of the working tree
# --targets   contract -> test glob table (default: scripts/mutation/targets.tsv)
# --contracts only these contracts (comma-separated names)
# --mutators  slither-mutate generators plus MR (modifier removal); default MR,MIA,ROR,LOR
# --all-nodes let node mutators touch every statement, not only guards (if/revert, require)
# --non-guards  node mutators touch every statement but the guards (complements a guard run)
# --all-variants  every MIA/ROR variant; default: only those that weaken a guard (MIA `false`,
#             ROR boundary twins < <=, > >=), see campaign.py
# --timeout   seconds per mutant (default: 3x the contract's test run + 30)
# --dry-run   count the mutants and stop
# --recheck L re-test only the mutants that survived in run L (same contract sources), e.g. after
#             adding tests; report.py L=a.jsonl,b.jsonl lets the later file override the earlier
# --append    add to the label's results instead of starting them anew (e.g. a second mutator pass)
#
# The campaign runs in a scratch copy (target/mutation/<label>/repo, node_modules symlinked) because
# slither-mutate edits the contract in place; the working tree is never touched. Each mutant is one
# `forge test --match-path <glob> --fail-fast` with FOUNDRY_PROFILE=mutation. Progress:
#   wc -l target/mutation/<label>/results.jsonl; cat target/mutation/<label>/plan.txt
# Report: target/mutation/<label>/summary.md (scripts/mutation/report.py).
# MUTATION_NODE_MODULES=<dir> uses another node_modules (same package-lock) than the project's own.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
LABEL=current REV="" TARGETS="$ROOT/scripts/mutation/targets.tsv" ONLY="" MUTATORS="MR,MIA,ROR,LOR"
GUARDS=--guards-only VARIANTS="" RECHECK=() TIMEOUT="" DRY="" APPEND=""
while [ $# -gt 0 ]; do
  case "$1" in
    --label) LABEL=$2; shift 2 ;;
    --rev) REV=$2; shift 2 ;;
    --targets) TARGETS=$(cd "$(dirname "$2")" && pwd)/$(basename "$2"); shift 2 ;;
    --contracts) ONLY=$2; shift 2 ;;
    --mutators) MUTATORS=$2; shift 2 ;;
    --all-nodes) GUARDS=""; shift ;;
    --non-guards) GUARDS=--non-guards; shift ;;
    --all-variants) VARIANTS=--all-variants; shift ;;
    --timeout) TIMEOUT=$2; shift 2 ;;
    --dry-run) DRY=--dry-run; shift ;;
    --append) APPEND=1; shift ;;
    --recheck) RECHECK=(--only-survivors "$ROOT/target/mutation/$2/results.jsonl"); shift 2 ;;
    -h | --help) sed -n '2,29p' "$0"; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done

"$ROOT/scripts/mutation/venv.sh"
PY="$ROOT/target/venv/bin/python"
NM=${MUTATION_NODE_MODULES:-$ROOT/node_modules}
[ -x "$NM/.bin/forge" ] || { echo "$NM has no forge: run cargo xtask setup" >&2; exit 1; }

WORK="$ROOT/target/mutation/$LABEL"
REPO="$WORK/repo"
rm -rf "$REPO"
mkdir -p "$REPO"
if [ -n "$REV" ]; then
  git -C "$ROOT" archive "$REV" foundry.toml contracts test scripts | tar -x -C "$REPO"
else
  cp -r "$ROOT/foundry.toml" "$ROOT/contracts" "$ROOT/test" "$ROOT/scripts" "$REPO/"
fi
ln -s "$NM" "$REPO/node_modules"
grep -q '^\[profile\.mutation\]' "$REPO/foundry.toml" || cat "$ROOT/scripts/mutation/profile.toml" >>"$REPO/foundry.toml"

# The native forge binary, not npm's wrapper: node_modules/.bin/forge (@foundry-rs/forge 1.7.1) exits 0
# even when tests fail. campaign.py reads forge's output anyway; the baseline check below needs the status.
NATIVE=$(ls "$NM"/@foundry-rs/forge-*/bin/forge 2>/dev/null | head -1 || true)
export PATH="${NATIVE:+$(dirname "$NATIVE"):}$NM/.bin:$PATH" FOUNDRY_PROFILE=mutation
cd "$REPO"
echo "building $( [ -n "$REV" ] && echo "revision $REV" || echo "the working tree") in $REPO"
nice -n 10 forge build >/dev/null

[ -n "$DRY$APPEND" ] || { : >"$WORK/results.jsonl"; : >"$WORK/plan.txt"; : >"$WORK/campaign.log"; }
[ -n "$DRY" ] || echo "$(date -u +%FT%TZ) mutators $MUTATORS ${GUARDS:-(all nodes)} ${VARIANTS:-(weakening variants)}" >>"$WORK/plan.txt"
started=$(date +%s)
grep -v '^#' "$TARGETS" | while IFS=$'\t' read -r contract glob; do
  [ -n "$contract" ] || continue
  if [ -n "$ONLY" ] && [[ ",$ONLY," != *",$contract,"* ]]; then continue; fi
  cmd="forge test --match-path '$glob'"
  if [ -n "$DRY" ]; then
    nice -n 10 "$PY" "$ROOT/scripts/mutation/campaign.py" --contract "$contract" --test-cmd "$cmd" \
      --mutators "$MUTATORS" $GUARDS $VARIANTS "${RECHECK[@]}" --timeout 1 --results /dev/null \
      --output-dir "$WORK/dry" --dry-run 2>&1 | grep '^planned'
    continue
  fi
  planned=$(nice -n 10 "$PY" "$ROOT/scripts/mutation/campaign.py" --contract "$contract" --test-cmd "$cmd" \
    --mutators "$MUTATORS" $GUARDS $VARIANTS "${RECHECK[@]}" --timeout 1 --results /dev/null --output-dir "$WORK/dry" \
    --dry-run 2>/dev/null | awk '/^planned/ {print $3}')
  if [ "${planned:-0}" = 0 ]; then
    echo "$contract: no mutants to test" | tee -a "$WORK/plan.txt"
    continue
  fi
  t0=$(date +%s)
  if ! nice -n 10 bash -c "$cmd" >"$WORK/baseline-$contract.log" 2>&1; then
    echo "$contract: its tests fail before any mutation (see $WORK/baseline-$contract.log)" >&2
    exit 1
  fi
  t1=$(date +%s)
  timeout=${TIMEOUT:-$((3 * (t1 - t0) + 30))}
  echo "$contract $planned mutants, tests $glob run in $((t1 - t0))s, timeout ${timeout}s" | tee -a "$WORK/plan.txt"
  nice -n 10 "$PY" "$ROOT/scripts/mutation/campaign.py" --contract "$contract" --test-cmd "$cmd" \
    --mutators "$MUTATORS" $GUARDS $VARIANTS "${RECHECK[@]}" --timeout "$timeout" --results "$WORK/results.jsonl" \
    --output-dir "$WORK/survivors" >>"$WORK/campaign.log" 2>&1
done
[ -n "$DRY" ] && exit 0
echo "campaign finished in $(( $(date +%s) - started ))s" | tee -a "$WORK/plan.txt"
"$PY" "$ROOT/scripts/mutation/report.py" "$LABEL=$WORK/results.jsonl" >"$WORK/summary.md"
echo "report: $WORK/summary.md"
