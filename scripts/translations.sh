#!/usr/bin/env bash
# Extract the Vietnamese source strings, merge them into each catalogue, compile the .mo files.
# Vietnamese is the source language (msgids); app/translations/en holds the English text.
set -euo pipefail
cd "$(dirname "$0")/.."
pybabel extract -F babel.cfg -k _l -o app/translations/messages.pot --no-location --sort-output \
  --project LopHoc --copyright-holder "LopHoc" .
if [ ! -f app/translations/en/LC_MESSAGES/messages.po ]; then
  pybabel init -i app/translations/messages.pot -d app/translations -l en
else
  pybabel update -i app/translations/messages.pot -d app/translations -l en --no-fuzzy-matching
fi
pybabel compile -d app/translations -l en --statistics
