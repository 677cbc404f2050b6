#!/usr/bin/env bash
# Create (or refresh) the virtual env that runs the peer model Chemprop for
# bench/drug_likeness_chemprop.py. Idempotent: re-running only installs what is
# missing or at another version.
#
#   bash bench/setup_chemprop_env.sh
#   "${CHEMPROP_VENV:-$HOME/.cache/gru_hybrids/chemprop-venv}/bin/python" bench/drug_likeness_chemprop.py
#
# The env is separate from the library's so chemprop's pins (rdkit, lightning, ...)
# never touch the library stack.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REQ="$HERE/requirements-chemprop.txt"
CHEMPROP_VENV="${CHEMPROP_VENV:-$HOME/.cache/gru_hybrids/chemprop-venv}"
PYTHON="${PYTHON:-python3}"

if [ ! -x "$CHEMPROP_VENV/bin/python" ]; then
  echo "creating $CHEMPROP_VENV"
  mkdir -p "$(dirname "$CHEMPROP_VENV")"
  "$PYTHON" -m venv "$CHEMPROP_VENV"
fi

"$CHEMPROP_VENV/bin/python" -m pip install -r "$REQ"

# smoke check: imports work and the CLI entry point is there
"$CHEMPROP_VENV/bin/python" - <<'PY'
import chemprop, rdkit, torch, lightning, sklearn  # noqa: F401
print("chemprop env ok: chemprop", chemprop.__version__, "| rdkit", rdkit.__version__,
      "| torch", torch.__version__, "| lightning", lightning.__version__)
PY
"$CHEMPROP_VENV/bin/chemprop" --help >/dev/null
echo "CHEMPROP_VENV=$CHEMPROP_VENV"
