#!/usr/bin/env bash
# Create (or refresh) the virtual env that runs the peer forecasters for
# bench/load_forecast_peers.py. Idempotent: re-running only installs what is
# missing or at another version.
#
#   bash bench/setup_peers_env.sh
#   "${PEERS_VENV:-$HOME/.cache/gru_hybrids/peers-venv}/bin/python" bench/load_forecast_peers.py
#
# The env is separate from the library's because statsforecast (and fugue,
# which it imports) declare pandas<3 and would downgrade the library stack.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REQ="$HERE/requirements-peers.txt"
PEERS_VENV="${PEERS_VENV:-$HOME/.cache/gru_hybrids/peers-venv}"
PYTHON="${PYTHON:-python3}"

if [ ! -x "$PEERS_VENV/bin/python" ]; then
  echo "creating $PEERS_VENV"
  mkdir -p "$(dirname "$PEERS_VENV")"
  "$PYTHON" -m venv "$PEERS_VENV"
fi
PIP=("$PEERS_VENV/bin/python" -m pip)

# 1. everything that resolves together (pandas 3.x, torch, neuralforecast, ...)
"${PIP[@]}" install -r "$REQ"

# 2. packages whose metadata pins pandas<3: installed without their deps
#    (their real runtime deps are already in step 1).
mapfile -t NODEPS < <(sed -n 's/^#nodeps[[:space:]]\{1,\}//p' "$REQ")
if [ "${#NODEPS[@]}" -gt 0 ]; then
  "${PIP[@]}" install --no-deps "${NODEPS[@]}"
fi

# 3. smoke check: imports work and pandas was not downgraded
"$PEERS_VENV/bin/python" - <<'PY'
import pandas, statsforecast, neuralforecast, torch
from statsforecast.models import MSTL, AutoETS, SeasonalNaive  # noqa: F401
from neuralforecast.models import GRU  # noqa: F401
print("peers env ok: pandas", pandas.__version__, "| statsforecast", statsforecast.__version__,
      "| neuralforecast", neuralforecast.__version__, "| torch", torch.__version__)
PY
echo "PEERS_VENV=$PEERS_VENV"
