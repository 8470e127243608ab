#!/usr/bin/env bash
# Models library: listing and rescanning 10,000 model files, against find(1) walking the same tree (the floor for
# any listing that stats every file). Prints one table. Usage: bench/models.sh [files]   (default 10000)
set -euo pipefail
FILES=${1:-10000}
ROOT=$(mktemp -d /tmp/comfystudio-bench-models.XXXXXX)
trap 'kill $APP 2>/dev/null || true; rm -rf "$ROOT"' EXIT
cd "$(dirname "$0")/.."
dotnet build ComfyStudio.Web -c Release -v q >/dev/null

# Small valid safetensors files (a 2-tensor header), spread over ComfyUI's folders.
python3 - "$ROOT/ComfyUI/models" "$FILES" <<'PY'
import json, os, struct, sys
root, n = sys.argv[1], int(sys.argv[2])
folders = ["checkpoints", "loras", "vae", "text_encoders", "diffusion_models", "controlnet", "upscale_models"]
header = json.dumps({"__metadata__": {"modelspec.architecture": "bench"},
                     "a": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]},
                     "b": {"dtype": "F32", "shape": [4], "data_offsets": [16, 32]}}).encode()
header += b" " * ((8 - len(header) % 8) % 8)
blob = struct.pack("<Q", len(header)) + header + bytes(32)
for i in range(n):
    d = os.path.join(root, folders[i % len(folders)], f"set{i // 500:03d}")
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, f"model_{i:05d}.safetensors"), "wb") as f:
        f.write(blob)
PY

PORT=18734
KEY=bench-models-key-0123456789abcdef
STUDIO_DIR="$ROOT/studio" COMFYUI_DIR="$ROOT/ComfyUI" STUDIO_PORT=$PORT API_KEY=$KEY COMFYUI_URL=http://127.0.0.1:9 \
  dotnet ComfyStudio.Web/bin/Release/net10.0/ComfyStudio.Web.dll >"$ROOT/app.log" 2>&1 &
APP=$!
for _ in $(seq 120); do curl -sf "http://127.0.0.1:$PORT/api/health" >/dev/null && break; sleep 0.5; done

ms() { local s e; s=$(date +%s%N); "$@" >/dev/null; e=$(date +%s%N); echo $(( (e - s) / 1000000 )); }
cpu() { awk '{print $14 + $15}' "/proc/$APP/stat"; }   # utime + stime, clock ticks
list() { curl -sf -H "X-API-Key: $KEY" "http://127.0.0.1:$PORT/api/models?per_page=100"; }

sync; echo 3 > /proc/sys/vm/drop_caches 2>/dev/null || true
FIND=$(ms find "$ROOT/ComfyUI/models" -type f -printf '%s %T@ %p\n')
FIND_WARM=$(ms find "$ROOT/ComfyUI/models" -type f -printf '%s %T@ %p\n')
C0=$(cpu); COLD=$(ms list); C1=$(cpu)                 # first listing: waits for the scan at start to end
for _ in $(seq 120); do grep -q "Models index:" "$ROOT/app.log" && break; sleep 0.5; done
SCAN=$(sed -n 's/.*Models index: .* in \([0-9]*\) ms.*/\1/p' "$ROOT/app.log" | head -1)   # the scan at start, every header read
WARM=$(ms list)                                        # the index, unchanged
curl -sf -H "X-API-Key: $KEY" -o /dev/null "http://127.0.0.1:$PORT/api/models/types"
touch "$ROOT/ComfyUI/models/checkpoints/set000/model_00000.safetensors"
C2=$(cpu); RESCAN=$(ms list); C3=$(cpu)                # one file changed: a rescan that stats all, reads one header
TOTAL=$(list | python3 -c 'import json,sys; print(json.load(sys.stdin)["total"])')
TICK=$(getconf CLK_TCK)

printf '\n%-44s %10s %12s %14s\n' "operation ($TOTAL files)" "ms" "vs find" "CPU ms"
printf '%-44s %10s %12s %14s\n' "find -printf (cold cache)" "$FIND" "1.00" "-"
printf '%-44s %10s %12s %14s\n' "find -printf (warm cache)" "$FIND_WARM" "-" "-"
printf '%-44s %10s %12.2f %14s\n' "studio: scan at start (every header, background)" "$SCAN" "$(echo "$SCAN / $FIND_WARM" | bc -l)" "-"
printf '%-44s %10s %12.2f %14s\n' "studio: first listing after the health check" "$COLD" "$(echo "$COLD / $FIND_WARM" | bc -l)" "$(( (C1 - C0) * 1000 / TICK ))"
printf '%-44s %10s %12.2f %14s\n' "studio: listing from the index" "$WARM" "$(echo "$WARM / $FIND_WARM" | bc -l)" "-"
printf '%-44s %10s %12.2f %14s\n' "studio: rescan after one file changed" "$RESCAN" "$(echo "$RESCAN / $FIND_WARM" | bc -l)" "$(( (C3 - C2) * 1000 / TICK ))"
