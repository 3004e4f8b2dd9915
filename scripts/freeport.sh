#!/usr/bin/env bash
# Prints a free TCP port on the loopback interface.
python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()' 2>/dev/null && exit 0
# fallback without python: pick a random high port not in use
while :; do
  p=$((20000 + RANDOM % 30000))
  (echo >/dev/tcp/127.0.0.1/$p) 2>/dev/null || { echo $p; exit 0; }
done
