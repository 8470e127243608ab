#!/usr/bin/env bash
# Hangfire job storage benchmark: the SQLite storage against Hangfire's in-memory storage.
# Usage: bench/job-storage.sh [latencySamples] [throughputJobs] [workers]
set -euo pipefail
cd "$(dirname "$0")/JobStorageBench"
dotnet build -c Release -nologo -v quiet >/dev/null
dotnet bin/Release/net10.0/JobStorageBench.dll "$@"
