#!/usr/bin/env bash
# Formats the Swift sources in place with the committed .swift-format, then
# lints them strictly. Usage: Scripts/format.sh [--check]   (--check: lint only)
set -euo pipefail
cd "$(dirname "$0")/.."
paths=(Package.swift Sources Tests)
[ -d Benchmarks ] && find Benchmarks -name '*.swift' | grep -q . && paths+=(Benchmarks)
if [ "${1:-}" != "--check" ]; then
  swift format format --in-place --recursive --parallel "${paths[@]}"
fi
swift format lint --strict --recursive --parallel Sources Package.swift
