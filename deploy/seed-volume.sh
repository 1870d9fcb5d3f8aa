#!/bin/sh
# Fill newswatch's shared volume from the image before the workers start (Kubernetes: the
# worker pods' init container; compose: the one-shot `register` service):
#   sh /app/deploy/seed-volume.sh /var/lib/newswatch
# Copies the image's config/ and seeds/ entry by entry, only where the volume has no entry
# of that name yet: your edits, your feeds and the learned profile are kept, and a newer
# image's new example files arrive. Workers point NEWSWATCH_CONFIG_DIR, NEWSWATCH_SEEDS_DIR
# and NEWSWATCH_DATA_DIR at the three folders.
set -eu
volume="${1:?usage: seed-volume.sh VOLUME_DIR}"
image="${NEWSWATCH_HOME:-/app}"
for folder in config seeds; do
  mkdir -p "$volume/$folder"
  for entry in "$image/$folder"/*; do
    [ -e "$entry" ] || continue
    [ -e "$volume/$folder/${entry##*/}" ] || cp -R "$entry" "$volume/$folder/"
  done
done
mkdir -p "$volume/data"
