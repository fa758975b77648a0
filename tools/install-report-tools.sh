#!/usr/bin/env bash
# The machine tools `greenpark report` needs beyond Python, from Debian's packages: headless chromium
# (PDF, and the dossier's browser tests), the CJK font it embeds (fonts-noto-cjk) and pdffonts
# (poppler-utils, to check the PDF). Installs what is missing when run as root; otherwise says what
# is missing (PDF output then fails with a clear error, and so do the dossier tests under CI).
# Nothing is downloaded at run time: chromium runs with a fresh profile and no network.
set -uo pipefail

missing=()
command -v chromium >/dev/null 2>&1 || command -v chromium-browser >/dev/null 2>&1 || missing+=(chromium)
ls /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc >/dev/null 2>&1 \
  || fc-list 2>/dev/null | grep -q "Noto Sans CJK SC" || missing+=(fonts-noto-cjk)
command -v pdffonts >/dev/null 2>&1 || missing+=(poppler-utils)

if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "report tools missing (${missing[*]}) and this user cannot install them: as root, apt-get install -y ${missing[*]};" \
       "PDF reports and the dossier tests need them" >&2
  exit 0
fi
echo "installing Debian's ${missing[*]} for greenpark report" >&2
for attempt in 1 2 3; do
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" \
    >/dev/null && exit 0
  sleep 5
done
echo "could not install ${missing[*]}; PDF reports and the dossier tests need them" >&2
exit 0
