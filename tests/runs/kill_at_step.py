"""``python kill_at_step.py N cgtk-args...``: run ``cgtk`` and SIGKILL it right after global
step N (its metrics flushed), as a crash would. The test's way in is an extra callback
added to the standard ones, so the trainer carries no test hook."""
import os
import signal
import sys

import cgtk.callbacks
from cgtk.callbacks import Callback


class KillAtStep(Callback):
    def __init__(self, step: int):
        self.step = step

    def on_step(self, trainer):
        if trainer.global_step == self.step:
            trainer.flush()
            os.kill(os.getpid(), signal.SIGKILL)


def main() -> int:
    step, args = int(sys.argv[1]), sys.argv[2:]
    standard = cgtk.callbacks.default_callbacks
    cgtk.callbacks.default_callbacks = lambda *a, **k: [*standard(*a, **k), KillAtStep(step)]
    from cgtk.cli.main import main as cgtk_main

    return cgtk_main(args)


if __name__ == "__main__":
    sys.exit(main())
