#!/bin/sh
# Entry point of gaiaflow task images. Without arguments it runs the task
# runner; with arguments it runs them, so the operators' command
# (python -m gaiaflow.runner) and a person's `docker run -it IMAGE sh` both work.
set -e
if [ "$#" -eq 0 ]; then
    set -- python -m gaiaflow.runner
fi
exec "$@"
