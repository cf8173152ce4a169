"""What importing a library costs: Python import times and JS bundle sizes, shared by the import-cost rules.

The numbers are rough medians on a laptop with a warm disk cache (``python -X importtime``) and minified,
ungzipped sizes from bundlephobia; they rank findings and make messages concrete, they are not measurements
of the user's machine.
"""

from __future__ import annotations

from typing import NamedTuple

# Python module -> typical cold import time in milliseconds, including what the module itself imports.
PYTHON_IMPORT_MS: dict[str, int] = {
    "torch": 1500,
    "torchvision": 600,
    "torchaudio": 500,
    "tensorflow": 2500,
    "keras": 2000,
    "jax": 800,
    "transformers": 1200,
    "sentence_transformers": 2500,
    "diffusers": 1500,
    "datasets": 900,
    "accelerate": 700,
    "peft": 600,
    "spacy": 1000,
    "nltk": 400,
    "pandas": 300,
    "polars": 150,
    "pyarrow": 200,
    "scipy": 200,
    "sklearn": 600,
    "statsmodels": 800,
    "skimage": 500,
    "cv2": 150,
    "matplotlib": 150,
    "matplotlib.pyplot": 400,
    "seaborn": 600,
    "plotly": 300,
    "onnxruntime": 200,
    "xgboost": 300,
    "lightgbm": 300,
    "numba": 400,
    "numpy": 80,
}



class JsLibrary(NamedTuple):
    """``kb``: approximate minified size of the whole library. ``named_too``: named imports load it whole as
    well (CommonJS packages, which bundlers cannot tree-shake, and icon barrels that development builds and
    some bundlers load entirely)."""

    kb: int
    named_too: bool
    advice: str


JS_LIBRARIES: dict[str, JsLibrary] = {
    "lodash": JsLibrary(71, True, "import each function from its own path (`import get from 'lodash/get'`) or use named imports from `lodash-es`"),
    "moment": JsLibrary(290, True, "use `date-fns` named imports or `dayjs` (2 kB); moment and its locales cannot be tree-shaken"),
    "date-fns": JsLibrary(80, False, "use named imports (`import { format } from 'date-fns'`) so the bundler drops the rest"),
    "ramda": JsLibrary(52, False, "use named imports (`import { pick } from 'ramda'`) so the bundler drops the rest"),
    "@mui/icons-material": JsLibrary(5000, True, "import each icon from its own path (`import Delete from '@mui/icons-material/Delete'`)"),
    "@material-ui/icons": JsLibrary(5000, True, "import each icon from its own path (`import Delete from '@material-ui/icons/Delete'`)"),
}


def python_import_ms(source: str, names: tuple[str, ...] = ()) -> tuple[str, int] | None:
    """The most specific table entry an import of ``source`` (and ``from source import names``) reaches.

    ``import torch.nn`` and ``from matplotlib import pyplot`` load their parent packages too, so the entry is
    found by the longest matching dotted prefix among the module and each ``source.name``.
    """
    best: tuple[str, int] | None = None
    for module in (source, *(f"{source}.{name}" for name in names)):
        parts = module.split(".")
        for end in range(len(parts), 0, -1):
            key = ".".join(parts[:end])
            if key in PYTHON_IMPORT_MS:
                if best is None or len(key) > len(best[0]):
                    best = (key, PYTHON_IMPORT_MS[key])
                break
    return best
