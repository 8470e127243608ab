#!/bin/sh
# ComfyStudio's container entrypoint. Each round starts the backend an update deployed to
# STUDIO_DIR/backend when this image's runtime supports it (the app decides: `backend-path`),
# else the built-in one. The app exits with code 75 when it asks to be restarted (after an
# update or POST /api/admin/system/restart); any other exit code ends the container, except
# that a deployed backend failing within its first 30 s is set aside and the built-in one runs.
# Stop signals are passed on, so `docker stop` shuts the app down gracefully.
# COMFYSTUDIO_BUILTIN names the built-in app elsewhere than the image's /app (the tests run the loop on their build).
RESTART_CODE=75
BUILTIN=${COMFYSTUDIO_BUILTIN:-/app/ComfyStudio.Web.dll}
child=
trap 'stopping=1; [ -n "$child" ] && kill -TERM "$child" 2>/dev/null' TERM INT
while true; do
  dll=$(dotnet "$BUILTIN" backend-path) || dll=$BUILTIN
  started=$(date +%s)
  (cd "$(dirname "$dll")" && COMFYSTUDIO_SUPERVISED=1 exec dotnet "$dll" "$@") &
  child=$!
  wait "$child"; code=$?
  # A trapped signal interrupts `wait`: wait again for the app's own exit code.
  while kill -0 "$child" 2>/dev/null; do wait "$child"; code=$?; done
  child=
  [ -n "$stopping" ] && exit "$code"
  [ "$code" -eq "$RESTART_CODE" ] && { echo "ComfyStudio asked to be restarted; starting it again" >&2; continue; }
  if [ "$code" -ne 0 ] && [ "$dll" != "$BUILTIN" ] && [ $(( $(date +%s) - started )) -lt 30 ]; then
    echo "ComfyStudio: the deployed backend failed to start (exit $code); setting it aside" >&2
    mv "$(dirname "$dll")" "$(dirname "$dll").failed-$(date +%Y%m%d%H%M%S)" && continue
  fi
  exit "$code"
done
