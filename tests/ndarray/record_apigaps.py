"""Record MXNet 1.9.1 results of ``apigap_cases.py`` into fixtures/apigaps_mxnet.{json,npz}.

Run with a real MXNet (the tests do not need it):
    /work/mxnet-venv/bin/python tests/ndarray/record_apigaps.py
Arrays go to the npz (key ``a<i>``, dtype kept); every other value to the json.
"""

import json
import sys
from pathlib import Path

import mxnet as mx
import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from apigap_cases import all_cases  # noqa: E402

FIXTURES = Path(__file__).parents[1] / "fixtures"


def main() -> None:
    res = all_cases(mx)
    arrays, index = {}, {}
    for i, (k, v) in enumerate(res.items()):
        if isinstance(v, np.ndarray):
            arrays[f"a{i}"] = v
            index[k] = {"array": f"a{i}"}
        else:
            index[k] = {"value": v}
    np.savez(FIXTURES / "apigaps_mxnet.npz", **arrays)
    (FIXTURES / "apigaps_mxnet.json").write_text(json.dumps(index, indent=0, sort_keys=True))
    print(f"recorded {len(index)} values ({len(arrays)} arrays)")


if __name__ == "__main__":
    main()
