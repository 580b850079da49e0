"""Regenerate ``tests/reference/fixtures/`` (needs torch==2.13.0, CPU).

For every case in :mod:`reference.cases`: a random-init state dict of the torch
re-statement and the reference's output, as ``NAME.npz`` (the output kept at
the case's stride; the input is regenerated from its seed by
``reference.cases.case_input``). Also ``resnet6_instance.pth``, written by ``torch.save`` itself, so
cgtk's restricted ``.pth`` reader is tested on a real torch file even without torch.

    python tests/reference/make_fixtures.py            # every case
    python tests/reference/make_fixtures.py NAME ...   # only these cases
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
FIXTURES = HERE / "fixtures"


def main() -> None:
    sys.path.insert(0, str(HERE.parent))
    import numpy as np
    import torch

    from reference.cases import CASES, build_reference, case_input, state_dict_arrays

    FIXTURES.mkdir(exist_ok=True)
    only = set(sys.argv[1:])
    for case in CASES:
        if only and case.name not in only:
            continue
        net = build_reference(case)
        x = case_input(case)
        with torch.no_grad():
            expected = net(torch.from_numpy(x)).numpy()
        tensors = state_dict_arrays(case, net)
        s = case.stride
        np.savez_compressed(
            FIXTURES / f"{case.name}.npz", expected=expected[..., ::s, ::s],
            meta=np.array(json.dumps({"case": case.name, "torch": torch.__version__,
                                      "keys": list(tensors)})),
            **{f"tensor/{k}": v for k, v in tensors.items()})
        if case.name == "resnet6_instance":
            torch.save(net.state_dict(), FIXTURES / f"{case.name}.pth")
        print(f"{case.name}: {len(tensors)} tensors, output {tuple(expected.shape)}")


if __name__ == "__main__":
    main()
