"""The interpreter behind ``helpers.CliServer``: reads one JSON request per line on
stdin (``args``, ``paths``, ``environ``, ``extra``), runs ``cgtk ARGS`` with
``helpers.cli_in_process`` on this process's Keras backend (KERAS_BACKEND at start),
in the requester's environment, and writes one result line to stdout."""
import json
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import keras  # noqa: E402  on KERAS_BACKEND, before any request changes the environment
from helpers import CliServer, cli_in_process  # noqa: E402

BACKEND = keras.backend.backend()


def main() -> None:
    out = sys.stdout
    for line in sys.stdin:
        request = json.loads(line)
        saved = dict(os.environ)
        os.environ.clear()
        os.environ.update(request["environ"])
        os.environ.pop("CGTK_TEST_CLI_SUBPROCESS", None)
        os.environ["CGTK_TEST_CLI_SERVER"] = "1"
        try:
            result = cli_in_process(*request["args"], paths=request["paths"],
                                    backend=BACKEND, **request["extra"])
        finally:
            os.environ.clear()
            os.environ.update(saved)
        out.write(CliServer.MARKER + json.dumps(
            {"returncode": result.returncode, "stdout": result.stdout,
             "stderr": result.stderr}) + "\n")
        out.flush()


if __name__ == "__main__":
    main()
