#!/usr/bin/env bash
# Install what the browser test needs, from Debian's own packages: headless Chromium (+ its
# WebDriver, for anyone who prefers Selenium-style tooling) and poppler-utils (pdftoppm,
# pdftotext, pdfinfo) to turn the PDF editions into pages and text.
#
# Idempotent: installs only what is missing, and does nothing when all tools are present.
# Needs root (or sudo without a password) when something is missing; the Makefile / CI call
# it before the e2e tests. Usage: tests/browser/install_chromium.sh [--check]
set -euo pipefail

declare -A TOOL_PACKAGE=(
  [/usr/bin/chromium]=chromium
  [/usr/bin/chromedriver]=chromium-driver
  [/usr/bin/pdftoppm]=poppler-utils
  [/usr/bin/pdftotext]=poppler-utils
  [/usr/bin/pdfinfo]=poppler-utils
)

missing=()
for tool in "${!TOOL_PACKAGE[@]}"; do
  if [[ ! -x "$tool" ]]; then
    package="${TOOL_PACKAGE[$tool]}"
    [[ " ${missing[*]-} " == *" $package "* ]] || missing+=("$package")
  fi
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "browser test tools present: chromium, chromedriver, pdftoppm, pdftotext, pdfinfo"
  exit 0
fi
if [[ "${1-}" == "--check" ]]; then
  echo "missing Debian packages: ${missing[*]}" >&2
  exit 1
fi

if [[ $(id -u) -eq 0 ]]; then
  SUDO=()
elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then
  SUDO=(sudo -n)
else
  echo "missing Debian packages ${missing[*]}: run this script as root (or with sudo)" >&2
  exit 1
fi

echo "installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
