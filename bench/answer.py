#!/usr/bin/env python3
"""Runs a command on a pseudo-terminal and answers `y` to its first [y/N]
question, as a user at the keyboard would (bench/run.sh times interactive
`revoke` with it). Exits with the command's exit code.

    bench/answer.py ascvault --vault v.age revoke some-label
"""
import os
import pty
import sys

pid, fd = pty.fork()
if pid == 0:
    os.execvp(sys.argv[1], sys.argv[1:])

seen = b""
answered = False
while True:
    try:
        chunk = os.read(fd, 4096)
    except OSError:  # EIO: the child closed the terminal
        break
    if not chunk:
        break
    seen += chunk
    if not answered and b"[y/N]" in seen:
        os.write(fd, b"y\n")
        answered = True
_, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status))
