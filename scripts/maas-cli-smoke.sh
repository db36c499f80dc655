#!/usr/bin/env bash
# Drives a running bootsync region with the real `maas` CLI and checks what the CLI exits with and prints.
#
#   MAAS_CLI=maas scripts/maas-cli-smoke.sh http://REGION:5240/MAAS/ CONSUMER:TOKEN:SECRET [VIEWER_KEY]
#
# KEY is what `bootsync-region apikey --data-dir DIR` prints; VIEWER_KEY, when given, what
# `bootsync-region apikey --data-dir DIR --user viewer` prints (a user who is not an admin), whose writes must be
# refused. Selections are checked against what their source offers, so they are made on a disabled source for the
# mirror SMOKE_MIRROR (default http://images.maas.io/ephemeral-v3/stable), verified with SMOKE_KEYRING (a path on the
# region; default /usr/share/keyrings/ubuntu-cloudimage-keyring.gpg), which must offer ubuntu/SMOKE_RELEASE (default
# jammy) for amd64: the region reads its index, and downloads no image. That source is named by its index URL
# (streams/v1/index.sjson), so it never clashes with a source the region already has for the mirror's root.
# No import is started; every source it creates is disabled and deleted again; boot_images_auto_import is written back
# with the value it had. It uploads a 5 MiB custom image (amd64/generic, so the region needs an Ubuntu image) and
# deletes it again. It logs in under profiles of its own and logs out at the end.
# See docs/maas-cli-compat.md for what a run against the real client printed.
set -u

