"""Record real MXNet 1.9.1's shapes for the networks in ``netdefs.py``.

Run with the MXNet virtualenv (not part of the test suite)::

    $MXJAX_MXNET_PYTHON tests/operator/record_mxnet_shapes.py

Writes ``tests/fixtures/mxnet_shapes.json``: per network config, the argument,
auxiliary-state and output names and the shapes MXNet infers from the data shape.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import mxnet as mx  # noqa: E402
import netdefs  # noqa: E402


def main() -> None:
    out = {}
    for name in netdefs.NETS:
        with mx.name.NameManager():
            sym, shape = netdefs.build(mx, name)
        args, outs, aux = sym.infer_shape(data=shape, softmax_label=(shape[0],))
        out[name] = {
            "data_shape": list(shape),
            "arguments": sym.list_arguments(),
            "arg_shapes": [list(s) for s in args],
            "aux_states": sym.list_auxiliary_states(),
            "aux_shapes": [list(s) for s in aux],
            "outputs": sym.list_outputs(),
            "out_shapes": [list(s) for s in outs],
            "num_nodes": len(json.loads(sym.tojson())["nodes"]),
        }
        print(f"{name:26s} {len(out[name]['arguments']):4d} args {len(aux):4d} aux "
              f"out {outs}")
    path = HERE.parent / "fixtures" / "mxnet_shapes.json"
    path.write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
