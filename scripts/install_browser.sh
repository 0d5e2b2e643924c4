#!/usr/bin/env bash
# Installs the browser the UI tests drive: Debian's own Chromium (never a build downloaded by a test tool).
# Idempotent and quick when already installed; `make test` calls it. Needs root (or sudo) the first time.
set -euo pipefail

PACKAGES=(chromium fonts-liberation)

missing=()
for package in "${PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$package")
    fi
done

if [ "${#missing[@]}" -eq 0 ] && [ -x /usr/bin/chromium ]; then
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO=(sudo)
    else
        echo "install_browser.sh: need root to install ${missing[*]} (the browser tests skip without it)" >&2
        exit 1
    fi
else
    SUDO=()
fi

echo "install_browser.sh: installing ${missing[*]} from Debian's packages"
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
/usr/bin/chromium --version
