#!/bin/sh
# ComfyStudio's container entrypoint. Each round starts the backend an update deployed to
# STUDIO_DIR/backend when this image's runtime supports it (the app decides: `backend-path`),
# else the built-in one. The app exits with code 75 when it asks to be restarted (after an
# update or POST /api/admin/system/restart); any other exit code ends the container.
RESTART_CODE=75
while true; do
  dll=$(dotnet /app/ComfyStudio.Web.dll backend-path) || dll=/app/ComfyStudio.Web.dll
  COMFYSTUDIO_SUPERVISED=1 dotnet "$dll" "$@"
  code=$?
  if [ "$code" -ne "$RESTART_CODE" ]; then
    exit "$code"
  fi
  echo "ComfyStudio asked to be restarted; starting it again" >&2
done
