#!/bin/sh
# ComfyStudio's container entrypoint. The app exits with code 75 when it asks to be restarted
# (after an update or POST /api/admin/system/restart); any other exit code ends the container.
RESTART_CODE=75
while true; do
  dotnet /app/ComfyStudio.Web.dll "$@"
  code=$?
  if [ "$code" -ne "$RESTART_CODE" ]; then
    exit "$code"
  fi
  echo "ComfyStudio asked to be restarted; starting it again" >&2
done
