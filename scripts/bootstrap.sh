#!/usr/bin/env bash
# Install everything chitieu needs into .venv/ (and Debian's Chromium for static chart export).
# Idempotent: a second run only checks. Used by scripts/run-all and scripts/test.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PYTHON:-python3}"

if [ ! -x .venv/bin/python ]; then
  echo "» Tạo môi trường ảo .venv/ (creating the virtual environment)"
  "$PY" -m venv .venv
fi
stamp=".venv/.chitieu-installed"
want="$(sha256sum pyproject.toml | cut -d' ' -f1)"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$want" ]; then
  echo "» Cài đặt gói Python (installing Python packages)"
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -e ".[test]"
  echo "$want" > "$stamp"
fi

# Static PNG/SVG export (kaleido 1.x) needs a Chromium; kaleido's own download cannot work offline.
if ! command -v chromium >/dev/null 2>&1 && [ -z "${BROWSER_PATH:-}" ]; then
  echo "» Cài Chromium cho xuất ảnh biểu đồ (installing Debian's chromium for chart export)"
  SUDO=""
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
      echo "!! Cần quyền root để cài chromium: chạy 'apt-get install chromium' rồi chạy lại." >&2; exit 1
    fi
  fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get install -y -q --no-install-recommends chromium >/dev/null 2>&1 \
    || { $SUDO apt-get update -q >/dev/null && $SUDO apt-get install -y -q --no-install-recommends chromium >/dev/null; }
fi

# OCR of scanned reports (chitieu extract): Debian's Tesseract with its Vietnamese model (no pip route).
if ! command -v tesseract >/dev/null 2>&1 || ! tesseract --list-langs 2>/dev/null | grep -qx vie; then
  echo "» Cài Tesseract OCR tiếng Việt cho bản quét (installing tesseract-ocr + tesseract-ocr-vie for chitieu extract)"
  SUDO=""
  if [ "$(id -u)" != 0 ]; then
    if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
      echo "!! Cần quyền root để cài tesseract-ocr tesseract-ocr-vie (OCR bản quét); các lệnh khác vẫn chạy." >&2
    fi
  fi
  if [ "$(id -u)" = 0 ] || [ -n "$SUDO" ]; then
    export DEBIAN_FRONTEND=noninteractive
    $SUDO apt-get install -y -q --no-install-recommends tesseract-ocr tesseract-ocr-vie >/dev/null 2>&1 \
      || { $SUDO apt-get update -q >/dev/null \
           && $SUDO apt-get install -y -q --no-install-recommends tesseract-ocr tesseract-ocr-vie >/dev/null; }
  fi
fi