if [ $# -lt 2 ] || [ $# -gt 3 ]; then
  echo "usage: MAAS_CLI=maas $0 URL KEY [VIEWER_KEY]" >&2
  exit 64
fi
MAAS=${MAAS_CLI:-maas}
URL=$1
KEY=$2
VIEWER_KEY=${3:-}
MIRROR=${SMOKE_MIRROR:-http://images.maas.io/ephemeral-v3/stable}
MIRROR_KEYRING=${SMOKE_KEYRING:-/usr/share/keyrings/ubuntu-cloudimage-keyring.gpg}
RELEASE=${SMOKE_RELEASE:-jammy}
PROFILE="bootsync-smoke-$$"
VIEWER="bootsync-smoke-viewer-$$"
ERR_FILE=$(mktemp)
passed=0
failed=0
OUT=''
ERR=''

cleanup() {
  "$MAAS" logout "$PROFILE" >/dev/null 2>&1
  [ -n "$VIEWER_KEY" ] && "$MAAS" logout "$VIEWER" >/dev/null 2>&1
  rm -f "$ERR_FILE"
}
trap cleanup EXIT

# expect WANT_RC STDOUT_REGEX STDERR_REGEX -- maas arguments...
# STDERR_REGEX '^$' means "nothing on stderr" (no API-hash warning, no traceback).
expect() {
  local want_rc=$1 out_re=$2 err_re=$3
  shift 4
  OUT=$("$MAAS" "$@" 2>"$ERR_FILE")
  local rc=$?
  ERR=$(cat "$ERR_FILE")
  if [ "$rc" -eq "$want_rc" ] && grep -Eq -- "$out_re" <<<"$OUT" && grep -Eq -- "$err_re" <<<"$ERR"; then
    passed=$((passed + 1))
    echo "ok    maas $*"
  else
    failed=$((failed + 1))
    echo "FAIL  maas $*"
    echo "      exit $rc (want $want_rc); stdout: ${OUT:0:300}"
    echo "      stdout should match: $out_re; stderr: ${ERR:0:300}"
  fi
}

# The first "id" of a JSON object (boot_source_id does not match: the quote before id is required).
first_id() { grep -o '"id":[0-9]*' <<<"$OUT" | head -n 1 | cut -d: -f2; }

NONE='^$'
P=$PROFILE

expect 1 "$NONE" '^The MAAS server rejected your API key\.$' -- login "$P" "$URL" "${KEY%:*}:not-the-secret"
expect 0 'You are now logged in' "$NONE" -- login "$P" "$URL" "$KEY"

expect 0 '^\[' "$NONE" -- "$P" boot-sources read
expect 2 '^\{"__all__":\["One of keyring_data or keyring_filename must be specified\."\]\}$' "$NONE" -- \
  "$P" boot-sources create url="http://bootsync-smoke-$$.invalid/"
expect 0 '"enabled":false' "$NONE" -- "$P" boot-sources create url="http://bootsync-smoke-$$.invalid/" \
  keyring_filename=/usr/share/keyrings/ubuntu-cloudimage-keyring.gpg enabled=false
SOURCE=$(first_id)
SOURCE=${SOURCE:-0}
expect 0 "\"id\":$SOURCE," "$NONE" -- "$P" boot-source read "$SOURCE"
expect 0 '"name":"bootsync smoke"' "$NONE" -- "$P" boot-source update "$SOURCE" name="bootsync smoke" enabled=false

# A selection is checked against what its source offers: this one cannot be read, so nothing is saved (503).
expect 2 'could not be read to check the selection' "$NONE" -- "$P" boot-source-selections create "$SOURCE" os=ubuntu \
  release="$RELEASE" arches=amd64
expect 0 '^\[\]$' "$NONE" -- "$P" boot-source-selections read "$SOURCE"
expect 0 "$NONE" "$NONE" -- "$P" boot-source delete "$SOURCE"
expect 2 '^No BootSource matches the given query\.$' "$NONE" -- "$P" boot-source read "$SOURCE"

# A source the region can read, disabled so that no import ever downloads from it.
expect 0 '"enabled":false' "$NONE" -- "$P" boot-sources create url="${MIRROR%/}/streams/v1/index.sjson" \
  name="bootsync-smoke-$$" keyring_filename="$MIRROR_KEYRING" enabled=false
MIRROR_SOURCE=$(first_id)
MIRROR_SOURCE=${MIRROR_SOURCE:-0}
# A typo is refused before any import has read the source: the region reads its index now.
expect 2 '^\{"os":\["OS ubuntu with release nobel has no available images for download"\]\}$' "$NONE" -- \
  "$P" boot-source-selections create "$MIRROR_SOURCE" os=ubuntu release=nobel arches=amd64
expect 0 '^\[\]$' "$NONE" -- "$P" boot-source-selections read "$MIRROR_SOURCE"
# Omitted subarches and labels are * (all); MAAS 3.7 would store [] (docs/maas-cli-compat.md).
expect 0 '"subarches":\["\*"\],"labels":\["\*"\]' "$NONE" -- "$P" boot-source-selections create "$MIRROR_SOURCE" os=ubuntu \
  release="$RELEASE" arches=amd64
SELECTION=$(first_id)
SELECTION=${SELECTION:-0}
expect 0 "\"id\":$SELECTION," "$NONE" -- "$P" boot-source-selections read "$MIRROR_SOURCE"
expect 0 '"arches":\["amd64"\],"subarches":\["\*"\],"labels":\["stable"\]' "$NONE" -- "$P" boot-source-selection update \
  "$MIRROR_SOURCE" "$SELECTION" labels=stable
expect 2 '^\{"arches":\["No available images to download for \[.bootsync-no-such-arch.\]"\]\}$' "$NONE" -- \
  "$P" boot-source-selection update "$MIRROR_SOURCE" "$SELECTION" arches=amd64 arches=bootsync-no-such-arch

if [ -n "$VIEWER_KEY" ]; then
  # A user who is not an admin reads, and every write or import is refused with MAAS's 403.
  expect 0 'You are now logged in' "$NONE" -- login "$VIEWER" "$URL" "$VIEWER_KEY"
  expect 0 '"is_superuser":false' "$NONE" -- "$VIEWER" users whoami
  expect 0 '^\[' "$NONE" -- "$VIEWER" boot-resources read
  expect 0 "\"id\":$SELECTION," "$NONE" -- "$VIEWER" boot-source-selections read "$MIRROR_SOURCE"
  expect 2 '^This method is reserved for admin users\.$' "$NONE" -- "$VIEWER" boot-resources import
  expect 2 '^This method is reserved for admin users\.$' "$NONE" -- "$VIEWER" boot-source-selections create \
    "$MIRROR_SOURCE" os=ubuntu release="$RELEASE" arches=amd64
  expect 2 '^This method is reserved for admin users\.$' "$NONE" -- "$VIEWER" boot-source-selection delete \
    "$MIRROR_SOURCE" "$SELECTION"
else
  echo "skip  the non-admin checks (no VIEWER_KEY given)"
fi

expect 0 "$NONE" "$NONE" -- "$P" boot-source-selection delete "$MIRROR_SOURCE" "$SELECTION"
expect 2 '^No BootSourceSelection matches the given query\.$' "$NONE" -- "$P" boot-source-selection read "$MIRROR_SOURCE" "$SELECTION"
expect 0 "$NONE" "$NONE" -- "$P" boot-source delete "$MIRROR_SOURCE"

expect 0 '^\[' "$NONE" -- "$P" boot-resources read
expect 0 '^\[' "$NONE" -- "$P" boot-resources read type=synced
expect 0 '^(true|false)$' "$NONE" -- "$P" boot-resources is-importing
expect 0 '"importing":(true|false)' "$NONE" -- "$P" boot-resources import-status
expect 2 '^No BootResource matches the given query\.$' "$NONE" -- "$P" boot-resource read 999999

expect 0 '^(true|false)$' "$NONE" -- "$P" maas get-config name=boot_images_auto_import
AUTO_IMPORT=$OUT
expect 0 '^OK$' "$NONE" -- "$P" maas set-config name=boot_images_auto_import value="$AUTO_IMPORT"
expect 0 "^$AUTO_IMPORT\$" "$NONE" -- "$P" maas get-config name=boot_images_auto_import

# A custom image through the CLI's chunked path (5 MiB: two PUTs of 4 MiB and one of 1 MiB), read back, deleted.
# Needs an Ubuntu image on the region: MAAS only takes the architectures an image that can commission offers.
IMAGE=$(mktemp)
head -c $((5 * 1024 * 1024)) /dev/urandom >"$IMAGE"
expect 0 "$NONE" "$NONE" -- "$P" boot-resources create name="custom/bootsync-smoke-$$" architecture=amd64/generic \
  filetype=ddraw content@="$IMAGE"
rm -f "$IMAGE"
expect 0 "\"name\":\"custom/bootsync-smoke-$$\".*\"status\":\"[A-Z]" "$NONE" -- "$P" boot-resources read type=uploaded
UPLOAD=$(grep -o "\"id\":[0-9]*,\"type\":\"Uploaded\",\"name\":\"custom/bootsync-smoke-$$\"" <<<"$OUT" | cut -d: -f2 | cut -d, -f1)
expect 0 "$NONE" "$NONE" -- "$P" boot-resource delete "${UPLOAD:-0}"
expect 2 '^No BootResource matches the given query\.$' "$NONE" -- "$P" boot-resource read "${UPLOAD:-0}"

expect 0 '^\[' "$NONE" -- "$P" rack-controllers read
expect 0 "$NONE" "$NONE" -- refresh
expect 0 '^(true|false)$' "$NONE" -- "$P" boot-resources is-importing

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
