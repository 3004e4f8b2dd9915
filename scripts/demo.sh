#!/usr/bin/env bash
# make demo: the main job on the embedded default (a local repository).
# Creates a repository, saves a real directory (this project's own source),
# saves it again (nothing new is stored), lists snapshots, restores into a
# new directory, compares it with the original and prints the stats.
set -euo pipefail
bin=${1:-bin/savepoint}
cd "$(dirname "$0")/.."
demo=.demo
rm -rf "$demo"
mkdir -p "$demo"
export SAVEPOINT_REPOSITORY="$demo/repo"
export SAVEPOINT_PASSWORD="demo-password-not-secret"
src=core   # a real directory: the engine's own source

step() { printf '\n\033[1m$ %s\033[0m\n' "$*"; "$@"; }

step "$bin" init
step "$bin" save --name demo --tag first "$src"
touch "$src"/storage/storage.go   # a new mtime, same content: re-read, deduplicated
step "$bin" save --name demo "$src"
step "$bin" snapshots
step "$bin" ls demo:latest "$src/storage" 
step "$bin" restore demo:latest --target "$demo/restored"
printf '\n\033[1m$ diff -r %s %s\033[0m\n' "$src" "$demo/restored/$src"
diff -r "$src" "$demo/restored/$src"
echo "identical: the restored tree matches the original"
step "$bin" show demo:latest
echo
echo "repository size on disk: $(du -sh "$demo/repo" | cut -f1) for $(du -sh "$src" | cut -f1) of source"
