#!/usr/bin/env bash
# Create (or refresh) the virtual env of one peer benchmark, from bench/requirements-NAME.txt, outside the library's
# env (peers pin packages that would downgrade the library stack). Idempotent.
#
#   bash bench/setup_env.sh peers      # statsforecast + neuralforecast, for bench/load_forecast_peers.py
#   bash bench/setup_env.sh chemprop   # Chemprop, for bench/drug_likeness_chemprop.py
#   bash bench/setup_env.sh recbole    # RecBole's GRU4Rec and SASRec, for bench/session_rec_recbole.py
#   "$HOME/.cache/gru_hybrids/NAME-venv/bin/python" bench/...   (or set VENV to choose the folder)
#
# In the requirements file, lines "#nodeps PKG==VER" are installed afterwards with --no-deps (their metadata pins
# would downgrade pandas; their real runtime deps are listed normally), and lines "#check PYTHON" are run in the new
# env as a smoke test.
set -euo pipefail

NAME="${1:?usage: bash bench/setup_env.sh NAME   (reads bench/requirements-NAME.txt)}"
REQ="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/requirements-$NAME.txt"
[ -f "$REQ" ] || { echo "no $REQ" >&2; exit 2; }
VENV="${VENV:-$HOME/.cache/gru_hybrids/$NAME-venv}"

if [ ! -x "$VENV/bin/python" ]; then
  echo "creating $VENV"
  mkdir -p "$(dirname "$VENV")"
  "${PYTHON:-python3}" -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install -r "$REQ"

mapfile -t NODEPS < <(sed -n 's/^#nodeps[[:space:]]\{1,\}//p' "$REQ")
if [ "${#NODEPS[@]}" -gt 0 ]; then "$VENV/bin/python" -m pip install --no-deps "${NODEPS[@]}"; fi

sed -n 's/^#check[[:space:]]\{1,\}//p' "$REQ" | while IFS= read -r check; do "$VENV/bin/python" -c "$check"; done
echo "$NAME env ok: $VENV"
