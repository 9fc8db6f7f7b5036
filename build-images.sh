#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
#
# Build the two images of the NS8 backup-monitor module with buildah:
#   1. the service runtime image: a Node LTS base + the compiled service (dist/) + production
#      dependencies only, running as a non-root user;
#   2. the module image, FROM scratch: imageroot/ + the built admin page (ui/dist) + the
#      org.nethserver.* labels that tell NS8 how to install it (NS8.md §8.2).
#
# Environment:
#   REPOBASE         THE image namespace, e.g. ghcr.io/<owner> (lowercased). It names both
#                    images, the module's org.nethserver.images label, metadata.json `source`,
#                    and, for ghcr.io/<owner>, the docs URLs (github.com/<owner>/ns8-backup-monitor;
#                    in GitHub Actions the building repository's own URL). Default: `localhost`,
#                    podman's local prefix: a local build claims no registry namespace.
#                    NS8's reusable publish workflow sets REPOBASE=ghcr.io/<repository owner>.
#   IMAGETAG         tag (default `dev`); sanitised like the publish workflow does ('/' -> '-',
#                    anything a registry refuses -> '-'). A release is a semver git tag
#                    without `v` (1.2.0, 1.3.0-rc.1): the Software Center lists only those.
#   CODE_URL         only for a registry other than ghcr.io: the source repository's web URL
#                    for metadata.json (documentation, issues); empty otherwise
#   NODE_BASE_IMAGE  base of the runtime image (default docker.io/library/node:24.16.0-slim);
#                    any image with a glibc `node` on PATH works, e.g. a locally made one
#                    (build/make-local-node-base.sh) when no registry is reachable
#   UI_DIST          a prebuilt admin page to use instead of building ui/ (optional)
#   CI, GITHUB_OUTPUT  in GitHub Actions, the image list goes to $GITHUB_OUTPUT

set -euo pipefail

cd "$(dirname "$0")"

repobase="${REPOBASE:-localhost}"
repobase="${repobase,,}"   # registries want lowercase names
repobase="${repobase%/}"
reponame="backup-monitor"
# Same sanitising as ns8-github-actions publish-branch.yml (tr '/' '-'), plus the rest of the
# registry's tag grammar [A-Za-z0-9_][A-Za-z0-9_.-]{0,127}, so the label names the pushed tag.
imagetag=$(printf '%s' "${IMAGETAG:-dev}" | tr '/' '-' | sed -e 's/[^A-Za-z0-9_.-]/-/g' -e 's/^[.-]/_/' | cut -c1-128)
node_base="${NODE_BASE_IMAGE:-docker.io/library/node:24.16.0-slim}"
# Images are committed untagged (podman's implicit :latest, what the publish workflow pushes as
# ${image}:${IMAGETAG}) and also as :${imagetag} for local use.
service_name="${repobase}/${reponame}-service"
module_name="${repobase}/${reponame}"
service_image="${service_name}:${imagetag}"
module_image="${module_name}:${imagetag}"
# uid:gid of the `node` user of the official Node images; numeric, so any base works
service_user="1000:1000"
images=()

stage=$(mktemp -d)
containers=()
cleanup() {
    for c in "${containers[@]}"; do buildah rm "$c" >/dev/null 2>&1 || :; done
    rm -rf "$stage"
}
trap cleanup EXIT

step() { printf '==> %s\n' "$*"; }
fail() { printf 'build-images.sh: %s\n' "$*" >&2; exit 1; }

[[ "${repobase}" =~ ^[a-z0-9._:-]+(/[a-z0-9._-]+)*$ ]] || fail "REPOBASE=${repobase} is not an image namespace"
if [[ "${imagetag}" =~ ^v[0-9]+\.[0-9]+\.[0-9]+ ]]; then
    printf 'build-images.sh: warning: tag %s is not semver (no "v"): the Software Center will not list it\n' "${imagetag}" >&2
fi

for tool in buildah node npm; do
    command -v "$tool" >/dev/null || fail "$tool is required"
done

step "Compiling the service (tsc -> ${stage}/app/dist)"
[[ -d node_modules ]] || npm ci --no-audit --no-fund
npx --no-install tsc -p tsconfig.build.json --outDir "${stage}/app/dist"

# The settings manifest and the error catalogue, at the same place relative to dist/ as in the repository (src/shared.ts)
for shared in settings.json errors.json; do
    install -D -m 644 "imageroot/pypkg/backup_monitor/${shared}" "${stage}/app/imageroot/pypkg/backup_monitor/${shared}"
