#!/usr/bin/env bash
# Download engine benchmark: the studio (API call to verified file) against `aria2c -x8 -s8` plus `sha256sum`
# and `curl` (one stream), files served by Debian's nginx on loopback: once uncapped, once with a per-connection
# `limit_rate` (a CDN-like cap). Prints throughput, the ratios and the app's peak memory.
# Usage: bench/download.sh [uncappedMiB=2048] [cappedMiB=2048] [capPerConnection=10m]
# Needs: nginx, aria2c, curl, python3 (as root it installs nginx and aria2 with apt-get when missing).
set -euo pipefail
UNCAPPED_MB=${1:-2048}
CAPPED_MB=${2:-2048}
CAP=${3:-10m}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/comfystudio-bench.XXXXXX)
chmod 755 "$work" # nginx's workers run as another user
app_pid=""
cleanup() {
  [ -n "$app_pid" ] && kill "$app_pid" 2>/dev/null || true
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

if ! command -v nginx >/dev/null || ! command -v aria2c >/dev/null; then
  if [ "$(id -u)" = 0 ]; then apt-get install -y -qq nginx aria2 >/dev/null || { apt-get update -qq && apt-get install -y -qq nginx aria2 >/dev/null; }
  else echo "bench: install nginx and aria2 first" >&2; exit 2; fi
fi
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

echo "Generating ${UNCAPPED_MB} MiB and ${CAPPED_MB} MiB files…" >&2
mkdir -p "$work/www" "$work/tmp" "$work/out"
head -c "${UNCAPPED_MB}M" /dev/urandom > "$work/www/big.bin"
head -c "${CAPPED_MB}M" /dev/urandom > "$work/www/capped.bin"
sha_big=$(sha256sum "$work/www/big.bin" | cut -d' ' -f1)
sha_capped=$(sha256sum "$work/www/capped.bin" | cut -d' ' -f1)

cat > "$work/nginx.conf" <<CONF
worker_processes 4;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  client_body_temp_path $work/tmp; proxy_temp_path $work/tmp; fastcgi_temp_path $work/tmp; uwsgi_temp_path $work/tmp; scgi_temp_path $work/tmp;
  server { listen 127.0.0.1:18081; root $work/www; }
  server { listen 127.0.0.1:18082; root $work/www; limit_rate $CAP; }
}
CONF
"$NGINX" -c "$work/nginx.conf" -p "$work" 2>/dev/null

echo "Publishing the app (Release)…" >&2
dotnet publish "$root/ComfyStudio.Web/ComfyStudio.Web.csproj" -c Release -o "$work/app" -nologo -v quiet >/dev/null
STUDIO_DIR="$work/studio" COMFYUI_DIR="$work/comfy" STUDIO_PORT=18090 API_KEY=bench-key-0123456789 \
  COMFYUI_URL=http://127.0.0.1:9 Telemetry__NvidiaSmiPath=/nonexistent RESTART_MODE=exit Downloads__DiskMarginBytes=0 \
  dotnet "$work/app/ComfyStudio.Web.dll" > "$work/app.log" 2>&1 &
app_pid=$!
for _ in $(seq 1 150); do curl -fs http://127.0.0.1:18090/api/health >/dev/null && break; sleep 0.2; done

now() { date +%s.%N; }
mbps() { python3 -c "import sys; print(f'{$1/1048576/($3-$2):.1f}')"; }

studio() { # url sha bytes name → MB/s
  local t0 id status
  t0=$(now)
  id=$(curl -fs -H "X-API-Key: bench-key-0123456789" -H "Content-Type: application/json" \
        -d "{\"name\":\"$4\",\"files\":[{\"url\":\"$1\",\"path\":\"checkpoints/$4.bin\",\"size\":$3,\"sha256\":\"$2\"}]}" \
        http://127.0.0.1:18090/api/downloads | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  while true; do
    status=$(curl -fs -H "X-API-Key: bench-key-0123456789" "http://127.0.0.1:18090/api/downloads/$id" | python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])')
    case $status in completed) break ;; failed|cancelled) echo "studio download $status" >&2; tail -20 "$work/app.log" >&2; exit 1 ;; esac
    sleep 0.05
  done
  mbps "$3" "$t0" "$(now)"
  rm -f "$work/comfy/models/checkpoints/$4.bin"
}

aria() { # url sha bytes → MB/s (download and verify)
  local t0
  rm -f "$work/out/aria.bin"
  t0=$(now)
  aria2c -q -x8 -s8 -k1M --file-allocation=none --allow-overwrite=true -d "$work/out" -o aria.bin "$1"
  [ "$(sha256sum "$work/out/aria.bin" | cut -d' ' -f1)" = "$2" ] || { echo "aria2c: hash mismatch" >&2; exit 1; }
  mbps "$3" "$t0" "$(now)"
  rm -f "$work/out/aria.bin"
}

curl1() { # url bytes → MB/s (one stream, no verification)
  local t0
  t0=$(now)
  curl -fs -o "$work/out/curl.bin" "$1"
  mbps "$2" "$t0" "$(now)"
  rm -f "$work/out/curl.bin"
}

big=$((UNCAPPED_MB * 1048576)); capped=$((CAPPED_MB * 1048576))
echo "Running…" >&2
s_u=$(studio http://127.0.0.1:18081/big.bin "$sha_big" "$big" uncapped)
a_u=$(aria http://127.0.0.1:18081/big.bin "$sha_big" "$big")
c_u=$(curl1 http://127.0.0.1:18081/big.bin "$big")
s_c=$(studio http://127.0.0.1:18082/capped.bin "$sha_capped" "$capped" capped)
a_c=$(aria http://127.0.0.1:18082/capped.bin "$sha_capped" "$capped")
c_c=$(curl1 http://127.0.0.1:18082/capped.bin "$capped")
peak=$(awk '/VmHWM/ {printf "%.0f", $2/1024}' "/proc/$app_pid/status")

ratio() { python3 -c "print(f'{$1/$2:.2f}×')"; }
printf '\n| scenario | file | studio (8 conn., verified) | aria2c -x8 -s8 + sha256sum | curl (1 stream) | studio / aria2c | studio / curl |\n'
printf '|---|---:|---:|---:|---:|---:|---:|\n'
printf '| uncapped | %s MiB | %s MB/s | %s MB/s | %s MB/s | %s | %s |\n' "$UNCAPPED_MB" "$s_u" "$a_u" "$c_u" "$(ratio "$s_u" "$a_u")" "$(ratio "$s_u" "$c_u")"
printf '| limit_rate %s per connection | %s MiB | %s MB/s | %s MB/s | %s MB/s | %s | %s |\n' "$CAP" "$CAPPED_MB" "$s_c" "$a_c" "$c_c" "$(ratio "$s_c" "$a_c")" "$(ratio "$s_c" "$c_c")"
printf '\nApp peak memory (VmHWM, whole run): %s MB\n' "$peak"
