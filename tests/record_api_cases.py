"""Record a case list's answers from the real MXNet 1.9.1 (not run by the tests).

    $MXJAX_MXNET_PYTHON tests/record_api_cases.py tests/symbol/sym_api_cases.py \\
        tests/symbol/data/mxnet_sym_api_cases.json

The tests replay the same cases under mxjax and compare (see api_case_runner).
"""

from __future__ import annotations

import json
import runpy
import sys
from pathlib import Path

import mxnet as mx  # the real MXNet, from its own virtualenv

sys.path.insert(0, str(Path(__file__).parent))
from api_case_runner import run_case  # noqa: E402


def main(cases_file: str, out_file: str) -> None:
    cases = runpy.run_path(cases_file)["CASES"]
    results = {name: run_case(mx, code) for name, code in cases}
    Path(out_file).parent.mkdir(parents=True, exist_ok=True)
    Path(out_file).write_text(json.dumps({"mxnet_version": mx.__version__,
                                          "cases": results}, indent=1, sort_keys=True) + "\n")
    print(f"recorded {len(results)} cases from MXNet {mx.__version__} into {out_file}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