done

step "Installing production dependencies only"
cp package.json package-lock.json "${stage}/app/"
(cd "${stage}/app" && npm ci --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error)

if [[ -n "${UI_DIST:-}" ]]; then
    [[ -f "${UI_DIST}/index.html" ]] || fail "UI_DIST=${UI_DIST} has no index.html"
    step "Using the prebuilt admin page in ${UI_DIST}"
    cp -a "${UI_DIST}" "${stage}/ui"
elif [[ -f ui/package.json ]]; then
    step "Building the admin page (ui/)"
    # npm ci from ui/package-lock.json unless ui/node_modules was installed from it as it is
    # now: the publish workflow restores a cached ui/node_modules that may be older (build/ui-deps.mjs).
    node build/ui-deps.mjs ui
    (cd ui && npm run build -- --outDir "${stage}/ui" --emptyOutDir)
else
    fail "ui/package.json not found: the admin page is part of the module image (or set UI_DIST)"
fi
[[ -f "${stage}/ui/index.html" ]] || fail "the admin page build produced no index.html"
ls "${stage}"/ui/img/*logo*.png >/dev/null 2>&1 || fail "the admin page has no img/*logo*.png (cluster-admin looks for it)"

# The catalogue entry follows REPOBASE (scripts/module-metadata.ts, the same rule as the
# Software Center repository): never a namespace this build does not publish to.
step "metadata.json: $(REPOBASE="${repobase}" node --import tsx scripts/module-metadata.ts "${stage}/ui/metadata.json")"

step "Runtime image ${service_image} from ${node_base}"
container=$(buildah from --pull=missing "${node_base}")
containers+=("$container")
buildah add --quiet --chown 0:0 "$container" "${stage}/app" /app
buildah config \
    --workingdir=/app \
    --user="${service_user}" \
    --env=NODE_ENV=production \
    --entrypoint='["node", "--max-semi-space-size=1", "--max-old-space-size=128", "--expose-gc", "dist/main.js"]' \
    --cmd='[]' \
    --stop-signal=SIGTERM \
    --label="org.opencontainers.image.title=${reponame}-service" \
    --label="org.opencontainers.image.licenses=GPL-3.0-or-later" \
    "$container"
buildah commit --quiet "$container" "${service_name}" >/dev/null
buildah tag "${service_name}" "${service_image}"
images+=("${service_name}")

step "Module image ${module_image}"
container=$(buildah from scratch)
containers+=("$container")
cp -a imageroot "${stage}/imageroot"
find "${stage}/imageroot" -name __pycache__ -prune -exec rm -rf {} +
buildah add --quiet "$container" "${stage}/imageroot" /imageroot
buildah add --quiet "$container" "${stage}/ui" /ui
# Two TCP ports: TCP_PORTS=<webhook on 127.0.0.1>,</metrics on the node VPN address> (docs/METRICS.md).
# cluster:reader lets the service run read-backup-snapshots through the API server
# (repository checks, NS8.md §5.4); node:portsadm lets update-module.d/30metrics_port ask the
# node for the /metrics port an instance installed with one port lacks (core's allocate-ports,
# docs/modules/port_allocation.md; it may change only this module's own ports); min-core 3.20.0: the node-level backup engine and
# node/<n>/backup_status keys this module reads exist since then (NS8.md §1.9).
buildah config \
    --entrypoint=/ \
    --label="org.nethserver.rootfull=0" \
    --label="org.nethserver.tcp-ports-demand=2" \
    --label="org.nethserver.authorizations=cluster:reader node:portsadm" \
    --label="org.nethserver.images=${service_image}" \
    --label="org.nethserver.min-core=3.20.0-0" \
    "$container"
buildah commit --quiet "$container" "${module_name}" >/dev/null
buildah tag "${module_name}" "${module_image}"
images+=("${module_name}")

if [[ -n "${CI:-}" && -n "${GITHUB_OUTPUT:-}" ]]; then
    # Untagged names: the publish workflow pushes each as ${image}:${IMAGETAG} (and :latest
    # for main). docker:// wants lowercase names.
    printf "images=%s\n" "${images[*],,}" >> "${GITHUB_OUTPUT}"
else
    printf "Built:\n"
    for image in "${images[@]}"; do printf "  %s:%s\n" "${image}" "${imagetag}"; done
    printf "Publish with:\n"
    for image in "${images[@],,}"; do printf "  buildah push %s:%s docker://%s:%s\n" "${image}" "${imagetag}" "${image}" "${imagetag}"; done
fi
