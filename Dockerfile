# syntax=docker/dockerfile:1
# ComfyStudio: build with the .NET SDK, run on the ASP.NET Core runtime as a non-root user.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
COPY Directory.Build.props Directory.Packages.props ./
COPY ComfyStudio.Services/ComfyStudio.Services.csproj ComfyStudio.Services/
COPY ComfyStudio.Web/ComfyStudio.Web.csproj ComfyStudio.Web/
RUN dotnet restore ComfyStudio.Web/ComfyStudio.Web.csproj
COPY ComfyStudio.Services/ ComfyStudio.Services/
COPY ComfyStudio.Web/ ComfyStudio.Web/
COPY version.json ./
COPY chrome-extension/ chrome-extension/
COPY registry/ registry/
RUN dotnet publish ComfyStudio.Web/ComfyStudio.Web.csproj -c Release -o /app --no-restore

FROM mcr.microsoft.com/dotnet/aspnet:10.0
# curl for the health check; git for self-update diagnostics.
RUN apt-get update \
 && apt-get install -y --no-install-recommends curl git ca-certificates tzdata \
 && rm -rf /var/lib/apt/lists/*
ENV ASPNETCORE_ENVIRONMENT=Production \
    STUDIO_DIR=/workspace/studio \
    COMFYUI_DIR=/workspace/ComfyUI \
    STUDIO_PORT=8000 \
    RUNTIME_VERSION=1 \
    RESTART_MODE=exit \
    DOTNET_CLI_TELEMETRY_OPTOUT=1
WORKDIR /app
COPY --from=build /app ./
COPY docker/entrypoint.sh /usr/local/bin/comfystudio-entrypoint
# The image's non-root user ("app", uid 1654) owns the data volume.
RUN mkdir -p /workspace/studio /workspace/ComfyUI && chown -R app:app /workspace
USER app
VOLUME ["/workspace"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD curl -fsS "http://127.0.0.1:${STUDIO_PORT}/api/health" || exit 1
ENTRYPOINT ["/usr/local/bin/comfystudio-entrypoint"]
