"""expect_exit.py CODE COMMAND [ARGS...]: runs COMMAND, passes its output
through, and exits 0 if and only if it exited with CODE (a negative CODE means
killed by that signal). lit's shell cannot test exit codes other than zero."""
import subprocess
import sys

want = int(sys.argv[1])
proc = subprocess.run(sys.argv[2:])
if proc.returncode != want:
    sys.stderr.write("expect_exit: %s exited with %d, expected %d\n"
                     % (sys.argv[2], proc.returncode, want))
    sys.exit(1)
